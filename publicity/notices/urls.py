from django.urls import path

from . import print_views, views

urlpatterns = [
    path("", views.notice_index, name="index"),
    path("<int:pk>/print.pdf", print_views.notice_print, name="notice_pdf"),
    path("<int:pk>/", views.notice_detail, name="notice"),
    path("revocations/<slug:program>/", views.revocation_list, name="revocations"),
    path("revocations/<slug:program>/<int:pk>/", views.revocation_detail, name="revocation"),
    path("<int:pk>/print/", views.notice_print, name="notice_print"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/<int:campaign_pk>/<slug:kind>/", views.compose, name="compose"),
    path("manage/<int:pk>/", views.manage_notice, name="manage_notice"),
    path("manage/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("manage/<int:pk>/schedule/", views.notice_schedule, name="notice_schedule"),
    path("manage/<int:pk>/unschedule/", views.notice_unschedule, name="notice_unschedule"),
    path("manage/<int:pk>/correct/", views.notice_correct, name="notice_correct"),
    path("manage/<int:pk>/delete/", views.notice_delete, name="notice_delete"),
    path("internal/<int:pk>/", views.internal_publicity, name="internal"),
    path("internal/<int:pk>/file/", views.internal_publicity_file, name="internal_file"),
]
