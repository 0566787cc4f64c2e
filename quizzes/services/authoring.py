"""Authoring actions on whole quizzes: duplicating, publishing and unpublishing."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.models import Option, Question, Quiz, Section


def _free_slug(base: str) -> str:
    base = base[:190]
    taken = set(Quiz.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _free_title(title: str) -> str:
    """The title with "(copy)" in the current language, numbered when a copy has it already:
    lists and dropdowns that name quizzes by title must tell a copy from its original."""
    max_length = Quiz._meta.get_field("title").max_length or 200
    number = 1
    while True:
        if number == 1:
            candidate = _("%(title)s (copy)") % {"title": title}
        else:
            candidate = _("%(title)s (copy %(number)s)") % {"title": title, "number": number}
        if len(candidate) > max_length:  # shorten the original's title, keep the mark
            shorter = title[: len(title) - (len(candidate) - max_length)]
            candidate = candidate.replace(title, shorter.rstrip(), 1)
        if not Quiz.objects.filter(title=candidate).exists():
            return candidate
        number += 1


@transaction.atomic
def duplicate_quiz(*, quiz: Quiz) -> Quiz:
    """Copy a quiz with its questions and options, unpublished, under a new "-copy" slug
    and a title marked as a copy.

    Attempts, invites and revisions stay with the original: the copy starts clean. So does
    its close date, which belongs to the original's cohort (a past one would close the copy
    the moment it is published).
    """
    copy = Quiz.objects.get(pk=quiz.pk)
    copy.pk = None
    copy.slug = _free_slug(f"{quiz.slug}-copy")
    copy.title = _free_title(quiz.title)
    copy.published = False
    copy.closes_at = None
    copy.save()
    # The sections with their draw rules; the copied questions go to the copied sections.
    sections = list(quiz.sections.order_by("order", "id"))
    originals_of = {section.pk: section for section in sections}
    for section in sections:
        section.pk = None
        section.quiz = copy
    Section.objects.bulk_create(sections)
    questions = list(quiz.questions.prefetch_related("options").order_by("position", "id"))
    originals = [list(question.options.all()) for question in questions]
    for question in questions:
        question.pk = None
        question.quiz = copy
        # The copy is the new quiz's own: it would be drawn twice from the original's bank.
        question.bank = None
        question.section = originals_of.get(question.section_id or 0)
    Question.objects.bulk_create(questions)
    options = []
    for question, question_options in zip(questions, originals, strict=True):
        for option in question_options:
            option.pk = None
            option.question = question
            options.append(option)
    Option.objects.bulk_create(options)
    return copy


def set_quizzes_published(*, quizzes: Iterable[Quiz], published: bool) -> int:
    """Publish or unpublish quizzes; returns how many changed."""
    return (
        Quiz.objects.filter(pk__in=[quiz.pk for quiz in quizzes])
        .exclude(published=published)
        .update(published=published, updated_at=timezone.now())
    )
