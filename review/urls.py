"""The review app's URLs, one include per sub-domain; every name lives in the "review" namespace."""
from django.urls import include, path

app_name = "review"
urlpatterns = [
    path("", include("review.panels.urls")),
    path("prereview/", include("review.prereview.urls")),
    path("eligibility/", include("review.eligibility.urls")),
    path("", include("review.committee.urls")),
    path("", include("review.awards.urls")),
    path("scoring/", include("review.scoring.urls")),
]
