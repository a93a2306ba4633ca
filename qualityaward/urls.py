from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "质量奖申报评审平台 · 管理后台"
admin.site.site_title = "质量奖申报评审平台"
admin.site.index_title = "秘书处管理"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("qualityaward.accounts.urls")),
    path("applications/", include("applications.urls")),
    path("review/", include("review.urls")),
    path("notices/", include("publicity.urls")),
    path("supervision/", include("publicity.supervision.urls")),
    path("stats/", include("review.insights.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "qualityaward.views.bad_request"
handler403 = "qualityaward.views.permission_denied"
handler404 = "qualityaward.views.page_not_found"
handler500 = "qualityaward.views.server_error"
