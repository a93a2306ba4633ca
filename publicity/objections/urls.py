"""Objection URLs, in the publicity namespace (included by publicity/urls.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("<int:notice_pk>/objection/", views.objection_new, name="objection_new"),
    path("objection/receipt/<str:token>/", views.objection_receipt, name="objection_receipt"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/export/", views.objection_export, name="objection_export"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/answer/", views.objection_answer_print, name="objection_answer_print"),
    path("objections/<int:pk>/note/", views.objection_note, name="objection_note"),
    path("objections/<int:pk>/request/", views.objection_request, name="objection_request"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("objections/<int:pk>/backfill/", views.objection_backfill, name="objection_backfill"),
    path("objections/files/<int:pk>/", views.objection_file, name="objection_file"),
    path("objections/requests/<int:pk>/reply/", views.objection_reply, name="objection_reply"),
]
