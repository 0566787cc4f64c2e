from django.urls import path

from quizzes.views import candidate

app_name = "quizzes"

urlpatterns = [
    path("", candidate.home, name="home"),
    path("quiz/<slug:slug>/", candidate.quiz_detail, name="quiz_detail"),
    path("invite/", candidate.invite_start, name="invite_start"),
    path("invite/<str:token>/", candidate.invite_link, name="invite"),
    path("attempt/<uuid:public_id>/", candidate.attempt_page, name="attempt"),
    path("attempt/<uuid:public_id>/autosave/", candidate.autosave, name="autosave"),
    path("attempt/<uuid:public_id>/result/", candidate.result_page, name="result"),
]
