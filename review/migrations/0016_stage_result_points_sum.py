from django.db import migrations, models
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum


def fill_points_sum(apps, schema_editor):
    """Every concluded stage gets the Σ points × percent of its panel's current item scores."""
    StageResult = apps.get_model("review", "StageResult")
    PanelItemScore = apps.get_model("review", "PanelItemScore")
    current = (PanelItemScore.objects.filter(panel=OuterRef("panel"), is_current=True).order_by().values("panel")
               .annotate(points_sum=Sum(F("item__points") * F("percent"))).values("points_sum"))
    StageResult.objects.update(points_sum=Subquery(current, output_field=DecimalField(max_digits=14,
                                                                                      decimal_places=4)))


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0015_merge_bench003"),
    ]

    operations = [
        migrations.AddField(
            model_name="stageresult",
            name="points_sum",
            field=models.DecimalField(decimal_places=4, editable=False, max_digits=14, null=True,
                                      verbose_name="Σ 分值 × 评审组得分率"),
        ),
        migrations.RunPython(fill_points_sum, migrations.RunPython.noop),
    ]
