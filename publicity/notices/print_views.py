"""The printable notice PDF: public once the notice is published; before that, its secretariat's proof."""
from django.views.decorators.http import require_GET

from applications.documents.views import pdf_response

from .prints import notice_for_print_or_404, notice_pdf


@require_GET
def notice_print(request, pk):
    notice = notice_for_print_or_404(user=request.user, pk=pk)
    return pdf_response(notice_pdf(notice, request.user), f"{notice.title}.pdf")
