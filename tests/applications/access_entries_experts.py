"""The expert pool, panel draws and pledges (tests/review/panels/test_experts.py, test_draw.py, test_pledge.py
cover who gets what: the pool is the secretariat's, draws the program's secretariat's and supervisors'
(read-only), a pledge page the seated expert's; everyone else gets 404)."""


def _panel(a):
    return a.panels.get()


ENTRIES = {
    "review:expert_list": {"kind": "secretariat"},
    "review:expert_create": {"kind": "secretariat"},
    "review:expert_export": {"kind": "secretariat"},
    "review:expert_import": {"kind": "secretariat"},
    "review:expert_template": {"kind": "secretariat"},
    "review:expert_edit": {"kind": "secretariat", "args": lambda w, a: [1]},
    "review:expert_toggle": {"kind": "secretariat", "args": lambda w, a: [1]},
    "review:panel_campaigns": {"kind": "login"},  # the user's campaigns as secretariat or supervisor only
    "review:panel_campaign": {"kind": "secretariat", "args": lambda w, a: [w.campaign.pk]},
    "review:panel_draw": {"kind": "secretariat", "args": lambda w, a: [w.campaign.pk]},
    "review:panel_replace": {"kind": "secretariat", "args": lambda w, a: [_panel(a).pk, w.recused_expert.pk]},
    "review:draw_detail": {"kind": "secretariat", "args": lambda w, a: [1]},
    "review:pledge": {"kind": "seat", "args": lambda w, a: [_panel(a).pk]},
    "review:declare_conflict": {"kind": "seat", "args": lambda w, a: [_panel(a).pk]},
}
