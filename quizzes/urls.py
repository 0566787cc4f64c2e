from django.urls import path

from quizzes.views import candidate

app_name = "quizzes"

urlpatterns = [
    path("", candidate.home, name="home"),
    path("quiz/<slug:slug>/", candidate.quiz_detail, name="quiz_detail"),
    path("attempt/<uuid:public_id>/", candidate.attempt_page, name="attempt"),
    path("attempt/<uuid:public_id>/result/", candidate.result_page, name="result"),
]
