"""Bulk data with known answers for the insights tests and benchmark (written with ``bulk_create``, not
through the workflow: the reads are what is under test).

``build(campaign, apps=…, experts=…)`` gives ``apps`` applications of ``campaign`` reviewed at both
stages the program has by panels of ``per_panel`` experts drawn from ``experts`` accounts. Expert ``i``
scores every item ``bias(i)`` percentage points above the panel's consensus (the application's level),
so each expert's severity is exactly ``bias(i)`` (the stored calibration is refreshed at the end); each application also gets its basic section
(industry, size, type) and an audit trail with the states it passed."""
import random
from decimal import Decimal

BATCH = 5000
BIASES = [-10, -5, 0, 0, 5, 10]
INDUSTRIES = ["3670", "1311", "4411", "6513", "4710"]
SIZES = ["large", "medium", "small", "micro"]
TYPES = ["manufacturing", "services", "construction", "agriculture"]


def bias(i):
    return BIASES[i % len(BIASES)]


def build(campaign, *, apps, experts, per_panel=5, seed=5, prefix="bulk", outcome_split=True):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from applications.models import Application, ApplicationSection, State
    from qualityaward.accounts.models import AuditEvent, Organization, User
    from review.scoring import services as svc
    from review.panels.models import Panel, PanelMember
    from review.scoring.models import ItemScore, PanelItemScore, ScoreSheet, StageResult

    rng = random.Random(seed)
    profile = campaign.program.profile
    region = campaign.program.seat_region
    now = timezone.now()
    owner = User.objects.create_user(username=f"{prefix}_owner{seed}", password="!")
    org = Organization.objects.create(name=f"{prefix}基准企业{seed}", credit_code=_credit_code(seed), region=region)
    pool = list(User.objects.filter(username__startswith=f"{prefix}_expert").order_by("username"))
    if len(pool) < experts:
        User.objects.bulk_create([User(username=f"{prefix}_expert{i:03d}", full_name=f"专家{i:03d}", password="!")
                                  for i in range(len(pool), experts)])
        pool = list(User.objects.filter(username__startswith=f"{prefix}_expert").order_by("username"))
    index = {u.pk: i for i, u in enumerate(pool)}
    items = svc.scored_items(profile.scoring_scheme_id)
    stages = [s for s in Panel.Stage.values if getattr(profile, svc.STAGE_FLAG[s])]
    finalist = Decimal(profile.finalist_threshold or 0)
    made = Application.objects.bulk_create([
        Application(number=f"{prefix}{seed}-{campaign.pk}-{i + 1:05d}", campaign=campaign, organization=org, owner=owner,
                    applicant_name=f"{prefix}申报单位{seed}-{i + 1:05d}", region=region, submitted_at=now,
                    state=State.ONSITE_REVIEW, kind=Application.Kind.ORGANIZATION)
        for i in range(apps)], batch_size=BATCH)
    level = {a.pk: rng.choice(range(30, 75, 5)) for a in made}
    ApplicationSection.objects.bulk_create([
        ApplicationSection(application=a, code="basic", data={
            "industry": INDUSTRIES[n % len(INDUSTRIES)], "org_size": SIZES[n % len(SIZES)],
            "org_type": TYPES[n % len(TYPES)]}) for n, a in enumerate(made)], batch_size=BATCH)
    panels = Panel.objects.bulk_create([Panel(application=a, stage=s) for a in made for s in stages],
                                       batch_size=BATCH)
    seats, sheets = [], []
    for panel in panels:
        for k, expert in enumerate(rng.sample(pool, per_panel)):
            seats.append(PanelMember(panel=panel, expert=expert,
                                     role=PanelMember.Role.LEADER if k == 0 else PanelMember.Role.MEMBER))
            sheets.append(ScoreSheet(panel=panel, expert=expert, status=ScoreSheet.Status.SUBMITTED,
                                     submitted_at=now, version=2))
    PanelMember.objects.bulk_create(seats, batch_size=BATCH)
    sheets = ScoreSheet.objects.bulk_create(sheets, batch_size=BATCH)
    app_of = {p.pk: p.application_id for p in panels}
    buffer = []
    for sheet in sheets:
        pct = level[app_of[sheet.panel_id]] + bias(index[sheet.expert_id])
        buffer += [ItemScore(sheet=sheet, item=item, percent=pct, strengths="方法系统", opportunities="对比不足")
                   for item in items]
        if len(buffer) >= BATCH:
            ItemScore.objects.bulk_create(buffer, batch_size=BATCH)
            buffer = []
    ItemScore.objects.bulk_create(buffer, batch_size=BATCH)
    leaders = {s.panel_id: s.expert for s in seats if s.role == PanelMember.Role.LEADER}
    PanelItemScore.objects.bulk_create([
        PanelItemScore(panel=p, item=item, percent=Decimal(level[p.application_id]), source="consensus",
                       reason="经合议形成共识", recorded_by=leaders[p.pk]) for p in panels for item in items],
        batch_size=BATCH)
    StageResult.objects.bulk_create([StageResult(panel=p, aggregation="consensus", experts=per_panel,
                                                 concluded_by=leaders[p.pk]) for p in panels], batch_size=BATCH)
    svc.refresh_stage_sums(panels=panels)
    # outcomes by the known total (the level × 10 on the 1000 scale) and the audit trail of the states passed
    ct = ContentType.objects.get_for_model(Application)
    path = [State.DRAFT, State.SUBMITTED, State.RECOMMENDED, State.ELIGIBILITY_REVIEW, State.ACCEPTED,
            State.MATERIAL_REVIEW, State.ONSITE_REVIEW]
    events, finals = [], {}
    for a in made:
        final = (State.FINALIST if level[a.pk] * 10 >= finalist else State.NOT_FINALIST) if outcome_split \
            else State.ONSITE_REVIEW
        finals.setdefault(final, []).append(a.pk)
        steps = path + ([final] if final != State.ONSITE_REVIEW else [])
        events += [AuditEvent(action="transition", content_type=ct, object_id=str(a.pk), object_repr=a.applicant_name,
                              from_state=frm, to_state=to) for frm, to in zip([""] + steps, steps)]
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    for state, ids in finals.items():
        Application.objects.filter(pk__in=ids).update(state=state)
    # written past the scoring services: the stored calibration is refreshed as generate_data does
    from review.insights.services import refresh_calibration

    refresh_calibration(campaign_id=campaign.pk)
    return {"applications": made, "experts": pool[:experts], "level": level, "bias": {u.pk: bias(index[u.pk])
                                                                                     for u in pool}}


def _credit_code(seed):
    from applications.management.commands.load_demo import credit_code

    return credit_code("411528", f"B{seed:07d}")
