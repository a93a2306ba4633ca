from django.urls import include, path

from . import expert_views, views

app_name = "review"
urlpatterns = [
    path("", views.my_panels, name="my_panels"),
    path("prereview/", include("review.prereview_urls")),
    path("eligibility/", include("review.eligibility_urls")),
    # the expert pool (秘书处)
    path("experts/", expert_views.expert_list, name="expert_list"),
    path("experts/new/", expert_views.expert_edit, name="expert_create"),
    path("experts/export/", expert_views.expert_export, name="expert_export"),
    path("experts/import/", expert_views.expert_import, name="expert_import"),
    path("experts/template/", expert_views.expert_template, name="expert_template"),
    path("experts/<int:pk>/", expert_views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/active/", expert_views.expert_toggle, name="expert_toggle"),
    # panel draws (秘书处; 监督组 read-only)
    path("panels/", expert_views.panel_campaigns, name="panel_campaigns"),
    path("panels/<int:campaign_pk>/", expert_views.panel_campaign, name="panel_campaign"),
    path("panels/<int:campaign_pk>/draw/", expert_views.panel_draw, name="panel_draw"),
    path("panels/seat/<int:panel_pk>/<int:user_pk>/replace/", expert_views.panel_replace, name="panel_replace"),
    path("draws/<int:pk>/", expert_views.draw_detail, name="draw_detail"),
    # the expert's pledge (承诺书)
    path("pledge/<int:panel_pk>/", expert_views.pledge, name="pledge"),
    path("pledge/<int:panel_pk>/conflict/", expert_views.declare_conflict, name="declare_conflict"),
    path("", include("review.committee_urls")),
    path("scoring/", include("review.scoring_urls")),
]
