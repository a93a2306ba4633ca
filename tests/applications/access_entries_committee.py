"""Access entries for the committee vote, awards and self-assessment pages. Pages of one vote or one award
answer 404 to anyone outside the program's secretariat, committee and supervisors (or the winner);
tests/review/committee/test_committee_views.py checks them."""

ENTRIES = {
    "review:committee_list": {"kind": "login"},  # the user's programs only (empty for others)
    "review:committee_open": {"kind": "auth", "args": lambda w, a: [w.xixian_campaign.pk]},
    "review:committee_session": {"kind": "auth", "args": lambda w, a: [1]},
    "review:committee_vote": {"kind": "auth", "args": lambda w, a: [1]},
    "review:committee_close": {"kind": "auth", "args": lambda w, a: [1]},
    "review:committee_decide": {"kind": "auth", "args": lambda w, a: [1]},
    "review:committee_results": {"kind": "auth", "args": lambda w, a: [1]},
    "review:award_list": {"kind": "login"},  # awards of the user's programs, or the user's own
    "review:self_assessment_overview": {"kind": "login"},
    "review:award_detail": {"kind": "auth", "args": lambda w, a: [1]},
    "review:self_assessment_submit": {"kind": "auth", "args": lambda w, a: [1]},
    "review:self_assessment_file": {"kind": "auth", "args": lambda w, a: [1, 1]},
    # the secretariat's award decision and revocation: 404 to strangers, 403 (nothing changes) to other viewers
    # and to the secretariat while the application is not at that stage
    "review:award_decide": {"kind": "object-post", "args": lambda w, a: [a.pk]},
    "review:award_revoke": {"kind": "object-post", "args": lambda w, a: [a.pk]},
}
