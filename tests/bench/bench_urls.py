"""The portal's URLs plus two reference pages for ``bench_dashboards.py`` (never in the product):

* ``/bench/minimal/``: the smallest realistic logged-in page: session + user, one 20-row query,
  a small template rendered with the request (context processors run, as for every page);
* ``/bench/bare/``: ``HttpResponse("ok")`` through the same middleware, no session or database.
"""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from applications.models import Application

MINIMAL_TEMPLATE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>最小页面</title></head><body>'
    "<p>{{ user.display_name }}</p><table>"
    "{% for app in rows %}<tr><td>{{ app.number|default:'（未编号）' }}</td><td>{{ app.applicant_name }}</td>"
    "<td>{{ app.get_state_display }}</td></tr>{% endfor %}"
    "</table></body></html>"
)


@login_required
def minimal(request):
    rows = list(Application.objects.only("number", "applicant_name", "state").order_by("-pk")[:20])
    return HttpResponse(MINIMAL_TEMPLATE.render({"rows": rows}, request))


def bare(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("qualityaward.urls")),
]

handler400 = "qualityaward.views.bad_request"
handler403 = "qualityaward.views.permission_denied"
handler404 = "qualityaward.views.page_not_found"
handler500 = "qualityaward.views.server_error"
