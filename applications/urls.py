from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/<int:campaign_id>/", views.application_create, name="create"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/transition/<slug:name>/", views.application_transition, name="transition"),
    path("documents/<int:pk>/status/", views.document_status, name="document_status"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("programs/", views.program_list, name="programs"),
    path("programs/<slug:code>/", views.program_detail, name="program_detail"),
]
