"""Rendering: the stored HTML of every author text, computed when the text is written.

Live rows render in `save()` (see `quizzes.models.render_html`); this module covers what
`save()` does not: revisions, whose HTML is copied from the rows when they are taken, and
re-rendering everything after the renderer or its allow-list changes (`manage.py
rerender`, and the migration that introduced stored HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from quizzes.models import MARKDOWN_FIELDS
from quizzes.rendering import render_for_storage

BATCH = 500


def with_html(content: dict[str, Any]) -> dict[str, Any]:
    """Revision content with the HTML of each text rendered from the content's own source,
    so that a revision keeps showing exactly what it recorded."""
    content["description_html"] = render_for_storage(content.get("description", ""))
    for question in content["questions"]:
        question["text_html"] = render_for_storage(question["text"])
        question["explanation_html"] = render_for_storage(question.get("explanation", ""))
        for option in question["options"]:
            option["text_html"] = render_for_storage(option["text"], inline=True)
            option["feedback_html"] = render_for_storage(option.get("feedback", ""))
    return content


def rerender(models: dict[str, Any], progress: Callable[[str, int], None] | None = None) -> None:
    """Re-render every stored text: `models` maps "Quiz", "Question", "Option" and
    "QuizRevision" to model classes (historical ones in a migration)."""
    for name, all_fields in MARKDOWN_FIELDS.items():
        # A migration's historical model may predate some of today's fields.
        present = {field.name for field in models[name]._meta.get_fields()}
        fields = {field: inline for field, inline in all_fields.items() if field in present}
        html_fields = [f"{field}_html" for field in fields]
        for batch in _batches(models[name].objects.order_by("pk")):
            for row in batch:
                for field, inline in fields.items():
                    html = render_for_storage(getattr(row, field), inline=inline)
                    setattr(row, f"{field}_html", html)
            models[name].objects.bulk_update(batch, html_fields)
            if progress:
                progress(name, len(batch))
    revisions = models["QuizRevision"]
    # A migration's historical revision may predate the version the page caches key on.
    versioned = "html_version" in {field.name for field in revisions._meta.get_fields()}
    for batch in _batches(revisions.objects.order_by("pk")):
        for revision in batch:
            revision.content = with_html(revision.content)
            if versioned:
                revision.html_version += 1
        revisions.objects.bulk_update(
            batch, ["content", "html_version"] if versioned else ["content"]
        )
        if progress:
            progress("QuizRevision", len(batch))


def _batches(queryset) -> Iterator[list]:
    batch = []
    for row in queryset.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
