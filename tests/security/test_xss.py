"""XSS payloads in every markdown field and in candidate names render inert on real pages."""

import html as html_lib

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.models import Quiz
from quizzes.rendering import render_inline_markdown, render_markdown, sanitize_html
from quizzes.services.attempts import start_attempt, submit_attempt
from tests.builders import answer_field, make_quiz
from tests.security.html_audit import executable_content

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate attributeName=href to=javascript:alert(1) /><a><text>x</text></a></svg>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="java\tscript:alert(1)">tab</a>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>*{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example"><input name=x><button>go</button></form>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    '<div onmouseover="alert(1)">hover</div>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<a href='https://ok.example' onclick='alert(1)'>link</a>",
    "`<script>alert(1)</script>` in code",
    "```html\n<script>alert(1)</script>\n```",
]


def field_text(field: str, payload: str) -> str:
    # A visible marker per field proves the field really was rendered on the page.
    return f"MARK{field}\n\n{payload}"


def make_hostile_quiz(payload: str) -> Quiz:
    quiz = make_quiz(
        title=f"MARKtitle {payload}"[:200],
        slug="hostile",
        description=field_text("description", payload),
        access=Quiz.Access.PUBLIC,
        review_after_attempt=Quiz.ReviewPolicy.FULL,
    )
    for question in quiz.questions.all():
        question.text = field_text("question", payload)
        question.explanation = field_text("explanation", payload)
        question.save()
        for option in question.options.all():
            option.text = f"MARKoption{option.position} {payload}"
            option.feedback = field_text("feedback", payload)
            option.save()
    return quiz


def assert_inert(response, *markers):
    assert response.status_code == 200
    page = response.content.decode()
    assert executable_content(page) == []
    text = html_lib.unescape(page)
    for marker in markers:
        assert marker in text, marker


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert_on_candidate_pages(client, payload):
    quiz = make_hostile_quiz(payload)
    name = f"MARKname {payload}"[:200]

    assert_inert(client.get(quiz.get_absolute_url()), "MARKtitle", "MARKdescription")
    response = client.post(
        quiz.get_absolute_url(), {"candidate_name": name, "candidate_email": "x@example.com"}
    )
    assert response.status_code == 302
    attempt = quiz.attempts.get()
    assert attempt.candidate_name == name
    assert_inert(client.get(attempt.get_absolute_url()), "MARKquestion", "MARKoption1")

    chosen = {}
    for question in quiz.questions.all():
        first = question.options.order_by("position").first().id
        chosen[answer_field(attempt, question.id)] = [attempt.tokens.option(first)]
    assert client.post(attempt.get_absolute_url(), chosen).status_code == 302
    assert_inert(
        client.get(reverse("quizzes:result", args=[attempt.public_id])),
        "MARKquestion",
        "MARKoption1",
        "MARKfeedback",
        "MARKexplanation",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert_on_admin_pages(client, django_user_model, payload):
    quiz = make_hostile_quiz(payload)
    attempt = start_attempt(
        quiz=quiz, candidate_name=f"MARKname {payload}"[:200], candidate_email="x@example.com"
    )
    submit_attempt(attempt_id=attempt.pk, selections={})
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    question = quiz.questions.first()

    assert_inert(client.get(reverse("admin:quizzes_quiz_changelist")), "MARKtitle")
    assert_inert(
        client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])),
        "MARKdescription",
        "MARKquestion",
    )
    assert_inert(
        client.get(reverse("admin:quizzes_question_change", args=[question.pk])),
        "MARKexplanation",
        "MARKoption1",
        "MARKfeedback",
    )
    assert_inert(client.get(reverse("admin:quizzes_attempt_changelist")), "MARKname")
    assert_inert(client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk])), "MARKname")


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_invites_render_inert_for_candidates_and_staff(
    client, django_user_model, payload
):
    from quizzes.models import Invite

    quiz = make_hostile_quiz(payload)
    quiz.access = Quiz.Access.INVITE
    quiz.save()
    invite = Invite.objects.create(
        quiz=quiz, candidate_name=f"MARKname {payload}"[:200], candidate_email="i@example.com"
    )
    start_page = client.get(invite.get_absolute_url(), follow=True)
    assert_inert(start_page, "MARKname", "MARKdescription")

    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    assert_inert(client.get(reverse("admin:quizzes_invite_changelist")), "MARKname")
    assert_inert(client.get(reverse("admin:quizzes_invite_change", args=[invite.pk])), "MARKname")


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert_on_review_pages(client, django_user_model, payload):
    from quizzes.models import AttemptNote

    quiz = make_hostile_quiz(payload)
    attempt = start_attempt(
        quiz=quiz, candidate_name=f"MARKname {payload}"[:200], candidate_email="x@example.com"
    )
    first = quiz.questions.order_by("position").first()
    submit_attempt(
        attempt_id=attempt.pk, selections={first.id: [first.options.order_by("id").first().id]}
    )
    recruiter = django_user_model.objects.create_superuser("rita", "r@example.com", "pw")
    AttemptNote.objects.create(attempt=attempt, author=recruiter, text=f"MARKnote {payload}")
    client.force_login(recruiter)

    assert_inert(client.get(reverse("quizzes:review_attempts")), "MARKname")
    assert_inert(
        client.get(reverse("quizzes:review_attempt", args=[attempt.public_id])),
        "MARKname",
        "MARKnote",
        "MARKquestion",
        "MARKoption1",
    )
    assert_inert(client.get(reverse("quizzes:review_statistics", args=[quiz.slug])), "MARKquestion")


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert_in_the_live_preview_and_the_import_diff(
    client, django_user_model, payload
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from quizzes import formats
    from quizzes.selectors.authoring import parsed_quiz

    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "pw"))
    for inline in ("0", "1"):
        response = client.post(
            reverse("admin:quizzes_question_preview"),
            {"text": field_text("preview", payload), "inline": inline},
        )
        assert "MARKpreview" in response.json()["html"]
        assert executable_content(response.json()["html"]) == []
    # Importing a plain file over the hostile quiz: every hostile text is in the diff.
    make_hostile_quiz(payload)
    plain = formats.write(parsed_quiz(make_quiz(slug="plain")), formats.TASKLIST)
    upload = SimpleUploadedFile("plain.md", plain.encode(), "text/markdown")
    preview = client.post(reverse("admin:quizzes_quiz_import"), {"file": upload, "slug": "hostile"})
    assert 'class="import-changes"' in preview.content.decode()
    assert_inert(preview, "MARKquestion", "MARKoption1", "MARKfeedback", "MARKexplanation")


def test_the_audit_sees_what_it_must():
    # Without this, an audit that finds nothing would make every test above pass.
    for dangerous in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<iframe src=x></iframe>",
        "<p style=color:red>x</p>",
        "<style>p{}</style>",
        '<form action="https://evil.example"></form>',
        '<meta http-equiv="refresh" content="0">',
        "<object data=x></object>",
        '<script src="https://evil.example/x.js"></script>',
    ]:
        assert executable_content(dangerous), dangerous
    assert executable_content('<script src="/static/x.js"></script><a href="/x">x</a>') == []


# --- the sanitizer on generated markdown ------------------------------------------------

TAGS = ["script", "img", "svg", "a", "iframe", "style", "form", "p", "b", "object", "math"]
ATTRIBUTES = ["onerror", "onload", "onclick", "style", "href", "src", "srcdoc", "action", "title"]
VALUES = ["javascript:alert(1)", " jAvAsCrIpT:x", "data:text/html,x", "x", "https://ok.example"]
MARKDOWN = ["**b**", "*e*", "`c`", "\n\n", "- ", "# ", "> ", "[l](", ")", "![i](", "```\n", "|"]

fragment = st.one_of(
    st.sampled_from(MARKDOWN),
    st.text(max_size=8),
    st.builds(
        lambda tag, attrs, body: (
            f"<{tag}" + "".join(f' {name}="{value}"' for name, value in attrs) + f">{body}</{tag}>"
        ),
        st.sampled_from(TAGS),
        st.lists(st.tuples(st.sampled_from(ATTRIBUTES), st.sampled_from(VALUES)), max_size=3),
        st.text(max_size=5),
    ),
    st.builds(lambda value: f"[x]({value})", st.sampled_from(VALUES)),
)
markdown_documents = st.lists(fragment, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(markdown_documents)
def test_generated_markdown_never_yields_executable_html(text):
    for rendered in (render_markdown(text), render_inline_markdown(text)):
        assert executable_content(str(rendered)) == []


@settings(max_examples=300, deadline=None)
@given(markdown_documents)
def test_sanitizing_twice_changes_nothing(text):
    once = str(render_markdown(text))
    assert sanitize_html(once) == once
