"""Load the shipped fixtures without overwriting anything already in the database.

``loaddata`` rewrites every row it contains, undoing the secretariat's edits to rule profiles and
campaigns. This command adds only rows whose primary key is missing, so it is safe to run on every
start (``make run`` does) and after an upgrade that ships new programs or campaigns.
"""
from django.core import serializers
from django.core.management import BaseCommand
from django.core.management.color import no_style
from django.core.management.commands.loaddata import Command as LoadData
from django.db import connection, transaction

DEFAULT_FIXTURES = ["regions", "gbt19580", "programs"]


class Command(BaseCommand):
    help = "加载内置的行政区划、评分准则和奖项规则：只补充缺少的记录，不覆盖已有的修改。"

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", default=DEFAULT_FIXTURES)

    def handle(self, *args, fixtures, **options):
        finder = LoadData()
        finder.using, finder.verbosity, finder.app_label = "default", 0, None
        finder.serialization_formats = serializers.get_public_serializer_formats()
        finder.excluded_models, finder.excluded_apps = set(), set()
        added = kept = 0
        models = set()
        with transaction.atomic():
            for name in fixtures:
                for path, _, _ in finder.find_fixtures(name):
                    with open(path, encoding="utf-8") as handle:
                        for obj in serializers.deserialize("json", handle):
                            model = type(obj.object)
                            models.add(model)
                            if model._default_manager.filter(pk=obj.object.pk).exists():
                                kept += 1
                                continue
                            obj.save()
                            added += 1
            # the rows carry their primary keys: move PostgreSQL's sequences past them, as loaddata does, so
            # that the next campaign the secretariat adds gets a free key (also in a database loaded before)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        self.stdout.write(f"内置数据：新增 {added} 条，已有 {kept} 条保持不变。")
