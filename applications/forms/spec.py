"""The recommendation forms of the seed documents, section by section, as data.

Three forms: 培育组织推荐表 (seed 000 Attachment 1, also used by the county and district awards with
their own years), 培育个人推荐表 (Attachment 2), and the 质量标杆 material (seed 003). Which form an
application uses comes from its kind and its program's rule profile; the data years come from the
campaign; the self-assessment report follows the program's scoring scheme item by item.

A section's data is a JSON object: ``{field: value}``; a table is a list of row objects; a grid is
``{row_key: {column_key: value}}``. ``validate_section`` checks types and limits (what makes a save
refused); ``missing_in_section`` lists what is still empty (what keeps submission closed).

Limits are those the documents print, nothing stricter: a ``max_chars`` (counted in 字数, like Word/WPS, see
``textcount``) is set only where the form says 限 N 字 (000 附件1 一 3000, 四 3000, 三 5 万, the 25-字 feature;
附件2 二 6000, 300-字 单位简介 and 岗位简介; 003 附件2 40/500/500/8000/2000). A single-line entry (a name, a
table cell) has only a technical bound of ``LINE_MAX`` characters against pasted text (a postcode 6).
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..categories import ACCIDENT_SEVERITIES, VIOLATION_SEVERITIES
from . import richtext
from .textcount import count_chars



@dataclass(frozen=True)
class Field:
    key: str
    label: str
    #: text textarea richtext choice multichoice integer decimal date yesno industry email phone;
    #: richtext: a narrative with headings, lists, tables and images (forms/richtext.py)
    type: str = "text"
    required: bool = True
    max_chars: int | None = None  # a 字数 limit the document states ("限 300 字以内"), nothing else
    max_length: int | None = None  # single-line entries: characters (LINE_MAX when None); not a 字数 limit
    choices: tuple = ()
    help: str = ""
    unit: str = ""
    width: int = 6  # Bootstrap columns (of 12) in the section layout
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    #: (field key, values): required only when that field of the same section has one of the values
    required_when: tuple = ()


@dataclass(frozen=True)
class Table:
    """Rows the applicant adds (e.g. 2.2 product quality)."""

    key: str
    label: str
    columns: tuple
    min_rows: int = 0
    max_rows: int = 50
    help: str = ""
    type: str = "table"


@dataclass(frozen=True)
class Grid:
    """Fixed rows × the campaign's data years, plus extra columns (e.g. 2.4's 国内行业排名)."""

    key: str
    label: str
    rows: tuple  # (key, label, unit, min, max)
    years: tuple = ()
    extra_columns: tuple = ()  # (key, label)
    cell_type: str = "decimal"
    required: bool = True
    help: str = ""
    notes: tuple = ()
    type: str = "grid"


@dataclass(frozen=True)
class UploadSlot:
    key: str
    label: str
    kinds: tuple = ("pdf", "jpeg", "png")
    min_files: int = 0
    max_files: int = 50
    page_limit: int | None = None
    titled: bool = False  # each file carries a title (evidence catalog)
    min_image_side: int | None = None
    help: str = ""
    #: (field key, values): ``min_files`` applies only when that field of the same section has one of the values
    required_when: tuple = ()
    type: str = "upload"


@dataclass(frozen=True)
class Section:
    code: str
    number: str
    title: str
    items: tuple
    total_max_chars: int | None = None
    help: str = ""
    filled_by: str = "applicant"

    @property
    def is_upload_section(self):
        return all(isinstance(i, UploadSlot) for i in self.items)


@dataclass(frozen=True)
class FormSpec:
    code: str
    title: str
    sections: tuple
    form_page_limit: int | None = None
    notes: tuple = field(default_factory=tuple)

    def section(self, code):
        for s in self.sections:
            if s.code == code:
                return s
        return None


ORG_TYPES = (("agriculture", "农业"), ("manufacturing", "制造业"), ("construction", "工程建设业"), ("services", "服务业"))
ECONOMIC_TYPES = (
    ("110", "国有"), ("120", "集体"), ("130", "股份合作"), ("141", "国有联营"), ("142", "集体联营"),
    ("143", "国有与集体联营"), ("149", "其他联营"), ("151", "国有独资公司"), ("159", "其他有限责任公司"),
    ("160", "股份有限公司"), ("171", "私营独资"), ("172", "私营合伙"), ("173", "私营有限责任公司"),
    ("174", "私营股份有限公司"), ("190", "其他"), ("210", "与港澳台商合资经营"), ("220", "与港澳台商合作经营"),
    ("230", "港澳台商独资"), ("240", "港澳台商投资股份有限公司"), ("290", "其他港澳台商投资"),
    ("310", "中外合资经营"), ("320", "中外合作经营"), ("330", "外资企业"), ("340", "外商投资股份有限公司"),
    ("390", "其他外商投资"),
)
ORG_SIZES = (("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型"))
YES_NO = (("no", "无"), ("yes", "有"))
NO_YES = (("no", "否"), ("yes", "是"))
ORG_NATURES = (("enterprise", "企业（从事生产经营活动）"),
               ("non_profit", "非营利性组织（事业单位、社会团体、民办非企业单位等）"))
SPECIALIZED_CHOICES = (("none", "否"), ("province", "省级专精特新中小企业"),
                       ("little_giant", "国家级专精特新“小巨人”企业"))
SPECIALIZED_YES = ("province", "little_giant")
GENDERS = (("male", "男"), ("female", "女"))

HUNDRED = Decimal(100)
ZERO = Decimal(0)
#: 2.4 组织绩效: the 19 indicators of the seed with their units; (min, max) where the unit bounds them.
PERFORMANCE_ROWS = (
    ("total_assets", "资产总额", "万元", ZERO, None),
    ("investment_income", "投资收益", "万元", None, None),
    ("main_revenue", "主营业务收入", "万元", ZERO, None),
    ("other_revenue", "非主营业务收入", "万元", None, None),
    ("total_profit", "利润总额", "万元", None, None),
    ("total_tax", "纳税总额", "万元", ZERO, None),
    ("sales", "销售额", "万元", ZERO, None),
    ("forex", "创汇总额", "万美元", ZERO, None),
    ("asset_contribution", "总资产贡献率", "%", None, None),
    ("capital_preservation", "资本保值增值率", "%", ZERO, None),
    ("debt_ratio", "资产负债率", "%", ZERO, None),
    ("current_asset_turnover", "流动资产周转率", "次", ZERO, None),
    ("cost_profit_ratio", "成本费用利润率", "%", None, None),
    ("labour_productivity", "全员劳动生产率", "万元/人", ZERO, None),
    ("energy_per_output", "万元总产值综合能耗", "吨/万元", ZERO, None),
    ("quality_grade_rate", "产品质量等级品率", "%", ZERO, HUNDRED),
    ("quality_loss_rate", "质量损失率", "%", ZERO, HUNDRED),
    ("new_product_rate", "新产品产值率", "%", ZERO, HUNDRED),
    ("sales_rate", "产品销售率", "%", ZERO, None),
)
PERFORMANCE_NOTES = (
    "资产负债率=负债总额/资产总额",
    "流动资产周转率=销售收入总值/流动资产平均余额×（12/累计月数）",
    "全员劳动生产率=（工业增加值/全部职工平均人数）×（12/累计月数）",
    "产品销售率=销售收入总值/生产总值（现价）",
    "新产品产值率=报告期末新产品产值/同期企业产值",
    "安全指标按行业要求项目填写",
)
MARKET_INDICATORS = (("share", "市场占有率", "%"), ("satisfaction", "顾客满意度", "%"), ("loyalty", "顾客忠诚度", "%"))


def _market_rows():
    rows = []
    for ind_key, ind_label, unit in MARKET_INDICATORS:
        for scope_key, scope_label in (("intl", "国际"), ("dom", "国内")):
            rows.append((f"{ind_key}_{scope_key}", f"{ind_label}（{scope_label}）", unit, ZERO, HUNDRED))
    return tuple(rows)


@dataclass(frozen=True)
class Limits:
    """What a program's document sets for the uploads (from its rule profile); None: the document sets none."""

    form_pages: int | None = None
    evidence_pages: int | None = None
    org_photos: tuple = (None, None)  # (min, max)
    manager_photos: tuple = (None, None)
    work_photos: tuple = (None, None)


#: Files a slot takes when the document sets no number (a technical ceiling, not a rule).
UNSET_MAX_FILES = 10


def _photo_slot(key, label, counts, *, min_image_side):
    low, high = counts
    if low is None and high is None:
        return UploadSlot(key, label, kinds=("jpeg",), min_files=0, max_files=UNSET_MAX_FILES,
                          min_image_side=min_image_side, help="可选，JPG 格式（本奖项文件未规定张数）")
    low = low or 0
    high = high or UNSET_MAX_FILES
    count = f"{low}–{high} 张" if low else f"不超过 {high} 张"
    return UploadSlot(key, label, kinds=("jpeg",), min_files=low, max_files=high, min_image_side=min_image_side,
                      help=f"{count}，JPG 格式")


def _pages_text(limit):
    return f"合计不超过 {limit} 页。" if limit else ""


@dataclass(frozen=True)
class Conditions:
    """The eligibility conditions the program's document sets, as the form asks them (from the profile)."""

    territory: str = ""  # the program's area (“息县”): the applicant states it is established there
    ask_nature: bool = False  # enterprise or non-profit (no-loss rule, conditional opinions)
    ask_branch: bool = False  # a branch (分支机构) needs its parent's opinion
    ask_specialized: bool = False  # 专精特新 (reserved seats, “小巨人” reductions)
    self_assessment_years: int | None = None
    self_assessment_years_little_giant: int | None = None
    excellence_years: int | None = None
    qms_years: int | None = None
    inspection_years: int | None = None


def conditions_section(c: Conditions):
    """申报条件: what the applicant states about the document's conditions (each checked at eligibility)."""
    items = []
    if c.territory:
        items.append(Field("in_territory", f"本单位在{c.territory}行政区域内依法设立（登记注册）", "choice",
                           choices=NO_YES, help="资格审核时与所选所在地区核对"))
    if c.ask_nature:
        items.append(Field("org_nature", "组织性质", "choice", choices=ORG_NATURES,
                           help="无亏损要求只适用于企业；非营利性组织按文件规定提供主管部门推荐意见"))
    if c.ask_branch:
        items.append(Field("is_branch", "本单位是否为法人或非法人组织的分支、内设、派出机构", "choice", choices=NO_YES,
                           help="选择“是”时，须上传上级组织经内部公示后出具的推荐意见"))
    if c.ask_specialized:
        items.append(Field("specialized_level", "专精特新企业认定", "choice", choices=SPECIALIZED_CHOICES,
                           help="已认定的请选择最高级别，并上传认定文件或证书"))
        items.append(UploadSlot("specialized_certificate", "专精特新认定文件或证书", kinds=("pdf", "jpeg", "png"),
                                min_files=1, max_files=3, required_when=("specialized_level", SPECIALIZED_YES),
                                help="认定为专精特新企业时必传：认定文件或证书的扫描件"))
    if c.self_assessment_years:
        reduced = (f"；专精特新“小巨人”企业 {c.self_assessment_years_little_giant} 年"
                   if c.self_assessment_years_little_giant else "")
        items.append(Field("self_assessment_good_years", "截至申报时连续自评良好的年数", "integer", unit="年",
                           min_value=ZERO, max_value=Decimal(50), width=4,
                           help=f"文件要求连续 {c.self_assessment_years} 年自评良好{reduced}"))
    if c.excellence_years:
        items.append(Field("excellence_since", "开始实施卓越绩效管理模式的日期", "date",
                           help=f"文件要求实施卓越绩效模式管理 {c.excellence_years} 年以上"))
    if c.qms_years:
        items.append(Field("qms_since", "质量管理体系开始有效运行的日期", "date",
                           help=f"如质量管理体系认证证书首次颁发日期；文件要求有效运行 {c.qms_years} 年以上"))
    if c.inspection_years:
        items.append(Field("inspection_good_years", "产品连续经市级以上（含市级）法定检验机构检验合格的年数", "integer",
                           unit="年", min_value=ZERO, max_value=Decimal(50), width=4,
                           help=f"文件要求连续 {c.inspection_years} 年检验合格"))
    if not items:
        return None
    return Section("conditions", "附", "申报条件", tuple(items),
                   help="按本奖项文件规定的申报条件如实填写，资格审核时逐项核对。")


def organization_form(*, years, scoring_items, required_opinions=(), limits=Limits(), conditions=Conditions()):
    """培育组织推荐表 (seed 000 Attachment 1); the limits and conditions are those of the program's document."""
    y = tuple(str(v) for v in years)
    sections = [
        Section("overview", "一", "组织概述", (
            Field("text", "组织概述", "richtext", max_chars=3000,
                  help="按照 GB/Z 19579 附录 B 要求，重点说明质量技术先进、质量管理卓越、质量品牌卓著、质量效益突出等内容。限 3000 字以内。",
                  width=12),
        )),
        Section("basic", "2.1", "基本情况", (
            Field("org_name", "组织名称", help="与公章名称一致"),
            Field("legal_rep", "法人代表"),
            Field("address", "组织地址"),
            Field("postcode", "邮编", max_length=6, help="6 位数字"),
            Field("top_manager", "最高管理者"),
            Field("top_manager_phone", "电话（最高管理者）", "phone"),
            Field("contact_department", "联系部门"),
            Field("contact_person", "联系人"),
            Field("contact_phone", "联系电话/手机", "phone"),
            Field("fax", "传真", "phone", required=False),
            Field("email", "电子邮箱", "email"),
            Field("org_type", "组织类型", "choice", choices=ORG_TYPES, help="农业、制造业、工程建设业、服务业四选一"),
            Field("credit_code", "社会信用代码编号", "credit_code"),
            Field("established_on", "成立日期", "date", help="用于核对正常运行年限（资格审核）"),
            Field("economic_type", "经济类型", "choice", choices=ECONOMIC_TYPES,
                  help="依据《关于划分企业登记注册类型的规定》（国统字〔2011〕86号）"),
            Field("industry", "所属行业", "industry", help="按《国民经济行业分类》（GB/T 4754-2017）小类填写，可输入代码或名称搜索"),
            Field("org_size", "组织规模", "choice", choices=ORG_SIZES,
                  help="依据《统计上大中小微型企业划分办法》（国统字〔2017〕213号）；系统按您填写的员工总数、营业收入和资产总额给出建议，请确认"),
            Field("accidents", "近三年有无质量、安全、环境较大事故", "yesno"),
            Field("accidents_severity", "事故等级（近三年最严重的一起）", "choice", required=False,
                  choices=ACCIDENT_SEVERITIES, required_when=("accidents", ("yes",)),
                  help="选择“有”时填写，按《生产安全事故报告和调查处理条例》等规定的等级"),
            Field("accidents_detail", "事故情况说明", "textarea", required=False,
                  help="选择“有”时必须说明", width=12),
            Field("violations", "近三年有无违反法律法规的行为", "yesno"),
            Field("violations_severity", "违法违规情节", "choice", required=False, choices=VIOLATION_SEVERITIES,
                  required_when=("violations", ("yes",)), help="选择“有”时填写；以处理决定认定的情节为准"),
            Field("violations_detail", "违法违规情况说明", "textarea", required=False,
                  help="选择“有”时必须说明", width=12),
            Field("main_products", "主要产品/服务名称"),
            Field("brand_value", "品牌价值", "decimal", unit="亿元", required=False, min_value=ZERO),
            Field("assessors", "自评师人员数", "integer", unit="人", min_value=ZERO, width=4),
            Field("employees", "员工总数", "integer", unit="人", min_value=ZERO, width=4),
            Field("quality_staff", "质量管理人员数", "integer", unit="人", min_value=ZERO, width=4),
            Field("rd_staff", "技术研发人员数", "integer", unit="人", min_value=ZERO, width=4),
            Field("certifications", "已获得的管理体系认证", "textarea", width=12),
            Field("feature", "请用一句话概括组织的特色管理制度、模式或方法", max_chars=25, help="不超过 25 个字",
                  width=12),
        )),
        Section("products", "2.2", "主要产品（服务）质量水平", (
            Table("rows", "主要产品（服务）质量水平", (
                Field("name", "产品（服务）名称"),
                Field("standard", "执行标准号"),
                Field("indicator", "主要技术指标名称"),
                Field("own", "本单位水平"),
                Field("domestic_best", "国内同行业最佳水平"),
                Field("international", "国际先进水平"),
            ), min_rows=1, max_rows=30, help="产品（服务）质量水平应提供同行业的有关数据对比证明性资料。"),
        )),
        Section("performance", "2.4", "组织绩效", (
            Grid("indicators", "组织绩效", PERFORMANCE_ROWS, years=y, extra_columns=(("rank", "国内行业排名"),),
                 notes=PERFORMANCE_NOTES),
        )),
        Section("market", "2.5", "主要市场、安全、环保和节能指标", (
            Table("market", "主要市场指标（每个主导产品一行组）", (
                Field("product", "主导产品（服务）名称"),
                *[Field(f"{key}_{yr}", f"{label} {yr}年", "decimal", unit="%", min_value=ZERO, max_value=HUNDRED,
                        width=2)
                  for yr in y for key, label, _u, _a, _b in _market_rows()],
            ), min_rows=1, max_rows=3, help="提供第三方中介机构顾客满意度测评的证实性材料。"),
            Table("safety", "主要安全指标", (
                Field("item", "安全项目"),
                *[Field(f"y{yr}", f"{yr}年") for yr in y],
            ), min_rows=1, max_rows=20, help="提供安全生产指标依据及监测结果证实性材料。"),
            Table("environment", "主要环保和节能指标", (
                Field("item", "环保和节能减排项目"),
                *[Field(f"y{yr}", f"{yr}年") for yr in y],
            ), min_rows=1, max_rows=20, help="提供环境指标依据及监测结果证实性材料。"),
        )),
        Section("self_assessment", "三", "自评报告", tuple(
            Field(f"item_{item.code}", f"{item.code} {item.name}（{item.points} 分）", "richtext", width=12,
                  help=item.guidance or "从采用方法、工作展开和实施结果三个方面用数据和事实进行评价说明。")
            for item in scoring_items
        ), total_max_chars=50000,
            help="对照 GB/T 19580 逐条从采用方法、工作展开和实施结果三个方面用数据和事实进行评价说明。追溯性说明的质量活动限申报前三年内。全文限 50000 字。"),
        Section("features", "四", "组织的特色质量管理体系、模式、方法总结", (
            Field("background", "一、组织质量管理体系、模式、方法产生的背景", "richtext", width=12,
                  help="简要阐述组织质量管理体系、模式、方法产生的背景与形成的过程。"),
            Field("content", "二、基本内容和主要做法", "richtext", width=12,
                  help="阐述基本内容要素的构成及各要素之间的逻辑关系，阐述典型做法和具体措施。"),
            Field("results", "三、产生的成效和创新推广价值", "richtext", width=12,
                  help="阐述解决了哪些实际问题、产生了哪些成效，以及先进性、独特性和在行业内复制推广的价值。"),
        ), total_max_chars=3000, help="三部分合计限 3000 字以内。"),
        Section("evidence", "附", "证实性材料", (
            UploadSlot("evidence", "证实性材料（按目录顺序）", kinds=("pdf", "jpeg"), min_files=1, max_files=100,
                       page_limit=limits.evidence_pages, titled=True,
                       help="包括各种资质证明，以及近 3 年内获得的省部级以上荣誉证书、各类认定证书等复印件；每份材料填写标题，系统自动生成目录。"
                            + _pages_text(limits.evidence_pages)),
            _photo_slot("org_photos", "组织照片", limits.org_photos, min_image_side=600),
            _photo_slot("manager_photos", "最高管理者照片", limits.manager_photos, min_image_side=400),
        )),
    ]
    conditions_part = conditions_section(conditions)
    if conditions_part is not None:
        sections.append(conditions_part)
    if required_opinions:
        sections.append(Section("opinions", "附", "推荐意见材料", tuple(
            UploadSlot(f"opinion_{op.code}", op.label, kinds=("pdf", "jpeg"), min_files=1, max_files=3,
                       help="加盖公章的扫描件" + (f"（{op.article}）" if getattr(op, "article", "") else ""))
            for op in required_opinions)))
    return FormSpec("organization", "组织推荐表", tuple(sections), form_page_limit=limits.form_pages)


def individual_form(limits=Limits()):
    """培育个人推荐表 (seed 000 Attachment 2); page and photo limits are those of the program's document."""
    return FormSpec("individual", "个人推荐表", (
        Section("basic", "一", "个人基本情况", (
            Field("name", "姓名"),
            Field("id_number", "身份证号", "id_number"),
            Field("gender", "性别", "choice", choices=GENDERS, width=3),
            Field("political_status", "政治面貌", width=3),
            Field("title", "职称"),
            Field("education", "学历"),
            Field("employer", "工作单位"),
            Field("department", "所在部门"),
            Field("position", "职务"),
            Field("years_working", "工作年限", "integer", unit="年", min_value=ZERO, max_value=Decimal(80), width=3),
            Field("years_in_post", "从事现岗位工作年限", "integer", unit="年", min_value=ZERO, max_value=Decimal(80),
                  width=3),
            Field("phone", "联系电话", "phone"),
            Field("fax", "传真", "phone", required=False),
            Field("email", "电子邮箱", "email"),
            Field("address", "通讯地址"),
            Field("postcode", "邮编", max_length=6),
            Table("resume", "教育工作简历", (
                Field("period", "起止时间"), Field("unit", "学校/单位"),
                Field("role", "专业/职务")), min_rows=1, max_rows=30),
            Table("memberships", "社会团体兼职情况", (
                Field("organization", "社会团体"), Field("role", "兼任职务"),
                Field("period", "起止时间")), min_rows=0, max_rows=20),
            Table("awards", "获奖情况（省、部级及以上主要荣誉）", (
                Field("year", "年份"), Field("award", "荣誉名称"),
                Field("issuer", "授予单位")), min_rows=0, max_rows=30),
        )),
        Section("photo", "一", "本人照片", (
            UploadSlot("portrait", "正面免冠 2 寸彩色近照", kinds=("jpeg", "png"), min_files=1, max_files=1,
                       min_image_side=300),
        )),
        Section("achievements", "二", "主要成绩与突出贡献", (
            Field("basics", "一、基本情况（个人基本情况、政治素质、道德品质和职业操守等方面）", "richtext", width=12),
            Field("results", "二、主要业绩", "richtext", width=12,
                  help="在质量理论研究、质量管理实践、一线质量操作、履行首席质量官职责等方面的主要工作成绩，取得效果等。"),
            Field("promotion", "三、推广应用先进质量理念、模式和方法的贡献", "richtext", width=12,
                  help="在本地区、本行业大力推广应用先进的质量理念、模式和方法，为区域质量、行业质量或组织的质量水平提升做出突出贡献等情况。"),
            Field("leadership", "四、发挥带动作用，带队伍，培养理论或实践人才等情况", "richtext", width=12),
        ), total_max_chars=6000, help="四部分合计限 6000 字以内。"),
        Section("research", "三", "研究、实践等成果发表情况及内容概要", (
            Field("text", "研究、实践等成果发表情况及内容概要", "richtext", width=12),
        )),
        Section("unit_opinion", "四", "所在单位申报意见", (
            Field("unit_name", "工作单位名称"),
            Field("unit_address", "通讯地址"),
            Field("unit_postcode", "邮政编码", max_length=6, width=3),
            Field("unit_type", "单位类型", width=3),
            Field("unit_contact", "联系人"),
            Field("unit_phone", "联系电话（手机/座机）", "phone"),
            Field("unit_email", "电子邮箱", "email"),
            Field("unit_fax", "传真", "phone", required=False),
            Field("unit_intro", "工作单位简介", "textarea", max_chars=300, width=12),
            Field("post_intro", "所在岗位简介", "textarea", max_chars=300, width=12),
            Field("recommendation", "工作单位的推荐意见（需包括材料核实、公示情况、申报理由等）", "textarea",
                  width=12),
            UploadSlot("seal_page", "工作单位盖章页扫描件", kinds=("pdf", "jpeg"), min_files=1, max_files=1,
                       help="工作单位盖章、负责人签字并注明日期的页面"),
        )),
        Section("evidence", "附", "证实性材料", (
            UploadSlot("evidence", "证实性材料（按目录顺序）", kinds=("pdf", "jpeg"), min_files=1, max_files=50,
                       page_limit=limits.evidence_pages, titled=True,
                       help="包括身份证明、技术资格证书、重大质量工作取得实效的证实性材料、研究成果、省部级以上质量荣誉等复印件。"
                            + _pages_text(limits.evidence_pages)),
            _photo_slot("work_photos", "工作照片", limits.work_photos, min_image_side=600),
        )),
    ), form_page_limit=limits.form_pages)


BENCHMARK_NAME_HINT = "命名规则：（企业）+（典型方法技术）+（经验），如：××公司实施六西格玛设计的经验。"


#: 申报途径 (see ``route_section``; ``applications.recommenders`` reads it): the section, its question, and the
#: answers: the local recommender (``LOCAL_ROUTE``) or ``unit-<pk>`` of an other unit
ROUTE_SECTION = "route"
ROUTE_FIELD = "route"
LOCAL_ROUTE = "local"
OTHER_UNIT_PREFIX = "unit-"


def other_units(profile):
    """The other recommending units (附件3) the program names, in their order."""
    from ..models import RecommendingUnit

    return list(profile.recommending_units.filter(kind=RecommendingUnit.Kind.OTHER).order_by("order", "pk"))


def route_choices(profile):
    """The route question's choices, or () where the program names no other units."""
    units = other_units(profile) if profile.other_unit_filing_to else []
    if not units:
        return ()
    return ((LOCAL_ROUTE, "通过所在地推荐单位申报"),
            *((f"{OTHER_UNIT_PREFIX}{u.pk}", f"通过其他推荐单位申报：{u.name}") for u in units))


def filing_targets(profile):
    """Whom an applicant through an other unit files with (通知三: 当地工信部门、省工业和信息化厅)."""
    return [t.strip() for t in re.split(r"[、，,]", profile.other_unit_filing_to or "") if t.strip()]


def route_section(choices, filing_to, targets):
    """申报途径 (全国质量标杆 通知三): through the local recommender or an other unit (附件3); one who goes through an
    other unit 应向{filing_to}报备 — recorded here (to whom, when, with which document). The document attaches no
    consequence, so a missing filing is a warning (``consistency_warnings``) and a flag for the secretariat, not a
    bar to submission."""
    items = [Field(ROUTE_FIELD, "申报途径", "choice", choices=choices, width=12,
                   help=f"可通过所在地推荐单位申报，也可通过文件附件所列其他推荐单位申报；通过其他推荐单位申报的，应向{filing_to}报备。")]
    for i, target in enumerate(targets, start=1):
        items += [
            Field(f"filed_to_{i}", f"报备对象{i}", required=False, width=6,
                  help=f"通过其他推荐单位申报时填写：{target}的单位全称"),
            Field(f"filed_on_{i}", f"向{target}报备日期", "date", required=False, width=6),
            Field(f"filed_doc_{i}", f"向{target}报备的材料", required=False, width=12,
                  help="报备的文件名称或文号（如：关于通过中国机械工业联合会申报全国质量标杆的报备函）；报备件可在下方上传"),
        ]
    items.append(UploadSlot("filing_docs", "报备材料扫描件", kinds=("pdf", "jpeg"), min_files=0, max_files=10, titled=True,
                            help="通过其他推荐单位申报时上传报备函等扫描件（可选）。",
                            required_when=(ROUTE_FIELD, tuple(key for key, _label in choices[1:]))))
    return Section(ROUTE_SECTION, "三", "申报途径与报备", tuple(items),
                   help=f"通过其他推荐单位申报的，应向{filing_to}报备（通知三）；未登记报备的，秘书处资格审查时将逐一核实。")


def benchmark_form(*, route=None):
    """质量标杆申报材料 (seed 003 Attachment 2); ``route``: the 申报途径 section where the program names other
    recommending units (``route_section``)."""
    return FormSpec("benchmark", "质量标杆申报材料", (
        Section("summary", "一", "总结材料", (
            Field("name", "质量标杆名称", max_chars=40, help=BENCHMARK_NAME_HINT, width=12),
            Field("abstract", "摘要", "textarea", max_chars=500, width=12,
                  help="简要介绍应用的管理方法（技术）、推进情况、主要成果、特色亮点，以及该经验所获得的评价或认可。"),
            Field("profile", "企业概况", "textarea", max_chars=500, width=12,
                  help="企业名称、法人、企业性质、创建时间、所属行业和代码、主要业务、生产经营情况、企业文化、资源状况、社会责任、荣誉等。"),
            Field("practice", "管理方法（技术）的推进和应用情况", "richtext", max_chars=8000, width=12,
                  help="介绍推进管理方法（技术）的过程、做法，重点体现实施要点、特色亮点，用数据、图表展现成果。"),
            Field("effect", "管理方法（技术）的实施效果", "richtext", max_chars=2000, width=12,
                  help="定量与定性相结合，展示经济效益、管理效益、社会效益等，可提供近三年指标及对比。"),
        )),
        Section("evidence", "二", "证实性材料（选择性提供）", (
            UploadSlot("evidence", "证实性材料", kinds=("pdf", "jpeg"), min_files=0, max_files=30, titled=True,
                       help="可提供组织在所在行业处于领先地位的资料证明；与经验相关的获奖证书、专利证书等。"),
        )),
        *((route,) if route is not None else ()),
    ))


def profile_limits(profile, kind):
    """The upload limits the program's document sets, read from its (live) rule profile."""
    if kind == "individual":
        return Limits(form_pages=profile.form_page_limit_individual,
                      evidence_pages=profile.evidence_page_limit_individual,
                      work_photos=(profile.work_photos_min, profile.work_photos_max))
    return Limits(form_pages=profile.form_page_limit_organization,
                  evidence_pages=profile.evidence_page_limit_organization,
                  org_photos=(profile.org_photos_min, profile.org_photos_max),
                  manager_photos=(profile.manager_photos_min, profile.manager_photos_max))


def profile_conditions(profile, opinions):
    """Which of the document's conditions the form asks, from the rule profile and its required opinions."""
    applies = {op.applies_to for op in opinions}
    reserved = any(t.reserved_quota for t in profile.tiers.all())
    return Conditions(
        territory=profile.program.seat_region.name,
        ask_nature=bool(profile.no_loss_years) or bool(applies & {"non_profit", "enterprise"}),
        ask_branch="branch" in applies,
        ask_specialized=bool(profile.min_years_little_giant or profile.self_assessment_years_little_giant or reserved),
        self_assessment_years=profile.self_assessment_years,
        self_assessment_years_little_giant=profile.self_assessment_years_little_giant,
        excellence_years=profile.excellence_years,
        qms_years=profile.qms_years,
        inspection_years=profile.inspection_years,
    )


def opinion_applies(opinion, conditions):
    """Whether a required opinion applies to the applicant, by what it stated in 申报条件 (``conditions``).
    An unanswered question asks for nothing yet: the question itself keeps submission closed."""
    conditions = conditions or {}
    if opinion.applies_to == "branch":
        return conditions.get("is_branch") == "yes"
    if opinion.applies_to in ("non_profit", "enterprise"):
        return conditions.get("org_nature") == opinion.applies_to
    return True


STATE_SECRET_WARNING = ("申报材料不得涉及国家安全、国家秘密（息县 第十五条）：请勿填写或上传任何涉及国家秘密的内容；"
                        "已上传的，请立即删除并联系秘书处。")
#: A form's declaration section; its key and the confirmation's value (read by the pages that show it).
DECLARATION_SECTION = "declaration"
TRADE_SECRETS_FIELD = "trade_secrets"
CONFIRMED = "confirmed"


COMMITMENT_FIELD = "commitment"


def declaration_section(*, individual=False, commitment=""):
    """申报承诺: the applicant confirms the material is true, accurate and complete (000 附件1、附件2 填报说明1
    “所填数据及提供资料必须真实、准确”; 息县 第十五条、巩义 第十七条（二）“对申报材料的完整性、真实性和准确性负责”),
    states what is a 商业秘密 (息县 第十五条 “涉及商业秘密的，应当予以注明”; kept to those who review it), and is
    warned that nothing may touch state secrets. Required: submission stays closed until it is confirmed."""
    who = "本人" if individual else "本单位"
    # the program's own commitment among the conditions (``RuleProfile.applicant_commitment``; 全国质量标杆 通知二（四）
    # “承诺被遴选为全国质量标杆后，积极参与相关的分享交流活动”): required like the one above
    extra = (Field(COMMITMENT_FIELD, "申报条件所列承诺", "choice", width=12,
                   choices=((CONFIRMED, f"{who}{commitment}"),),
                   help="依据：本奖项文件所列申报条件。未作承诺不能提交。"),) if commitment else ()
    return Section(DECLARATION_SECTION, "声明", "申报承诺与保密事项", (
        Field("true_and_complete", "申报承诺", "choice", width=12,
              choices=((CONFIRMED, f"{who}承诺：所填数据及提供的资料真实、准确、完整，{who}对其真实性负责"),),
              help="依据：填报说明 1“所填数据及提供资料必须真实、准确”；息县 第十五条。未作承诺不能提交。"),
        *extra,
        Field(TRADE_SECRETS_FIELD, "涉及商业秘密的内容", "textarea", required=False, width=12,
              help="涉及商业秘密的，请逐项注明所在部分、条目或证实性材料名称（如：三 自评报告 4.5.3 工艺参数；证实性材料“某某配方检测报告”）。"
                   "注明的内容只供秘书处和评审专家依法保密使用，不在公示和导出名单中出现。没有可不填。"),
    ), help=STATE_SECRET_WARNING)


def _with_declaration(spec, *, individual=False, commitment=""):
    from dataclasses import replace

    return replace(spec, sections=spec.sections + (declaration_section(individual=individual, commitment=commitment),))


def form_for(application):
    """The form an application fills, assembled from its program's profile, its campaign and what the
    applicant stated in 申报条件 (which opinions apply); every form ends with the declaration
    (``declaration_section``)."""
    from ..models import Application, ApplicationSection, ScoringItem

    profile = application.campaign.program.profile
    if application.kind == Application.Kind.INDIVIDUAL:
        return _with_declaration(individual_form(profile_limits(profile, "individual")), individual=True)
    commitment = profile.applicant_commitment
    if profile.organization_form == "benchmark":
        choices = route_choices(profile)
        route = route_section(choices, profile.other_unit_filing_to, filing_targets(profile)) if choices else None
        return _with_declaration(benchmark_form(route=route), commitment=commitment)
    cached = getattr(application, "_formspec_cache", None)
    if cached is None:
        items = list(ScoringItem.objects.filter(category__scheme_id=profile.scoring_scheme_id, points__gt=0)
                     .order_by("category__order", "order"))
        all_opinions = list(profile.required_opinions.all())
        stated = {}
        if application.pk and any(op.applies_to for op in all_opinions):
            row = ApplicationSection.objects.filter(application=application, code="conditions").first()
            stated = (row.data if row else None) or {}
        opinions = [op for op in all_opinions if op.uploaded_by_applicant and opinion_applies(op, stated)]
        cached = _with_declaration(organization_form(
            years=application.campaign.data_years, scoring_items=items, required_opinions=opinions,
            limits=profile_limits(profile, "organization"), conditions=profile_conditions(profile, all_opinions)),
            commitment=commitment)
        application._formspec_cache = cached
    return cached


# --- validation -------------------------------------------------------------------------------------
#: C0 control characters but tab, newline and carriage return, and lone surrogates (pasted from other
#: programs; PostgreSQL's jsonb cannot store NUL). Dropped from everything typed into the form.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: A single-line entry's technical bound (characters) where the document sets no limit.
LINE_MAX = 200
PHONE_RE = re.compile(r"^[0-9+\-()（） ]{7,20}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


#: field types holding free text (counted in a section's 字数 total)
TEXT_TYPES = ("text", "textarea", "richtext")


def field_chars(f, value):
    """字数 of a field's value: a richtext narrative by its text content (tags and images 0)."""
    return count_chars(richtext.text_of(value) if f.type == "richtext" else value)


def _clean_value(f, raw, errors, path, label_prefix="", images=None):
    """Normalise one input; record a Chinese error naming the field when it is malformed. ``images``:
    (application id, ids of its narrative images) that a richtext value may show (None: any of the
    narrative-image addresses, unchecked)."""
    label = f"{label_prefix}{f.label}"
    value = CONTROL_CHARS.sub("", "" if raw is None else str(raw))
    if f.type == "richtext":
        application_id, image_ids = images or (None, None)
        value = richtext.clean_value(value, application_id=application_id, image_ids=image_ids)
    if f.type not in ("textarea", "richtext"):
        value = value.strip()
    if value == "":
        return ""
    if f.max_chars and field_chars(f, value) > f.max_chars:
        errors[path] = f"“{label}”限 {f.max_chars} 字，当前 {field_chars(f, value)} 字，请删减。"
    line_max = f.max_length or (LINE_MAX if f.type == "text" else None)
    if line_max and len(value) > line_max:
        errors[path] = f"“{label}”最多 {line_max} 个字符，当前 {len(value)} 个，请核对是否粘贴了多余的内容。"
    if f.type in ("integer", "decimal"):
        text = value.replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[path] = f"“{label}”须填写数字（如 1234.5），当前为“{value[:20]}”。"
            return value
        if f.type == "integer" and number != number.to_integral_value():
            errors[path] = f"“{label}”须填写整数。"
        elif f.min_value is not None and number < f.min_value:
            errors[path] = f"“{label}”不能小于 {f.min_value}。"
        elif f.max_value is not None and number > f.max_value:
            errors[path] = f"“{label}”不能大于 {f.max_value}。"
        return text
    if f.type == "choice" and value not in {c for c, _ in f.choices}:
        errors[path] = f"“{label}”请从列表中选择。"
    elif f.type == "yesno" and value not in ("yes", "no"):
        errors[path] = f"“{label}”请选择“有”或“无”。"
    elif f.type == "email" and not EMAIL_RE.match(value):
        errors[path] = f"“{label}”格式不正确，请填写如 name@example.com 的邮箱地址。"
    elif f.type == "phone" and not PHONE_RE.match(value):
        errors[path] = f"“{label}”格式不正确，请填写手机号或带区号的固定电话。"
    elif f.type == "date" and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        errors[path] = f"“{label}”请按 YYYY-MM-DD 填写日期。"
    elif f.type == "credit_code":
        from qualityaward.accounts.identifiers import credit_code_problem, normalize_credit_code

        value = normalize_credit_code(value)
        problem = credit_code_problem(value)
        if problem:
            errors[path] = f"“{label}”：{problem[0]}"
    elif f.type == "id_number":
        from qualityaward.accounts.identifiers import id_number_problem, normalize_id_number

        value = normalize_id_number(value)
        problem = id_number_problem(value)
        if problem:
            errors[path] = f"“{label}”：{problem[0]}"
    elif f.type == "industry":
        from ..classifications import industry_lookup

        if industry_lookup(value) is None:
            errors[path] = f"“{label}”请从 GB/T 4754-2017 小类中选择（输入代码或名称搜索）。"
    return value


def clean_section(section, data, *, images=None):
    """Return (clean data, errors) for what the applicant sent for ``section``; errors name the fields.
    ``images``: see ``_clean_value``."""
    data = data if isinstance(data, dict) else {}
    clean, errors = {}, {}
    for item in section.items:
        if isinstance(item, Field):
            clean[item.key] = _clean_value(item, data.get(item.key), errors, item.key, images=images)
        elif isinstance(item, Table):
            rows = data.get(item.key) or []
            if not isinstance(rows, list):
                rows = []
            if len(rows) > item.max_rows:
                errors[item.key] = f"“{item.label}”最多 {item.max_rows} 行，请删除多余的行。"
                rows = rows[: item.max_rows]
            clean_rows = []
            for i, row in enumerate(rows):
                row = row if isinstance(row, dict) else {}
                clean_rows.append({c.key: _clean_value(c, row.get(c.key), errors, f"{item.key}.{i}.{c.key}",
                                                       f"{item.label}第{i + 1}行“") for c in item.columns})
            clean[item.key] = clean_rows
        elif isinstance(item, Grid):
            grid = data.get(item.key) or {}
            grid = grid if isinstance(grid, dict) else {}
            clean_grid = {}
            for row_key, row_label, unit, lo, hi in item.rows:
                row = grid.get(row_key) or {}
                row = row if isinstance(row, dict) else {}
                cells = {}
                for year in item.years:
                    f = Field(year, f"{row_label}（{year}年）", item.cell_type, min_value=lo, max_value=hi)
                    cells[year] = _clean_value(f, row.get(year), errors, f"{item.key}.{row_key}.{year}")
                for col_key, col_label in item.extra_columns:
                    f = Field(col_key, f"{row_label}（{col_label}）")
                    cells[col_key] = _clean_value(f, row.get(col_key), errors, f"{item.key}.{row_key}.{col_key}")
                clean_grid[row_key] = cells
            clean[item.key] = clean_grid
    if section.total_max_chars:
        total = section_chars(section, clean)
        if total > section.total_max_chars:
            errors["__all__"] = f"“{section.title}”合计限 {section.total_max_chars} 字，当前 {total} 字，请删减。"
    return clean, errors


def section_chars(section, data):
    return sum(field_chars(i, data.get(i.key, "")) for i in section.items
               if isinstance(i, Field) and i.type in TEXT_TYPES)


def missing_in_section(section, data, uploads=None):
    """Chinese descriptions of what is still empty in the section (required fields, rows, files)."""
    data = data or {}
    uploads = uploads or {}
    missing = []
    for item in section.items:
        if isinstance(item, Field):
            required = item.required or (item.required_when and data.get(item.required_when[0])
                                         in item.required_when[1])
            if required and not str(data.get(item.key, "")).strip():
                missing.append(item.label)
            if item.type == "yesno" and data.get(item.key) == "yes":
                detail = data.get(f"{item.key}_detail", "")
                if not str(detail).strip():
                    missing.append(f"{item.label}（选择“有”时须说明情况）")
        elif isinstance(item, Table):
            rows = [r for r in data.get(item.key) or [] if any(str(v).strip() for v in r.values())]
            if len(rows) < item.min_rows:
                missing.append(f"{item.label}（至少 {item.min_rows} 行）")
            for i, row in enumerate(rows):
                empty = [c.label for c in item.columns if c.required and not str(row.get(c.key, "")).strip()]
                if empty:
                    missing.append(f"{item.label}第{i + 1}行：{'、'.join(empty)}")
        elif isinstance(item, Grid) and item.required:
            grid = data.get(item.key) or {}
            empty = [label for key, label, *_ in item.rows
                     if any(not str((grid.get(key) or {}).get(y, "")).strip() for y in item.years)]
            if empty:
                missing.append(f"{item.label}：{'、'.join(empty[:5])}{' 等' if len(empty) > 5 else ''}未填全")
        elif isinstance(item, UploadSlot):
            count = uploads.get(item.key, 0)
            if item.required_when and data.get(item.required_when[0]) not in item.required_when[1]:
                continue
            if count < item.min_files:
                missing.append(f"{item.label}（至少 {item.min_files} 个文件，已上传 {count} 个）")
    return missing


def consistency_warnings(section, data):
    """Checks of derived figures that the inputs allow; shown to the applicant, not blocking."""
    warnings = []
    if section.code == ROUTE_SECTION:
        return _filing_warnings(section, data)
    if section.code != "performance":
        return warnings
    grid = (data or {}).get("indicators") or {}

    def value(row, year):
        try:
            return Decimal(str((grid.get(row) or {}).get(year, "")))
        except InvalidOperation:
            return None

    years = next((i.years for i in section.items if isinstance(i, Grid)), ())
    for year in years:
        debt = value("debt_ratio", year)
        if debt is not None and debt > HUNDRED:
            warnings.append(f"{year}年资产负债率为 {debt}%，超过 100% 表示资不抵债，请核对（资产负债率=负债总额/资产总额）。")
        assets, profit, tax = value("total_assets", year), value("total_profit", year), value("total_tax", year)
        contribution = value("asset_contribution", year)
        if assets and profit is not None and tax is not None and contribution is not None and assets > 0:
            floor = (profit + tax) / assets * HUNDRED
            if contribution + Decimal("0.5") < floor:
                warnings.append(
                    f"{year}年总资产贡献率 {contribution}% 低于（利润总额+纳税总额）/资产总额 ≈ {floor:.1f}%，"
                    "而总资产贡献率还应包含利息支出，请核对。")
        revenue, sales = value("main_revenue", year), value("sales", year)
        labour = value("labour_productivity", year)
        if labour is not None and revenue is not None and labour > revenue > 0:
            warnings.append(f"{year}年全员劳动生产率（万元/人）大于主营业务收入（万元），请核对单位。")
        if sales is not None and revenue is not None and sales > 0 and revenue > sales * 10:
            warnings.append(f"{year}年主营业务收入是销售额的 10 倍以上，请核对单位是否一致（万元）。")
    return warnings


def _filing_warnings(section, data):
    """通知三 “通过其他推荐单位申报的应向当地工信部门、省工业和信息化厅报备”: a route through an other unit without
    each filing recorded (to whom and when) is pointed out; submission stays open (the document sets no consequence)."""
    data = data or {}
    route = str(data.get("route") or "")
    if not route or route == section.items[0].choices[0][0]:
        return []
    missing = [f.label.removesuffix("报备日期").removeprefix("向") for f in section.items
               if isinstance(f, Field) and f.key.startswith("filed_on_") and not str(data.get(f.key) or "").strip()]
    if not missing:
        return []
    return [f"通过其他推荐单位申报的，应向{'、'.join(missing)}报备（通知三）。请报备后登记报备日期和材料；"
            "未登记的，秘书处资格审查时将核实。"]
