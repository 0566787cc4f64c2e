"""The peer app's URLs under /survey/, as its documentation mounts them."""

from django.urls import include, path

urlpatterns = [path("survey/", include("survey.urls"))]
