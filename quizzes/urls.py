from django.urls import path

from quizzes.views import attempt, candidate, hiring, notifications, reports, resume, review

app_name = "quizzes"

urlpatterns = [
    path("", candidate.home, name="home"),
    path("quiz/<slug:slug>/", candidate.quiz_detail, name="quiz_detail"),
    path("invite/", candidate.invite_start, name="invite_start"),
    path("invite/<str:token>/", candidate.invite_link, name="invite"),
    path("continue/", resume.resume, name="resume"),
    path("continue/send/", resume.resume_send, name="resume_send"),
    path("attempt/<uuid:public_id>/", attempt.attempt_page, name="attempt"),
    path("attempt/<uuid:public_id>/autosave/", attempt.autosave, name="autosave"),
    path("attempt/<uuid:public_id>/submit/", attempt.confirm_submit, name="confirm_submit"),
    path("attempt/<uuid:public_id>/result/", attempt.result_page, name="result"),
    # Recruiters (staff) only; see quizzes/views/review.py.
    path("review/", review.attempt_list, name="review_attempts"),
    path("review/notifications/", notifications.preferences, name="review_notifications"),
    path("review/attempts.csv", review.attempt_export, name="review_export"),
    path("review/attempts.xlsx", reports.attempt_export_xlsx, name="review_export_xlsx"),
    path("review/compare/", reports.compare, name="review_compare"),
    path("review/attempt/<uuid:public_id>/", review.attempt_detail, name="review_attempt"),
    path("review/attempt/<uuid:public_id>/report/", reports.attempt_report, name="review_report"),
    path("review/attempt/<uuid:public_id>/note/", review.attempt_note, name="review_note"),
    path("review/attempt/<uuid:public_id>/rating/", review.attempt_rate, name="review_rate"),
    path("review/attempt/<uuid:public_id>/grant/", review.attempt_grant, name="review_grant"),
    path(
        "review/attempt/<uuid:public_id>/status/",
        hiring.attempt_hiring_status,
        name="review_hiring_status",
    ),
    path(
        "review/attempt/<uuid:public_id>/override/",
        review.attempt_override,
        name="review_override",
    ),
    path("review/quiz/<slug:slug>/statistics/", review.quiz_statistics, name="review_statistics"),
    path("review/quiz/<slug:slug>/histogram.svg", review.quiz_histogram, name="review_histogram"),
    path(
        "review/quiz/<slug:slug>/question/<int:question_id>/options.svg",
        review.question_option_chart,
        name="review_option_chart",
    ),
]
