"""Quizzes, their questions and options, and the attempts candidates make.

Attempts never point at live questions or options. When an attempt starts it is tied
to a QuizRevision: an immutable JSON record of the quiz content exactly as presented
(texts, verdicts, explanations, points, strategies). Identical content shares one
revision, so a cohort of a thousand candidates costs one record, not a thousand.
Authors can then edit, reorder or delete questions freely: reviews and scores of
existing attempts read from the revision and cannot change, except through an
explicit, audited regrade (see services.regrade.regrade_quiz_attempts).
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from quizzes import answers
from quizzes.grading import Kind, Strategy, Verdict
from quizzes.opaque import Tokens
from quizzes.rendering import render_for_storage, validate_inline_markdown, validate_markdown
from quizzes.text import unclosed_fence

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Answers that arrive this long after an attempt's deadline are still accepted: the network
# and the candidate's clock are not perfect, and the countdown auto-submits at zero.
DEADLINE_GRACE = timedelta(seconds=30)

STRATEGY_CHOICES = [
    (Strategy.PARTIAL.value, _("Partial credit (Moodle style)")),
    (Strategy.ALL_OR_NOTHING.value, _("All or nothing")),
    (Strategy.PER_OPTION.value, _("Per option")),
]


# The markdown fields of each model and whether they are rendered inline (no paragraphs).
MARKDOWN_FIELDS: dict[str, dict[str, bool]] = {
    "Quiz": {"description": False, "invitation_message": False},
    "Question": {"text": False, "explanation": False},
    "Option": {"text": True, "feedback": False},
}


def render_html(instance: models.Model, update_fields=None):
    """Store the HTML of the instance's markdown fields (rendered at write time, once).

    Bulk writes skip `save()`, so the services that use them call this first. Returns the
    `update_fields` to save: the HTML of every markdown field they name is added.
    """
    fields = MARKDOWN_FIELDS[type(instance).__name__]
    named = None if update_fields is None else set(update_fields)
    for name, inline in fields.items():
        if named is None or name in named:
            setattr(
                instance, f"{name}_html", render_for_storage(getattr(instance, name), inline=inline)
            )
            if named is not None:
                named.add(f"{name}_html")
    return update_fields if named is None else sorted(named)


class RenderingQuerySet(models.QuerySet):
    """`bulk_create` skips `save()`; rows created in bulk get their missing HTML here."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            fields = MARKDOWN_FIELDS[type(obj).__name__]
            if any(getattr(obj, name) and not getattr(obj, f"{name}_html") for name in fields):
                render_html(obj)
        return super().bulk_create(objs, *args, **kwargs)


class Quiz(models.Model):
    class ReviewPolicy(models.TextChoices):
        """What a candidate sees of a finished attempt; each shows all of the one above it."""

        THANK_YOU = "thanks", _("Thank-you message only")
        SCORE = "score", _("Score only")
        CORRECTNESS = "correctness", _("Score and per-question correctness")
        FULL = "full", _("Full review with verdicts and explanations")

        @property
        def shows_score(self) -> bool:
            """The total score (every policy but the thank-you message)."""
            return self is not Quiz.ReviewPolicy.THANK_YOU

        @property
        def shows_correctness(self) -> bool:
            """Each question with the points it earned."""
            return self in {Quiz.ReviewPolicy.CORRECTNESS, Quiz.ReviewPolicy.FULL}

        @property
        def shows_verdicts(self) -> bool:
            """Every option's verdict and feedback, and the questions' explanations."""
            return self is Quiz.ReviewPolicy.FULL

    class Access(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can start from the home page")
        INVITE = "invite", _("Invite only")

    class Navigation(models.TextChoices):
        ALL = "all", _("All questions on one page")
        PAGED = "paged", _("One question per page")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown."), validators=[validate_markdown]
    )
    # Rendered when saved, so that no candidate page runs the markdown renderer.
    description_html = models.TextField(editable=False, blank=True, default="")
    published = models.BooleanField(_("published"), default=False)
    practice = models.BooleanField(
        _("practice quiz"),
        default=False,
        help_text=_(
            "For self-study: public, unlimited attempts, the full review right after the "
            "attempt. Access and review are set to match; never use it for hiring."
        ),
    )
    access = models.CharField(
        _("access"), max_length=16, choices=Access.choices, default=Access.INVITE
    )
    grading_strategy = models.CharField(
        _("grading strategy for multiple choice"),
        max_length=20,
        choices=STRATEGY_CHOICES,
        default=Strategy.PARTIAL,
    )
    pass_mark = models.DecimalField(
        _("pass mark, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    time_limit = models.DurationField(_("time limit"), null=True, blank=True)
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. From then on no attempt starts, attempts in progress end (their "
            "countdown runs to this moment at the latest), and candidates see the review "
            "chosen for after the close."
        ),
    )
    navigation = models.CharField(
        _("navigation"), max_length=16, choices=Navigation.choices, default=Navigation.ALL
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=False)
    # What candidates see of their finished attempt, as Moodle's review options: one choice
    # for while the quiz is open, one for after it closes. Without a close date the first
    # applies for good. By default answers stay hidden until the whole cohort is done.
    review_after_attempt = models.CharField(
        _("review right after the attempt"),
        max_length=16,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.THANK_YOU,
    )
    review_after_close = models.CharField(
        _("review after the quiz closes"),
        max_length=16,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.FULL,
    )
    attempts_allowed = models.PositiveIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        default=1,
        help_text=_(
            "Per candidate, recognised by invite, email and browser together. "
            "0 or empty: unlimited."
        ),
    )
    invitation_message = models.TextField(
        _("invitation message"),
        blank=True,
        help_text=_("Markdown. Added to the invitation emails of this quiz."),
        validators=[validate_markdown],
    )
    invitation_message_html = models.TextField(editable=False, blank=True, default="")
    reminder_before = models.DurationField(
        _("reminder before expiry"),
        null=True,
        blank=True,
        default=timedelta(hours=24),
        help_text=_(
            "An unused personal invite gets one reminder this long before its link "
            "expires. 0 or empty: no reminders."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]
        constraints = [
            # What "practice" promises is stored in the fields everything else reads, so no
            # page can forget to ask for it.
            models.CheckConstraint(
                condition=Q(practice=False)
                | Q(access="public", review_after_attempt="full", review_after_close="full"),
                name="practice_quiz_is_public_with_full_review",
                violation_error_message=_(
                    "A practice quiz is public and shows the full review right after the attempt."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        kwargs["update_fields"] = render_html(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("quizzes:quiz_detail", kwargs={"slug": self.slug})

    def set_practice(self) -> None:
        """Make this a practice quiz: public, with the full review at once (see `practice`)."""
        self.practice = True
        self.access = self.Access.PUBLIC
        self.review_after_attempt = self.ReviewPolicy.FULL
        self.review_after_close = self.ReviewPolicy.FULL

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at

    def review_shown(self, now: datetime | None = None) -> Quiz.ReviewPolicy:
        """What a candidate sees of a finished attempt at `now` (default: this moment).

        The review for after the close waits out the deadline grace too: attempts end at
        the close at the latest, but their last answers may still arrive in the grace.
        """
        now = now or timezone.now()
        closed = self.closes_at is not None and now >= self.closes_at + DEADLINE_GRACE
        return self._policy(self.review_after_close if closed else self.review_after_attempt)

    def review_later(self, now: datetime | None = None) -> Quiz.ReviewPolicy | None:
        """The review the close will bring, when it is still ahead and shows more than now."""
        now = now or timezone.now()
        if self.closes_at is None or now >= self.closes_at + DEADLINE_GRACE:
            return None
        later, order = self._policy(self.review_after_close), list(self.ReviewPolicy)
        return later if order.index(later) > order.index(self.review_shown(now)) else None

    @classmethod
    def _policy(cls, value: str) -> Quiz.ReviewPolicy:
        # An unknown stored value shows nothing beyond the thank-you.
        try:
            return cls.ReviewPolicy(value)
        except ValueError:
            return cls.ReviewPolicy.THANK_YOU

    @property
    def limits_attempts(self) -> bool:
        """Whether candidates have a number of attempts (a practice quiz has no limit)."""
        return bool(self.attempts_allowed) and not self.practice

    @property
    def lets_anyone_collect_answers(self) -> bool:
        """Anyone may start it and sees which answers are right straight after the attempt.

        A visitor could then submit empty attempts under new names and read the answer key:
        what a practice quiz is for, a leak for a hiring test.
        """
        return (
            not self.practice
            and self.access == self.Access.PUBLIC
            and self._policy(self.review_after_attempt).shows_correctness
        )


class QuestionBank(models.Model):
    """Questions that quizzes draw from at random; one bank can serve several quizzes."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    """A label within one bank that a section may restrict its draw to."""

    bank = models.ForeignKey(
        QuestionBank, on_delete=models.CASCADE, related_name="tags", verbose_name=_("bank")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["bank", "name"]
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return f"{self.bank}: {self.name}"


class Section(models.Model):
    """A part of a quiz: its own fixed questions, or K questions drawn from a bank at start.

    A fixed section presents the quiz's questions assigned to it (questions assigned to no
    section belong to the first fixed section). A drawn section presents `draw_count`
    questions drawn uniformly from the bank's published, non-retired questions (with the
    tag, when one is set); the draw is made when an attempt starts and kept in its revision.
    """

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="sections", verbose_name=_("quiz")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200, blank=True)
    bank = models.ForeignKey(
        QuestionBank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("draw from bank"),
        help_text=_("Empty: the section presents its fixed questions."),
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("only with tag"),
    )
    draw_count = models.PositiveIntegerField(
        _("questions to draw"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["quiz", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bank__isnull=True, tag__isnull=True, draw_count__isnull=True)
                | Q(bank__isnull=False, draw_count__gte=1),
                name="section_fixed_or_drawn",
                violation_error_message=_(
                    "A section either draws a number of questions from a bank or has none of "
                    "the draw settings."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Section %(number)s") % {"number": self.order + 1})

    @property
    def is_drawn(self) -> bool:
        return self.bank_id is not None


class Question(models.Model):
    # The quiz that presents this question in a fixed section; empty for a question that
    # only lives in a bank and reaches candidates through draws.
    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("quiz"),
        null=True,
        blank=True,
    )
    bank = models.ForeignKey(
        QuestionBank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("bank"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fixed_questions",
        verbose_name=_("section"),
        help_text=_("Empty: the quiz's first fixed section."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions", verbose_name=_("tags"))
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("Retired questions are no longer drawn; past attempts keep them."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("text"), help_text=_("Markdown."), validators=[validate_markdown])
    text_html = models.TextField(editable=False, blank=True, default="")
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=[
            (Kind.SINGLE.value, _("Single choice")),
            (Kind.MULTIPLE.value, _("Multiple choice")),
        ],
        default=Kind.SINGLE,
    )
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Markdown."), validators=[validate_markdown]
    )
    explanation_html = models.TextField(editable=False, blank=True, default="")
    points = models.DecimalField(
        _("points"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    partial_fraction = models.DecimalField(
        _("credit for a ⚠️ answer (single choice)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    grading_strategy = models.CharField(
        _("grading strategy override"),
        max_length=20,
        choices=STRATEGY_CHOICES,
        blank=True,
        help_text=_("Empty: use the quiz's strategy."),
    )
    published = models.BooleanField(
        _("published"), default=True, help_text=_("Drafts are not shown to candidates.")
    )

    objects = RenderingQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["quiz", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "position"],
                name="question_unique_position",
            ),
        ]

    def __str__(self) -> str:
        first_line = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"{self.position}. {first_line.strip('*# ')[:80]}"

    def save(self, *args, **kwargs) -> None:
        kwargs["update_fields"] = render_html(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": _("The question text cannot be empty.")})

    def check_options(self, options) -> None:
        """Raise ValidationError unless `options` (text, verdict) make a gradable question.

        Only published questions are checked: a draft (for example a task-list question
        imported without any [x]) may be incomplete until an author finishes it.
        """
        if not self.published:
            return
        errors = option_set_errors(self.kind, list(options))
        if errors:
            raise ValidationError(errors)


def option_set_errors(kind: str, options: list[tuple[str, str]]) -> list[StrOrPromise]:
    """Why `options` (text, verdict) cannot be published with this kind; empty when fine."""
    errors: list[StrOrPromise] = []
    if len(options) < 2:
        errors.append(_("A question needs at least two options."))
    if any(not text.strip() for text, _verdict in options):
        errors.append(_("Option text cannot be empty."))
    correct = sum(verdict == Verdict.CORRECT for _text, verdict in options)
    if kind == Kind.SINGLE and correct != 1:
        errors.append(
            _(
                "A single-choice question needs exactly one ✅ correct option "
                "(⚠️ options are allowed besides it); this one has %(count)d."
            )
            % {"count": correct}
        )
    if kind == Kind.MULTIPLE and correct < 1:
        errors.append(_("A multiple-choice question needs at least one ✅ correct option."))
    return errors


def unclosed_fence_message(text: str) -> str | None:
    """The refusal of a text with a code block it never closes, or None.

    A page would show it (the block runs to the end), but no file format can carry it, and
    export must take whatever the admin and the importer stored.
    """
    if (unclosed := unclosed_fence(text)) is None:
        return None
    line, fence = unclosed
    return _(
        "Line %(line)s opens a code block that is never closed: add a line %(fence)s after "
        "the code."
    ) % {"line": line, "fence": fence}


def too_many_questions(count: int) -> str | None:
    """The refusal of a quiz with `count` questions, or None within QUIZ_MAX_QUESTIONS."""
    if count <= settings.QUIZ_MAX_QUESTIONS:
        return None
    return _("Too many questions: %(count)d, the limit is %(limit)d.") % {
        "count": count,
        "limit": settings.QUIZ_MAX_QUESTIONS,
    }


def too_many_options(count: int) -> str | None:
    """The refusal of a question with `count` options, or None within QUESTION_MAX_OPTIONS."""
    if count <= settings.QUESTION_MAX_OPTIONS:
        return None
    return _("Too many options: %(count)d, the limit is %(limit)d.") % {
        "count": count,
        "limit": settings.QUESTION_MAX_OPTIONS,
    }


def quiz_size_errors(option_counts: list[int]) -> list[str]:
    """Why a quiz whose questions have these numbers of options is too large; [] if not.

    Within both limits every quiz can be answered on one page: the settings derive the
    form limits (DATA_UPLOAD_MAX_NUMBER_FIELDS, ..._MEMORY_SIZE) from them.
    """
    errors = [message] if (message := too_many_questions(len(option_counts))) else []
    crowded = [n for n, count in enumerate(option_counts, 1) if too_many_options(count)]
    if crowded:
        shown = ", ".join(map(str, crowded[:10])) + (", …" if len(crowded) > 10 else "")
        errors.append(
            _("Too many options in questions %(numbers)s: the limit is %(limit)d per question.")
            % {"numbers": shown, "limit": settings.QUESTION_MAX_OPTIONS}
        )
    return errors


class Option(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(
        _("text"), help_text=_("Markdown."), validators=[validate_inline_markdown]
    )
    text_html = models.TextField(editable=False, blank=True, default="")
    verdict = models.CharField(
        _("verdict"),
        max_length=16,
        choices=[
            (Verdict.CORRECT.value, _("✅ correct")),
            (Verdict.INCORRECT.value, _("❌ wrong")),
            (Verdict.PARTIAL.value, _("⚠️ acceptable with a caveat")),
        ],
        default=Verdict.INCORRECT,
    )
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("Markdown."), validators=[validate_markdown]
    )
    feedback_html = models.TextField(editable=False, blank=True, default="")

    objects = RenderingQuerySet.as_manager()

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"],
                name="option_unique_position",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs) -> None:
        kwargs["update_fields"] = render_html(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": _("Option text cannot be empty.")})


class QuizRevision(models.Model):
    """Immutable content of a quiz as candidates were shown it (see module docstring)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="revisions")
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    # Raised whenever the stored HTML is rendered again (manage.py rerender): the attempt
    # page's cached markup is keyed by it, as the content hash ignores the HTML.
    html_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quiz revision")
        verbose_name_plural = _("quiz revisions")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "content_hash"], name="revision_unique_hash")
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}@{self.content_hash[:8]}"


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


# What new_invite_token makes (URL-safe base64) within the column's length.
INVITE_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Invite(models.Model):
    """A link to an invite-only quiz.

    Personal: for one candidate, named by email; the link resumes their open attempt on any
    device. Shared (a cohort link): names nobody; each person gives a name and email and
    gets an attempt of their own, which only the browser that started it can open.
    """

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal: one named candidate")
        SHARED = "shared", _("Shared: each person gives a name and email")

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="invites", verbose_name=_("quiz")
    )
    token = models.CharField(max_length=64, unique=True, default=new_invite_token, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_("For staff only: whom or which channel the link is for."),
    )
    candidate_name = models.CharField(_("candidate name"), max_length=200, blank=True)
    candidate_email = models.EmailField(_("candidate email"), blank=True)
    max_uses = models.PositiveIntegerField(_("allowed uses"), default=1)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    language = models.CharField(
        _("email language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ru",
        help_text=_("The language of the emails the candidate gets."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invite")
        verbose_name_plural = _("invites")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")), name="invite_uses_within_limit"
            ),
            # Attempts of a personal invite all carry its email, which makes the attempts'
            # one-open-attempt constraint mean "one per personal invite".
            models.CheckConstraint(
                condition=(Q(kind="personal") & ~Q(candidate_email=""))
                | Q(kind="shared", candidate_name="", candidate_email=""),
                name="invite_kind_names_candidate",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.candidate_email or self.candidate_name or self.token[:8]

    def get_absolute_url(self) -> str:
        return reverse("quizzes:invite", kwargs={"token": self.token})

    def clean(self):
        if self.kind == self.Kind.PERSONAL and not self.candidate_email:
            raise ValidationError(
                {"candidate_email": _("A personal invite needs the candidate's email.")}
            )
        if self.kind == self.Kind.SHARED and (self.candidate_name or self.candidate_email):
            raise ValidationError(
                _(
                    "A shared invite names nobody: leave the candidate's name and email "
                    "empty (each person gives their own), or make the invite personal."
                )
            )

    @property
    def is_personal(self) -> bool:
        return self.kind == self.Kind.PERSONAL

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    def unavailable_reason(self, now=None) -> str | None:
        """Why the invite cannot start a new attempt ("closed", "expired", "used_up"), or None."""
        if self.quiz.is_closed(now):
            return "closed"
        if self.is_expired(now):
            return "expired"
        if self.uses >= self.max_uses:
            return "used_up"
        return None


# The list's sort key for scores; the same expression as the indexes below so they are used.
SCORE_SORT_KEY = Coalesce(F("percent"), Value(-1.0))

# Attempts that finished at or after their deadline (Attempt.time_ran_out), for queries.
TIME_RAN_OUT = Q(deadline__isnull=False, submitted_at__gte=F("deadline"))


# An autosave's sequence number is the page's clock in milliseconds (server time, see
# static/quizzes/attempt.js), so the newest save wins across tabs and devices. It is
# bounded so that no client can put it where later saves cannot follow: browsers count
# exactly only up to 2**53 - 1, and a save may run at most SAVE_SEQ_LEAD_MS ahead of the
# server clock or of the last accepted number (a page also resumes from that number).
MAX_SAVE_SEQ = answers.MAX_SAVE_SEQ
SAVE_SEQ_LEAD_MS = 60 * 60 * 1000


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        # Closed by the server (time ran out) with whatever answers were saved.
        CLOSED = "closed", _("Closed without submit")

    class HiringStatus(models.TextChoices):
        """Where the recruiters' decision about the candidate stands (HiringStatusChange)."""

        NEW = "new", pgettext_lazy("hiring status", "New")
        SHORTLISTED = "shortlisted", pgettext_lazy("hiring status", "Shortlisted")
        ON_HOLD = "on_hold", pgettext_lazy("hiring status", "On hold")
        REJECTED = "rejected", pgettext_lazy("hiring status", "Rejected")
        HIRED = "hired", pgettext_lazy("hiring status", "Hired")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz")
    )
    revision = models.ForeignKey(
        QuizRevision,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("quiz version"),
    )
    invite = models.ForeignKey(
        Invite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
        verbose_name=_("invite"),
    )
    candidate_name = models.CharField(_("candidate name"), max_length=200)
    candidate_email = models.EmailField(_("candidate email"))
    # A hash of the id cookie of the browser that started the attempt (views/browser.py):
    # recognises the candidate's browser for attempts allowed and shared links.
    # A database default too, so bulk loads that do not know the column (bench/seed.py's
    # COPY) still insert rows.
    browser = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.IN_PROGRESS
    )
    # The order drawn for this attempt: {"questions": [qid, ...], "options": {"qid": [oid, ...]}}.
    layout = models.JSONField(default=dict)
    # The random key the attempt page's question and option tokens derive from
    # (quizzes/opaque.py). Empty for attempts started before tokens: they keep ids.
    token_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=4, null=True, blank=True)
    max_score = models.DecimalField(_("max score"), max_digits=10, decimal_places=4, default=0)
    # The sum of the answers' stored points, overrides replacing computed points: what item
    # statistics add up per attempt, kept at submit, regrade and override so they need no
    # window over every answer row. Each answer's points are rounded to 0.0001 on their own,
    # so this may differ from `score` (the exact sum, rounded once) in the last digit.
    # NULL while the attempt is open.
    marks_total = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True, editable=False
    )
    # Highest autosave sequence number accepted, so a stale save never wins.
    save_seq = models.BigIntegerField(default=0)
    # Integrity signals: recorded, never acted upon automatically.
    focus_lost_count = models.PositiveIntegerField(_("times focus was lost"), default=0)
    hidden_count = models.PositiveIntegerField(_("times the page was hidden"), default=0)
    copy_count = models.PositiveIntegerField(_("copy events"), default=0)
    paste_count = models.PositiveIntegerField(_("paste events"), default=0)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # Changed only through services.hiring, which records who and when. A database default
    # too, like `browser`, for bulk loads that do not know the column.
    hiring_status = models.CharField(
        _("hiring status"),
        max_length=16,
        choices=HiringStatus.choices,
        default=HiringStatus.NEW,
        db_default=HiringStatus.NEW,
    )
    # Score as a percentage of the maximum, kept by the database itself whenever score or
    # max_score change (submit, regrade, override), so the recruiters' list can filter and
    # sort by it through an index. NULL while ungraded or when the quiz has no points.
    # Floats: SQLite keeps whole decimals as integers and would divide them as integers.
    percent = models.GeneratedField(
        expression=Case(
            When(
                max_score__gt=0,
                score__isnull=False,
                then=Cast("score", models.FloatField())
                * Value(100.0)
                / Cast("max_score", models.FloatField()),
            ),
            default=None,
            output_field=models.FloatField(),
        ),
        output_field=models.FloatField(null=True),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at"]
        constraints = [
            # One open attempt per person on an invite: on a personal invite that is one in
            # all (see Invite), on a shared one one per email.
            models.UniqueConstraint(
                F("invite"),
                Lower("candidate_email"),
                condition=Q(state="in_progress"),
                name="one_open_attempt_per_invitee",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="attempt_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "state", "-started_at"]),
            # The recruiters' list: newest first, all quizzes or one (ties broken by id).
            models.Index(fields=["-started_at", "-id"], name="attempt_newest_idx"),
            models.Index(fields=["quiz", "-started_at", "-id"], name="attempt_quiz_newest_idx"),
            # Sorting by score: ungraded attempts (NULL) sort as -1, i.e. last when best
            # first; an expression because SQLite indexes take no NULLS FIRST/LAST.
            models.Index(SCORE_SORT_KEY, F("id"), name="attempt_score_idx"),
            models.Index(F("quiz"), SCORE_SORT_KEY, F("id"), name="attempt_quiz_score_idx"),
            # A candidate's attempts of a quiz, by email or browser (attempts allowed).
            models.Index(F("quiz"), Lower("candidate_email"), name="attempt_quiz_email_idx"),
            models.Index(fields=["quiz", "browser"], name="attempt_quiz_browser_idx"),
            # The list filtered by hiring status (few are hired among many new), newest first.
            models.Index(fields=["hiring_status", "-started_at", "-id"], name="attempt_hiring_idx"),
        ]
        permissions = [
            ("override_score", _("Can override a question's score")),
            # Moves finished attempts to new scores; a dry run of the counts needs only
            # the right to edit quizzes (see QuizAdmin.regrade_attempts).
            ("regrade_attempts", _("Can regrade attempts with the current verdicts")),
            # A hiring decision, not a note on the test: a permission of its own.
            ("set_hiring_status", _("Can change an attempt's hiring status")),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_name} — {self.quiz_id}"

    def get_absolute_url(self) -> str:
        return reverse("quizzes:attempt", kwargs={"public_id": self.public_id})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @cached_property
    def tokens(self) -> Tokens:
        """What the attempt page calls this attempt's questions and options."""
        return Tokens(self.token_key)

    @property
    def duration(self):
        if self.submitted_at is None:
            return None
        return self.submitted_at - self.started_at

    @property
    def time_ran_out(self) -> bool:
        """Finished at or after its deadline: the countdown's own submit, or closed overdue.

        The page's countdown submits only once the deadline has passed (static/quizzes/
        attempt.js counts from the server's remaining milliseconds), so its submit arrives
        after it, within DEADLINE_GRACE; an attempt closed for being overdue ends at the
        grace's end. A candidate's own submit before the deadline is not a time-up.
        The same condition for queries: TIME_RAN_OUT.
        """
        return (
            self.deadline is not None
            and self.submitted_at is not None
            and self.submitted_at >= self.deadline
        )

    @property
    def percentage(self) -> Decimal | None:
        if self.score is None or not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(Decimal("0.01"))

    def passed(self) -> bool | None:
        if self.percentage is None or self.quiz.pass_mark is None:
            return None
        return self.percentage >= self.quiz.pass_mark

    def get_outcome_display(self) -> StrOrPromise:
        """The state as recruiters read it: "Time ran out" rather than just "Submitted"."""
        if self.time_ran_out:
            return _("Time ran out")
        return self.get_state_display()


class Answer(models.Model):
    """The candidate's choice on one question of an attempt.

    Questions and options are referred to by their ids in the attempt's revision, not by
    foreign keys, so deleting content never touches answers.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.BigIntegerField(_("question ID"))
    selected = models.JSONField(_("chosen options"), default=list)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    time_spent = models.PositiveIntegerField(_("seconds spent"), default=0)
    fraction = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    points = models.DecimalField(
        _("points"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    # A recruiter's manual override, audited in ScoreChange.
    override_points = models.DecimalField(
        _("points set by hand"), max_digits=10, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_id"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"

    @property
    def effective_points(self) -> Decimal | None:
        return self.override_points if self.override_points is not None else self.points


class ScoreChange(models.Model):
    """Audit trail of every change to a graded attempt's score after submission."""

    class Kind(models.TextChoices):
        REGRADE = "regrade", _("Regrade")
        OVERRIDE = "override", _("Manual override")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="score_changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    question_id = models.BigIntegerField(null=True, blank=True)
    old_score = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    new_score = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Whether `questions` lists every question whose points moved. False for regrades made
    # before per-question points were recorded: their totals are all that is known.
    itemized = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.old_score} → {self.new_score}"


class QuestionScoreChange(models.Model):
    """One question's points before and after a ScoreChange.

    An override moves one question; a regrade lists every question whose points moved (a
    question a recruiter overrode keeps its points, so a regrade does not list it).
    """

    change = models.ForeignKey(ScoreChange, on_delete=models.CASCADE, related_name="questions")
    question_id = models.BigIntegerField()
    old_points = models.DecimalField(max_digits=10, decimal_places=4)
    new_points = models.DecimalField(max_digits=10, decimal_places=4)

    class Meta:
        verbose_name = _("question score change")
        verbose_name_plural = _("question score changes")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.old_points} → {self.new_points}"


class HiringStatusChange(models.Model):
    """Audit trail of an attempt's hiring status: who moved it from what to what, and when."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=16, choices=Attempt.HiringStatus.choices)
    new_status = models.CharField(max_length=16, choices=Attempt.HiringStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hiring status change")
        verbose_name_plural = _("hiring status changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.old_status} → {self.new_status}"


class AttemptNote(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class AttemptGrant(models.Model):
    """One more attempt a recruiter allowed the candidate who made `attempt` (audited)."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="grants", verbose_name=_("attempt")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("extra attempt")
        verbose_name_plural = _("extra attempts")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"+1 {self.attempt_id}"


class OutboundEmail(models.Model):
    """One email to send, kept as sent: the outbox the task queue delivers from.

    Rows are written in the transaction that makes the email due (an invite, a submit), so
    nothing is sent for work that rolled back and nothing is lost when the queue is; the
    queue only says "deliver now". A worker claims a row before it talks to the server,
    so two workers never send one row. Sending is at most once: a worker that stopped
    mid-send leaves the row "sending", which is reported as unknown, never sent again by
    itself (services.mail).
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        NOTIFICATION = "notification", _("Attempt finished")
        DIGEST = "digest", _("Daily digest")
        CODE = "code", _("One-time code")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # The Message-ID header, fixed when the row is written: a copy that reaches the
    # recipient twice (a resend) is recognisably one message.
    message_id = models.CharField(_("message ID"), max_length=200, unique=True, editable=False)
    # Whatever must be emailed once only (a reminder, a notification) names itself here.
    once_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    invite = models.ForeignKey(
        Invite,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("invite"),
    )
    attempt = models.ForeignKey(
        Attempt,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("attempt"),
    )
    # Who asked for it (None: the site itself, e.g. a reminder): invitations count against
    # their sender's hourly allowance (settings.INVITATION_EMAILS_PER_HOUR).
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("queued by"),
    )
    state = models.CharField(
        _("delivery"), max_length=16, choices=State.choices, default=State.QUEUED
    )
    tries = models.PositiveIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(_("next try"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["next_try_at"], name="email_due", condition=Q(state="queued")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"


class NotificationPreference(models.Model):
    """Whether a recruiter is emailed about finished attempts: each one, a daily digest, or not.

    Only whoever may view attempts at the time of sending gets one (services.notifications).
    """

    class Mode(models.TextChoices):
        OFF = "off", _("No emails")
        EACH = "each", _("An email for each finished attempt")
        DAILY = "daily", _("One daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    mode = models.CharField(_("emails"), max_length=8, choices=Mode.choices, default=Mode.OFF)
    language = models.CharField(
        _("language of the emails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} → {self.mode}"


class ResumeCode(models.Model):
    """A one-time code that lets another browser continue an open attempt.

    Only a keyed hash of the code is kept. The newest code of an attempt is the only one
    that works, for a few minutes and a few tries (services.resume_codes).
    """

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="resume_codes", verbose_name=_("attempt")
    )
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["attempt", "-created_at"], name="resume_code_newest")]

    def __str__(self) -> str:
        return f"{self.attempt_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the JSON API (quizzes/api), acting for its user within its scopes.

    Only a SHA-256 of the secret is stored: the token is 32 random bytes, so a plain hash
    cannot be reversed by guessing, and lookups stay one indexed read. The prefix (the
    token's first characters) is kept in clear so people can tell their tokens apart.
    """

    class Scope(models.TextChoices):
        QUIZZES_READ = "quizzes:read", _("Read quizzes")
        INVITES_WRITE = "invites:write", _("Create and read invites")
        ATTEMPTS_READ = "attempts:read", _("Read attempts and their answers")
        WEBHOOKS_WRITE = "webhooks:write", _("Manage webhooks")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and not self.is_expired(now)


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for an invite request, per token: a retry gets the result.

    The unique constraint makes two concurrent requests with one key create one result:
    the second insert fails and that request reads the first one's row.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    # A hash of the request's method, path and body: the same key with another request is
    # refused rather than answered with an unrelated result.
    request_hash = models.CharField(max_length=64)
    invites = models.ManyToManyField(Invite, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_per_token")
        ]

    def __str__(self) -> str:
        return self.key


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives signed event deliveries (services.webhooks).

    The secret is kept as given, not hashed: each delivery is signed with it.
    """

    url = models.URLField(_("URL"), max_length=2000)
    secret = models.CharField(_("secret"), max_length=200, default=new_webhook_secret)
    # A list of event names from quizzes.webhooks.EVENTS.
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # invite.expired covers invites whose expiry passed after this moment: the periodic
    # run moves it forward, so each expiry is found once and none before the endpoint.
    invites_checked_until = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def masked_secret(self) -> str:
        return f"…{self.secret[-4:]}" if len(self.secret) > 8 else "…"


class WebhookDelivery(models.Model):
    """One event for one endpoint, tried until the receiver answers 2xx or time runs out.

    The delivery id (X-Quizsite-Delivery) and the payload stay the same across retries and
    redeliveries, so a receiver can recognise a repeat. An event happens once per endpoint
    and object (an attempt, an invite): the unique constraint makes recording it idempotent.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DELIVERING = "delivering", _("Delivering")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=40)
    # What the event is about: an attempt's or an invite's id; a random one for a ping.
    object_id = models.CharField(_("object"), max_length=64)
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True)
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    next_try_at = models.DateTimeField(_("next try"), default=timezone.now)
    retry_until = models.DateTimeField(_("retried until"))
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "object_id"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["next_try_at"], name="webhook_due", condition=Q(state="queued")),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id}"


class WebhookAttempt(models.Model):
    """One try at delivering: what the receiver answered, or why nothing came back."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("delivery"),
    )
    tried_at = models.DateTimeField(_("tried"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The start of the receiver's answer (at most RESPONSE_EXCERPT characters).
    response_excerpt = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["tried_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {timezone.localtime(self.tried_at):%Y-%m-%d %H:%M:%S}"
