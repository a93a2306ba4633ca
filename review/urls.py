from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.my_panels, name="my_panels"),
]
