from django.contrib import admin

from applications.admin import SecretariatScopedAdmin

from .panels.models import Panel, PanelMember, Recusal
from .prereview.models import (
    AuthorityPublicity, DepartmentOpinion, GovernmentOpinion, InitialOpinion, ReturnedSection, ReturnRequest,
    SectionCheck,
)


class PanelMemberInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    raw_id_fields = ["expert"]


@admin.register(Panel)
class PanelAdmin(SecretariatScopedAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "stage", "created_at"]
    raw_id_fields = ["application"]
    inlines = [PanelMemberInline]


@admin.register(Recusal)
class RecusalAdmin(SecretariatScopedAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "user", "kind", "reason", "created_at"]
    raw_id_fields = ["application", "user"]

    # A recusal is never withdrawn or rewritten quietly (息县 第十条, 巩义 第十八条): the admin shows it only.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the recommending authority's pre-review (read-only here: it is written through review.prereview) ---
class _ReadOnlyAdmin(admin.ModelAdmin):
    """Records written through their own pages (audited there); the admin only shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReturnedSectionInline(admin.TabularInline):
    model = ReturnedSection
    extra = 0
    can_delete = False
    readonly_fields = ["code", "title", "reason", "order"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "submission", "created_by", "created_at"]
    raw_id_fields = ["application", "submission"]
    inlines = [ReturnedSectionInline]


@admin.register(SectionCheck)
class SectionCheckAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "submission__application__campaign__program"
    secretariat_views = True
    list_display = ["submission", "section", "verdict", "updated_by", "updated_at"]
    list_filter = ["verdict"]


@admin.register(DepartmentOpinion)
class DepartmentOpinionAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "consulted_by", "department", "asked_on", "answer", "answered_on", "reader",
                    "reader_revoked_at"]
    list_filter = ["consulted_by", "answer", "department"]
    search_fields = ["application__applicant_name", "application__number", "department"]


@admin.register(AuthorityPublicity)
class AuthorityPublicityAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "starts_on", "ends_on", "channel", "objections_received"]


@admin.register(InitialOpinion)
class InitialOpinionAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "version", "signed_by", "signed_at", "text_sha256", "supersedes"]
    list_filter = ["signed_at"]
    search_fields = ["application__applicant_name", "application__number", "text_sha256"]


@admin.register(GovernmentOpinion)
class GovernmentOpinionAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "issued_on", "original_name", "sha256", "uploaded_by", "uploaded_at"]


# --- the expert pool, draws and pledges (written through review.experts; read-only here) ---------------
from .panels.models import ExpertProfile, ExpertRelationship, PanelDraw, Pledge  # noqa: E402


class ExpertRelationshipInline(admin.TabularInline):
    model = ExpertRelationship
    extra = 0

# --- committee votes and awards: read-only here (votes change only through the vote pages, so that the
# ballots stay anonymous and the counts stay whole; awards change only through the workflow) ---------------
from .awards.models import Award, SelfAssessmentReport
from .committee.models import VoteCandidate, VoteSession  # noqa: E402



@admin.register(ExpertProfile)
class ExpertProfileAdmin(_ReadOnlyAdmin):
    list_display = ["pk", "name", "title", "employer", "region", "phone", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["name", "employer", "phone"]
    inlines = [ExpertRelationshipInline]


@admin.register(PanelDraw)
class PanelDrawAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "campaign__program"
    secretariat_views = True
    list_display = ["campaign", "number", "kind", "stage", "seed", "witness_name", "performed_by", "performed_at"]
    list_filter = ["kind", "stage"]


@admin.register(Pledge)
class PledgeAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "panel__application__campaign__program"
    secretariat_views = True
    list_display = ["panel", "expert", "conflict_declared", "accepted_at", "ip"]
    list_filter = ["conflict_declared"]
class VoteCandidateInline(admin.TabularInline):
    model = VoteCandidate
    extra = 0
    fields = ["order", "application", "tier", "approve", "reject", "abstain", "passed", "outcome", "outcome_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VoteSession)
class VoteSessionAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "campaign__program"
    secretariat_views = True
    list_display = ["title", "campaign", "opened_at", "closed_at", "decided_at"]
    list_filter = ["campaign__program"]
    inlines = [VoteCandidateInline]


@admin.register(Award)
class AwardAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "program"
    secretariat_views = True
    list_display = ["certificate_number", "recipient_name", "program", "tier", "prize_amount", "decided_on",
                    "valid_until", "revoked_on"]
    list_filter = ["program", "revoked_on"]
    search_fields = ["certificate_number", "recipient_name"]


@admin.register(SelfAssessmentReport)
class SelfAssessmentReportAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    program_path = "award__program"
    secretariat_views = True
    list_display = ["award", "period", "submitted_by", "submitted_at"]


# --- score sheets and stage results: read-only here (sheets freeze on submission; written through the scoring pages)
from .scoring.models import ScoreSheet, StageResult  # noqa: E402


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    list_display = ["panel", "expert", "status"]
    list_filter = ["status"]
    program_path = "panel__application__campaign__program"
    secretariat_views = True


@admin.register(StageResult)
class StageResultAdmin(SecretariatScopedAdmin, _ReadOnlyAdmin):
    list_display = ["panel", "concluded_by"]
    program_path = "panel__application__campaign__program"
    secretariat_views = True
