"""The applicant's internal publicity before applying (申报单位内部公示), where the program requires one.

A program requires it when its rule profile has a ``PublicityRule`` of kind INTERNAL (息县 第十六条: in
the organization, at least 5 working days; 巩义 第十七条（二）: the same, then submit; 培育 通知: the
recommendation form states the publicity, no minimum length). For those programs the applicant's form
overview shows whether the record is there and valid, and ``submit`` is refused until it is: recorded,
with its evidence, over by the day of submission and at least the rule's minimum length.
"""
from contextlib import suppress

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications import workflow
from applications.models import PublicityRule

from .. import workdays
from .services import internal_rule, internal_shortfall

PAGE = "申报单位内部公示情况"


def internal_status(application, *, today=None):
    """``None`` when the program requires no internal publicity; else a dict with ``rule``, ``record``,
    ``days`` (working days, when known), ``problem`` (Chinese; empty when the record is valid) and ``url``."""
    from .models import InternalPublicity

    rule = internal_rule(application)
    if rule is None:
        return None
    today = today or timezone.localdate()
    record = InternalPublicity.objects.filter(application=application).first()
    url = reverse("publicity:internal", args=[application.pk])
    unit = "天" if rule.unit == PublicityRule.Unit.CALENDAR_DAYS else "个工作日"
    minimum = f"不少于 {rule.min_length}{unit}" if rule.min_length else "公示期由本单位确定"
    status = {"rule": rule, "record": record, "days": None, "problem": "", "url": url, "minimum": minimum}
    if record is None:
        status["problem"] = (f"本奖项要求申报前在本单位内部公示（{minimum}）。请在“{PAGE}”页面登记公示起止日期、"
                             "公示范围，并上传公示照片或截图。")
        return status
    if not record.file:
        status["problem"] = f"内部公示尚未上传证明材料。请在“{PAGE}”页面上传公示照片或截图。"
        return status
    try:
        shortfall = internal_shortfall(rule, record.starts_on, record.ends_on)
    except ValidationError as exc:
        status["problem"] = f"无法核对内部公示时长：{'；'.join(exc.messages)}"
        return status
    # the count beside the dates is for information: a rule without a minimum in working days (培育 通知)
    # does not wait for the year's holiday schedule
    with suppress(workdays.UnknownCalendarYear):
        status["days"] = workdays.working_days_between(record.starts_on, record.ends_on)
    if shortfall:
        status["problem"] = f"{shortfall}（在“{PAGE}”页面修改）"
    elif record.ends_on >= today:
        status["problem"] = (f"内部公示至 {workdays.format_day(record.ends_on)} 结束，须公示期满后再提交申报。"
                             f"如公示日期有误，请在“{PAGE}”页面更正。")
    return status


def guard_internal_publicity(app, actor, params):
    """``submit``: refused while a required internal publicity is missing or invalid."""
    status = internal_status(app)
    if status is not None and status["problem"]:
        raise workflow.GuardFailed(f"不能提交：{status['problem']}")


def install():
    workflow.add_guard("submit", guard_internal_publicity)
