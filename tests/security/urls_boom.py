"""The real URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from quizsite.urls import urlpatterns as site_urlpatterns


def boom(request):
    secret = "internal-detail-7f3a"  # noqa: F841 - must not leak into the page
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
handler400 = "quizzes.views.errors.bad_request"
