"""One clock: code and tests read "now" and "today" through django.utils.timezone only.

``date.today()`` and ``datetime.now()`` read the server's local clock in its own time zone; a test
cannot pin them consistently with Django's, and on a server in UTC they give yesterday's date for
the first eight hours of a Beijing day. This test parses every Python file of the repository and
fails on any such call, so "today" has one meaning everywhere (the secretariat's deadlines, the
tests' pinned clock, the demo's dates).
"""
import ast
import datetime
from pathlib import Path

from clock_support import TEST_NOW
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
SKIP_PARTS = {".venv", "venv", "var", "node_modules", ".git", "migrations"}
# attribute calls on the datetime module's classes that read the machine's clock directly
FORBIDDEN = {("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow")}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIP_PARTS.intersection(path.relative_to(ROOT).parts):
            yield path


def _clock_reads(path):
    """(line, call) for each ``<...>.date.today()``-like call in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (owner_name, node.func.attr) in FORBIDDEN:
                yield node.lineno, f"{owner_name}.{node.func.attr}()"


def test_no_code_reads_the_machine_clock_directly():
    found = [f"{path.relative_to(ROOT)}:{line}: {call}"
             for path in _python_files() for line, call in _clock_reads(path)]
    assert not found, ("Read the clock through django.utils.timezone (timezone.now() / timezone.localdate()), "
                       "not the machine's local clock:\n" + "\n".join(found))


def test_the_scan_finds_a_direct_clock_read(tmp_path):
    """The scanner itself is not blind: each forbidden spelling in a file is reported."""
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nfrom datetime import date, datetime\n"
                      "a = dt.date.today()\nb = datetime.now()\nc = dt.datetime.utcnow()\nd = timezone.now()\n")
    assert [call for _, call in _clock_reads(sample)] == ["date.today()", "datetime.now()", "datetime.utcnow()"]


def test_the_suite_runs_on_its_pinned_day():
    """conftest pins the clock (TEST_NOW), whatever day the machine thinks it is."""
    assert timezone.localdate() == datetime.date.fromisoformat(TEST_NOW[:10])
