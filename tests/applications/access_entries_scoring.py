"""Expert scoring, ranking and review-report URLs. Their kinds are checked person by person in
tests/review/scoring/test_scoring_access.py (the panel application's material panel: world.expert leads it)."""


def _campaign(w, a):
    return [a.campaign_id]


ENTRIES = {
    "review:ranking": {"kind": "login"},  # the user's programs as secretariat or supervisor only
    "review:ranking_declare": {"kind": "scoring-campaign-post", "args": _campaign},
    "review:ranking_xlsx": {"kind": "scoring-campaign-staff", "args": _campaign},
    "review:score_matrix_xlsx": {"kind": "scoring-campaign-staff", "args": _campaign},
    "review:scoring_report": {"kind": "scoring-report", "args": lambda w, a: [a.pk]},
    "review:scoring_report_release": {"kind": "scoring-post", "args": lambda w, a: [a.pk]},
    "review:scoring_panel": {"kind": "scoring-panel", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_sheet": {"kind": "scoring-expert", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_sheet_pdf": {"kind": "scoring-expert", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_submit": {"kind": "scoring-post", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_consensus": {"kind": "scoring-post", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_consensus_agreed": {"kind": "scoring-post", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_correct": {"kind": "scoring-post", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_conclude": {"kind": "scoring-post", "args": lambda w, a: [a.pk, "material"]},
    "review:scoring_onsite": {"kind": "scoring-post", "args": lambda w, a: [a.pk, "material"]},
}
