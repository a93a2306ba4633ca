"""The secretariat edits programs, rule profiles and campaigns here; model ``clean`` methods validate."""
from django.contrib import admin
from django.db import models

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import role_assignments

from .models import (Application, AwardTier, Campaign, DepartmentOpinionRule, ExclusionItem, GeneratedDocument,
                     Program, PublicityRule, RecommendingUnit, RequiredOpinion, RuleProfile, ScoringBand,
                     ScoringCategory, ScoringItem, ScoringScheme, Submission)


#: How each program-scoped model reaches its program (foreign-key choices in the admin are limited by it).
PROGRAM_PATHS = {
    "applications.program": "pk",
    "applications.ruleprofile": "program",
    "applications.campaign": "program",
    "applications.application": "campaign__program",
    "applications.submission": "application__campaign__program",
    "review.panel": "application__campaign__program",
    "review.award": "program",
    "review.votesession": "campaign__program",
}


def secretariat_program_ids(user):
    """The programs ``user`` serves as secretariat; None when it may see every program (a superuser, or a
    secretariat assignment without a program)."""
    if user.is_superuser:
        return None
    rows = [a for a in role_assignments(user) if a.role == Role.SECRETARIAT]
    if any(a.program_id is None for a in rows):
        return None
    return {a.program_id for a in rows}


class SecretariatScopedAdmin(admin.ModelAdmin):
    """One rule for every admin page of program data: a secretariat member sees (and, where its group's
    permissions and the page allow, changes or deletes) only the objects of the programs it serves, lists
    and foreign-key choices included; an object of another program answers like a missing one. Superusers
    see all. ``program_path`` is the lookup from the model to its program; ``secretariat_views`` lets the
    secretariat read the page without a model permission (records written through the portal)."""

    program_path = "program"
    secretariat_views = False

    def _programs(self, request):
        if not hasattr(request, "_secretariat_programs"):
            request._secretariat_programs = secretariat_program_ids(request.user)
        return request._secretariat_programs

    def _scope(self, request, qs):
        programs = self._programs(request)
        return qs if programs is None else qs.filter(**{f"{self.program_path}__in": programs})

    def get_queryset(self, request):
        return self._scope(request, super().get_queryset(request))

    def _in_scope(self, request, obj):
        if obj is None or self._programs(request) is None:
            return True
        return self._scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def _reads(self, request):
        programs = self._programs(request)
        return programs is None or (self.secretariat_views and bool(programs) and request.user.is_staff)

    def has_module_permission(self, request):
        if self._programs(request) is None:
            return super().has_module_permission(request)
        return bool(self._programs(request)) and (super().has_module_permission(request) or self._reads(request))

    def has_view_permission(self, request, obj=None):
        if self._programs(request) is None:
            return super().has_view_permission(request, obj)
        allowed = super().has_view_permission(request, obj) or (self._reads(request) and bool(self._programs(request)))
        return allowed and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    # Stored files have no URL (there is no MEDIA_URL: each file is served by a portal view that checks who
    # asks), so the admin never shows or edits them.
    def _file_fields(self):
        return [f.name for f in self.model._meta.fields if isinstance(f, models.FileField)]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *self._file_fields()]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self._file_fields()]

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f not in self._file_fields()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        programs = self._programs(request)
        path = PROGRAM_PATHS.get(db_field.related_model._meta.label_lower)
        if programs is not None and path is not None:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(**{f"{path}__in": programs})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PublicityRuleInline(admin.TabularInline):
    model = PublicityRule
    extra = 0


class AwardTierInline(admin.TabularInline):
    model = AwardTier
    extra = 0


class ExclusionItemInline(admin.TabularInline):
    model = ExclusionItem
    extra = 0


class DepartmentOpinionRuleInline(admin.TabularInline):
    model = DepartmentOpinionRule
    extra = 0


class RequiredOpinionInline(admin.TabularInline):
    model = RequiredOpinion
    extra = 0


class RecommendingUnitInline(admin.TabularInline):
    model = RecommendingUnit
    extra = 0


@admin.register(RuleProfile)
class RuleProfileAdmin(SecretariatScopedAdmin):
    list_display = ["program", "outcome_label", "recommender_label", "panel_size_min", "panel_size_max",
                    "material_weight", "onsite_weight", "finalist_threshold"]
    inlines = [AwardTierInline, PublicityRuleInline, ExclusionItemInline, DepartmentOpinionRuleInline,
               RequiredOpinionInline, RecommendingUnitInline]
    fieldsets = [
        ("申报主体与结果", {"fields": ["program", "scoring_scheme", "allows_organizations", "allows_individuals",
                                "organization_scope", "outcome", "outcome_label", "cycle_years"]}),
        ("资格条件", {"fields": ["min_years_operating", "min_years_little_giant", "self_assessment_years",
                              "self_assessment_years_little_giant", "data_years", "no_loss_years",
                              "excellence_years", "qms_years", "inspection_years", "accident_fail_severity",
                              "violation_fail_severity", "applicant_commitment", "eligibility_note"]}),
        ("推荐", {"fields": ["has_recommender_step", "recommender", "recommender_label", "requires_government_opinion",
                           "recommendation_quota_in_principle",
                           "recommendation_quota", "other_unit_filing_to", "candidate_pool_rule",
                           "candidate_pool_label", "secretariat_consults_departments"]}),
        ("评审阶段", {"fields": ["has_acceptance_publicity", "has_material_review", "has_defense",
                              "has_onsite_review", "material_review_eliminates", "has_committee",
                              "consults_after_evaluation", "has_winner_publicity", "has_candidate_confirmation", "has_government_decision",
                              "government_decision_body", "procedure_end"]}),
        ("评审组与计分", {"fields": ["panel_size_min", "panel_size_max", "panel_drawn_by_industry", "expert_max_panels",
                                 "material_weight", "onsite_weight", "finalist_threshold", "aggregation",
                                 "trimmed_mean_min_experts", "vote_threshold_numerator",
                                 "vote_threshold_denominator", "vacancies_allowed", "secretariat_choices"]}),
        ("公示与异议", {"fields": ["objections_allowed", "objection_answer_working_days",
                               "backfill_after_disqualification"]}),
        ("监督", {"fields": ["supervision_reports", "supervision_note"]}),
        ("获奖后管理", {"fields": ["repeat_prize_rule", "validity_years", "revocation_window_years", "ban_years",
                               "ban_grounds", "revocation_window_grounds", "recovers_certificate_grounds",
                               "recovers_trophy_grounds", "recovers_prize_grounds", "trophy_label",
                               "revocation_notice_grounds", "sanction_kinds", "annual_self_assessment_report", "no_fees", "standards"]}),
        ("推荐材料页数上限（留空为不限）", {"fields": ["form_page_limit_organization", "evidence_page_limit_organization",
                                          "form_page_limit_individual", "evidence_page_limit_individual"]}),
        ("照片张数（留空为文件未规定，照片可选）", {"fields": ["org_photos_min", "org_photos_max", "manager_photos_min",
                                             "manager_photos_max", "work_photos_min", "work_photos_max"]}),
    ]


class CampaignInline(admin.TabularInline):
    model = Campaign
    extra = 0
    fields = ["name", "year", "data_years", "opens_at", "application_deadline", "recommendation_deadline",
              "is_current"]


@admin.register(Program)
class ProgramAdmin(SecretariatScopedAdmin):
    program_path = "pk"

    list_display = ["code", "name", "level", "organizer", "is_active"]
    inlines = [CampaignInline]


@admin.register(Campaign)
class CampaignAdmin(SecretariatScopedAdmin):
    list_display = ["program", "name", "year", "application_deadline", "recommendation_deadline", "is_current"]
    list_filter = ["program", "is_current"]


class ScoringItemInline(admin.TabularInline):
    model = ScoringItem
    extra = 0


@admin.register(ScoringCategory)
class ScoringCategoryAdmin(admin.ModelAdmin):
    list_display = ["scheme", "code", "name", "points"]
    inlines = [ScoringItemInline]


class ScoringCategoryInline(admin.TabularInline):
    model = ScoringCategory
    extra = 0
    show_change_link = True


class ScoringBandInline(admin.TabularInline):
    model = ScoringBand
    extra = 0


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "total_points"]
    inlines = [ScoringCategoryInline, ScoringBandInline]


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    fields = ["sequence", "submitted_at", "submitted_by", "content_hash"]
    readonly_fields = fields
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(SecretariatScopedAdmin):
    """Read-mostly: the state is changed only through the portal's workflow, never here."""

    list_display = ["number", "applicant_name", "campaign", "region", "state", "state_changed_at"]
    list_filter = ["campaign__program", "state", "kind"]
    search_fields = ["number", "applicant_name"]
    readonly_fields = ["state", "state_changed_at", "submitted_at", "number", "content_version"]
    raw_id_fields = ["owner", "organization"]
    inlines = [SubmissionInline]
    program_path = "campaign__program"
    secretariat_views = True


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(SecretariatScopedAdmin):
    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "kind", "status", "attempts", "duration_ms", "requested_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["application", "submission", "kind", "status", "file", "content_hash", "error", "attempts",
                       "started_at", "finished_at", "duration_ms"]


# --- eligibility review and acceptance lists (read-only: written through the portal) -------------------------
from .models import AcceptanceList, AcceptanceListItem, EligibilityReview  # noqa: E402


@admin.register(EligibilityReview)
class EligibilityReviewAdmin(SecretariatScopedAdmin):
    """Read-only: the review is written by the secretariat's eligibility screens and the workflow."""

    program_path = "application__campaign__program"
    secretariat_views = True
    list_display = ["application", "submission", "computed_at", "reviewer", "decision", "decided_at"]
    list_filter = ["application__campaign__program", "decision"]
    search_fields = ["application__number", "application__applicant_name"]
    readonly_fields = ["application", "submission", "results", "computed_at", "reviewer", "exclusion_ticks",
                       "flag_decisions", "decision", "decision_reason", "decided_at", "decided_by", "started_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AcceptanceListItemInline(admin.TabularInline):
    model = AcceptanceListItem
    extra = 0
    fields = ["order", "applicant_name", "region_name", "industry_name", "application"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AcceptanceList)
class AcceptanceListAdmin(SecretariatScopedAdmin):
    """Read-only: lists are drawn up and published on the portal; a published list never changes."""

    program_path = "campaign__program"
    secretariat_views = True
    list_display = ["title", "campaign", "number", "created_by", "created_at", "published_at"]
    list_filter = ["campaign__program"]
    readonly_fields = ["campaign", "number", "title", "created_by", "created_at", "published_at"]
    inlines = [AcceptanceListItemInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
