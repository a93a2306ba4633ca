"""URLs of the committee vote, awards and self-assessment reports (names live in the "review" namespace)."""
from django.urls import path

from . import views

urlpatterns = [
    path("committee/", views.committee_list, name="committee_list"),
    path("committee/open/<int:campaign_pk>/", views.committee_open, name="committee_open"),
    path("committee/<int:pk>/", views.committee_session, name="committee_session"),
    path("committee/<int:pk>/vote/", views.committee_vote, name="committee_vote"),
    path("committee/<int:pk>/close/", views.committee_close, name="committee_close"),
    path("committee/<int:pk>/decide/", views.committee_decide, name="committee_decide"),
    path("committee/<int:pk>/results/", views.committee_results, name="committee_results"),
]
