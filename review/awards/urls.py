"""URLs of awards, revocation and self-assessment reports (names live in the "review" namespace)."""
from django.urls import path

from . import views

urlpatterns = [
    path("awards/", views.award_list, name="award_list"),
    path("awards/self-assessment/", views.self_assessment_overview, name="self_assessment_overview"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("awards/<int:pk>/recovery/", views.award_recover, name="award_recover"),
    path("awards/<int:pk>/sanction/", views.award_sanction, name="award_sanction"),
    path("awards/<int:pk>/self-assessment/", views.self_assessment_submit, name="self_assessment_submit"),
    path("awards/<int:pk>/self-assessment/<int:period>/file/", views.self_assessment_file,
         name="self_assessment_file"),
    path("applications/<int:pk>/award-decision/", views.award_decide, name="award_decide"),
    path("applications/<int:pk>/revoke/", views.award_revoke, name="award_revoke"),
]
