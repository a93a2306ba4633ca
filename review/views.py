from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .experts import seats_of


@login_required
@require_GET
def my_panels(request):
    """The expert's seats with pledge status: a seat opens the application only after the pledge."""
    return render(request, "review/my_panels.html", {"rows": seats_of(request.user)})
