from django.contrib import admin

from .models import Panel, PanelMember, Recusal


class PanelMemberInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    raw_id_fields = ["expert"]


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["application", "stage", "created_at"]
    raw_id_fields = ["application"]
    inlines = [PanelMemberInline]


@admin.register(Recusal)
class RecusalAdmin(admin.ModelAdmin):
    list_display = ["application", "user", "reason", "created_at"]
    raw_id_fields = ["application", "user"]
