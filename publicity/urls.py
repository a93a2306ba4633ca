from django.urls import path

from . import objection_urls, print_views, views

app_name = "publicity"
urlpatterns = [
    path("", views.notice_index, name="index"),
    path("<int:pk>/print.pdf", print_views.notice_print, name="notice_pdf"),
]
urlpatterns += objection_urls.urlpatterns
