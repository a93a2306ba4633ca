"""The secretariat edits programs, rule profiles and campaigns here; model ``clean`` methods validate."""
from django.contrib import admin

from qualityaward.accounts.models import Role
from qualityaward.accounts.selectors import role_assignments

from .models import (Application, AwardTier, Campaign, DepartmentOpinionRule, ExclusionItem, GeneratedDocument,
                     Program, PublicityRule, RequiredOpinion, RuleProfile, ScoringBand, ScoringCategory,
                     ScoringItem, ScoringScheme, Submission)


class SecretariatScopedAdmin(admin.ModelAdmin):
    """A secretariat member sees and edits only the programs it serves; superusers see all."""

    program_path = "program"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        programs = [a.program_id for a in role_assignments(request.user) if a.role == Role.SECRETARIAT]
        return qs.filter(**{f"{self.program_path}__in": programs})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "program" and not request.user.is_superuser:
            programs = [a.program_id for a in role_assignments(request.user) if a.role == Role.SECRETARIAT]
            kwargs["queryset"] = Program.objects.filter(pk__in=programs)
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


@admin.register(RuleProfile)
class RuleProfileAdmin(SecretariatScopedAdmin):
    list_display = ["program", "outcome_label", "recommender_label", "panel_size_min", "panel_size_max",
                    "material_weight", "onsite_weight", "finalist_threshold"]
    inlines = [AwardTierInline, PublicityRuleInline, ExclusionItemInline, DepartmentOpinionRuleInline,
               RequiredOpinionInline]
    fieldsets = [
        ("申报主体与结果", {"fields": ["program", "scoring_scheme", "allows_organizations", "allows_individuals",
                                "organization_scope", "outcome", "outcome_label", "cycle_years"]}),
        ("资格条件", {"fields": ["min_years_operating", "min_years_little_giant", "self_assessment_years",
                              "self_assessment_years_little_giant", "data_years", "no_loss_years",
                              "eligibility_note"]}),
        ("推荐", {"fields": ["has_recommender_step", "recommender", "recommender_label", "requires_government_opinion",
                           "recommendation_quota_in_principle",
                           "recommendation_quota"]}),
        ("评审阶段", {"fields": ["has_acceptance_publicity", "has_material_review", "has_defense",
                              "has_onsite_review", "material_review_eliminates", "has_committee",
                              "has_winner_publicity", "has_candidate_confirmation", "has_government_decision",
                              "government_decision_body", "procedure_end"]}),
        ("评审组与计分", {"fields": ["panel_size_min", "panel_size_max", "panel_drawn_by_industry", "expert_max_panels",
                                 "material_weight", "onsite_weight", "finalist_threshold", "aggregation",
                                 "trimmed_mean_min_experts", "vote_threshold_numerator",
                                 "vote_threshold_denominator", "vacancies_allowed", "secretariat_choices"]}),
        ("公示与异议", {"fields": ["objections_allowed", "objection_answer_working_days",
                               "backfill_after_disqualification"]}),
        ("获奖后管理", {"fields": ["repeat_prize_rule", "validity_years", "revocation_window_years", "ban_years",
                               "ban_grounds", "annual_self_assessment_report", "no_fees", "standards"]}),
        ("推荐材料页数上限（留空为不限）", {"fields": ["form_page_limit_organization", "evidence_page_limit_organization",
                                          "form_page_limit_individual", "evidence_page_limit_individual"]}),
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
class ApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: the state is changed only through the portal's workflow, never here."""

    list_display = ["number", "applicant_name", "campaign", "region", "state", "state_changed_at"]
    list_filter = ["campaign__program", "state", "kind"]
    search_fields = ["number", "applicant_name"]
    readonly_fields = ["state", "state_changed_at", "submitted_at", "number", "content_version"]
    raw_id_fields = ["owner", "organization"]
    inlines = [SubmissionInline]


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "status", "attempts", "duration_ms", "requested_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["application", "submission", "kind", "status", "file", "content_hash", "error", "attempts",
                       "started_at", "finished_at", "duration_ms"]


# --- eligibility review and acceptance lists (read-only: written through the portal) -------------------------
from .models import AcceptanceList, AcceptanceListItem, EligibilityReview  # noqa: E402


@admin.register(EligibilityReview)
class EligibilityReviewAdmin(admin.ModelAdmin):
    """Read-only: the review is written by the secretariat's eligibility screens and the workflow."""

    list_display = ["application", "submission", "computed_at", "reviewer", "decision", "decided_at"]
    list_filter = ["application__campaign__program", "decision"]
    search_fields = ["application__number", "application__applicant_name"]
    readonly_fields = ["application", "submission", "results", "computed_at", "reviewer", "exclusion_ticks",
                       "decision", "decision_reason", "decided_at", "decided_by", "started_at"]

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
class AcceptanceListAdmin(admin.ModelAdmin):
    """Read-only: lists are drawn up and published on the portal; a published list never changes."""

    list_display = ["title", "campaign", "number", "created_by", "created_at", "published_at"]
    list_filter = ["campaign__program"]
    readonly_fields = ["campaign", "number", "title", "created_by", "created_at", "published_at"]
    inlines = [AcceptanceListItemInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
