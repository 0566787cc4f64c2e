from django.contrib import admin
from django.urls import include, path

from quizsite.health import healthz
from quizzes.api import api
from quizzes.api.errors import unknown_path

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the API's own root, which is django-ninja's HTML 404 (it only names the prefix).
    path("api/v1/", unknown_path, {"path": ""}),
    path("api/v1/", api.urls),
    path("api/v1/<path:path>", unknown_path),
    path("", include("quizzes.urls")),
]

handler400 = "quizzes.views.errors.bad_request"
