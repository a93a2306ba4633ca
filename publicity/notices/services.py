"""Notices (公示): composing, scheduling, correcting, and the scheduled job that opens and closes
windows and settles each line exactly once.

Who composes what: the program's secretariat publishes the acceptance list, the candidates, the
proposed winners and the cultivation-database list; a recommending authority publishes its own notice
of the applicants it intends to recommend, for its own area. Window lengths come from the program's
``PublicityRule`` (never below its minimum); dates from ``publicity.workdays``.

Once a notice is open its window and its lines are frozen; a correction is a new notice linked by
``corrects``. The job (``run_due``) may run late, twice or concurrently: every step is a conditional
update under a row lock and records on the line that it was done, so it happens once.
"""
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications import dashboard_cache, jobs, workflow
from applications.models import Application, ApplicationSection, PublicityRule, State
from applications.rules import _authority_scopes
from applications.selectors import recused_application_ids, recused_applications
from qualityaward.accounts.services import SYSTEM, record_event
from review.eligibility.services import industry_name, is_campaign_secretariat

from .. import workdays
from .models import Notice, NoticeItem
from .settlement import blocking_reasons

K = Notice.Kind
#: States an application must be in to be listed on a notice of each kind.
SOURCE_STATES = {
    K.AUTHORITY: [State.SUBMITTED],
    K.ACCEPTANCE: [State.ACCEPTED],
    K.CANDIDATES: [State.PROPOSED],
    K.WINNERS: [State.PROPOSED],
    K.DATABASE: [State.PROPOSED],
}
#: Transition run for each line when a notice of the kind opens / when its window closes unopposed. After the
#: winners' publicity the line moves to the next step its program has: the committee's confirmation of the formal
#: candidates (金水 第十六条), the government's decision (息县 第二十二条, 巩义 第十七条（八）) or, where the
#: document has neither, the outcome itself (000 五（五）: 入库).
OPEN_TRANSITIONS = {K.ACCEPTANCE: "open_acceptance_publicity"}
CLOSE_TRANSITIONS = {K.ACCEPTANCE: ("start_material_review",), K.CANDIDATES: workflow.AFTER_PUBLICITY,
                     K.WINNERS: workflow.AFTER_PUBLICITY, K.DATABASE: workflow.AFTER_PUBLICITY}
SECRETARIAT_KINDS = (K.ACCEPTANCE, K.CANDIDATES, K.WINNERS, K.DATABASE)
AUTHORITY_KINDS = (K.AUTHORITY,)
EDITABLE = (Notice.Status.DRAFT, Notice.Status.SCHEDULED)


class NoticeFrozen(ValidationError):
    """A change to the window or lines of a notice that is already open."""


def frozen_message(notice):
    when = f"于 {timezone.localtime(notice.opened_at):%Y-%m-%d %H:%M} " if notice.opened_at else ""
    return (f"公示“{notice.title}”已{when}发布，公示期和公示名单不能再修改。"
            "如需更正，请在该公示页面点击“发布更正公示”，新公示将注明更正的原公示。")


# --- reads used by the services and views ---------------------------------------------------------------
def rule_for(campaign, kind):
    return PublicityRule.objects.filter(profile__program_id=campaign.program_id, kind=kind).first()


def kinds_for(campaign, *, authority=False):
    """Notice kinds the campaign's program uses that this side (secretariat or authority) publishes."""
    allowed = AUTHORITY_KINDS if authority else SECRETARIAT_KINDS
    kinds = set(PublicityRule.objects.filter(profile__program_id=campaign.program_id, kind__in=allowed)
                .values_list("kind", flat=True))
    return [k for k in allowed if k in kinds]


def authority_region_ids(user, campaign):
    return [region_id for program_id, region_id in _authority_scopes(user)
            if program_id == campaign.program_id and region_id]


def can_compose(user, campaign, kind, region=None):
    if kind in SECRETARIAT_KINDS:
        return is_campaign_secretariat(user, campaign)
    if kind in AUTHORITY_KINDS:
        return bool(user and user.is_authenticated and region is not None
                    and region.pk in authority_region_ids(user, campaign))
    return False


def can_manage(user, notice):
    return can_compose(user, notice.campaign, notice.kind, notice.region)


def eligible_applications(campaign, kind, region=None, *, user=None):
    """Applications that may be listed on a new notice of ``kind`` (an authority's: its own area); for ``user``,
    not those the user stepped aside from (息县 第十条, 巩义 第十八条: a colleague lists them)."""
    qs = (Application.objects.filter(campaign=campaign, state__in=SOURCE_STATES.get(kind, []))
          .select_related("region", "tier").order_by("number", "pk"))
    if user is not None:
        qs = qs.exclude(pk__in=recused_applications(user=user))
    if kind in AUTHORITY_KINDS:
        if region is None:
            return qs.none()
        qs = qs.filter(Q(region=region) | Q(region__parent=region))
    return qs


def public_fields(apps):
    """The public fields of each application: name, region, industry, tier. Nothing else is copied."""
    industries = {
        s.application_id: industry_name((s.data or {}).get("industry"))
        for s in ApplicationSection.objects.filter(application__in=[a.pk for a in apps], code="basic")
        .only("application_id", "data")
    }
    return [{"application": a, "name": a.applicant_name, "region_name": a.region.name if a.region_id else "",
             "industry": industries.get(a.pk, ""), "tier": a.tier.name if a.tier_id else ""} for a in apps]


def window_of(opens_at, length, unit):
    """(last day, closes_at) of a window opening at ``opens_at``; ValidationError for an unknown year."""
    opens_on = timezone.localtime(opens_at).date()
    try:
        last_day = workdays.window_last_day(opens_on, length, unit)
    except workdays.UnknownCalendarYear as exc:
        raise ValidationError(exc.message)
    return last_day, workdays.end_of_day(last_day)


def window_line(notice):
    return workdays.describe_window(timezone.localtime(notice.opens_at).date(), notice.last_day,
                                    notice.window_length, notice.window_unit)


def _check_length(rule, length, unit_label):
    if length in (None, ""):
        if rule.min_length:
            return rule.min_length
        raise ValidationError(f"本奖项规则未规定{rule.get_kind_display()}的时长，请填写公示时长（{unit_label}）。")
    try:
        length = int(length)
    except (TypeError, ValueError):
        raise ValidationError("公示时长须填写整数。")
    if length < 1:
        raise ValidationError("公示时长至少为 1。")
    if rule.min_length and length < rule.min_length:
        raise ValidationError(f"本奖项{rule.get_kind_display()}不少于 {rule.min_length}{unit_label}，"
                              f"不能设为 {length}{unit_label}。")
    if length > 120:
        raise ValidationError("公示时长不能超过 120，请核对。")
    return length


def _default_title(campaign, kind, region=None):
    who = f"{region.name}" if region is not None else ""
    return f"{campaign.program.name}{campaign.name}{who}{Notice.Kind(kind).label}"


def _issuer(campaign, kind, user, region):
    if kind in AUTHORITY_KINDS:
        from applications.recommenders import authority_unit_name

        return authority_unit_name(user, campaign.program, region)
    return campaign.program.organizer


# --- composing ------------------------------------------------------------------------------------------------
def compose_notice(*, campaign, kind, actor, application_ids, title="", body="", issuer="", contact="",
                   window_length=None, opens_at=None, region=None, acceptance_list=None):
    """A draft notice listing the chosen eligible applications (public fields only)."""
    if kind not in SOURCE_STATES:
        raise ValidationError("没有这种公示类型。")
    if not can_compose(actor.user, campaign, kind, region):
        raise PermissionDenied("您没有权限发布此类公示（受理、评审相关公示由本奖项秘书处发布；推荐单位只能公示本区域的申报）。")
    rule = rule_for(campaign, kind)
    if rule is None:
        raise ValidationError(f"{campaign.program.name}的规则中没有“{Notice.Kind(kind).label}”，不能发布此类公示。")
    length = _check_length(rule, window_length, rule.get_unit_display())
    opens_at = opens_at or timezone.now()
    last_day, closes_at = window_of(opens_at, length, rule.unit)
    ids = {int(i) for i in application_ids or []}
    if not ids:
        raise ValidationError("请至少选择一个申报列入公示。")
    apps = list(eligible_applications(campaign, kind, region, user=actor.user).filter(pk__in=ids))
    if len(apps) != len(ids):
        raise ValidationError("所选申报中有的不在可公示的范围内（状态已变化或不属于本届、本区域），请刷新页面后重新选择。")
    with transaction.atomic():
        notice = Notice.objects.create(
            campaign=campaign, kind=kind, title=(title or "").strip()[:200] or _default_title(campaign, kind, region),
            body=(body or "").strip(), issuer=(issuer or "").strip()[:120] or _issuer(campaign, kind, actor.user, region),
            contact=(contact or "").strip()[:300], window_length=length, window_unit=rule.unit, opens_at=opens_at,
            last_day=last_day, closes_at=closes_at, region=region, acceptance_list=acceptance_list,
            created_by=actor.user)
        _write_items(notice, apps)
        record_event(actor=actor, action="notice:create", target=notice,
                     data={"kind": kind, "items": len(apps), "campaign": campaign.pk})
    return notice


def _write_items(notice, apps):
    NoticeItem.objects.bulk_create([NoticeItem(notice=notice, position=n, **fields)
                                    for n, fields in enumerate(public_fields(apps), start=1)])


def _locked_editable(notice):
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status not in EDITABLE:
        raise NoticeFrozen(frozen_message(locked))
    return locked


def update_notice(*, notice, actor, title=None, body=None, issuer=None, contact=None, window_length=None,
                  application_ids=None):
    """Change a draft or scheduled notice; refused once it is open. Its window is computed again only when its
    length changes (or when it is scheduled again): calendar entries made since never move it silently."""
    if not can_manage(actor.user, notice):
        raise PermissionDenied("您没有权限修改此公示。")
    with transaction.atomic():
        locked = _locked_editable(notice)
        rule = rule_for(locked.campaign, locked.kind)
        length = locked.window_length if window_length is None else _check_length(rule, window_length,
                                                                                 rule.get_unit_display())
        if length != locked.window_length:  # an unchanged length keeps the stored window, whatever the calendar says now
            locked.window_length = length
            locked.last_day, locked.closes_at = window_of(locked.opens_at, length, locked.window_unit)
        for name, value in (("title", title), ("body", body), ("issuer", issuer), ("contact", contact)):
            if value is not None:
                setattr(locked, name, value.strip())
        if not locked.title:
            raise ValidationError("请填写公示标题。")
        locked.full_clean(exclude=["created_by", "corrects", "acceptance_list", "region"])
        locked.save()
        if application_ids is not None:
            ids = {int(i) for i in application_ids}
            current = set(locked.items.values_list("application_id", flat=True))
            # 息县 第十条, 巩义 第十八条: whoever stepped aside from an application neither lists it nor takes it off
            if (ids ^ current) & recused_application_ids(user=actor.user, campaign=locked.campaign_id):
                raise ValidationError("名单中有您已回避的申报，您不能将其列入或移出本公示。"
                                      "请保留该行（显示为“（已回避）”）后再保存，或请未回避的同事修改名单。")
            if ids != current:
                if not ids:
                    raise ValidationError("请至少选择一个申报列入公示。")
                if locked.corrects_id is None:
                    pool = eligible_applications(locked.campaign, locked.kind, locked.region)
                else:
                    pool = Application.objects.filter(pk__in=current | set(
                        locked.corrects.items.values_list("application_id", flat=True)))
                apps = list(pool.select_related("region", "tier").filter(pk__in=ids).order_by("number", "pk"))
                if len(apps) != len(ids):
                    raise ValidationError("所选申报中有的不在可公示的范围内，请刷新页面后重新选择。")
                locked.items.all().delete()
                _write_items(locked, apps)
        record_event(actor=actor, action="notice:update", target=locked,
                     data={"window_length": locked.window_length, "items": locked.items.count()})
    notice.refresh_from_db()
    return notice


def schedule_notice(*, notice, actor, opens_at, now=None):
    """Fix the opening time (now or later); the job opens it then. The window is recomputed from it.
    ``now`` is the moment of scheduling (the present unless a record of an earlier notice is entered)."""
    if not can_manage(actor.user, notice):
        raise PermissionDenied("您没有权限发布此公示。")
    now = now or timezone.now()
    if opens_at is None:
        raise ValidationError("请填写发布时间。")
    if opens_at < now - dt.timedelta(minutes=5):
        raise ValidationError("发布时间不能早于当前时间。立即发布请选择“现在”。")
    with transaction.atomic():
        locked = _locked_editable(notice)
        if not locked.items.exists():
            raise ValidationError("公示名单为空，不能发布。")
        locked.opens_at = max(opens_at, now) if opens_at < now else opens_at
        locked.last_day, locked.closes_at = window_of(locked.opens_at, locked.window_length, locked.window_unit)
        locked.status = Notice.Status.SCHEDULED
        locked.scheduled_at = now
        locked.save()
        record_event(actor=actor, action="notice:schedule", target=locked, data={
            "opens_at": locked.opens_at.isoformat(), "last_day": locked.last_day.isoformat()})
        if locked.opens_at <= now + dt.timedelta(seconds=5):
            transaction.on_commit(_enqueue_run)
    notice.refresh_from_db()
    return notice


def unschedule_notice(*, notice, actor):
    """Back to draft before it opens."""
    if not can_manage(actor.user, notice):
        raise PermissionDenied("您没有权限修改此公示。")
    with transaction.atomic():
        locked = _locked_editable(notice)
        locked.status = Notice.Status.DRAFT
        locked.scheduled_at = None
        locked.save(update_fields=["status", "scheduled_at"])
        record_event(actor=actor, action="notice:unschedule", target=locked)
    notice.refresh_from_db()
    return notice


def delete_draft(*, notice, actor):
    if not can_manage(actor.user, notice):
        raise PermissionDenied("您没有权限删除此公示。")
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != Notice.Status.DRAFT:
            raise ValidationError("只有草稿可以删除；已确定发布时间的公示请先撤回发布计划。")
        record_event(actor=actor, action="notice:delete", target=locked, data={"title": locked.title})
        locked.delete()


def create_correction(*, notice, actor):
    """A draft correcting an open or past notice: same kind and lines, linked by ``corrects``."""
    if not can_manage(actor.user, notice):
        raise PermissionDenied("您没有权限更正此公示。")
    if notice.status in EDITABLE:
        raise ValidationError("该公示尚未发布，可直接修改，无需发布更正公示。")
    apps = list(Application.objects.filter(notice_items__notice=notice).select_related("region", "tier")
                .order_by("notice_items__position"))
    with transaction.atomic():
        now = timezone.now()
        last_day, closes_at = window_of(now, notice.window_length, notice.window_unit)
        correction = Notice.objects.create(
            campaign=notice.campaign, kind=notice.kind, title=f"关于《{notice.title}》的更正公示"[:200],
            body=notice.body, issuer=notice.issuer, contact=notice.contact, window_length=notice.window_length,
            window_unit=notice.window_unit, opens_at=now, last_day=last_day, closes_at=closes_at,
            region=notice.region, corrects=notice, created_by=actor.user)
        _write_items(correction, apps)
        record_event(actor=actor, action="notice:correct", target=correction, data={"corrects": notice.pk})
    return correction


def create_from_acceptance_list(*, acceptance_list, actor):
    """Publishing a 受理名单 publishes its notice: its lines, the program's acceptance window, opening now.

    Without a minimum length in the rules the notice stays a draft for the secretariat to set the length.
    """
    if Notice.objects.filter(acceptance_list=acceptance_list).exists():
        return None
    campaign = acceptance_list.campaign
    rule = rule_for(campaign, K.ACCEPTANCE)
    if rule is None:
        return None
    ids = list(acceptance_list.items.values_list("application_id", flat=True))
    apps = list(Application.objects.filter(pk__in=ids, state=State.ACCEPTED).select_related("region", "tier")
                .order_by("number", "pk"))
    if not apps:
        return None
    now = acceptance_list.published_at or timezone.now()
    length = rule.min_length or 1
    last_day, closes_at = window_of(now, length, rule.unit)
    notice = Notice.objects.create(
        campaign=campaign, kind=K.ACCEPTANCE, title=acceptance_list.title, issuer=campaign.program.organizer,
        window_length=length, window_unit=rule.unit, opens_at=now, last_day=last_day, closes_at=closes_at,
        acceptance_list=acceptance_list, created_by=actor.user,
        status=Notice.Status.SCHEDULED if rule.min_length else Notice.Status.DRAFT,
        scheduled_at=now if rule.min_length else None)
    _write_items(notice, apps)
    record_event(actor=actor, action="notice:create", target=notice,
                 data={"kind": K.ACCEPTANCE, "items": len(apps), "acceptance_list": acceptance_list.pk})
    if rule.min_length:
        transaction.on_commit(_enqueue_run)
    return notice


def _enqueue_run():
    jobs.now("publicity.run_due")  # the beat job's task (``publicity.notices.tasks``)


# --- the scheduled job ------------------------------------------------------------------------------------------
def run_due(*, now=None):
    """Open every scheduled notice whose time has come, close every open notice whose window ended,
    and settle the lines of closed notices (blocked lines are asked again on the next run)."""
    now = now or timezone.now()
    result = {"opened": 0, "closed": 0, "settled": 0, "blocked": 0, "notices_settled": 0}
    for pk in Notice.objects.filter(status=Notice.Status.SCHEDULED, opens_at__lte=now).values_list("pk", flat=True):
        result["opened"] += open_notice(notice_id=pk, now=now)
    for pk in Notice.objects.filter(status=Notice.Status.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        result["closed"] += close_notice(notice_id=pk, now=now)
    for pk in Notice.objects.filter(status=Notice.Status.CLOSED).values_list("pk", flat=True):
        settled, blocked, done = settle_notice(notice_id=pk, now=now)
        result["settled"] += settled
        result["blocked"] += blocked
        result["notices_settled"] += done
    return result


def open_notice(*, notice_id, now=None):
    """Open one notice (once): run its opening transition for each line. Returns 1 if it opened now."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = (Notice.objects.select_for_update().select_related("campaign__program")
                  .filter(pk=notice_id, status=Notice.Status.SCHEDULED, opens_at__lte=now).first())
        if notice is None:
            return 0
        name = OPEN_TRANSITIONS.get(notice.kind)
        for item in notice.items.filter(opened_at__isnull=True).select_related("application"):
            note = "已列入公示"
            if name:
                try:
                    workflow.perform(application=item.application, name=name, actor=SYSTEM,
                                     reason=f"公示“{notice.title}”发布")
                    note = f"已{workflow.TRANSITIONS[name].label}"
                except workflow.TransitionError as exc:
                    note = exc.message[:300]
            NoticeItem.objects.filter(pk=item.pk).update(opened_at=now, open_note=note)
            dashboard_cache.changed_in_bulk()
        if notice.kind in AUTHORITY_KINDS:
            _record_authority_publicity(notice)
        Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.OPEN, opened_at=now)
        dashboard_cache.changed_in_bulk()
        record_event(actor=SYSTEM, action="notice:open", target=notice, to_state=Notice.Status.OPEN,
                     data={"items": notice.items.count(), "closes_at": notice.closes_at.isoformat()})
        transaction.on_commit(lambda: _notify("notice_opened", notice_id=notice.pk))
    return 1


def _record_authority_publicity(notice):
    """The bureau's notice on this platform is its publicity record in pre-review (unless it entered one)."""
    from review.prereview.models import AuthorityPublicity

    channel = f"质量奖申报评审平台公示公告栏（{notice.title}）"[:200]
    starts_on = timezone.localtime(notice.opens_at).date()
    for app_id in notice.items.values_list("application_id", flat=True):
        AuthorityPublicity.objects.get_or_create(application_id=app_id, defaults={
            "starts_on": starts_on, "ends_on": notice.last_day, "channel": channel,
            "updated_by_id": notice.created_by_id})


def close_notice(*, notice_id, now=None):
    """Close one notice whose window ended (once), then settle its lines. Returns 1 if it closed now."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id, status=Notice.Status.OPEN,
                                                           closes_at__lte=now).first()
        if notice is None:
            return 0
        Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.CLOSED, closed_at=now)
        dashboard_cache.changed_in_bulk()
        record_event(actor=SYSTEM, action="notice:close", target=notice, from_state=Notice.Status.OPEN,
                     to_state=Notice.Status.CLOSED, data={"last_day": notice.last_day.isoformat()})
    return 1


def settle_notice(*, notice_id, now=None):
    """Settle each unsettled line of a closed notice; (settled now, still blocked, notice finished)."""
    now = now or timezone.now()
    settled = blocked = 0
    for pk in NoticeItem.objects.filter(notice_id=notice_id, settled_at__isnull=True).values_list("pk", flat=True):
        outcome = settle_item(item_id=pk, now=now)
        if outcome == "settled":
            settled += 1
        elif outcome == "blocked":
            blocked += 1
    done = 0
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id, status=Notice.Status.CLOSED).first()
        if notice is not None and not notice.items.filter(settled_at__isnull=True).exists():
            Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.SETTLED, settled_at=now)
            dashboard_cache.changed_in_bulk()
            record_event(actor=SYSTEM, action="notice:settle", target=notice, from_state=Notice.Status.CLOSED,
                         to_state=Notice.Status.SETTLED, data={"items": notice.items.count()})
            done = 1
    return settled, blocked, done


def _correction_covering(item):
    return (Notice.objects.filter(corrects_id=item.notice_id, items__application_id=item.application_id)
            .exclude(status=Notice.Status.DRAFT).first())


def settle_item(*, item_id, now=None):
    """Move one line's application on, once: "settled", "blocked" (asked again later) or "" (already done)."""
    now = now or timezone.now()
    with transaction.atomic():
        item = (NoticeItem.objects.select_for_update(of=("self",))
                .select_related("notice", "application__campaign__program__profile")
                .filter(pk=item_id, settled_at__isnull=True, notice__status=Notice.Status.CLOSED).first())
        if item is None:
            return ""
        notice, app = item.notice, item.application
        reasons = blocking_reasons(notice=notice, application=app)
        if reasons:
            reason = "；".join(reasons)[:500]
            if reason != item.blocked_reason:
                NoticeItem.objects.filter(pk=item.pk).update(blocked_reason=reason)
                dashboard_cache.changed_in_bulk()
            return "blocked"
        names = CLOSE_TRANSITIONS.get(notice.kind, ())
        name = workflow.first_available(app, names) or (names[-1] if names else None)
        correction = _correction_covering(item)
        if correction is not None:
            outcome = f"已发布更正公示《{correction.title}》，按更正公示办理"
        elif not name:
            outcome = "公示期满"
        else:
            transition = workflow.TRANSITIONS[name]
            if app.state in transition.sources_for(app):
                try:
                    workflow.perform(application=app, name=name, actor=SYSTEM,
                                     reason=f"公示“{notice.title}”期满无异议")
                except workflow.TransitionError as exc:
                    NoticeItem.objects.filter(pk=item.pk).update(blocked_reason=exc.message[:500])
                    dashboard_cache.changed_in_bulk()
                    return "blocked"
                app.refresh_from_db()
                outcome = f"公示期满无异议，{transition.label_for(app)}（{app.get_state_display()}）"
            else:
                outcome = f"公示期满；申报当前状态为“{app.get_state_display()}”，未执行“{transition.label_for(app)}”"
        outcome = outcome[:300]
        NoticeItem.objects.filter(pk=item.pk).update(settled_at=now, outcome=outcome, blocked_reason="")
        dashboard_cache.changed_in_bulk()
        record_event(actor=SYSTEM, action="notice:settle_item", target=app,
                     data={"notice": notice.pk, "item": item.pk, "outcome": outcome})
        transaction.on_commit(lambda: _notify("item_settled", item_id=item.pk))
    return "settled"


def _notify(name, **kwargs):
    jobs.now(f"publicity.{name}", **kwargs)  # the e-mails of ``publicity.notices.notifications``


# --- the applicant's internal publicity record -------------------------------------------------------------
def internal_rule(application):
    return rule_for(application.campaign, K.INTERNAL)


def internal_shortfall(rule, starts_on, ends_on):
    """A Chinese sentence when [starts_on, ends_on] is shorter than the rule's minimum, else None."""
    if rule is None or not rule.min_length:
        return None
    if rule.unit == PublicityRule.Unit.CALENDAR_DAYS:
        days, unit = (ends_on - starts_on).days + 1, "天"
    else:
        try:
            days, unit = workdays.working_days_between(starts_on, ends_on), "个工作日"
        except workdays.UnknownCalendarYear as exc:
            raise ValidationError(exc.message)
    if days >= rule.min_length:
        return None
    return (f"本奖项要求申报单位内部公示不少于 {rule.min_length}{unit}，"
            f"{workdays.format_day(starts_on)} 至 {workdays.format_day(ends_on)} 只有 {days}{unit}"
            "（法定节假日和周末不计，调休上班日计入）。请延长公示期，期满后再登记。")


def save_internal_publicity(*, application, actor, starts_on, ends_on, place, objections_received=0,
                            handling="", evidence=None):
    from applications.rules import EDITABLE_STATES, is_owner
    from applications.forms.uploads import inspect_upload
    from django.core.files.base import ContentFile

    from .models import InternalPublicity

    if not (actor.user and is_owner(actor.user, application)):
        raise PermissionDenied("内部公示情况由申报单位登记。")
    if application.state not in EDITABLE_STATES:
        raise ValidationError("申报已提交，内部公示情况不能再修改。如需更正，请联系推荐单位退回修改。")
    if ends_on < starts_on:
        raise ValidationError("公示结束日期不能早于开始日期。")
    shortfall = internal_shortfall(internal_rule(application), starts_on, ends_on)
    if shortfall:
        raise ValidationError(shortfall)
    inspected = inspect_upload(uploaded=evidence, field_label="公示证明材料") if evidence else None
    with transaction.atomic():
        record = InternalPublicity.objects.select_for_update().filter(application=application).first()
        if record is None:
            if inspected is None:
                raise ValidationError("请上传公示证明材料（公示现场照片或系统截图）。")
            record = InternalPublicity(application=application)
        record.starts_on, record.ends_on, record.place = starts_on, ends_on, place.strip()
        record.objections_received, record.handling = objections_received or 0, (handling or "").strip()
        record.updated_by = actor.user
        if inspected is not None:
            record.file.save(inspected.safe_name, ContentFile(inspected.data), save=False)
            record.original_name = inspected.safe_name[:120]
            record.content_type, record.size, record.sha256 = inspected.content_type, inspected.size, inspected.sha256
        record.save()
        record_event(actor=actor, action="publicity:internal", target=application, data={
            "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
            "objections_received": record.objections_received, "sha256": record.sha256})
    return record


def internal_publicity_panels(application, user):
    """The applicant's internal publicity on the secretariat's eligibility page (programs that require one)."""
    from .models import InternalPublicity

    rule = internal_rule(application)
    if rule is None:
        return []
    record = InternalPublicity.objects.filter(application=application).first()
    days = shortfall = None
    if record is not None:
        try:
            days = workdays.working_days_between(record.starts_on, record.ends_on)
            shortfall = internal_shortfall(rule, record.starts_on, record.ends_on)
        except (workdays.UnknownCalendarYear, ValidationError):
            days = None
    return [{"template": "publicity/_internal_panel.html", "record": record, "rule": rule, "days": days,
             "shortfall": shortfall, "application": application}]
