"""URLs of the statistics (/stats/), the expert calibration and the organization's history."""
from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("<int:campaign_id>/statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("calibration/", views.calibration, name="calibration"),
    path("calibration/<int:program_id>/calibration.xlsx", views.calibration_xlsx, name="calibration_xlsx"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("organizations/<int:pk>/history.xlsx", views.organization_xlsx, name="organization_xlsx"),
]
