"""URLs of the prereview screens (names live in the "review" namespace)."""
from django.urls import path

from . import pool_views, views

urlpatterns = [
    path("", views.prereview_list, name="prereview_list"),
    path("export.xlsx", views.prereview_export, name="prereview_export"),
    path("<int:pk>/", views.prereview_detail, name="prereview_detail"),
    path("<int:pk>/changes/", views.prereview_diff, name="prereview_diff"),
    path("<int:pk>/checklist/", views.prereview_checklist, name="prereview_checklist"),
    path("<int:pk>/return/", views.prereview_return, name="prereview_return"),
    path("<int:pk>/departments/solicit/", views.prereview_solicit, name="prereview_solicit"),
    path("<int:pk>/departments/answer/", views.prereview_answer, name="prereview_answer"),
    path("<int:pk>/publicity/", views.prereview_publicity, name="prereview_publicity"),
    path("<int:pk>/opinion/", views.prereview_opinion, name="prereview_opinion"),
    path("<int:pk>/opinion/sign/", views.prereview_sign, name="prereview_sign"),
    path("<int:pk>/government/", views.prereview_government, name="prereview_government"),
    path("<int:pk>/recommend/", views.prereview_recommend, name="prereview_recommend"),
    path("<int:pk>/evaluation-consultation/", views.evaluation_consultation, name="evaluation_consultation"),
    path("<int:pk>/evaluation-consultation/solicit/", views.evaluation_consult_solicit,
         name="evaluation_consult_solicit"),
    path("<int:pk>/evaluation-consultation/answer/", views.evaluation_consult_answer, name="evaluation_consult_answer"),
    path("files/<slug:kind>/<int:file_id>/", views.prereview_file, name="prereview_file"),
    # the secretariat's candidate list (全国质量标杆 通知三 历年河南省质量标杆)
    path("pool/<slug:code>/", pool_views.pool_list, name="pool_list"),
    path("pool/<slug:code>/import/", pool_views.pool_import, name="pool_import"),
    path("pool/<slug:code>/template.csv", pool_views.pool_template, name="pool_template"),
    path("pool/<slug:code>/<int:pk>/", pool_views.pool_edit, name="pool_edit"),
    path("pool/<slug:code>/<int:pk>/delete/", pool_views.pool_delete, name="pool_delete"),
]
