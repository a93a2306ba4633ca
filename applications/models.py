"""Award programs as data (rule profiles), their campaigns, the GB/T 19580 scoring scheme,
and the applications that move through a campaign.

An application's ``state`` is written only by ``applications.workflow``.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase

from qualityaward.accounts.models import Organization, Region

from .categories import ACCIDENT_SEVERITIES, VIOLATION_SEVERITIES


# --- GB/T 19580 scoring scheme -----------------------------------------------------------
class ScoringScheme(models.Model):
    code = models.CharField("代号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    total_points = models.PositiveIntegerField("总分", default=1000)

    class Meta:
        verbose_name = verbose_name_plural = "评分准则"

    def __str__(self):
        return self.name

    def clean(self):
        if self.pk:
            total = sum(c.points for c in self.categories.all())
            if total and total != self.total_points:
                raise ValidationError(f"各类目分值之和为 {total}，与总分 {self.total_points} 不一致，请核对。")


class ScoringCategory(models.Model):
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField("条款号", max_length=10)
    name = models.CharField("类目", max_length=60)
    points = models.PositiveIntegerField("分值")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评分类目"
        ordering = ["scheme", "order"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="unique_category_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class ScoringItem(models.Model):
    class Kind(models.TextChoices):
        PROCESS = "process", "过程"
        RESULTS = "results", "结果"

    category = models.ForeignKey(ScoringCategory, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("条款号", max_length=10)
    name = models.CharField("评分条款", max_length=60)
    points = models.PositiveIntegerField("分值", help_text="x.x.1 概述条款为 0 分")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    guidance = models.TextField("条款要求（申报人自评时显示）", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评分条款"
        ordering = ["category__order", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="unique_item_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class ScoringBand(models.Model):
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="bands")
    low = models.PositiveSmallIntegerField("下限（%）")
    high = models.PositiveSmallIntegerField("上限（%）")
    process_descriptor = models.TextField("过程条款描述（方法·展开·学习·整合）")
    results_descriptor = models.TextField("结果条款描述（水平·趋势·对比·整合）")

    class Meta:
        verbose_name = verbose_name_plural = "评分分档"
        ordering = ["scheme", "low"]
        constraints = [models.CheckConstraint(condition=Q(low__lte=models.F("high")), name="band_low_le_high")]

    def __str__(self):
        return f"{self.low}%–{self.high}%"


# --- Programs and rule profiles ------------------------------------------------------------
class Program(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        DISTRICT = "district", "区级"

    code = models.SlugField("代号", max_length=40, unique=True)
    name = models.CharField("奖项名称", max_length=60)
    short_name = models.CharField("简称", max_length=20)
    number_prefix = models.CharField("申报编号前缀", max_length=8)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    organizer = models.CharField("组织机构", max_length=120)
    issuer = models.CharField("印制单位（封面）", max_length=120)
    seat_region = models.ForeignKey(Region, verbose_name="所在地区", on_delete=models.PROTECT)
    source_document = models.CharField("依据文件", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    # the secretariat's contact details, shown on the program's and its campaigns' pages
    contact_office = models.CharField("联系单位（秘书处）", max_length=120, blank=True)
    contact_person = models.CharField("联系人", max_length=60, blank=True)
    contact_phone = models.CharField("联系电话", max_length=80, blank=True)
    contact_email = models.CharField("电子邮箱", max_length=120, blank=True)
    contact_address = models.CharField("通讯地址", max_length=200, blank=True)
    contact_postcode = models.CharField("邮编", max_length=6, blank=True)
    contact_source = models.CharField(
        "联系方式出处", max_length=200, blank=True,
        help_text="摘自依据文件的，写明出处（如：豫质强办通知）；文件未载明、由秘书处填写的留空，页面注明“秘书处填写”")

    class Meta:
        verbose_name = verbose_name_plural = "奖项"
        ordering = ["code"]

    def __str__(self):
        return self.name

    CONTACT_FIELDS = ("contact_office", "contact_person", "contact_phone", "contact_email", "contact_address",
                      "contact_postcode")

    def contacts(self):
        """[(label, value)] of the secretariat's contact details ('' where nobody has filled it in yet)."""
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.CONTACT_FIELDS]


class RuleProfile(models.Model):
    """Every parameter in which the programs differ. Code reads these; it never tests a program's name."""

    class Outcome(models.TextChoices):
        AWARD = "award", "授奖"
        CULTIVATION = "cultivation", "纳入培育库"
        RECOMMENDATION = "recommendation", "向上级推荐"

    class Recommender(models.TextChoices):
        CITY_MARKET_BUREAU = "city_market_bureau", "省辖市（区）市场监督管理局初审 + 市级人民政府推荐"
        CITY_INDUSTRY_DEPT = "city_industry_dept", "省辖市/省直管县工业和信息化主管部门"
        PARENT_ORG = "parent_org", "上级组织（分支机构适用）"
        TOWN_STREET = "town_street", "所在镇（街道）"
        TOWN_AND_DEPARTMENT = "town_and_department", "所在镇/街道办事处 + 主管部门"

    class Aggregation(models.TextChoices):
        CONSENSUS = "consensus", "组长主持形成共识分"
        MEAN = "mean", "算术平均"
        TRIMMED_MEAN = "trimmed_mean", "逐条去掉最高分和最低分后平均"
        TRIMMED_TOTAL = "trimmed_total", "去掉专家总分最高和最低各一位后平均"

    class RepeatPrize(models.TextChoices):
        NONE = "none", "无限制"
        NO_MONEY_FOR_REPEAT = "no_money_for_repeat", "同类奖项再次获奖不再发放奖金"
        TITLE_ONLY_AFTER_EXPIRY = "title_only_after_expiry", "有效期满后再次获奖只授称号和证书，不发奖金、不占名额"

    #: What a program's document calls the end of its procedure, where it is not an award: 000 五（五） puts the
    #: organizations 入库 (纳入培育库) after publicity; 003 三 ends with the province recommending them to the
    #: national 全国质量标杆 selection.  Neither document hands out a certificate.  Keys are state codes
    #: (proposed, awarded, not_awarded) and transition names (propose, award, not_award).
    OUTCOME_WORDS = {
        "cultivation": {
            "proposed": "拟入库公示中", "awarded": "已入库", "not_awarded": "未入库",
            "propose": "确定拟入库名单并公示", "award": "入库", "not_award": "不予入库",
        },
        "recommendation": {
            "awarded": "已推荐参加全国遴选", "not_awarded": "未推荐",
            "award": "推荐参加全国遴选", "not_award": "不予推荐",
        },
    }

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="profile", verbose_name="奖项")
    scoring_scheme = models.ForeignKey(ScoringScheme, verbose_name="评分准则", on_delete=models.PROTECT)
    # who may apply
    allows_organizations = models.BooleanField("组织可申报", default=True)
    allows_individuals = models.BooleanField("个人可申报", default=False)
    organization_scope = models.CharField("申报主体说明", max_length=200, blank=True)
    organization_form = models.CharField("组织申报表", max_length=20, default="organization", choices=[
        ("organization", "组织推荐表（培育组织推荐表格式）"), ("benchmark", "质量标杆申报材料")])
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices, default=Outcome.AWARD)
    outcome_label = models.CharField("结果称谓", max_length=40, help_text="如：授予县长质量奖、纳入省长质量奖培育库")
    cycle_years = models.PositiveSmallIntegerField("评选周期（年）", default=1)
    # eligibility
    min_years_operating = models.PositiveSmallIntegerField("最短运行年限", null=True, blank=True)
    min_years_little_giant = models.PositiveSmallIntegerField(
        "专精特新“小巨人”最短运行年限", null=True, blank=True
    )
    self_assessment_years = models.PositiveSmallIntegerField("连续自评良好年数", null=True, blank=True)
    self_assessment_years_little_giant = models.PositiveSmallIntegerField(
        "“小巨人”连续自评良好年数", null=True, blank=True
    )
    data_years = models.PositiveSmallIntegerField("填报数据年数", default=3)
    no_loss_years = models.PositiveSmallIntegerField(
        "须无亏损的年数", null=True, blank=True, help_text="只适用于企业；非营利性组织不适用（如息县 第十三条（五）“企业生产经营出现亏损”）")
    excellence_years = models.PositiveSmallIntegerField(
        "实施卓越绩效管理最短年限", null=True, blank=True, help_text="如巩义 第十三条（二）：1 年以上；留空表示文件未规定年限")
    qms_years = models.PositiveSmallIntegerField(
        "质量管理体系有效运行最短年限", null=True, blank=True, help_text="如金水 第八条（二）：3 年以上")
    inspection_years = models.PositiveSmallIntegerField(
        "产品连续经市级以上法定检验机构检验合格年数", null=True, blank=True, help_text="如金水 第八条（三）：连续 3 年")
    accident_fail_severity = models.CharField(
        "自动判定不符合的事故等级（及以上）", max_length=20, blank=True, choices=ACCIDENT_SEVERITIES,
        help_text="文件明确排除的事故等级，如省长质量奖培育“重大责任事故”；低于此等级或留空时，申报的事故由秘书处研判并写明理由")
    violation_fail_severity = models.CharField(
        "自动判定不符合的违法违规程度（及以上）", max_length=20, blank=True, choices=VIOLATION_SEVERITIES,
        help_text="文件明确排除的程度，如“严重违法违规违纪行为”；低于此程度或留空时由秘书处研判并写明理由")
    eligibility_note = models.TextField("资格条件说明", blank=True)
    # recommending authority
    recommender = models.CharField("推荐/初审单位", max_length=30, choices=Recommender.choices)
    recommender_label = models.CharField("推荐单位称谓", max_length=60)
    requires_government_opinion = models.BooleanField("需市级人民政府推荐意见", default=False)
    recommendation_quota = models.PositiveSmallIntegerField(
        "每个推荐单位每届最多推荐数", null=True, blank=True, help_text="留空表示不限"
    )
    recommendation_quota_in_principle = models.BooleanField(
        "推荐名额为原则性要求", default=False,
        help_text="文件写“原则上最多推荐N个”的（全国质量标杆 通知二）勾选：超出名额时推荐单位写明书面理由后仍可推荐，"
                  "理由记入审计记录；不勾选则超出名额不能推荐")
    other_unit_filing_to = models.CharField(
        "通过其他推荐单位申报的报备对象", max_length=100, blank=True,
        help_text="文件允许通过其他推荐单位（名单见“推荐单位名单”中的“其他推荐单位”）申报、并要求向有关部门报备的，"
                  "写明报备对象（如全国质量标杆 通知三：当地工信部门、省工业和信息化厅）。申报表据此请申报人选择申报途径并登记报备；"
                  "文件未规定后果，未登记报备时提示申报人、由秘书处在资格审查中研判，不阻止提交。留空表示不设")
    candidate_pool_rule = models.CharField(
        "推荐对象须出自的名单", max_length=20, blank=True, choices=[
            ("", "不设"), ("required", "须出自名单（不在名单中不能推荐）"),
            ("principle", "原则上出自名单（不在名单中写明书面理由后仍可推荐）")],
        help_text="如全国质量标杆 通知三：各地工信部门“在历年河南省质量标杆（含当年向省工业和信息化厅推荐的质量标杆）中筛选和推荐上报”。"
                  "名单由秘书处维护（导入或逐条编辑）；通过其他推荐单位申报的不适用")
    candidate_pool_label = models.CharField(
        "名单称谓", max_length=100, blank=True, help_text="如：历年河南省质量标杆（含当年向省工业和信息化厅推荐的质量标杆）")
    applicant_commitment = models.CharField(
        "申报单位须作的承诺", max_length=200, blank=True,
        help_text="文件把申报单位的承诺列为申报条件的，照录原文（如全国质量标杆 通知二（四）："
                  "承诺被遴选为全国质量标杆后，积极参与相关的分享交流活动）。申报表“声明”部分据此增加一项必选承诺，"
                  "并印入申报材料；留空表示不设")
    has_recommender_step = models.BooleanField(
        "设推荐单位初审推荐", default=True,
        help_text="文件规定由推荐单位（省辖市局、工信部门、镇（街道）等）初审推荐的勾选；申报人直接向秘书处提交的"
                  "（如息县 第十五、十七条，金水 第十四、十五条）不勾选：提交后直接进入秘书处资格审查，没有推荐单位和推荐截止时间")
    secretariat_consults_departments = models.BooleanField(
        "秘书处资格审查前征求有关部门意见", default=False,
        help_text="文件规定秘书处在征求有关部门意见的基础上进行资格审查的勾选（息县 第十七条“在征求县直有关部门意见的"
                  "基础上”，巩义 第十七条（三）“组织有关部门对申报组织进行资格审查”）。文件未点名部门，由秘书处逐个登记"
                  "征求的部门；所征求的部门均已答复后方可受理")
    # review
    has_acceptance_publicity = models.BooleanField("受理名单公示", default=True)
    has_material_review = models.BooleanField("材料评审", default=True)
    has_defense = models.BooleanField("陈述答辩", default=False)
    has_onsite_review = models.BooleanField("现场评审", default=True)
    material_review_eliminates = models.BooleanField(
        "材料评审可淘汰", default=False,
        help_text="只有通过材料评审的才进入现场评审（如巩义 第十七条（五））；未通过的在材料评审阶段确定未入围")
    has_committee = models.BooleanField("评委会审定", default=True)
    consults_after_evaluation = models.BooleanField(
        "专家评估后征求意见", default=False,
        help_text="文件规定专家评估之后、社会公示之前征求意见的勾选（000 五（五）“经专家评估、征求意见、社会公示等程序”）："
                  "秘书处登记征求了谁的意见及其答复，均已答复后方可确定名单并公示")
    has_winner_publicity = models.BooleanField("拟授奖名单公示", default=True)
    # after the winners' publicity (金水 第十六条; 息县 第二十二条; 巩义 第十七条（八）)
    has_candidate_confirmation = models.BooleanField(
        "公示后评委会确定正式候选名单", default=False,
        help_text="拟奖名单公示无异议后，由评委会确定正式候选名单，再报政府批准")
    has_government_decision = models.BooleanField(
        "政府审定", default=False,
        help_text="公示无异议后由政府研究审定；秘书处登记审定结果和文件后方可授奖、生成证书")
    government_decision_body = models.CharField("审定机关", max_length=60, blank=True,
                                                help_text="如：县政府常务会议")
    procedure_end = models.TextField(
        "程序终点", blank=True,
        help_text="文件规定的程序如何结束（由谁确定结果）；未设政府审定的奖项在此写明")
    panel_size_min = models.PositiveSmallIntegerField("评审组最少人数", null=True, blank=True)
    panel_size_max = models.PositiveSmallIntegerField("评审组最多人数", null=True, blank=True)
    panel_drawn_by_industry = models.BooleanField("按行业随机抽取专家", default=False)
    expert_max_panels = models.PositiveSmallIntegerField(
        "每位专家每届最多参加的评审组数", default=5, validators=[MinValueValidator(1)],
        help_text="抽取专家时，已在本届次担任这么多个评审组组长或组员的专家不再入选（各文件未作规定，由秘书处确定）")
    material_weight = models.DecimalField(
        "材料评审权重（%）", max_digits=5, decimal_places=2, default=Decimal("30"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    onsite_weight = models.DecimalField(
        "现场评审权重（%）", max_digits=5, decimal_places=2, default=Decimal("70"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    finalist_threshold = models.DecimalField(
        "入围分数线（含）", max_digits=7, decimal_places=2, null=True, blank=True
    )
    aggregation = models.CharField("专家分汇总方式", max_length=20, choices=Aggregation.choices,
                                   default=Aggregation.CONSENSUS)
    trimmed_mean_min_experts = models.PositiveSmallIntegerField(
        "去极值平均最少专家数", default=5,
        help_text="评分专家不少于此数时才去掉最高和最低（逐条或按总分）；少于此数（或少于 3 位）时算术平均")
    vote_threshold_numerator = models.PositiveSmallIntegerField("表决通过比例（分子）", null=True, blank=True)
    vote_threshold_denominator = models.PositiveSmallIntegerField("表决通过比例（分母）", null=True, blank=True)
    vacancies_allowed = models.BooleanField("可以空缺", default=True)
    # publicity and objections
    objections_allowed = models.BooleanField("受理异议", default=True)
    objection_answer_working_days = models.PositiveSmallIntegerField("异议书面答复时限（工作日）", null=True,
                                                                     blank=True)
    backfill_after_disqualification = models.BooleanField("取消资格后递补", default=False)
    # supervision (息县 第九条: 监督组 全程监督评审; 第二十五条: 任何单位和个人可向监督组举报, 监督组向评委会及秘书处报告)
    supervision_reports = models.BooleanField(
        "监督组受理举报并报告监督情况", default=False,
        help_text="文件规定任何单位和个人可以向监督组举报、监督组向评委会及秘书处报告监督情况的勾选（息县 第二十五条）："
                  "平台开放网上举报（实名），本奖项的监督组办理并撰写监督情况报告")
    supervision_note = models.TextField(
        "监督与举报说明", blank=True,
        help_text="依据文件写明监督组的组成与职责、举报由谁受理；举报页面向公众显示此段文字")
    # after the award
    repeat_prize_rule = models.CharField("重复获奖规则", max_length=30, choices=RepeatPrize.choices,
                                         default=RepeatPrize.NONE)
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True)
    revocation_window_years = models.PositiveSmallIntegerField("获奖后发生重大事故可撤销的年限", null=True,
                                                               blank=True)
    ban_years = models.PositiveSmallIntegerField("撤销后禁止申报年限", null=True, blank=True)
    ban_grounds = models.CharField(
        "适用禁止申报期的撤销情形", max_length=60, blank=True, default="fraud,incident,violation",
        help_text="逗号分隔：fraud（以不正当手段获奖）、incident（获奖后发生重大事故）、violation（严重违法违规）。"
                  "只有按这些情形撤销的，才在“撤销后禁止申报年限”内不得再次申报；留空表示各情形均不设禁止期")
    revocation_window_grounds = models.CharField(
        "适用撤销期限的撤销情形", max_length=60, blank=True, default="incident",
        help_text="逗号分隔（同上）：按这些情形撤销的，须在获奖之日起“获奖后发生重大事故可撤销的年限”内发生方可撤销。"
                  "息县 第三十四条的 3 年覆盖事故和严重违法违规（incident,violation）；巩义 第二十五条（二）只限事故")
    recovers_certificate_grounds = models.CharField(
        "撤销后收回证书的情形", max_length=60, blank=True, default="",
        help_text="逗号分隔（同上）：按这些情形撤销的，秘书处须登记收回证书（息县 第三十三、三十四条；巩义 第二十五条；金水 第二十三条）")
    recovers_trophy_grounds = models.CharField(
        "撤销后收回奖牌（奖杯）的情形", max_length=60, blank=True, default="",
        help_text="逗号分隔（同上）：按这些情形撤销的，秘书处须登记收回奖牌或奖杯")
    recovers_prize_grounds = models.CharField(
        "撤销后追回奖金的情形", max_length=60, blank=True, default="",
        help_text="逗号分隔（同上）：按这些情形撤销的，秘书处须登记追回奖金（息县只有第三十三条以不正当手段获奖的追回奖金）")
    trophy_label = models.CharField("奖牌称谓", max_length=20, default="奖牌",
                                    help_text="文件对奖牌的称谓，如：奖牌、奖杯、奖牌（奖杯）")
    revocation_notice_grounds = models.CharField(
        "撤销后向社会公告的情形", max_length=60, blank=True, default="",
        help_text="逗号分隔（同上）：按这些情形撤销的，在公开页面发布撤销公告（息县“向社会公开”，巩义“向社会公示”，"
                  "金水 第二十三条“予以曝光”）")
    SANCTION_KEYS = {"warning": "警告", "circular": "通报"}
    sanction_kinds = models.CharField(
        "可给予获奖单位的处理", max_length=60, blank=True, default="",
        help_text="逗号分隔：warning（警告）、circular（通报）。如金水 第二十四条：有效时限内出现投诉、重大质量事故、"
                  "监督抽查不合格等情况的，经区政府批准分别给予警告、通报处理；留空表示文件未规定")
    annual_self_assessment_report = models.BooleanField("有效期内每年报送自评报告", default=False)
    standards = models.TextField("评审依据标准", blank=True)
    no_fees = models.BooleanField("不收取任何费用", default=True)
    # the printed dossier (填报说明: 推荐表 and 证实性材料 page limits); empty means no limit
    form_page_limit_organization = models.PositiveSmallIntegerField("组织推荐表页数上限", null=True, blank=True)
    evidence_page_limit_organization = models.PositiveSmallIntegerField("组织证实性材料页数上限", null=True,
                                                                        blank=True)
    form_page_limit_individual = models.PositiveSmallIntegerField("个人推荐表页数上限", null=True, blank=True)
    evidence_page_limit_individual = models.PositiveSmallIntegerField("个人证实性材料页数上限", null=True,
                                                                      blank=True)
    # photo counts (000 填报说明: 组织照片 3–5 张, 最高管理者照片 1–2 张; 个人工作照片 2–3 张); empty: not asked for
    org_photos_min = models.PositiveSmallIntegerField("组织照片最少张数", null=True, blank=True)
    org_photos_max = models.PositiveSmallIntegerField("组织照片最多张数", null=True, blank=True)
    manager_photos_min = models.PositiveSmallIntegerField("最高管理者照片最少张数", null=True, blank=True)
    manager_photos_max = models.PositiveSmallIntegerField("最高管理者照片最多张数", null=True, blank=True)
    work_photos_min = models.PositiveSmallIntegerField("个人工作照片最少张数", null=True, blank=True)
    work_photos_max = models.PositiveSmallIntegerField("个人工作照片最多张数", null=True, blank=True)

    #: values the documents leave open and the secretariat chose (``secretariat_choices``), by key -> label
    CHOICE_KEYS = {
        "weights": "材料评审与现场评审权重",
        "panel_size": "评审组人数",
        "vote_threshold": "评委会表决通过比例",
        "expert_max_panels": "每位专家每届最多参加的评审组数",
        "objection_answer": "异议答复时限",
    }
    secretariat_choices = models.CharField(
        "文件未规定、由秘书处确定的事项", max_length=200, blank=True,
        help_text="逗号分隔：weights（材料/现场权重）、panel_size（评审组人数）、vote_threshold（表决通过比例）、"
                  "expert_max_panels（专家参评上限）、objection_answer（异议答复时限）。公开的奖项页面把这些值标为"
                  "“文件未规定，由秘书处确定”，不作为文件规定展示")

    class Meta:
        verbose_name = verbose_name_plural = "规则配置"

    def __str__(self):
        return f"{self.program} 规则配置"

    @property
    def secretariat_choice_set(self):
        """Keys of ``CHOICE_KEYS`` whose value the document leaves open (the public page does not show them as rules)."""
        return {k.strip() for k in (self.secretariat_choices or "").split(",") if k.strip()}

    def is_secretariat_choice(self, key):
        return key in self.secretariat_choice_set

    def clean(self):
        errors = {}
        if self.material_weight is not None and self.onsite_weight is not None:
            if self.has_material_review and self.has_onsite_review:
                if self.material_weight + self.onsite_weight != 100:
                    errors["onsite_weight"] = (
                        f"材料评审权重与现场评审权重之和须为 100%，当前为 {self.material_weight + self.onsite_weight}%。"
                    )
        if self.panel_size_min and self.panel_size_max and self.panel_size_min > self.panel_size_max:
            errors["panel_size_max"] = "评审组最多人数不能小于最少人数。"
        if (self.has_material_review or self.has_onsite_review) and not self.panel_size_min:
            errors["panel_size_min"] = "设有专家评审阶段时须填写评审组人数范围。"
        if (self.vote_threshold_numerator is None) != (self.vote_threshold_denominator is None):
            errors["vote_threshold_denominator"] = "表决通过比例的分子和分母须同时填写或同时留空。"
        elif self.vote_threshold_denominator is not None and (
            self.vote_threshold_denominator == 0 or self.vote_threshold_numerator > self.vote_threshold_denominator
        ):
            errors["vote_threshold_denominator"] = "表决通过比例须在 0 到 1 之间（分母大于 0，分子不大于分母）。"
        if self.has_committee and self.vote_threshold_denominator is None:
            errors["vote_threshold_numerator"] = "设有评委会审定时须填写表决通过比例。"
        if self.has_government_decision and not self.government_decision_body:
            errors["government_decision_body"] = "设有政府审定时请填写审定机关（如：县政府常务会议）。"
        if not self.has_recommender_step and (self.recommendation_quota or self.requires_government_opinion):
            errors["has_recommender_step"] = "未设推荐单位初审推荐时，不能设置推荐名额或市级人民政府推荐意见。"
        unknown = {k.strip() for k in (self.secretariat_choices or "").split(",") if k.strip()} - set(self.CHOICE_KEYS)
        if unknown:
            errors["secretariat_choices"] = f"不认识的事项：{'、'.join(sorted(unknown))}。可填：{'、'.join(self.CHOICE_KEYS)}。"
        for name in self.GROUND_FIELDS:
            unknown = self._keys(getattr(self, name)) - set(self.GROUND_KEYS)
            if unknown:
                errors[name] = f"不认识的撤销情形：{'、'.join(sorted(unknown))}。可填：{'、'.join(self.GROUND_KEYS)}。"
        unknown = self.sanction_kind_set - set(self.SANCTION_KEYS)
        if unknown:
            errors["sanction_kinds"] = f"不认识的处理：{'、'.join(sorted(unknown))}。可填：{'、'.join(self.SANCTION_KEYS)}。"
        if not (self.allows_organizations or self.allows_individuals):
            errors["allows_organizations"] = "至少允许组织或个人之一申报。"
        for low, high in (("org_photos_min", "org_photos_max"), ("manager_photos_min", "manager_photos_max"),
                          ("work_photos_min", "work_photos_max")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                errors[high] = "最多张数不能小于最少张数。"
        if self.min_years_little_giant and self.min_years_operating and (
            self.min_years_little_giant > self.min_years_operating
        ):
            errors["min_years_little_giant"] = "“小巨人”放宽后的年限不应大于一般年限。"
        if errors:
            raise ValidationError(errors)

    #: the revocation grounds (``review.awards.Award.Ground``) the ``*_grounds`` fields name
    GROUND_KEYS = ("fraud", "incident", "violation")
    GROUND_FIELDS = ("ban_grounds", "revocation_window_grounds", "recovers_certificate_grounds",
                     "recovers_trophy_grounds", "recovers_prize_grounds", "revocation_notice_grounds")

    @staticmethod
    def _keys(value):
        return {k.strip() for k in (value or "").split(",") if k.strip()}

    def grounds(self, field):
        """The grounds a ``*_grounds`` field names."""
        return self._keys(getattr(self, field))

    @property
    def sanction_kind_set(self):
        return self._keys(self.sanction_kinds)

    def ban_years_for(self, ground):
        """Years a revocation on ``ground`` bans the organization from applying again (None: no ban).
        A revocation without a recorded ground gets the profile's ban."""
        if self.ban_years is None:
            return None
        if not ground:
            return self.ban_years
        return self.ban_years if ground in self.grounds("ban_grounds") else None

    @property
    def vote_threshold(self):
        from fractions import Fraction

        if self.vote_threshold_denominator:
            return Fraction(self.vote_threshold_numerator, self.vote_threshold_denominator)
        return None

    @classmethod
    def outcome_word(cls, outcome, code, default):
        """The word a program with ``outcome`` uses for a state or transition ``code`` (OUTCOME_WORDS), else
        ``default``."""
        return cls.OUTCOME_WORDS.get(outcome, {}).get(code, default)

    def word(self, code, default):
        """This program's own word for a state or transition ``code``."""
        return self.outcome_word(self.outcome, code, default)

    @property
    def provides_revocation(self):
        """Whether the program's document provides for revoking its outcome (a ban after revocation, or a window in
        which an accident revokes it: 息县 第二十五条, 巩义 第二十三条, 金水 第十九条); 000 and 003 have none."""
        return bool(self.ban_years or self.revocation_window_years)

    @property
    def issues_certificate(self):
        """Only an award comes with a certificate (息县 第二十六条, 巩义 第十七条（八）, 金水 第十六条); 入库 and a
        national recommendation do not."""
        return self.outcome == self.Outcome.AWARD

    def enabled_stages(self):
        """The optional pipeline stages this program has, in pipeline order (see workflow)."""
        flags = {
            "acceptance_publicity": self.has_acceptance_publicity,
            "material_review": self.has_material_review,
            "onsite_review": self.has_onsite_review,
            "committee": self.has_committee,
            "proposed": self.has_winner_publicity,
            "candidate_confirmation": self.has_candidate_confirmation,
            "government_decision": self.has_government_decision,
        }
        return {name for name, on in flags.items() if on}


class PublicityRule(models.Model):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "申报单位内部公示"
        AUTHORITY = "authority", "推荐单位公示"
        ACCEPTANCE = "acceptance", "受理名单公示"
        CANDIDATES = "candidates", "候选名单公示"
        WINNERS = "winners", "拟授奖名单公示"
        DATABASE = "database", "入库名单公示"

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", "工作日"
        CALENDAR_DAYS = "calendar_days", "自然日"

    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="publicity_rules")
    kind = models.CharField("公示类型", max_length=20, choices=Kind.choices)
    min_length = models.PositiveSmallIntegerField("最短时长", null=True, blank=True,
                                                  help_text="留空表示文件未规定，由秘书处在公告中确定")
    unit = models.CharField("单位", max_length=20, choices=Unit.choices, default=Unit.WORKING_DAYS)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示规则"
        constraints = [models.UniqueConstraint(fields=["profile", "kind"], name="unique_publicity_kind")]

    def __str__(self):
        if self.min_length:
            return f"{self.get_kind_display()}：不少于{self.min_length}个{self.get_unit_display()}"
        return self.get_kind_display()


class AwardTier(models.Model):
    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField("代号", max_length=30)
    name = models.CharField("名称", max_length=40)
    quota = models.PositiveSmallIntegerField("名额上限", null=True, blank=True, help_text="留空表示不限")
    reserved_quota = models.PositiveSmallIntegerField("预留名额", default=0)
    reserved_for = models.CharField("预留给", max_length=60, blank=True, help_text="如：专精特新企业")
    quota_period = models.CharField("名额周期", max_length=10, default="届", help_text="届 或 年")
    prize_amount = models.DecimalField("奖金（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "奖励等级与名额"
        ordering = ["profile", "order"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="unique_tier_code"),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(quota__gte=models.F("reserved_quota")),
                name="tier_quota_ge_reserved",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.quota is not None and self.reserved_quota > self.quota:
            raise ValidationError({"reserved_quota": f"预留名额（{self.reserved_quota}）不能大于名额上限（{self.quota}）。"})
        if self.reserved_quota and not self.reserved_for:
            raise ValidationError({"reserved_for": "设置了预留名额，请写明预留给哪类申报单位。"})


class ExclusionItem(models.Model):
    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="exclusions")
    order = models.PositiveSmallIntegerField("序号")
    text = models.TextField("不得申报的情形")
    article = models.CharField("条款出处", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "否决情形清单"
        ordering = ["profile", "order"]

    def __str__(self):
        return f"（{self.order}）{self.text[:30]}"


class RecommendingUnit(models.Model):
    """A recommending unit the program's document names (全国质量标杆 通知抬头、通知三、附件3).

    ``local``: a regional department recommending for its area; a listed region below another listed one (巩义市, a
    省直管县（市）, under 郑州市) recommends on its own and is not part of the other's area or quota.
    ``other``: a unit an applicant may apply through instead (附件3), with the filing the profile's
    ``other_unit_filing_to`` asks for. A program without local rows keeps the region hierarchy as it is."""

    class Kind(models.TextChoices):
        LOCAL = "local", "地方主管部门"
        OTHER = "other", "其他推荐单位"

    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="recommending_units")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("单位名称", max_length=80)
    region = models.ForeignKey(Region, verbose_name="所辖区域", null=True, blank=True, on_delete=models.PROTECT,
                               help_text="地方主管部门必填；其他推荐单位留空")
    article = models.CharField("条款出处", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "推荐单位名单"
        ordering = ["profile", "kind", "order"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "name"], name="unique_recommending_unit_name"),
            models.CheckConstraint(condition=~Q(kind="local") | Q(region__isnull=False),
                                   name="local_recommending_unit_has_region"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.LOCAL and not self.region_id:
            raise ValidationError({"region": "地方主管部门须选择所辖区域。"})


class DepartmentOpinionRule(models.Model):
    """A department whose opinion the recommending authority solicits, for one kind of applicant."""

    class ApplicantKind(models.TextChoices):
        ORGANIZATION = "organization", "组织"
        INDIVIDUAL = "individual", "个人"

    class OrgType(models.TextChoices):
        AGRICULTURE = "agriculture", "农业"
        MANUFACTURING = "manufacturing", "制造业"
        CONSTRUCTION = "construction", "工程建设业"
        SERVICES = "services", "服务业"

    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="department_rules")
    applicant_kind = models.CharField("申报主体", max_length=20, choices=ApplicantKind.choices)
    org_type = models.CharField("组织类型", max_length=20, choices=OrgType.choices, blank=True,
                                help_text="留空表示该类申报主体均须征求")
    department = models.CharField("部门", max_length=40)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见部门"
        ordering = ["profile", "applicant_kind", "order"]

    def __str__(self):
        return self.department


class RequiredOpinion(models.Model):
    """An opinion document the applicant (or its authority) must upload, e.g. 镇（街道）推荐意见."""

    profile = models.ForeignKey(RuleProfile, on_delete=models.CASCADE, related_name="required_opinions")
    code = models.SlugField("代号", max_length=30)
    label = models.CharField("名称", max_length=60)
    class AppliesTo(models.TextChoices):
        ALL = "", "全部申报组织"
        BRANCH = "branch", "分支、内设、派出机构"
        NON_PROFIT = "non_profit", "非营利性组织"
        ENTERPRISE = "enterprise", "企业"

    uploaded_by_applicant = models.BooleanField("由申报单位上传", default=True)
    applies_to = models.CharField(
        "适用的申报组织", max_length=20, blank=True, choices=AppliesTo.choices, default="",
        help_text="如息县 第十六条第二款：上级组织推荐意见只由分支机构提供；第十二条（四）：非营利性组织须业务主管部门推荐")
    article = models.CharField("条款出处", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "必备意见材料"
        ordering = ["profile", "order"]
        constraints = [models.UniqueConstraint(fields=["profile", "code"], name="unique_required_opinion")]

    def __str__(self):
        return self.label


# --- Campaigns -------------------------------------------------------------------------------
class Campaign(models.Model):
    """One session (届) or year of a program, with its deadlines and data years."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="campaigns", verbose_name="奖项")
    name = models.CharField("名称", max_length=60, help_text="如：2026年度、第三届")
    year = models.PositiveSmallIntegerField("年度")
    data_years = models.JSONField("填报数据年度", help_text="如 [2023, 2024, 2025]")
    opens_at = models.DateTimeField("开始申报")
    application_deadline = models.DateTimeField(
        "申报人提交截止", help_text="申报人向推荐单位提交材料的截止时间；须早于推荐截止，给推荐单位留出初审、征求意见、公示的时间")
    recommendation_deadline = models.DateTimeField("推荐截止（推荐单位报送）",
                                                   help_text="推荐单位向秘书处报送的截止时间（如 000：2024年11月20日前）")
    review_deadline = models.DateTimeField("评审完成时间", null=True, blank=True)
    is_current = models.BooleanField("当前届次", default=False)
    last_number = models.PositiveIntegerField("已发申报编号", default=0, editable=False)
    notice_reference = models.CharField("通知文号", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "届次/年度"
        ordering = ["program", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_campaign_name"),
            models.UniqueConstraint(fields=["program"], condition=Q(is_current=True), name="one_current_campaign"),
            models.CheckConstraint(
                condition=Q(opens_at__lte=models.F("application_deadline"))
                & Q(application_deadline__lte=models.F("recommendation_deadline")),
                name="campaign_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.program.short_name} {self.name}"

    def clean(self):
        errors = {}
        years = self.data_years
        if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
            errors["data_years"] = "填报数据年度须为年份列表，如 [2023, 2024, 2025]。"
        else:
            expected = self.program.profile.data_years if self.program_id and hasattr(self.program, "profile") else 3
            if len(years) != expected:
                errors["data_years"] = f"本奖项要求填报 {expected} 个年度的数据，当前为 {len(years)} 个。"
            elif sorted(years) != years or len(set(years)) != len(years):
                errors["data_years"] = "填报数据年度须按时间先后排列且不重复。"
        if self.opens_at and self.application_deadline and self.opens_at > self.application_deadline:
            errors["application_deadline"] = "申报截止时间不能早于开始申报时间。"
        if self.application_deadline and self.recommendation_deadline and (
            self.application_deadline >= self.recommendation_deadline
        ):
            errors["application_deadline"] = (
                "申报人提交截止须早于推荐单位的推荐截止：推荐单位收到材料后还要初审、征求意见、公示、报送，请把申报人提交截止提前。")
        if errors:
            raise ValidationError(errors)


# --- Applications ------------------------------------------------------------------------------
class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    RECOMMENDED = "recommended", "已推荐"
    ELIGIBILITY_REVIEW = "eligibility_review", "资格审核中"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    ACCEPTANCE_PUBLICITY = "acceptance_publicity", "受理公示中"
    MATERIAL_REVIEW = "material_review", "材料评审"
    ONSITE_REVIEW = "onsite_review", "现场评审"
    FINALIST = "finalist", "入围"
    NOT_FINALIST = "not_finalist", "未入围"
    COMMITTEE = "committee", "评委会审定"
    PROPOSED = "proposed", "拟授奖公示中"
    CANDIDATE_CONFIRMATION = "candidate_confirmation", "待评委会确定正式候选名单"
    GOVERNMENT_DECISION = "government_decision", "待政府审定"
    AWARDED = "awarded", "已授奖"
    NOT_AWARDED = "not_awarded", "未获奖"
    WITHDRAWN = "withdrawn", "已撤回"
    DISQUALIFIED = "disqualified", "取消资格"
    REVOKED = "revoked", "已撤销"


#: The states some programs name in their own words (RuleProfile.OUTCOME_WORDS).
RENAMED_STATES = frozenset({State.PROPOSED, State.AWARDED, State.NOT_AWARDED})

SPECIALIZED_LEVELS = [("", "否"), ("province", "省级专精特新中小企业"),
                      ("little_giant", "国家级专精特新“小巨人”企业")]


class Application(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "组织"
        INDIVIDUAL = "individual", "个人"

    number = models.CharField("申报编号", max_length=30, unique=True, null=True, blank=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="applications",
                                 verbose_name="届次")
    kind = models.CharField("申报主体", max_length=20, choices=Kind.choices, default=Kind.ORGANIZATION)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="applications", verbose_name="申报组织")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications",
                              verbose_name="申报账号")
    applicant_name = models.CharField("申报单位/个人名称", max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="所在地区（推荐单位所辖）")
    is_little_giant = models.BooleanField("专精特新“小巨人”企业", default=False)
    specialized_level = models.CharField(
        "专精特新认定", max_length=20, blank=True, default="", choices=SPECIALIZED_LEVELS,
        help_text="申报表中申报单位填报并附认定证书；预留名额（如巩义 第四条）看任一级别，“小巨人”放宽看国家级")
    state = models.CharField("状态", max_length=30, choices=State.choices, default=State.DRAFT, editable=False)
    state_changed_at = models.DateTimeField("状态更新时间", auto_now_add=True, editable=False)
    submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True, editable=False)
    tier = models.ForeignKey(AwardTier, on_delete=models.PROTECT, null=True, blank=True, verbose_name="奖励等级")
    content = models.JSONField("申报内容", default=dict, blank=True)
    content_version = models.PositiveIntegerField("内容版本", default=0, editable=False)
    reopened_sections = models.JSONField("退回后开放修改的部分", default=list, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "申报"
        ordering = ["-updated_at"]
        permissions = [("read_application", "单项查阅授权（如征求意见部门）")]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["region", "state"]),
            models.Index(fields=["state", "state_changed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="organization") | Q(organization__isnull=False),
                name="organization_application_has_organization",
            ),
        ]

    def __str__(self):
        return f"{self.number or '（未编号）'} {self.applicant_name}"

    def get_state_display(self):
        """The state in the program's own words: 已入库 for the cultivation pool, 已推荐参加全国遴选 for 003."""
        label = State(self.state).label if self.state in State.values else self.state
        if self.state in RENAMED_STATES:
            return self.campaign.program.profile.word(self.state, label)
        return label

    @property
    def program(self):
        return self.campaign.program

    @property
    def is_specialized(self):
        """专精特新 at any level (province 专精特新中小企业 or national “小巨人”)."""
        return bool(self.specialized_level) or self.is_little_giant


class Submission(models.Model):
    """A frozen copy of what the applicant submitted; every (re)submission keeps its own."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submissions")
    sequence = models.PositiveSmallIntegerField("第几次提交")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    content = models.JSONField("提交内容")
    content_hash = models.CharField("内容摘要（SHA-256）", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "提交版本"
        ordering = ["application", "sequence"]
        constraints = [models.UniqueConstraint(fields=["application", "sequence"], name="unique_submission_seq")]

    def __str__(self):
        return f"{self.application} 第{self.sequence}次提交"


class GeneratedDocument(models.Model):
    """A file a background job produces (receipt, dossier, report), with its progress and outcome."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "申报回执"
        DOSSIER = "dossier", "推荐材料（印制装订版）"
        REVIEW_REPORT = "review_report", "评审报告"
        CERTIFICATE = "certificate", "获奖证书"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        READY = "ready", "已生成"
        FAILED = "failed", "生成失败"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="documents")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField("文件", upload_to="generated/%Y/%m/", blank=True)
    content_hash = models.CharField("内容摘要", max_length=64, blank=True)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", null=True, blank=True)
    page_report = models.JSONField("页数核查", default=dict, blank=True,
                                   help_text="推荐材料各部分的页数及与页数上限的比较")

    class Meta:
        verbose_name = verbose_name_plural = "生成文件"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "kind"], name="one_document_per_submission_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.application}"

    @property
    def download_name(self):
        return f"{self.get_kind_display()}-{self.application.number or self.application.pk}.pdf"


class BackgroundJob(models.Model):
    """Work too large for one request, run by Celery workers, with its progress and outcome where the user
    sees them: a campaign's dossiers built in parallel and zipped, or a large Excel export."""

    class Kind(models.TextChoices):
        DOSSIERS = "dossiers", "推荐材料批量生成"
        EXPORT = "export", "Excel 导出"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        READY = "ready", "已完成"
        PARTIAL = "partial", "部分失败"
        FAILED = "failed", "失败"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    export = models.CharField("导出内容", max_length=40, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    title = models.CharField("名称", max_length=200)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    documents = models.ManyToManyField(GeneratedDocument, blank=True, related_name="jobs")
    file = models.FileField("文件", upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField("失败原因", blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-requested_at", "-pk"]
        constraints = [  # a campaign's dossiers are built by one job at a time (a second click finds the first)
            models.UniqueConstraint(fields=["campaign", "kind"], condition=Q(kind="dossiers", status__in=[
                "pending", "running"]), name="one_running_dossier_job_per_campaign"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def percent(self):
        return min(100, round(self.done * 100 / self.total)) if self.total else (100 if not self.is_active else 0)
# --- Explicit per-object grants (django-guardian, direct foreign key) -------------------------


class ApplicationReadGrant(UserObjectPermissionBase):
    """An explicit, revocable grant no relationship implies (e.g. a consulted department's reader).

    Held by django-guardian with a direct foreign key; checked through ``applications.rules``,
    where a recusal outranks it.
    """

    content_object = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="read_grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = verbose_name_plural = "单项查阅授权"


# --- The applicant's form: sections saved independently, uploads judged by content ---------------------
class ApplicationSection(models.Model):
    """One section of an application's form. ``version`` grows with each save; a save based on an
    older version is refused as a conflict, so nobody's work is overwritten silently."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField("部分", max_length=40)
    data = models.JSONField("内容", default=dict)
    version = models.PositiveIntegerField("版本", default=0)
    updated_at = models.DateTimeField("保存时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "申报表内容"
        constraints = [models.UniqueConstraint(fields=["application", "code"], name="one_row_per_section")]

    def __str__(self):
        return f"{self.application} · {self.code} v{self.version}"


class Attachment(models.Model):
    """An uploaded file (evidence, photo, opinion scan), stored privately and served through a checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    slot = models.CharField("材料类别", max_length=40)
    title = models.CharField("标题", max_length=100, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    file = models.FileField("文件", upload_to="uploads/%Y/%m/")
    original_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    pages = models.PositiveIntegerField("页数", default=1)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "上传材料"
        ordering = ["application", "slot", "order", "pk"]
        indexes = [models.Index(fields=["application", "slot", "order"])]

    def __str__(self):
        return self.title or self.original_name


# --- Secretariat: eligibility review (资格审核) and acceptance lists (受理名单) ------------------------
class EligibilityReview(models.Model):
    """The secretariat's eligibility review of one submission: the automatic checks computed from the
    submitted form and the rule profile, the exclusion checklist ticked by a person, and the decision.

    One row per start of the review (``start_eligibility_review``); the current one is the newest row
    of the application's latest submission that has no decision yet (see ``applications.eligibility``).
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "受理"
        REJECTED = "rejected", "不予受理"
        RETURNED = "returned", "退回推荐单位"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="eligibility_reviews",
                                    verbose_name="申报")
    # RESTRICT: a reviewed submission cannot be deleted on its own, but deleting the application removes both
    submission = models.ForeignKey(Submission, on_delete=models.RESTRICT, related_name="eligibility_reviews",
                                   verbose_name="审核的提交版本")
    results = models.JSONField("自动核查结果", default=list, blank=True,
                               help_text="[{code, label, status, evidence}]，status 为 pass / fail / flag（待研判） / na")
    computed_at = models.DateTimeField("核查时间", null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name="审核人")
    exclusion_ticks = models.JSONField("否决情形勾选", default=dict, blank=True,
                                       help_text="{否决情形 id: {present, note, by, at}}")
    flag_decisions = models.JSONField(
        "待研判事项的处理", default=dict, blank=True,
        help_text="{核查项目代号: {answer: clear / fail, reason, by, at}}：自动核查标记“待研判”的，由秘书处逐项决定并写明理由")
    decision = models.CharField("审核结论", max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("结论理由", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="决定人")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "资格审核"
        ordering = ["application", "-pk"]
        indexes = [models.Index(fields=["application", "submission"])]

    def __str__(self):
        return f"{self.application} 资格审核（第{self.submission.sequence}次提交）"


class AcceptanceList(models.Model):
    """受理名单 of a campaign: the accepted applications' public fields, frozen when the list is drawn up.

    Published lists are public (the acceptance publicity); a list is never changed after publication —
    a correction is a new list with the next number.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="acceptance_lists",
                                 verbose_name="届次")
    number = models.PositiveSmallIntegerField("批次号")
    title = models.CharField("标题", max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="编制人")
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "受理名单"
        ordering = ["campaign", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="unique_acceptance_list_number")]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None


class AcceptanceListItem(models.Model):
    """One line of a 受理名单: public fields only (never ID numbers, contacts or scores)."""

    acceptance_list = models.ForeignKey(AcceptanceList, on_delete=models.CASCADE, related_name="items",
                                        verbose_name="受理名单")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+", verbose_name="申报")
    order = models.PositiveIntegerField("序号")
    applicant_name = models.CharField("申报单位/个人", max_length=120)
    region_name = models.CharField("所在地区", max_length=60)
    industry_name = models.CharField("所属行业", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "受理名单条目"
        ordering = ["acceptance_list", "order"]
        constraints = [
            models.UniqueConstraint(fields=["acceptance_list", "application"], name="one_line_per_application"),
        ]

    def __str__(self):
        return f"{self.order}. {self.applicant_name}"
