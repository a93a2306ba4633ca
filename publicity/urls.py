from django.urls import path

from . import objection_urls, views

app_name = "publicity"
urlpatterns = [
    path("", views.notice_index, name="index"),
]
urlpatterns += objection_urls.urlpatterns
