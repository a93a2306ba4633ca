"""Access entries for the secretariat's consultations and 陈述答辩: of the departments before eligibility (息县 第十七条,
巩义 第十七条（三）) and after the expert evaluation (000 五（五）). Only the program's secretariat records whom it
asked and their answers; everyone else is refused and nothing changes (tests/review/eligibility/
test_secretariat_consultation.py and tests/review/prereview/test_consultation_after_evaluation.py cover the content)."""

XX_SECRETARIAT = "secretariat_other"  # the world's 息县 secretariat


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _pending(by, secretariat):
    def setup(w, a):
        from django.utils import timezone

        from qualityaward.accounts.services import Actor
        from review.prereview import services as pre

        if not any(not o.answered for o in pre.secretariat_opinions(a, by)):
            pre.solicit_opinion(application=a, actor=Actor(user=getattr(w, secretariat)), department="待答复的单位",
                                asked_on=timezone.localdate(), by=by)

    return setup


def _answer(by):
    def data(w, a):
        from review.prereview import services as pre

        opinion = next(o for o in pre.secretariat_opinions(a, by) if not o.answered)
        return {"opinion": opinion.pk, "answer": "no_objection", "answered_on": _today()}

    return data


ENTRIES = {
    "review:eligibility_consult_solicit": {
        "kind": "post", "app": "xixian_eligibility", "args": lambda w, a: [a.pk], "actors": {XX_SECRETARIAT},
        "data": lambda w, a: {"consult-department": "县生态环境分局", "consult-asked_on": _today()}},
    "review:eligibility_consult_answer": {
        "kind": "post", "app": "xixian_eligibility", "args": lambda w, a: [a.pk], "actors": {XX_SECRETARIAT},
        "setup": _pending("secretariat", "secretariat_other"), "data": _answer("secretariat")},
    # the cultivation program's secretariat records; it and the program's supervisors read the page
    "review:evaluation_consultation": {"kind": "get", "app": "finalist", "args": lambda w, a: [a.pk],
                                       "allowed": {"secretariat", "supervisor"}},
    "review:evaluation_consult_solicit": {
        "kind": "post", "app": "finalist", "args": lambda w, a: [a.pk], "actors": {"secretariat"},
        "data": lambda w, a: {"consult-department": "省生态环境厅", "consult-asked_on": _today()}},
    "review:evaluation_consult_answer": {
        "kind": "post", "app": "finalist", "args": lambda w, a: [a.pk], "actors": {"secretariat"},
        "setup": _pending("evaluation", "secretariat"), "data": _answer("evaluation")},
}

# 息县 陈述答辩 (第十八条, 第二十一条): its secretariat schedules and records, supervisors read
ENTRIES.update({
    "review:defense": {"kind": "get", "app": "xixian_finalist", "args": lambda w, a: [a.pk],
                       "allowed": {XX_SECRETARIAT, "supervisor"}},
    "review:defense_write": {
        "kind": "post", "app": "xixian_finalist", "args": lambda w, a: [a.pk, "plenary", "record"],
        "actors": {XX_SECRETARIAT},
        "data": lambda w, a: {"held_on": _today(), "notes": "候选单位现场展示并陈述答辩，评委会提问，回答清楚。"}},
})
