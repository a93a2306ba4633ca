"""The printable public notice (公示) in GB/T 9704 layout: title, body, the items' public fields and the
window line. What a notice prints is exactly what the public notice page shows: the frozen public fields
of ``NoticeItem`` (name, region, industry, tier) — never ID numbers, contacts or scores.
"""
import hashlib
import json

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from applications.documents.prints import issuer_name, version_head
from applications.documents.services import render_pdf
from applications.selectors import RECUSED_LABEL, recused_application_ids
from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import has_role

from ..workdays import WINDOW_CONVENTION, describe_window
from .models import Notice, NoticeItem

PUBLISHED = {Notice.Status.OPEN, Notice.Status.CLOSED, Notice.Status.SETTLED}
#: Item columns in print order: (NoticeItem field, header). A column nobody filled is left out.
ITEM_COLUMNS = [("name", "名称"), ("region_name", "所在地区"), ("industry", "所属行业"), ("tier", "奖励等级")]


def is_published(notice):
    return notice.status in PUBLISHED or (notice.opened_at is not None and notice.status != Notice.Status.DRAFT)


def recused_line_ids(notice, user):
    """Applications on a notice not yet published that ``user`` stepped aside from (息县 第十条, 巩义 第十八条: 回避).
    A draft or scheduled notice is internal: such a reader sees the line as RECUSED_LABEL and cannot add or remove
    it (a colleague does). A published notice is public and shows every line to everyone."""
    if notice is None or is_published(notice):
        return set()
    recused = recused_application_ids(user=user, campaign=notice.campaign_id)
    if not recused:
        return set()
    return recused & set(NoticeItem.objects.filter(notice=notice).values_list("application_id", flat=True))


#: The public fields of a line (name, region, industry, tier) as a recused reader of a draft sees them: the place is
#: kept, nothing that names the application is shown.
MASKED_LINE = {"name": RECUSED_LABEL, "region_name": "", "industry": "", "tier": ""}


def masked_line(values, hidden=True):
    return {**values, **MASKED_LINE} if hidden else values


def notice_for_print_or_404(*, user, pk):
    """A published notice for anyone; a draft or scheduled one only for its program's secretariat."""
    notice = Notice.objects.select_related("campaign__program__profile").filter(pk=pk).first()
    if notice is None:
        raise Http404("没有找到该公示。")
    if is_published(notice):
        return notice
    if user.is_authenticated and user.is_active and has_role(user, Role.SECRETARIAT,
                                                             program_id=notice.campaign.program_id):
        return notice
    raise Http404("没有找到该公示。")


def notice_context(notice, user=None):
    """What the PDF prints; a draft proof shows a line its reader stepped aside from as （已回避）."""
    hidden = recused_line_ids(notice, user) if user is not None else set()
    items = [masked_line(item, item.pop("application_id") in hidden) for item in notice.items.order_by("position")
             .values("position", "application_id", *[f for f, _h in ITEM_COLUMNS])]
    columns = [(f, h) for f, h in ITEM_COLUMNS if f == "name" or any(i[f] for i in items)]
    rows = [[item["position"], *[item[f] for f, _h in columns]] for item in items]
    opens_on = timezone.localtime(notice.opens_at).date()
    paragraphs = [line.strip() for line in (notice.body or "").splitlines() if line.strip()]
    issuer = notice.issuer or issuer_name(notice.campaign.program)
    return {
        **version_head(issuer), "notice": notice, "title": notice.title, "issuer": issuer,
        "doc_number": "", "signed_on": opens_on, "paragraphs": paragraphs, "columns": columns, "rows": rows,
        "window": describe_window(opens_on, notice.last_day, notice.window_length, notice.window_unit),
        "convention": WINDOW_CONVENTION, "draft": not is_published(notice),
        "objections_allowed": notice.campaign.program.profile.objections_allowed,
    }


#: A published notice never changes (a correction is a new notice), so its PDF is rendered once and kept.
CACHE_SECONDS = 24 * 3600


def _cache_key(context):
    notice = context["notice"]
    printed = [notice.pk, context["title"], context["issuer"], context["paragraphs"], context["columns"],
               context["rows"], context["window"], notice.contact, str(context["signed_on"]),
               context["objections_allowed"]]
    digest = hashlib.sha256(json.dumps(printed, ensure_ascii=False, default=str).encode()).hexdigest()
    return f"publicity:notice-pdf:{notice.pk}:{digest}"


def notice_pdf(notice, user=None):
    """The notice as a PDF. Published notices are public, so their PDF is cached (keyed by everything it
    prints): anyone may download it without costing a rendering each time. Drafts are always rendered, for
    their reader (``user``)."""
    context = notice_context(notice, user)
    if context["draft"]:
        return render_pdf("pdf/notice.html", context)
    key = _cache_key(context)
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf("pdf/notice.html", context)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
