from django.shortcuts import render
from django.views.decorators.http import require_GET

from applications.models import Program


@require_GET
def notice_index(request):
    """The public notice board (no login). Notices themselves arrive with the publicity module."""
    programs = Program.objects.filter(is_active=True).order_by("code")
    return render(request, "publicity/index.html", {"programs": programs})
