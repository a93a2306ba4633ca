from django.urls import path

from . import industry_views, views
from .documents import views as document_views
from .forms import views as form_views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("export.xlsx", document_views.application_list_export, name="list_export"),
    path("<int:pk>/certificate/", document_views.certificate_request, name="certificate_request"),
    path("decisions/<int:campaign_id>/", document_views.decision, name="decision"),
    path("campaigns/<int:campaign_id>/dossiers/", document_views.campaign_dossiers, name="campaign_dossiers"),
    path("campaigns/<int:campaign_id>/dossiers/start/", document_views.campaign_dossiers_start,
         name="campaign_dossiers_start"),
    path("jobs/<int:pk>/", document_views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", document_views.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", document_views.job_retry, name="job_retry"),
    path("new/<int:campaign_id>/", views.application_create, name="create"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/transition/<slug:name>/", views.application_transition, name="transition"),
    path("<int:pk>/form/", form_views.form_overview, name="form"),
    path("<int:pk>/form/word/", form_views.form_docx, name="form_docx"),
    path("<int:pk>/form/images/", form_views.narrative_image_upload, name="narrative_image_upload"),
    path("<int:pk>/form/images/<int:image_id>/", form_views.narrative_image, name="narrative_image"),
    path("<int:pk>/form/<slug:code>/", form_views.section_edit, name="section"),
    path("<int:pk>/form/<slug:code>/save/", form_views.section_save, name="section_save"),
    path("<int:pk>/files/<slug:slot>/upload/", form_views.attachment_upload, name="attachment_upload"),
    path("files/<int:attachment_id>/", form_views.attachment_download, name="attachment_download"),
    path("files/<int:attachment_id>/delete/", form_views.attachment_delete, name="attachment_delete"),
    path("files/<int:attachment_id>/move/", form_views.attachment_move, name="attachment_move"),
    path("<int:pk>/dossier/", document_views.dossier_request, name="dossier_request"),
    path("dossier/<int:pk>/status/", document_views.dossier_status, name="dossier_status"),
    path("documents/<int:pk>/status/", views.document_status, name="document_status"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("industries/", industry_views.industry_search_view, name="industry_search"),
    path("programs/", views.program_list, name="programs"),
    path("programs/<slug:code>/", views.program_detail, name="program_detail"),
]
