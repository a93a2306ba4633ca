"""Access entries for the secretariat's consultation of the departments before eligibility (息县 第十七条,
巩义 第十七条（三）): only the program's secretariat records whom it asked and their answers; everyone else is
refused and nothing changes (tests/review/eligibility/test_secretariat_consultation.py covers the content)."""

XX_SECRETARIAT = "secretariat_other"  # the world's 息县 secretariat


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _pending_opinion(w, a):
    from django.utils import timezone

    from qualityaward.accounts.services import Actor
    from review.prereview import services as pre

    opinion = next((o for o in pre.secretariat_opinions(a) if not o.answered), None)
    return opinion or pre.solicit_opinion(application=a, actor=Actor(user=w.secretariat_other),
                                          department="县应急管理局", asked_on=timezone.localdate(),
                                          by=pre.SECRETARIAT)


def _answer(w, a):
    from review.prereview import services as pre

    opinion = next(o for o in pre.secretariat_opinions(a) if not o.answered)
    return {"opinion": opinion.pk, "answer": "no_objection", "answered_on": _today()}


ENTRIES = {
    "review:eligibility_consult_solicit": {
        "kind": "post", "app": "xixian_eligibility", "args": lambda w, a: [a.pk], "actors": {XX_SECRETARIAT},
        "data": lambda w, a: {"consult-department": "县生态环境分局", "consult-asked_on": _today()}},
    "review:eligibility_consult_answer": {
        "kind": "post", "app": "xixian_eligibility", "args": lambda w, a: [a.pk], "actors": {XX_SECRETARIAT},
        "setup": _pending_opinion, "data": _answer},
}
