"""The expert pool, panel draws and pledges (tests/review/panels/test_experts.py, test_draw.py, test_pledge.py
cover the content): the pool is the secretariat's, a campaign's draws its program's secretariat's and
supervisors' (read-only), a pledge page the seated expert's; everyone else gets 403/404."""

#: the pool is kept by every secretariat and the system administrator
SECRETARIATS = {"secretariat", "secretariat_other", "admin", "superuser"}


def _panel(a):
    return a.panels.get()


def _profile(w):
    from review.panels.models import ExpertProfile

    profile = ExpertProfile.objects.filter(user=w.expert).first()
    return profile or ExpertProfile.objects.create(user=w.expert, name="访问测试专家", phone="13900000001",
                                                   region=w.kaifeng, employer="测试研究院", specialties=["C"])


def _expert_form(w, a):
    return {"name": "新入库专家", "title": "高级工程师", "employer": "某质量研究院", "phone": "13900000099",
            "region": w.zhengzhou.pk, "specialties": ["C"], "is_active": "on"}


def _draw(w):
    from review.panels.models import PanelDraw

    return PanelDraw.objects.filter(campaign=w.campaign).first() or PanelDraw.objects.create(
        campaign=w.campaign, number=1, kind=PanelDraw.Kind.INITIAL, stage="material", seed="1", size=3, witness_name="见证人",
        performed_by=w.secretariat)


ENTRIES = {
    "review:expert_list": {"kind": "get", "app": None, "args": lambda w, a: [], "allowed": SECRETARIATS},
    "review:expert_create": {"kind": "get", "app": None, "args": lambda w, a: [], "allowed": SECRETARIATS},
    "review:expert_export": {"kind": "get", "app": None, "args": lambda w, a: [], "allowed": SECRETARIATS},
    "review:expert_import": {"kind": "get", "app": None, "args": lambda w, a: [], "allowed": SECRETARIATS},
    "review:expert_template": {"kind": "get", "app": None, "args": lambda w, a: [], "allowed": SECRETARIATS},
    "review:expert_edit": {"kind": "get", "app": None, "args": lambda w, a: [_profile(w).pk],
                           "allowed": SECRETARIATS},
    "review:expert_toggle": {"kind": "post", "app": None, "args": lambda w, a: [_profile(w).pk],
                             "actors": SECRETARIATS, "data": lambda w, a: {"active": "0"}},
    "review:panel_campaigns": {"kind": "login"},  # the user's campaigns as secretariat or supervisor only
    "review:panel_campaign": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk],
                              "allowed": {"secretariat", "supervisor"}},
    "review:panel_draw": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk],
                          "allowed": {"secretariat"}, "status": 302},  # GET: back to the campaign's page
    "review:panel_replace": {"kind": "get", "args": lambda w, a: [_panel(a).pk, w.recused_expert.pk],
                             "allowed": {"secretariat"}},
    "review:draw_detail": {"kind": "get", "app": None, "args": lambda w, a: [_draw(w).pk],
                           "allowed": {"secretariat", "supervisor"}},
    # the seat's own page: the recused member sees there that it has recused itself
    "review:pledge": {"kind": "get", "args": lambda w, a: [_panel(a).pk], "allowed": {"expert", "recused_expert"}},
    # a seated expert declares a conflict (the reserve expert has no seat yet)
    "review:declare_conflict": {"kind": "post", "args": lambda w, a: [_panel(a).pk],
                                "actors": {"expert"}, "no_op": {"recused_expert"},  # already recused
                                "data": lambda w, a: {"detail": "发现近亲属在申报单位任职"}},
}
