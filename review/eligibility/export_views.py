"""Excel exports of the eligibility list and of an acceptance list.

Each export runs the list page's own query with the same filters (and the same visibility), without
pagination; a user never exports a row the page would not show them.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from applications.documents.exports import acceptance_list_sheet, eligibility_sheet, export_filename
from applications.documents.xlsx import xlsx_response
from applications.models import AcceptanceList, EligibilityReview
from applications.selectors import recused_application_ids
from qualityaward.accounts.services import Actor, record_event

from . import services as el
from .views import eligibility_apps, groups_for, eligibility_row, selected_campaign

CHUNK = 500


def _eligibility_rows(user, campaign):
    """(group label, row) in the list's group order; reviews looked up one chunk of rows at a time."""
    items = campaign.program.profile.exclusions.count()
    base = eligibility_apps(user, campaign).select_related("region").order_by("state_changed_at", "pk")
    for _key, label, states in groups_for(campaign.program.profile):
        chunk = []
        for app in base.filter(state__in=states).iterator(chunk_size=CHUNK):
            chunk.append(app)
            if len(chunk) >= CHUNK:
                yield from _with_reviews(label, chunk, items)
                chunk = []
        yield from _with_reviews(label, chunk, items)


def _with_reviews(label, apps, items):
    if not apps:
        return
    latest = {}
    for review in EligibilityReview.objects.filter(application__in=[a.pk for a in apps]).order_by(
            "application_id", "-pk"):
        latest.setdefault(review.application_id, review)
    for app in apps:
        yield label, eligibility_row(app, latest.get(app.pk), items)


@login_required
@require_GET
def eligibility_export(request):
    campaigns = list(el.secretariat_campaigns(request.user))
    campaign = selected_campaign(request, campaigns)
    rows = _eligibility_rows(request.user, campaign) if campaign is not None else iter(())
    record_event(actor=Actor.from_request(request), action="export:eligibility",
                 data={"campaign": campaign.pk if campaign else None})
    name = f"资格审核-{campaign.program.short_name}{campaign.name}" if campaign else "资格审核"
    return xlsx_response(export_filename(name), [eligibility_sheet(rows)])


@require_GET
def acceptance_list_export(request, pk):
    """A published acceptance list is public; a draft only for its program's secretariat (as its page)."""
    lst = AcceptanceList.objects.select_related("campaign__program").filter(pk=pk).first()
    if lst is None or (not lst.is_published and not el.is_campaign_secretariat(request.user, lst.campaign)):
        raise Http404("没有找到该受理名单。")
    # 息县 第十条, 巩义 第十八条: before publication, a line the reader stepped aside from keeps only its number
    recused = set() if lst.is_published else recused_application_ids(user=request.user, campaign=lst.campaign)
    return xlsx_response(export_filename(lst.title), [acceptance_list_sheet(lst, recused)])
