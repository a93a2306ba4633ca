"""What the secretariat writes when the demo's applications end otherwise than with success (``load_demo``'s
``demo.journeys.outcomes``): the reasons of a return, a refusal, an elimination, a refusal to award and a
revocation, written as a secretariat would, from the application's own company, products and data years."""

#: (company context key, default) the texts read; the context is ``load_demo``'s per company
_PRODUCT = ("product", "主导产品")
_INDICATOR = ("indicator", "关键质量指标")


def _ctx(ctx, key):
    name, default = key
    return (ctx or {}).get(name) or default


def _last_year(app):
    years = app.campaign.data_years or []
    return years[-1] if years else app.campaign.year - 1


def return_reason(app, name):
    """A return during the secretariat's eligibility review: to the recommender (the recommendation itself is
    incomplete) or, where applicants submit to the secretariat, to the applicant."""
    year = _last_year(app)
    if name == "return_to_authority":
        return (f"经资格审查，推荐材料存在以下问题：1. 初审意见未加盖推荐单位公章；2. 未附推荐单位公示情况说明"
                f"（公示起止日期、公示渠道及异议处理情况）；3. 申报表中 {year} 年度营业收入与所附审计报告不一致。"
                "请推荐单位核实补正后，于推荐截止日前重新报送。")
    return (f"经资格审查，申报材料需补正：1. 未附 {year} 年度经会计师事务所审计的财务报告（加盖公章）；"
            "2. 近三年质量、安全、环保无事故的情况说明未由企业主要负责人签字。请补正后重新提交，补正期间不影响受理顺序。")


def exclusion_note(app, ctx, item_text):
    """The facts behind the exclusion the secretariat found present (the demo's refused application)."""
    year = _last_year(app)
    if "抽查" in item_text or "不良记录" in item_text or "违法" in item_text:
        return (f"该单位 {year} 年 8 月生产的{_ctx(ctx, _PRODUCT)}在河南省市场监督管理局产品质量监督抽查中不合格"
                f"（不合格项目：{_ctx(ctx, _INDICATOR)}），见豫市监〔{year}〕抽查结果通报第 27 号。")
    return (f"该单位 {year} 年 5 月发生一般生产安全事故 1 起，受到属地应急管理局行政处罚"
            f"（处罚决定书文号：应急罚〔{year}〕第 0413 号）。")


def refusal_reason(app, item_text, note):
    return (f"经资格审查并征求有关部门意见，{note}属于“{item_text}”情形，不符合本届申报条件，决定不予受理。"
            "如对本决定有异议，可自收到通知之日起 5 个工作日内向秘书处书面提出。")


def not_finalist_reason(app, *, total, threshold, stage_label, eliminated_at_material):
    """The secretariat's reason for 未入围: below the line where the document sets one (息县 第十九条), eliminated
    at material review where only those passing it go on site (巩义 第十七条（五）), otherwise by ranking."""
    gaps = "主要差距：与行业标杆的对比数据不足，部分过程缺少量化的测量指标，改进成果的分享和推广机制尚不健全。"
    if threshold is not None:
        return (f"综合得分 {total} 分，低于入围分数线 {threshold} 分，按规定不能取得获奖入围资格，确定未入围。{gaps}")
    if eliminated_at_material:
        return (f"材料评审得分 {total} 分，在本届参评单位中排名靠后，经评审组合议未通过材料评审，不进入现场评审，"
                f"确定未入围。{gaps}")
    return f"{stage_label}结束，综合得分 {total} 分，按得分排序未进入入围名单，确定未入围。{gaps}"


def not_awarded_reason(app, source_label):
    """未获奖 decided by the secretariat where neither a committee vote nor a government decision is the step:
    after an objection to the publicity was found true, or (no publicity, no committee) on its overall review."""
    year = _last_year(app)
    outcome = app.campaign.program.profile.outcome_label or "授奖"
    if "评委会" in source_label:
        return f"评委会全体会议表决，同意票未达到规定的通过比例，不予{outcome}。"
    if "公示" in source_label:
        return (f"公示期间收到实名反映，经秘书处会同属地市场监管部门核查，该单位 {year} 年 11 月因产品标签标识不规范"
                f"被行政处罚，与申报材料“近三年无违法违规记录”的陈述不符，决定不予{outcome}。")
    return (f"经组织专家综合评议，该单位典型经验的示范性和可推广性与本届其他推荐对象相比尚有差距，"
            f"受推荐名额所限，本届不予{outcome}，可在完善后下一届再行申报。")


def government_refusal_note(app):
    year = _last_year(app)
    return (f"会议审议认为，该单位 {year} 年度因拖欠供应商货款被列入法院失信被执行人名单（已于次年履行完毕），"
            "社会信誉方面存在瑕疵，本届暂不授奖。")


def revocation_reason(app):
    year = _last_year(app)
    return (f"经群众实名举报和审计核查，该单位申报材料中 {year} 年度营业收入、利润总额等经营数据与税务部门核定数据"
            "不符，系以虚报数据的不正当手段获得奖励。依据本奖项管理办法，撤销其奖励，收回证书和奖金，"
            "并在规定年限内不得再次申报。")
