"""The industry picker's search endpoint (GB/T 4754-2017 小类 by code or name).

GET ``?q=`` returns an HTML fragment for htmx (``hx-get`` on the search box), or JSON when the
request says ``Accept: application/json``. An empty or over-long query gives an empty result.
"""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .classifications import MAX_QUERY_LENGTH, industry_search

RESULT_LIMIT = 20


def _wants_json(request):
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@login_required
@require_GET
def industry_search_view(request):
    query = request.GET.get("q", "").strip()
    too_long = len(query) > MAX_QUERY_LENGTH
    results = [] if too_long else industry_search(query, limit=RESULT_LIMIT)
    if _wants_json(request):
        return JsonResponse({"query": query[:MAX_QUERY_LENGTH], "results": [i.as_dict() for i in results]},
                            json_dumps_params={"ensure_ascii": False})
    # the field the picker fills in (a form field name); only plain names are echoed back
    target = request.GET.get("target", "")
    if not target.replace("_", "").replace("-", "").isalnum() or len(target) > 60:
        target = ""
    return render(request, "applications/partials/industry_results.html", {
        "query": query, "results": results, "too_long": too_long, "max_length": MAX_QUERY_LENGTH,
        "limit": RESULT_LIMIT, "target": target,
    })
