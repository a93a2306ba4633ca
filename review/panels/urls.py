"""URLs of the expert pool, panel draws and the pledge (names live in the "review" namespace)."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_panels, name="my_panels"),
    # the expert pool (秘书处)
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/new/", views.expert_edit, name="expert_create"),
    path("experts/export/", views.expert_export, name="expert_export"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path("experts/template/", views.expert_template, name="expert_template"),
    path("experts/<int:pk>/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/active/", views.expert_toggle, name="expert_toggle"),
    # panel draws (秘书处; 监督组 read-only)
    path("panels/", views.panel_campaigns, name="panel_campaigns"),
    path("panels/<int:campaign_pk>/", views.panel_campaign, name="panel_campaign"),
    path("panels/<int:campaign_pk>/draw/", views.panel_draw, name="panel_draw"),
    path("panels/seat/<int:panel_pk>/<int:user_pk>/replace/", views.panel_replace, name="panel_replace"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    # the expert's pledge (承诺书)
    path("pledge/<int:panel_pk>/", views.pledge, name="pledge"),
    path("pledge/<int:panel_pk>/conflict/", views.declare_conflict, name="declare_conflict"),
    # a member of the secretariat or of the recommending authority steps aside (回避) from an application
    path("recusal/<int:pk>/", views.recuse_staff, name="recuse_staff"),
]
