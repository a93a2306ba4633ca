"""Turns refusals raised by services (a refused transition, invalid input) into a clear Chinese page
with the right status code, instead of a 500."""
from django.core.exceptions import ValidationError
from django.shortcuts import render

from applications.workflow import TransitionError


def _messages_of(error):
    if isinstance(error, TransitionError):
        return [error.message]
    if hasattr(error, "message_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return list(error.messages)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, TransitionError):
            status = exception.status_code
        elif isinstance(exception, ValidationError):
            status = 400
        else:
            return None
        template = "partials/error_message.html" if getattr(request, "htmx", False) else "error.html"
        return render(request, template, {"messages_list": _messages_of(exception), "status": status}, status=status)
