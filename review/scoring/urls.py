"""URLs of expert scoring, the ranking and the review report (names live in the "review" namespace)."""
from django.urls import path

from . import defense_views, views

urlpatterns = [
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/<int:campaign_id>/declare/", views.ranking_declare, name="ranking_declare"),
    path("ranking/<int:campaign_id>/ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("ranking/<int:campaign_id>/scores.xlsx", views.score_matrix_xlsx, name="score_matrix_xlsx"),
    path("report/<int:pk>/", views.report, name="scoring_report"),
    path("defense/<int:pk>/", defense_views.defense_page, name="defense"),
    path("defense/<int:pk>/<slug:kind>/<slug:what>/", defense_views.defense_write, name="defense_write"),
    path("report/<int:pk>/release/", views.report_release, name="scoring_report_release"),
    path("<int:pk>/<slug:stage>/", views.scoring_panel, name="scoring_panel"),
    path("<int:pk>/<slug:stage>/sheet/", views.scoring_sheet, name="scoring_sheet"),
    path("<int:pk>/<slug:stage>/sheet.pdf", views.scoring_sheet_pdf, name="scoring_sheet_pdf"),
    path("<int:pk>/<slug:stage>/submit/", views.scoring_submit, name="scoring_submit"),
    path("<int:pk>/<slug:stage>/consensus/", views.scoring_consensus, name="scoring_consensus"),
    path("<int:pk>/<slug:stage>/consensus/agreed/", views.scoring_consensus_agreed, name="scoring_consensus_agreed"),
    path("<int:pk>/<slug:stage>/correct/", views.scoring_correct, name="scoring_correct"),
    path("<int:pk>/<slug:stage>/conclude/", views.scoring_conclude, name="scoring_conclude"),
    path("<int:pk>/<slug:stage>/onsite/", views.scoring_onsite, name="scoring_onsite"),
]
