from django.contrib import admin
from django.urls import include, path

from quizsite.health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("quizzes.urls")),
]

handler400 = "quizzes.views.errors.bad_request"
