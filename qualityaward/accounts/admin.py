from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .identifiers import mask_id_number
from .models import AuditEvent, IndividualProfile, Invitation, Organization, Region, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    """A role with its scope. 推荐单位: a region (the local department) or one of the program's other recommending
    units (全国质量标杆 附件3), never both; the model's ``clean`` says which in Chinese."""

    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region"]
    fields = ["role", "program", "region", "recommending_unit", "unit_name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "recommending_unit":
            kwargs["queryset"] = (db_field.related_model.objects.filter(kind="other")
                                  .select_related("profile__program").order_by("profile__program__code", "order"))
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda unit: f"{unit.profile.program.name}：{unit.name}"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "roles"]
    search_fields = ["username", "full_name", "email", "mobile"]
    inlines = [RoleAssignmentInline]
    fieldsets = BaseUserAdmin.fieldsets + (("联系信息", {"fields": ("full_name", "mobile", "employer")}),)

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(str(a) for a in obj.role_assignments.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments__program", "role_assignments__region",
                                                           "role_assignments__recommending_unit")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "contact_name"]
    search_fields = ["name", "credit_code"]
    list_filter = ["region"]
    filter_horizontal = ["members"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "object_repr", "from_state", "to_state", "ip"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_label", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndividualProfile)
class IndividualProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "masked_id", "employer", "region"]
    search_fields = ["user__full_name", "employer"]
    raw_id_fields = ["user"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["organization", "email", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email", "organization__name"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
