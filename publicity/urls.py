"""The publicity app's URLs: the notices and the objections to them; every name lives in the "publicity"
namespace."""
from django.urls import include, path

app_name = "publicity"
urlpatterns = [
    path("", include("publicity.notices.urls")),
    path("", include("publicity.objections.urls")),
]
