from django.urls import include, path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.my_panels, name="my_panels"),
    path("prereview/", include("review.prereview_urls")),
    path("eligibility/", include("review.eligibility_urls")),
    path("scoring/", include("review.scoring_urls")),
]
