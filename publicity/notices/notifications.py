"""E-mails to applicants about public notices: when their application is listed on a notice that has
opened, and when the window has closed (with what happened). Sent after the change has committed."""
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from applications import jobs

from .models import Notice, NoticeItem
from .services import window_line


def _site_url(path):
    return urljoin(getattr(settings, "SITE_URL", "") or "http://localhost:8000/", path)


def _send(subject, body, email):
    if email:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)


def notice_opened(*, notice_id):
    notice = Notice.objects.select_related("campaign__program").get(pk=notice_id)
    url = _site_url(reverse("publicity:notice", args=[notice.pk]))
    items = NoticeItem.objects.filter(notice=notice).select_related("application__owner")
    for item in items:
        app = item.application
        _send(
            f"您的申报已列入公示：{notice.title}",
            f"{app.applicant_name}：\n\n您的{notice.campaign.program.name}申报（编号 {app.number or '未编号'}）"
            f"已列入《{notice.title}》，由{notice.issuer}于 {timezone.localtime(notice.opens_at):%Y年%m月%d日} 发布。\n"
            f"{window_line(notice)}，截止日 24:00 止。\n\n"
            f"公示内容：{url}\n\n公示期满后系统将把结果通知您。如对公示内容有疑问，请联系{notice.issuer}。",
            app.owner.email,
        )


def item_settled(*, item_id):
    item = NoticeItem.objects.select_related("notice__campaign__program", "application__owner").get(pk=item_id)
    notice, app = item.notice, item.application
    _send(
        f"公示期已满：{notice.title}",
        f"{app.applicant_name}：\n\n《{notice.title}》{window_line(notice)}，已于 "
        f"{notice.last_day.year}年{notice.last_day.month}月{notice.last_day.day}日 24:00 期满。\n"
        f"结果：{item.outcome}。\n\n当前状态可登录平台在“我的申报”中查看。",
        app.owner.email,
    )


jobs.register("publicity.notice_opened", notice_opened)
jobs.register("publicity.item_settled", item_settled)
