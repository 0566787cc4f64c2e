"""Small builders for test data: explicit content, no hidden defaults worth guessing."""

from decimal import Decimal

from quizzes.models import Attempt, Option, Question, Quiz
from quizzes.opaque import field_name, time_field_name
from quizzes.services.importing import quiz_slug

# The seed's three questions, in short: (text, kind, [(option, verdict), ...]).
SEED_LIKE = [
    (
        "Какие слои не обновляются при backpropagation?",
        "multiple",
        [
            ("MaxPooling", "correct"),
            ("Полносвязный слой", "incorrect"),
            ("Dropout", "correct"),
            ("Слой свертки", "incorrect"),
            ("Batch Normalization", "partial"),
            ("ReLU", "correct"),
        ],
    ),
    (
        "Какое утверждение про Adam верное?",
        "single",
        [
            ("Он адаптирует learning rate для каждого параметра", "correct"),
            ("Он не требует learning rate", "incorrect"),
            ("Он не хранит past gradients", "incorrect"),
            ("Он всегда сходится быстрее, чем SGD", "incorrect"),
        ],
    ),
    (
        "Loss колеблется, затем становится NaN. Что произошло?",
        "single",
        [
            ("Взрыв градиентов", "correct"),
            ("Переобучение", "incorrect"),
            ("Затухание градиентов", "incorrect"),
            ("Норма входного вектора равна нулю", "incorrect"),
        ],
    ),
]


# Queries a rate-limited request (start, submit, autosave) spends on its counter in the shared
# table (quizzes/counters.py): an indexed read, then the locked increment (savepoint, read,
# write, release), or on a client's first request in a window the insert (count, savepoint,
# read, insert, release). Query budgets of those views add this to the view's own.
RATE_LIMIT_QUERIES = 6


def warm_hot_path(attempt) -> None:
    """Fill what a candidate's saves and submit read from caches: the attempt's facts (its
    page or an earlier save put them there) and its revision's answer key (per process)."""
    from quizzes.selectors.answering import revision_answer_key
    from quizzes.selectors.attempt_state import attempt_facts

    facts = attempt_facts(attempt.public_id)
    assert facts is not None
    revision_answer_key(facts.revision_id, facts.content_hash)


def make_quiz(*, questions=SEED_LIKE, title="Тест", slug=None, published=True, **fields) -> Quiz:
    quiz = Quiz.objects.create(
        title=title, slug=slug or quiz_slug(title), published=published, **fields
    )
    for position, (text, kind, options) in enumerate(questions, start=1):
        question = Question.objects.create(
            quiz=quiz,
            position=position,
            text=text,
            kind=kind,
            explanation=f"Объяснение **{position}**",
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                position=index,
                text=option_text,
                verdict=verdict,
                feedback=f"Почему «{option_text}»: *{verdict}*",
            )
            for index, (option_text, verdict) in enumerate(options, start=1)
        )
    return quiz


def make_large_quiz(*, questions: int, options: int = 5, **fields) -> Quiz:
    spec = [
        (
            f"Question {n} with `code`",
            "multiple" if n % 2 else "single",
            [
                (f"Option {n}.{k}", "correct" if k == 1 else "incorrect")
                for k in range(1, options + 1)
            ],
        )
        for n in range(1, questions + 1)
    ]
    return make_quiz(questions=spec, **fields)


def option_ids(quiz: Quiz, question_position: int, *texts: str) -> list[int]:
    question = quiz.questions.get(position=question_position)
    ids = [question.options.get(text=text).id for text in texts]
    assert len(ids) == len(texts)
    return ids


def answer_post(attempt: Attempt, choices: dict[int, list[str]]) -> dict:
    """POST data answering question positions with option texts, in the attempt's tokens."""
    quiz, tokens = attempt.quiz, attempt.tokens
    data = {}
    for position, texts in choices.items():
        question = quiz.questions.get(position=position)
        data[answer_field(attempt, question.id)] = [
            tokens.option(i) for i in option_ids(quiz, position, *texts)
        ]
    return data


def answer_field(attempt: Attempt, question_id: int) -> str:
    """The name the attempt's page gives a question's inputs."""
    return field_name(attempt.tokens.question(question_id))


def time_field(attempt: Attempt, question_id: int) -> str:
    """The name of the seconds-spent field the attempt's page sends for a question."""
    return time_field_name(attempt.tokens.question(question_id))


def shown(attempt: Attempt, *question_ids: int) -> list[str]:
    """The `shown` values of a page that showed these questions."""
    return [attempt.tokens.question(question_id) for question_id in question_ids]


ALL_RIGHT = {
    1: ["MaxPooling", "Dropout", "ReLU"],
    2: ["Он адаптирует learning rate для каждого параметра"],
    3: ["Взрыв градиентов"],
}
ALL_WRONG = {
    1: ["Полносвязный слой", "Слой свертки"],
    2: ["Он не требует learning rate"],
    3: ["Переобучение"],
}
POINTS = Decimal(1)
