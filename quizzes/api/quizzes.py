"""GET /api/v1/quizzes."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from quizzes.api.auth import token_auth
from quizzes.api.schemas import QuizList, QuizOut, responses, time_limit_seconds
from quizzes.models import ApiToken, Quiz
from quizzes.selectors.integrations import api_quizzes

router = Router(tags=["quizzes"])


@router.get(
    "",
    response=responses({200: QuizList}),
    auth=token_auth(ApiToken.Scope.QUIZZES_READ),
    summary="List quizzes",
    operation_id="list_quizzes",
)
def list_quizzes(request: HttpRequest) -> dict:
    """Every quiz the token's user may see, by title."""
    user = request.auth.user  # type: ignore[attr-defined]
    return {
        "quizzes": [
            QuizOut(
                id=quiz.pk,
                slug=quiz.slug,
                title=quiz.title,
                question_count=quiz.question_count,  # type: ignore[attr-defined]
                time_limit_seconds=time_limit_seconds(quiz.time_limit),
                published=quiz.published,
                public=quiz.access == Quiz.Access.PUBLIC,
            )
            for quiz in api_quizzes(user)
        ]
    }
