"""Steps of a program's procedure that tests take through the real services: a scored review stage and the
decisions recorded after the winners' publicity."""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import workflow
from demo.content import pdf_bytes
from qualityaward.accounts.services import Actor


def score_stage(app, percent=65):
    """A panel for the application's review stage, scored by sample experts and concluded by its leader."""
    from demo.review import complete_sample_scoring
    from review.panels.models import Panel
    from review.scoring.services import STAGE_STATE

    app.refresh_from_db()
    Panel.objects.get_or_create(application=app, stage={v: k for k, v in STAGE_STATE.items()}[app.state])
    complete_sample_scoring(application=app, percent=percent)


def decision_document(name="决定.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(1), "application/pdf")


def decide_after_publicity(app, secretariat, *, decided_on=None, reference="审定文号〔2026〕1号"):
    """After an unopposed winners' publicity: each decision the program's document puts before the award (金水
    第十六条 评委会确定正式候选名单; 息县 第二十二条, 巩义 第十七条（八）, 金水 第十六条 政府审定), recorded by the
    secretariat with its document, until the application is awarded."""
    from review.awards.services import DECISION_FOR_STATE, record_decision

    profile = app.campaign.program.profile
    decided_on = decided_on or timezone.localdate()
    for _ in range(3):
        app.refresh_from_db()
        name = workflow.first_available(app, workflow.AFTER_PUBLICITY)
        kind = DECISION_FOR_STATE.get(app.state)
        if kind is not None:
            body = profile.government_decision_body if kind == "government" else "评委会"
            record_decision(application=app, actor=Actor(user=secretariat), kind=kind, body=body, reference=reference,
                            decided_on=decided_on, approved=True, document=decision_document())
        elif name is not None:
            workflow.perform(application=app, name=name, actor=Actor(user=secretariat), decided_on=decided_on,
                             reference=reference)
    app.refresh_from_db()
    return app


# --- the award and the campaigns after it (tests/review/conftest.py's ``committee_of``) ---------------------------------
def proposed(c, name, tier=None, **kw):
    """A committee candidate of ``c`` (a ``committee_of`` program) proposed with ``tier`` (the first by default)."""
    from applications.models import State

    app = c.finalist(name, target=State.COMMITTEE, **kw)
    workflow.perform(application=app, name="propose", actor=Actor(user=c.secretariat), tier=tier or c.tiers[0])
    return app


def awarded(c, name, decided_on=None, **kw):
    return c.award(proposed(c, name, **kw), decided_on=decided_on, reference="息政文〔2027〕1号")


def next_campaign(c, year, *, deadline_in_days=30):
    """A later campaign of the program, open now, ``year`` as its year (the deadline decides the ban check)."""
    from datetime import timedelta

    from applications.models import Campaign

    Campaign.objects.filter(program=c.program).update(is_current=False)
    now = timezone.now()
    deadline = now.replace(year=year + 1) if deadline_in_days is None else now + timedelta(days=deadline_in_days)
    return Campaign.objects.create(program=c.program, name=f"{year}届", year=year,
                                   data_years=[year - 3, year - 2, year - 1], opens_at=now - timedelta(days=1),
                                   application_deadline=deadline, recommendation_deadline=deadline, is_current=True)
