"""The publicity app's models, one module per sub-domain; imported here so Django registers them with this
app (app label ``publicity``, so the migrations stay as they are). Code imports them from their own module."""
from .notices.models import CalendarOverride, CalendarYear, InternalPublicity, Notice, NoticeItem  # noqa: F401
from .objections.models import (  # noqa: F401
    Objection, ObjectionFile, ObjectionNote, ObjectionReminder, ObjectionRequest,
)
from .supervision.models import (  # noqa: F401
    CampaignSupervisionReport, CampaignSupervisionReportFile, SupervisionReport, SupervisionReportFile,
)
