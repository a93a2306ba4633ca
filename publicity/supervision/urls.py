"""Supervision URLs, in the "supervision" namespace (included by qualityaward/urls.py)."""
from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("programs/<slug:code>/report/", views.report_new, name="report_new"),
    path("receipt/<str:token>/", views.report_receipt, name="receipt"),
    path("mine/", views.my_reports, name="mine"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/finding/", views.report_finding, name="report_finding"),
    path("reports/files/<int:pk>/", views.report_file, name="report_file"),
    path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:pk>/report/", views.campaign_report_new, name="campaign_report_new"),
    path("campaign-reports/files/<int:pk>/", views.campaign_report_file, name="campaign_report_file"),
]
