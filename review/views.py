from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .dashboard import expert_section


@login_required
@require_GET
def my_panels(request):
    return render(request, "review/my_panels.html", {"section": expert_section(request.user)})
