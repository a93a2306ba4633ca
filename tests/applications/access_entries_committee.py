"""Access entries for the committee vote, awards and self-assessment pages (kinds: see test_access.py). A vote
is its program's: the 息县 secretariat opens, closes and decides it, its committee members vote, supervisors
read; everyone else gets 404 (tests/review/committee/test_committee_views.py covers the pages' content)."""

XX_SECRETARIAT = "secretariat_other"  # the world's 息县 secretariat
VOTE_READERS = {XX_SECRETARIAT, "committee_xx", "supervisor"}
#: an award: its holder, the program's secretariat, supervisors and (from the committee stage on) its committee
AWARD_READERS = {"owner", "colleague", "secretariat", "supervisor", "committee", "admin"}


def _award(w, a):
    from review.awards.models import Award

    return Award.objects.get(application=a)


def _open_vote(w, a):
    tier = w.xx.tiers[0]
    return {"title": "第一次全体会议表决", f"take_{a.pk}": "1", f"tier_{a.pk}": tier.pk}


def _close(w, a):
    """Only one vote runs at a time in a campaign: the matrix's vote is closed first."""
    from qualityaward.accounts.services import Actor
    from review.committee import services

    w.vote.refresh_from_db()
    if w.vote.closed_at is None:
        services.close_session(session=w.vote, actor=Actor(user=w.xx.secretariat))


def _ballot(w, a):
    return {f"c{c.pk}": "approve" for c in w.vote.candidates.all()}


def _report(w, a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.content import pdf_bytes

    return {"period": "1", "text": "年度自评：质量管理体系运行良好。",
            "file": SimpleUploadedFile("自评报告.pdf", pdf_bytes(1), "application/pdf")}


ENTRIES = {
    "review:committee_list": {"kind": "login"},  # the user's programs only (empty for others)
    "review:committee_open": {"kind": "post", "app": "xixian_finalist", "args": lambda w, a: [a.campaign_id],
                              "actors": {XX_SECRETARIAT}, "setup": _close, "data": _open_vote},
    "review:committee_session": {"kind": "get", "app": "committee", "args": lambda w, a: [w.vote.pk],
                                 "allowed": VOTE_READERS},
    "review:committee_vote": {"kind": "post", "app": "committee", "args": lambda w, a: [w.vote.pk],
                              "actors": {"committee_xx"}, "data": _ballot},
    "review:committee_close": {"kind": "post", "app": "committee", "args": lambda w, a: [w.vote.pk],
                               "actors": {XX_SECRETARIAT}},
    # the secretariat decides a closed vote
    "review:committee_decide": {"kind": "post", "app": "committee", "args": lambda w, a: [w.vote.pk],
                                "actors": {XX_SECRETARIAT}, "setup": _close},
    "review:committee_results": {"kind": "get", "app": "committee", "args": lambda w, a: [w.vote.pk],
                                 "allowed": VOTE_READERS},
    "review:award_list": {"kind": "login"},  # awards of the user's programs, or the user's own
    "review:self_assessment_overview": {"kind": "login"},
    "review:award_detail": {"kind": "get", "app": "awarded", "args": lambda w, a: [_award(w, a).pk],
                            "allowed": AWARD_READERS},
    "review:self_assessment_submit": {"kind": "post", "app": "awarded", "args": lambda w, a: [_award(w, a).pk],
                                      # the cultivation program asks for no annual report: the holder reaches the page, the guard refuses (400)
                                      "actors": {"owner", "colleague"}, "reaches": True, "data": _report,
                                      "sees_object": AWARD_READERS},  # readers of the award: 403
    "review:self_assessment_file": {"kind": "get", "app": "awarded", "args": lambda w, a: [_award(w, a).pk, 1],
                                    "allowed": set()},
    # the secretariat's award decision (only where a government decision is awaited: never in material review)
    "review:award_decide": {"kind": "post", "args": lambda w, a: [a.pk], "actors": set(),
                            "data": lambda w, a: {"decision": "award"}},
    "review:award_revoke": {"kind": "post", "app": "awarded", "args": lambda w, a: [a.pk],
                            "actors": {"secretariat"}, "data": lambda w, a: {"ground": "fraud", "reason": "经查实申报材料弄虚作假。"}},
}
