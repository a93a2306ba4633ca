"""Subset the Chinese PDF fonts once (idempotent: skips faces whose subset is present and up to date)."""
from django.core.management.base import BaseCommand

from applications.documents.fonts import cache_dir, prepare_fonts


class Command(BaseCommand):
    help = "Prepare the subset Chinese fonts that generated PDFs use (skips what is already up to date)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild even when up to date")

    def handle(self, *args, force=False, **options):
        result = prepare_fonts(force=force, stdout=self.stdout)
        current = sum(1 for v in result.values() if v == "current")
        if current == len(result):
            self.stdout.write(f"PDF fonts up to date in {cache_dir()}.")
        missing = [k for k, v in result.items() if v == "missing"]
        if missing:
            self.stderr.write(f"Source fonts missing for: {', '.join(missing)}")
