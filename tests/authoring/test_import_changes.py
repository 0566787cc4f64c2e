"""The import preview shows, for each changed question, what changed, and nothing for the rest."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from quizzes.models import Quiz
from tests.authoring.test_admin_import_export import FIXTURE, confirm, upload

pytestmark = pytest.mark.django_db

SLUG = "testovye-zadaniia-dl-nlp-cv"


def questions_in(preview: str) -> list[tuple[str, str]]:
    """Each previewed question's status and its "what changed" block as text ("" if none)."""
    found = []
    blocks = preview.split('<li class="import-question import-')[1:]
    for block in blocks:
        status = block.split('"', 1)[0]
        changes = ""
        if '<div class="import-changes">' in block:
            inner = block.split('<div class="import-changes">', 1)[1].split("</ul>", 1)[0]
            changes = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        found.append((status, changes))
    return found


@pytest.fixture
def imported(admin_client):
    confirm(admin_client, upload(admin_client, FIXTURE.read_bytes(), name="dl.md").content.decode())
    return Quiz.objects.get(slug=SLUG)


def exported(client, quiz: Quiz, action: str) -> str:
    response = client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": action, "_selected_action": [quiz.pk]}
    )
    return response.content.decode("utf-8")


def test_re_importing_the_export_shows_no_change_in_either_format(admin_client, imported):
    for action in ("export_seed", "export_tasklist"):
        preview = upload(admin_client, exported(admin_client, imported, action).encode())
        assert questions_in(preview.content.decode()) == [("unchanged", "")] * 3, action


def test_one_verdict_edited_in_the_exported_file_is_the_only_change_shown(admin_client, imported):
    text = exported(admin_client, imported, "export_tasklist")
    assert text.count("- [ ] Полносвязный слой\n") == 1
    edited = text.replace("- [ ] Полносвязный слой\n", "- [x] Полносвязный слой\n")

    preview = upload(admin_client, edited.encode(), slug=SLUG).content.decode()

    assert "0 questions added, 1 changed, 0 removed, 2 unchanged." in preview
    assert questions_in(preview) == [
        ("changed", "What changed: option 2 «Полносвязный слой»: ❌ wrong: → ✅ correct:"),
        ("unchanged", ""),
        ("unchanged", ""),
    ]


def test_the_verdict_change_reads_in_russian(admin_client, imported):
    client = admin_client
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    text = exported(client, imported, "export_tasklist")
    edited = text.replace("- [ ] Полносвязный слой\n", "- [x] Полносвязный слой\n")
    preview = upload(client, edited.encode(), slug=SLUG).content.decode()
    assert questions_in(preview)[0] == (
        "changed",
        "Что изменилось: вариант 2 «Полносвязный слой»: ❌ неверно: → ✅ верно:",
    )


def test_text_options_and_explanation_changes_are_shown_as_marked_source(admin_client, imported):
    text = exported(admin_client, imported, "export_tasklist")
    edited = (
        text.replace("не обновляются при backpropagation?", "не обновляются при обучении?", 1)
        .replace("- [ ] Слой свертки\n", "- [ ] Слой свёртки <b>\n", 1)
        .replace("- [x] ReLU\n", "- [x] ReLU\n- [ ] Softmax\n", 1)
    )
    preview = upload(admin_client, edited.encode(), slug=SLUG).content.decode()
    block = preview.split('<div class="import-changes">')[1].split("</ul>")[0]
    assert (
        '<del><span class="visually-hidden">removed: </span>backpropagation</del>'
        '<ins><span class="visually-hidden">added: </span>обучении</ins>'
    ) in block
    # Author text is escaped in the diff: source, never markup.
    assert "свёртки &lt;b&gt;" in block and "<b>" not in block
    # Inserted between ReLU and its feedback, Softmax took that feedback: the diff says so.
    changes = questions_in(preview)[0][1]
    assert "option 7 added: ❌ wrong: Softmax" in changes
    assert "option 6 «ReLU»: Feedback: removed: **не обновляется**" in changes
    assert [status for status, _ in questions_in(preview)] == ["changed", "unchanged", "unchanged"]
