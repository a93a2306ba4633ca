# 全国质量标杆 通知三、附件3: a recommending-authority role held for one of the other recommending units.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_proc_town_level'),
        ('applications', '0016_bench003_recommenders_pool_commitment'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='roleassignment',
            name='unique_role_scope',
        ),
        migrations.RemoveConstraint(
            model_name='roleassignment',
            name='authority_needs_region_and_program',
        ),
        migrations.AddField(
            model_name='roleassignment',
            name='recommending_unit',
            field=models.ForeignKey(blank=True, help_text='仅用于推荐单位角色：代表文件附件所列的其他推荐单位（如中国机械工业联合会）办理通过该单位申报的初审和推荐；选择后不填区域。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='role_assignments', to='applications.recommendingunit', verbose_name='其他推荐单位（附件3）'),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.UniqueConstraint(fields=('user', 'role', 'program', 'region', 'recommending_unit'), name='unique_role_scope_unit', nulls_distinct=False),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'authority'), _negated=True), models.Q(('program__isnull', False), models.Q(models.Q(('region__isnull', False), ('recommending_unit__isnull', True)), models.Q(('region__isnull', True), ('recommending_unit__isnull', False)), _connector='OR')), _connector='OR'), name='authority_needs_program_and_region_or_unit'),
        ),
        migrations.AddConstraint(
            model_name='roleassignment',
            constraint=models.CheckConstraint(condition=models.Q(('role', 'authority'), ('recommending_unit__isnull', True), _connector='OR'), name='only_authority_has_recommending_unit'),
        ),
    ]
