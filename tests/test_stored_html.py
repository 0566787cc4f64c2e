"""Author texts render once, when written: pages show the stored HTML and never render."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from quizzes import markup
from quizzes.content import content_hash
from quizzes.models import Invite, Option, Question, Quiz, QuizRevision
from quizzes.services.revisions import current_revision
from tests.builders import ALL_RIGHT, answer_post, make_quiz

pytestmark = pytest.mark.django_db

FORMULA = r"Softmax: $\frac{e^{z_i}}{\sum_j e^{z_j}}$"
CODE = "```python\ndef f(x):\n    return x\n```"


def rich_quiz() -> Quiz:
    quiz = make_quiz(
        access="public", review_after_attempt="full", description=f"О тесте: {FORMULA}"
    )
    question = quiz.questions.get(position=1)
    question.text = f"Что делает код?\n\n{CODE}"
    question.explanation = f"{FORMULA}\n\nРассмотрим каждый вариант:"
    question.save()
    option = question.options.get(text="Dropout")
    option.feedback = CODE
    option.save()
    return quiz


def break_the_renderer(monkeypatch) -> None:
    """From now on, any call of the markdown renderer fails the request that makes it."""

    def broken(*args, **kwargs):
        raise AssertionError("a page ran the markdown renderer")

    monkeypatch.setattr(markup, "render", broken)
    monkeypatch.setattr(markup._parser.MarkdownIt, "parse", broken)
    monkeypatch.setattr(markup._parser.MarkdownIt, "parseInline", broken)


def test_every_candidate_and_review_page_works_without_the_renderer(
    client, admin_client, monkeypatch
):
    quiz = rich_quiz()  # writing is when rendering happens
    invite = Invite.objects.create(quiz=quiz, candidate_name="Ира", candidate_email="i@ex.com")
    break_the_renderer(monkeypatch)

    html = client.get(quiz.get_absolute_url()).content.decode()
    assert '<math display="inline">' in html  # the description
    invited = Client().get(invite.get_absolute_url(), follow=True).content.decode()
    assert '<math display="inline">' in invited
    response = client.post(
        quiz.get_absolute_url(), {"candidate_name": "Анна", "candidate_email": "a@example.com"}
    )
    attempt = quiz.attempts.get()
    page = client.get(response["Location"]).content.decode()
    assert '<span class="k">def</span>' in page  # the question's code, highlighted
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    result = client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    assert result.count('<div class="code-language">Python</div>') == 2  # question, feedback
    assert '<math display="inline">' in result

    detail = admin_client.get(reverse("quizzes:review_attempt", args=[attempt.public_id]))
    assert detail.status_code == 200 and '<math display="inline">' in detail.content.decode()
    for url in (
        reverse("quizzes:review_attempts"),
        reverse("quizzes:review_export"),
        reverse("quizzes:review_statistics", args=[quiz.slug]),
        reverse("quizzes:review_histogram", args=[quiz.slug]),
        reverse("quizzes:home"),
    ):
        assert admin_client.get(url).status_code == 200, url
    statistics = admin_client.get(reverse("quizzes:review_statistics", args=[quiz.slug]))
    assert '<span class="k">def</span>' in statistics.content.decode()


def test_saving_stores_the_html_of_every_markdown_field():
    quiz = rich_quiz()
    question = quiz.questions.get(position=1)
    assert '<math display="inline">' in quiz.description_html
    assert '<span class="nf">f</span>' in question.text_html
    assert question.explanation_html.endswith("<p>Рассмотрим каждый вариант:</p>\n")
    option = question.options.get(text="Dropout")
    assert option.text_html == "Dropout"  # inline: no paragraph around an option
    assert '<div class="code-block">' in option.feedback_html


def test_a_save_naming_its_fields_also_saves_their_html():
    question = make_quiz().questions.get(position=1)
    question.text = "**Новый** текст"
    question.save(update_fields=["text"])
    question.refresh_from_db()
    assert question.text_html == "<p><strong>Новый</strong> текст</p>\n"


def test_rows_created_in_bulk_get_their_html():
    question = make_quiz().questions.get(position=1)
    Option.objects.bulk_create([Option(question=question, position=99, text="*курсив*")])
    assert Option.objects.get(position=99).text_html == "<em>курсив</em>"


def test_a_revision_carries_the_html_and_its_identity_is_the_source():
    quiz = rich_quiz()
    revision = current_revision(quiz)
    question = next(q for q in revision.content["questions"] if "код" in q["text"])
    assert '<span class="k">def</span>' in question["text_html"]
    assert {o["text_html"] for o in question["options"]} >= {"Dropout", "ReLU"}
    # Re-rendered HTML (a new renderer) is the same revision, not a new one.
    changed = {**revision.content, "description_html": "<p>other</p>"}
    assert content_hash(changed) == revision.content_hash


def test_rerender_rewrites_stale_html_of_rows_and_revisions():
    quiz = rich_quiz()
    revision = current_revision(quiz)
    Question.objects.update(text_html="stale")
    content = revision.content
    content["questions"][0]["text_html"] = "stale"
    QuizRevision.objects.filter(pk=revision.pk).update(content=content)

    out = StringIO()
    call_command("rerender", stdout=out)

    assert not Question.objects.filter(text_html="stale").exists()
    revision.refresh_from_db()
    assert revision.content["questions"][0]["text_html"].startswith("<p>")
    assert "Question: 3 rendered" in out.getvalue() and "QuizRevision: 1 rendered" in out.getvalue()


def test_a_text_over_the_limit_is_refused_naming_its_line():
    question = make_quiz().questions.get(position=1)
    question.text = "строка\n" * 2 + "x" * markup.MAX_TEXT_CHARS
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    message = " ".join(refused.value.message_dict["text"])
    assert "Строка 3" in message and str(markup.MAX_TEXT_CHARS) in message


def test_an_explanation_introducing_the_options_comes_before_their_feedback(client, start):
    quiz = rich_quiz()
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), answer_post(attempt, ALL_RIGHT))
    html = client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    intro = html.index("Рассмотрим каждый вариант:")
    card = html[html.rindex("<section", 0, intro) : html.index("</section>", intro)]
    assert card.index("Рассмотрим каждый вариант:") < card.index('class="list-unstyled')
    assert '<div class="code-block">' in card[card.index('class="list-unstyled') :]
    # A closing explanation (question 2's "Объяснение 2") still follows its options.
    closing = html.index("Объяснение <strong>2</strong>")
    card = html[html.rindex("<section", 0, closing) : closing]
    assert "Он адаптирует learning rate" in card
