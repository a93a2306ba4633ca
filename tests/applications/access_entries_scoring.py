"""Expert scoring, ranking and review-report URLs (kinds: see test_access.py; the content is in
tests/review/scoring/). The panel application's material panel: world.expert leads it, a recused member and a
reserve sit beside it. Nobody sees a peer's sheet before submitting their own: the leader's request for the
recused member's sheet is refused while its own is a draft."""


def _campaign(w, a):
    return [a.campaign_id]


PANEL_STAFF = {"secretariat", "supervisor"}

ENTRIES = {
    "review:ranking": {"kind": "login"},  # the user's programs as secretariat or supervisor only
    "review:ranking_declare": {"kind": "post", "app": None, "args": lambda w, a: [w.campaign.pk],
                               "actors": {"secretariat"}, "reaches": True,
                               "data": lambda w, a: {"applications": [w.apps["panel"].pk], "decision": "finalist"}},
    "review:ranking_xlsx": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk], "allowed": PANEL_STAFF},
    "review:score_matrix_xlsx": {"kind": "get", "app": None, "args": lambda w, a: [w.campaign.pk],
                                 "allowed": PANEL_STAFF},
    "review:scoring_report": {"kind": "get", "args": lambda w, a: [a.pk], "allowed": PANEL_STAFF},
    # releasing needs a concluded review: the secretariat reaches it, the guard refuses in material review
    "review:scoring_report_release": {"kind": "post", "args": lambda w, a: [a.pk], "actors": {"secretariat"},
                                      "reaches": True},
    "review:scoring_panel": {"kind": "get", "args": lambda w, a: [a.pk, "material"],
                             "allowed": PANEL_STAFF | {"expert"}},
    "review:scoring_sheet": {"kind": "get", "args": lambda w, a: [a.pk, "material"], "allowed": {"expert"}},
    "review:scoring_sheet_pdf": {"kind": "get", "args": lambda w, a: [a.pk, "material"], "allowed": {"expert"}},
    # a peer's sheet: the staff print it; the leader, its own sheet still a draft, does not
    "review:scoring_sheet_pdf#peer": {"kind": "get", "url": "review:scoring_sheet_pdf",
                                      "args": lambda w, a: [a.pk, "material"],
                                      "query": lambda w, a: f"?expert={w.reserve_expert.pk}",
                                      "setup": lambda w, a: _peer_sheet(w, a), "allowed": PANEL_STAFF},
    # the leader submits its own complete sheet
    "review:scoring_submit": {"kind": "post", "args": lambda w, a: [a.pk, "material"], "actors": {"expert"},
                              "setup": lambda w, a: _filled_sheet(w, a),
                              "data": lambda w, a: {"version": str(_filled_sheet(w, a).version)}},
    # consensus, corrections, the on-site record and the conclusion come after every sheet is in: the leader
    # reaches them (the guard refuses), nobody else does
    "review:scoring_consensus": {"kind": "post", "args": lambda w, a: [a.pk, "material"], "actors": {"expert"},
                                 "reaches": True},
    # a correction needs a consensus to correct: before it there is nothing, for the leader too
    "review:scoring_consensus_agreed": {"kind": "post", "args": lambda w, a: [a.pk, "material"],
                                        "actors": {"expert"}, "reaches": True},
    "review:scoring_correct": {"kind": "post", "args": lambda w, a: [a.pk, "material"], "actors": set()},
    "review:scoring_conclude": {"kind": "post", "args": lambda w, a: [a.pk, "material"], "actors": {"expert"},
                                "reaches": True},
    "review:scoring_onsite": {"kind": "post", "args": lambda w, a: [a.pk, "material"], "actors": {"expert"},
                              "reaches": True},
}


def _filled_sheet(w, a):
    """The leader's sheet, every item scored (a draft until submitted)."""
    from qualityaward.accounts.services import Actor
    from review.scoring import services

    sheet = services.sheet_for(panel=a.panels.get(), expert=w.expert)
    if sheet.is_submitted or sheet.scores.filter(percent__isnull=False).exists():
        return sheet
    items = services.scored_items(a.campaign.program.profile.scoring_scheme_id)
    data = {str(item.pk): {"percent": "60", "strengths": "过程管理规范。", "opportunities": "数据分析可加强。"}
            for item in items}
    sheet, errors = services.save_sheet(sheet=sheet, data=data, base_version=sheet.version, actor=Actor(user=w.expert))
    assert not errors, errors
    return sheet


def _peer_sheet(w, a):
    """The reserve expert's sheet on the panel (a seat of its own, submitted)."""
    from review.scoring import services

    return services.sheet_for(panel=a.panels.get(), expert=w.reserve_expert)
