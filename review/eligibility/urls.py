"""URLs of the eligibility screens (names live in the "review" namespace)."""
from django.urls import path

from . import export_views
from . import views

urlpatterns = [
    path("", views.eligibility_list, name="eligibility_list"),
    path("export.xlsx", export_views.eligibility_export, name="eligibility_export"),
    path("<int:pk>/", views.eligibility_detail, name="eligibility_detail"),
    path("<int:pk>/start/", views.eligibility_start, name="eligibility_start"),
    path("<int:pk>/recompute/", views.eligibility_recompute, name="eligibility_recompute"),
    path("<int:pk>/exclusions/", views.eligibility_exclusions, name="eligibility_exclusions"),
    path("<int:pk>/flag/", views.eligibility_flag, name="eligibility_flag"),
    path("<int:pk>/departments/solicit/", views.eligibility_consult_solicit, name="eligibility_consult_solicit"),
    path("<int:pk>/departments/answer/", views.eligibility_consult_answer, name="eligibility_consult_answer"),
    path("<int:pk>/decide/<slug:decision>/", views.eligibility_decide, name="eligibility_decide"),
    path("acceptance-lists/", views.acceptance_lists, name="acceptance_lists"),
    path("acceptance-lists/<int:pk>/", views.acceptance_list, name="acceptance_list"),
    path("acceptance-lists/<int:pk>/export.xlsx", export_views.acceptance_list_export, name="acceptance_list_export"),
]
