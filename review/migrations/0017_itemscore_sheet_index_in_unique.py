import django.db.models.deletion
from django.db import migrations, models

# The index Django made for the foreign key (the same name on PostgreSQL and SQLite). Dropped by name rather
# than by altering the field, which on SQLite rebuilds the table and loses its frozen-score trigger (0005).
INDEX = "review_itemscore_sheet_id_7c4a37d1"


class Migration(migrations.Migration):
    """ItemScore.sheet needs no index of its own: one_score_per_sheet_item (sheet, item) serves every lookup by
    sheet, in item order, so the score matrix reads a sheet's scores without sorting them."""

    dependencies = [
        ('review', '0016_stage_result_points_sum'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='itemscore',
                    name='sheet',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='scores', to='review.scoresheet', verbose_name='评分表'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {INDEX}",
                                  reverse_sql=f"CREATE INDEX {INDEX} ON review_itemscore (sheet_id)"),
            ],
        ),
    ]
