"""The role matrix's world and tables: who may run each admin action, open each admin page
of candidate data and each /review/ URL.

tests/security/test_role_matrix.py walks every row for every role and checks the tables
against the URL conf and the registered ModelAdmins, so a new action, review URL or admin
page of candidate data needs a row here before the suite passes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.core import signing
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import load_workbook

from quizzes import formats
from quizzes.admin.importing import IMPORT_SALT
from quizzes.models import (
    ApiToken,
    Attempt,
    AttemptGrant,
    AttemptNote,
    HiringStatusChange,
    Invite,
    NotificationPreference,
    OutboundEmail,
    Question,
    QuestionBank,
    Quiz,
    ScoreChange,
    WebhookDelivery,
    WebhookEndpoint,
)
from quizzes.selectors.authoring import parsed_quiz
from quizzes.services.webhooks import attempt_data
from tests.builders import SEED_LIKE, make_quiz
from tests.review.conftest import finish

# "recruiter_not_staff" is a Recruiter whose staff status was unticked: still in the group.
ROLES = ("anonymous", "recruiter_not_staff", "staff", "author", "recruiter", "superuser")
# Sent to the login page wherever they go.
SIGNED_OUT = frozenset({"anonymous", "recruiter_not_staff"})
# The only roles that may see a candidate's name or email anywhere.
CANDIDATE_READERS = frozenset({"recruiter", "superuser"})
AUTHORS = frozenset({"author", "superuser"})
SUPERUSER = frozenset({"superuser"})
NOBODY: frozenset[str] = frozenset()

SECRET_NAME = "Секретная Кандидатка"
SECRET_EMAIL = "secret.candidate@example.com"
WRONG_THEN_RIGHT = "Он не требует learning rate"


@dataclass
class World:
    quiz: Quiz  # public, with a finished attempt that a regrade would change
    attempt: Attempt
    draft: Quiz  # unpublished, nothing depends on it: may be published, copied, deleted
    draft_question: Question
    invite_quiz: Quiz
    invite: Invite  # names the candidate
    spare_invite: Invite
    email: OutboundEmail  # the invitation to the candidate, failed
    bystander: User
    group: Group
    access_attempt: AccessAttempt
    access_log: AccessLog
    failure_log: AccessFailureLog
    api_token: ApiToken  # the bystander's
    endpoint: WebhookEndpoint
    delivery: WebhookDelivery  # a failed delivery of the attempt, naming the candidate
    bank: QuestionBank  # with a tag and no section drawing from it: may be deleted


def build_world() -> World:
    quiz = make_quiz(title="Права")
    attempt = finish(quiz, {2: [WRONG_THEN_RIGHT]}, name=SECRET_NAME, email=SECRET_EMAIL)
    # The verdict is fixed after the attempt: a regrade would raise its score from 0 to 1.
    quiz.questions.get(position=2).options.filter(text=WRONG_THEN_RIGHT).update(verdict="correct")
    draft = make_quiz(title="Черновик", published=False, questions=SEED_LIKE[:1])
    invite_quiz = make_quiz(title="По приглашению", access=Quiz.Access.INVITE, questions=[])
    bystander = User.objects.create_user("bystander")
    access = {"user_agent": "test", "ip_address": "192.0.2.1", "username": "x", "http_accept": "*"}
    endpoint = WebhookEndpoint.objects.create(
        url="https://ats.example.com/hooks", events=["attempt.submitted"]
    )
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="attempt.submitted",
        object_id=str(attempt.pk),
        payload={"event": "attempt.submitted", "data": attempt_data(attempt)},
        state=WebhookDelivery.State.FAILED,
        tries=3,
        retry_until=now,
    )
    invite = Invite.objects.create(
        quiz=invite_quiz, candidate_name=SECRET_NAME, candidate_email=SECRET_EMAIL
    )
    bank = QuestionBank.objects.create(title="Банк прав", slug="bank-rights")
    bank.tags.create(name="основы")
    return World(
        quiz=quiz,
        attempt=attempt,
        draft=draft,
        draft_question=draft.questions.get(),
        invite_quiz=invite_quiz,
        invite=invite,
        spare_invite=Invite.objects.create(quiz=invite_quiz, candidate_email="spare@example.com"),
        email=OutboundEmail.objects.create(
            kind=OutboundEmail.Kind.INVITATION,
            to=SECRET_EMAIL,
            subject="Приглашение",
            body_text=f"Здравствуйте, {SECRET_NAME}!",
            message_id="<role-matrix@example.com>",
            invite=invite,
            state=OutboundEmail.State.FAILED,
            tries=10,
            last_error="SMTPServerDisconnected: down",
        ),
        bystander=bystander,
        group=Group.objects.create(name="Temporary"),
        access_attempt=AccessAttempt.objects.create(
            **access, path_info="/", get_data="", post_data="", failures_since_start=1
        ),
        access_log=AccessLog.objects.create(**access, path_info="/"),
        failure_log=AccessFailureLog.objects.create(**access, path_info="/"),
        api_token=ApiToken.objects.create(
            user=bystander, name="ATS", prefix="qz_bystand", secret_hash="0" * 64
        ),
        endpoint=endpoint,
        delivery=delivery,
        bank=bank,
    )


@dataclass
class Outcome:
    """What a role got back: the response, its whole body as text, who asked."""

    response: HttpResponse
    text: str
    role: str
    user: User | None
    messages: list[str]
    body: bytes = b""


Check = Callable[[World, Outcome], None]


@dataclass(frozen=True)
class ActionCase:
    model: str  # app_label.ModelName
    action: str
    allowed: frozenset[str]
    selected: Callable[[World], list[int]]
    ran: Check
    extra: dict = field(default_factory=dict)
    variant: str = ""
    # False: even when allowed, the database must stay as it was (previews, downloads).
    writes: bool = True

    @property
    def id(self) -> str:
        return f"{self.model}.{self.action}" + (f"[{self.variant}]" if self.variant else "")


@dataclass(frozen=True)
class PageCase:
    url_name: str
    args: Callable[[World], list]
    allowed: frozenset[str]
    ran: Check
    method: str = "get"
    data: Callable[[World], dict] | None = None
    query: Callable[[World], str] = lambda world: ""
    writes: bool = False

    @property
    def id(self) -> str:
        return f"{self.url_name} {self.method.upper()}"


def shows(*texts: str) -> Check:
    def check(world: World, outcome: Outcome) -> None:
        assert outcome.response.status_code == 200, outcome.text[:300]
        for text in texts:
            assert text in outcome.text, text

    return check


def gone(get_object: Callable[[World], object]) -> Check:
    def check(world: World, outcome: Outcome) -> None:
        obj = get_object(world)
        manager = type(obj)._default_manager
        assert not manager.filter(pk=obj.pk).exists(), outcome.text[:300]

    return check


def _published(world: World, outcome: Outcome) -> None:
    world.draft.refresh_from_db()
    assert world.draft.published and "1 quiz published." in outcome.messages


def _unpublished(world: World, outcome: Outcome) -> None:
    world.quiz.refresh_from_db()
    assert not world.quiz.published and "1 quiz unpublished." in outcome.messages


def _duplicated(world: World, outcome: Outcome) -> None:
    copy = Quiz.objects.get(slug=f"{world.draft.slug}-copy")
    assert not copy.published and copy.questions.count() == 1


def _exported(format: str) -> Check:
    def check(world: World, outcome: Outcome) -> None:
        assert outcome.response.status_code == 200
        disposition = f'attachment; filename="{world.draft.slug}.{format}.md"'
        assert outcome.response["Content-Disposition"] == disposition
        assert world.draft_question.text in outcome.text

    return check


def _regrade_previewed(world: World, outcome: Outcome) -> None:
    assert outcome.response.status_code == 200, outcome.text[:300]
    assert "Attempts that would be regraded" in outcome.text and "<dd>1</dd>" in outcome.text
    # Names and the button only for those who may regrade; the rest get the counts.
    may_regrade = outcome.role in CANDIDATE_READERS
    assert (SECRET_NAME in outcome.text) is may_regrade
    assert ('name="confirm" value="yes"' in outcome.text) is may_regrade


def _regraded(world: World, outcome: Outcome) -> None:
    world.attempt.refresh_from_db()
    assert world.attempt.score == 1
    change = ScoreChange.objects.get(attempt=world.attempt)
    assert (change.kind, change.changed_by) == (ScoreChange.Kind.REGRADE, outcome.user)


def _deletion_blocked_by_attempts(world: World, outcome: Outcome) -> None:
    assert outcome.response.status_code == 200
    assert Quiz.objects.filter(pk=world.quiz.pk).exists()
    if outcome.role == "superuser":
        assert SECRET_NAME in outcome.text  # the attempt blocking the deletion
    else:
        # Without the right to delete attempts, Django names the kind of object, not them.
        assert "Cannot delete quiz" in outcome.text


def _cleaned_up(world: World, outcome: Outcome) -> None:
    # The world's record is fresh, so nothing has expired yet.
    assert outcome.response.status_code == 302
    assert "0 expired failed-login records removed." in outcome.messages


def _token_revoked_by_superuser_only(world: World, outcome: Outcome) -> None:
    # Authors and Recruiters may revoke tokens, but only their own: another user's token
    # is not in their list, so a forged selection of it revokes nothing.
    world.api_token.refresh_from_db()
    assert (world.api_token.revoked_at is not None) is (outcome.role == "superuser")
    expected = "1 token revoked." if outcome.role == "superuser" else "0 tokens revoked."
    assert outcome.messages == [expected], outcome.messages


def _pinged(world: World, outcome: Outcome) -> None:
    ping = WebhookDelivery.objects.get(event="ping")
    assert ping.endpoint == world.endpoint and ping.state == WebhookDelivery.State.QUEUED
    assert "A test event was queued for 1 endpoint." in outcome.messages


def _redelivered(world: World, outcome: Outcome) -> None:
    before = world.delivery.delivery_id
    world.delivery.refresh_from_db()
    assert world.delivery.state == WebhookDelivery.State.QUEUED
    assert world.delivery.delivery_id == before
    assert "1 delivery was queued again." in outcome.messages


def _queued_to(address: str, kind: str) -> None:
    assert OutboundEmail.objects.filter(
        to=address, kind=kind, state=OutboundEmail.State.QUEUED
    ).exists()


def _bank_exported(format: str) -> Check:
    def check(world: World, outcome: Outcome) -> None:
        assert outcome.response.status_code == 200
        disposition = f'attachment; filename="bank-rights.{format}.md"'
        assert outcome.response["Content-Disposition"] == disposition
        assert "# Банк прав" in outcome.text and "<!-- quizsite: question-bank -->" in outcome.text

    return check


def _retired(retired: bool) -> Check:
    def check(world: World, outcome: Outcome) -> None:
        world.draft_question.refresh_from_db()
        assert world.draft_question.retired is retired, outcome.messages

    return check


def _quiz(world: World) -> list[int]:
    return [world.quiz.pk]


def _draft(world: World) -> list[int]:
    return [world.draft.pk]


CONFIRMED = {"post": "yes"}

ACTION_CASES = [
    ActionCase("quizzes.Quiz", "publish", AUTHORS, _draft, _published),
    ActionCase("quizzes.Quiz", "unpublish", AUTHORS, _quiz, _unpublished),
    ActionCase("quizzes.Quiz", "duplicate", AUTHORS, _draft, _duplicated),
    ActionCase(
        "quizzes.Quiz",
        "export_seed",
        AUTHORS | CANDIDATE_READERS,
        _draft,
        _exported(formats.SEED),
        writes=False,
    ),
    ActionCase(
        "quizzes.Quiz",
        "export_tasklist",
        AUTHORS | CANDIDATE_READERS,
        _draft,
        _exported(formats.TASKLIST),
        writes=False,
    ),
    ActionCase(
        "quizzes.Quiz",
        "regrade_attempts",
        AUTHORS | CANDIDATE_READERS,
        _quiz,
        _regrade_previewed,
        variant="dry run",
        writes=False,
    ),
    ActionCase(
        "quizzes.Quiz",
        "regrade_attempts",
        CANDIDATE_READERS,
        _quiz,
        _regraded,
        extra={"confirm": "yes"},
        variant="confirmed",
    ),
    ActionCase(
        "quizzes.Quiz",
        "delete_selected",
        AUTHORS,
        _draft,
        gone(lambda world: world.draft),
        extra=CONFIRMED,
    ),
    ActionCase(
        "quizzes.Quiz",
        "delete_selected",
        AUTHORS,
        _quiz,
        _deletion_blocked_by_attempts,
        extra=CONFIRMED,
        variant="quiz with attempts",
        writes=False,
    ),
    ActionCase(
        "quizzes.Question",
        "delete_selected",
        AUTHORS,
        lambda world: [world.draft_question.pk],
        gone(lambda world: world.draft_question),
        extra=CONFIRMED,
    ),
    ActionCase(
        "quizzes.Question",
        "retire",
        AUTHORS,
        lambda world: [world.draft_question.pk],
        _retired(True),
    ),
    ActionCase(
        "quizzes.Question",
        "return_to_draws",
        AUTHORS,
        lambda world: [world.draft_question.pk],
        _retired(False),
    ),
    *(
        ActionCase(
            "quizzes.QuestionBank",
            f"export_{format}",
            AUTHORS,
            lambda world: [world.bank.pk],
            _bank_exported(format),
            writes=False,
        )
        for format in (formats.SEED, formats.TASKLIST)
    ),
    ActionCase(
        "quizzes.QuestionBank",
        "delete_selected",
        AUTHORS,
        lambda world: [world.bank.pk],
        gone(lambda world: world.bank),
        extra=CONFIRMED,
    ),
    ActionCase(
        "quizzes.Attempt",
        "delete_selected",
        SUPERUSER,
        lambda world: [world.attempt.pk],
        gone(lambda world: world.attempt),
        extra=CONFIRMED,
    ),
    ActionCase(
        "quizzes.Invite",
        "resend_invitation",
        CANDIDATE_READERS,
        lambda world: [world.invite.pk],
        lambda world, outcome: _queued_to(SECRET_EMAIL, OutboundEmail.Kind.INVITATION),
    ),
    ActionCase(
        "quizzes.OutboundEmail",
        "send_again",
        CANDIDATE_READERS,
        lambda world: [world.email.pk],
        lambda world, outcome: _queued_to(SECRET_EMAIL, OutboundEmail.Kind.INVITATION),
    ),
    ActionCase(
        "quizzes.Invite",
        "delete_selected",
        SUPERUSER,
        lambda world: [world.spare_invite.pk],
        gone(lambda world: world.spare_invite),
        extra=CONFIRMED,
    ),
    *(
        ActionCase(
            label,
            "delete_selected",
            SUPERUSER,
            lambda world, attr=attr: [getattr(world, attr).pk],
            gone(lambda world, attr=attr: getattr(world, attr)),
            extra=CONFIRMED,
        )
        for label, attr in [
            ("auth.User", "bystander"),
            ("auth.Group", "group"),
            ("axes.AccessAttempt", "access_attempt"),
            ("axes.AccessLog", "access_log"),
            ("axes.AccessFailureLog", "failure_log"),
        ]
    ),
    ActionCase(
        "quizzes.ApiToken",
        "revoke",
        AUTHORS | CANDIDATE_READERS,
        lambda world: [world.api_token.pk],
        _token_revoked_by_superuser_only,
    ),
    ActionCase(
        "quizzes.WebhookEndpoint",
        "send_test_event",
        CANDIDATE_READERS,
        lambda world: [world.endpoint.pk],
        _pinged,
    ),
    ActionCase(
        "quizzes.WebhookEndpoint",
        "delete_selected",
        CANDIDATE_READERS,
        lambda world: [world.endpoint.pk],
        gone(lambda world: world.endpoint),
        extra=CONFIRMED,
    ),
    ActionCase(
        "quizzes.WebhookDelivery",
        "redeliver",
        CANDIDATE_READERS,
        lambda world: [world.delivery.pk],
        _redelivered,
    ),
    ActionCase(
        "quizzes.WebhookDelivery",
        "delete_selected",
        CANDIDATE_READERS,
        lambda world: [world.delivery.pk],
        gone(lambda world: world.delivery),
        extra=CONFIRMED,
    ),
    ActionCase(
        "axes.AccessAttempt",
        "cleanup_expired_attempts",
        SUPERUSER,
        lambda world: [world.access_attempt.pk],
        _cleaned_up,
        writes=False,
    ),
]


def _import_payload(world: World) -> dict:
    text = formats.write(parsed_quiz(world.draft), formats.SEED)
    payload = {
        "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
        "format": formats.SEED,
        "slug": "imported-by-role",
        "publish": False,
        "name": "role.md",
    }
    return {"payload": signing.dumps(payload, salt=IMPORT_SALT, compress=True)}


def _invite_form(world: World, **fields) -> dict:
    return {
        "quiz": world.invite_quiz.pk,
        "kind": "personal",
        "label": "",
        "candidate_name": SECRET_NAME,
        "candidate_email": SECRET_EMAIL,
        "max_uses": 1,
        "expires_at_0": "",
        "expires_at_1": "",
        "_save": "Save",
        **fields,
    }


def _invite_changed(world: World, outcome: Outcome) -> None:
    world.invite.refresh_from_db()
    assert world.invite.max_uses == 5, outcome.text[:300]


def _attempt(world: World) -> list:
    return [world.attempt.pk]


def _invite(world: World) -> list:
    return [world.invite.pk]


def _spare_invite(world: World) -> list:
    return [world.spare_invite.pk]


def _delivery(world: World) -> list:
    return [world.delivery.pk]


def _nothing(world: World) -> list:
    return []


def _created(model, **lookup) -> Check:
    def check(world: World, outcome: Outcome) -> None:
        assert model.objects.filter(**lookup).exists(), outcome.text[:300]

    return check


def _sample(world: World, outcome: Outcome) -> None:
    assert outcome.response.status_code == 200, outcome.text[:300]
    assert outcome.response["Content-Disposition"] == 'attachment; filename="sample.seed.md"'
    assert outcome.text.startswith("# Sample quiz\n")


def _post_only(world: World, outcome: Outcome) -> None:
    assert outcome.response.status_code == 405, outcome.text[:300]


ADMIN_PAGE_CASES = [
    PageCase("admin:quizzes_attempt_changelist", _nothing, CANDIDATE_READERS, shows(SECRET_NAME)),
    PageCase("admin:quizzes_attempt_change", _attempt, CANDIDATE_READERS, shows(SECRET_EMAIL)),
    PageCase(
        "admin:quizzes_attempt_change",
        _attempt,
        NOBODY,  # attempts are evidence: read-only even for superusers
        shows(),
        method="post",
        data=lambda world: {"candidate_name": "Подмена", "candidate_email": "x@example.com"},
    ),
    PageCase("admin:quizzes_attempt_history", _attempt, CANDIDATE_READERS, shows(SECRET_NAME)),
    PageCase("admin:quizzes_attempt_add", _nothing, NOBODY, shows()),
    PageCase("admin:quizzes_attempt_delete", _attempt, SUPERUSER, shows(SECRET_NAME)),
    PageCase(
        "admin:quizzes_attempt_delete",
        _attempt,
        SUPERUSER,
        gone(lambda world: world.attempt),
        method="post",
        data=lambda world: CONFIRMED,
        writes=True,
    ),
    PageCase("admin:quizzes_invite_changelist", _nothing, CANDIDATE_READERS, shows(SECRET_EMAIL)),
    PageCase("admin:quizzes_invite_change", _invite, CANDIDATE_READERS, shows(SECRET_EMAIL)),
    PageCase(
        "admin:quizzes_invite_change",
        _invite,
        SUPERUSER,
        _invite_changed,
        method="post",
        data=lambda world: _invite_form(world, max_uses=5),
        writes=True,
    ),
    PageCase("admin:quizzes_invite_history", _invite, CANDIDATE_READERS, shows(SECRET_EMAIL)),
    # Recruiters invite candidates: one, in bulk, or from a CSV file.
    PageCase(
        "admin:quizzes_invite_add", _nothing, CANDIDATE_READERS, shows('name="candidate_email"')
    ),
    PageCase(
        "admin:quizzes_invite_add",
        _nothing,
        CANDIDATE_READERS,
        _created(Invite, candidate_email="added@example.com"),
        method="post",
        data=lambda world: _invite_form(world, candidate_email="added@example.com"),
        writes=True,
    ),
    PageCase("admin:quizzes_invite_delete", _spare_invite, SUPERUSER, shows("spare@example.com")),
    PageCase(
        "admin:quizzes_invite_delete",
        _spare_invite,
        SUPERUSER,
        gone(lambda world: world.spare_invite),
        method="post",
        data=lambda world: CONFIRMED,
        writes=True,
    ),
    PageCase("admin:quizzes_invite_bulk", _nothing, CANDIDATE_READERS, shows('name="lines"')),
    PageCase(
        "admin:quizzes_invite_bulk",
        _nothing,
        CANDIDATE_READERS,
        _created(Invite, candidate_email="bulk@example.com"),
        method="post",
        data=lambda world: {
            "quiz": world.invite_quiz.pk,
            "lines": "Новый Кандидат <bulk@example.com>",
            "max_uses": 1,
            "expires_at": "",
        },
        writes=True,
    ),
    PageCase(
        "admin:quizzes_webhookdelivery_changelist",
        _nothing,
        CANDIDATE_READERS,
        shows("attempt.submitted", "ats.example.com"),
    ),
    PageCase(
        "admin:quizzes_webhookdelivery_change",
        _delivery,
        CANDIDATE_READERS,
        shows(SECRET_EMAIL, "Delivery attempts"),
    ),
    PageCase(
        "admin:quizzes_webhookdelivery_change",
        _delivery,
        NOBODY,  # the record of what was sent
        shows(),
        method="post",
        data=lambda world: {"event": "ping"},
    ),
    PageCase("admin:quizzes_webhookdelivery_history", _delivery, CANDIDATE_READERS, shows()),
    PageCase("admin:quizzes_webhookdelivery_add", _nothing, NOBODY, shows()),
    PageCase(
        "admin:quizzes_webhookdelivery_delete", _delivery, CANDIDATE_READERS, shows("Are you sure")
    ),
    PageCase(
        "admin:quizzes_webhookendpoint_changelist",
        _nothing,
        CANDIDATE_READERS,
        shows("https://ats.example.com/hooks"),
    ),
    PageCase(
        "admin:quizzes_webhookendpoint_add",
        _nothing,
        CANDIDATE_READERS,
        shows('name="events" value="invite.expired"'),
    ),
    PageCase(
        "admin:quizzes_webhookendpoint_add",
        _nothing,
        CANDIDATE_READERS,
        _created(WebhookEndpoint, url="https://93.184.215.14/added"),
        method="post",
        data=lambda world: {
            "url": "https://93.184.215.14/added",
            "events": ["attempt.closed"],
            "active": "on",
        },
        writes=True,
    ),
    # The outbox names candidates: read-only, for those who see invites.
    PageCase(
        "admin:quizzes_outboundemail_changelist", _nothing, CANDIDATE_READERS, shows(SECRET_EMAIL)
    ),
    PageCase(
        "admin:quizzes_outboundemail_change",
        lambda world: [world.email.pk],
        CANDIDATE_READERS,
        shows(SECRET_EMAIL, SECRET_NAME, "SMTPServerDisconnected"),
    ),
    PageCase(
        "admin:quizzes_outboundemail_history",
        lambda world: [world.email.pk],
        CANDIDATE_READERS,
        shows(SECRET_EMAIL),
    ),
    PageCase("admin:quizzes_outboundemail_add", _nothing, NOBODY, shows()),
    PageCase("admin:quizzes_outboundemail_delete", lambda world: [world.email.pk], NOBODY, shows()),
    PageCase(
        "admin:quizzes_outboundemail_change",
        lambda world: [world.email.pk],
        NOBODY,  # the outbox is a record: read-only even for superusers
        shows(),
        method="post",
        data=lambda world: {"to": "x@example.com", "subject": "Подмена"},
    ),
    PageCase(
        "admin:quizzes_questionbank_change",
        lambda world: [world.bank.pk],
        AUTHORS,
        shows("Банк прав", "<td>основы</td><td>0</td><td>0</td>"),
    ),
    PageCase(
        "admin:quizzes_quiz_change",
        lambda world: [world.quiz.pk],
        AUTHORS | CANDIDATE_READERS,  # Recruiters may read quizzes
        shows("Sample draw", "Loss колеблется"),
    ),
    PageCase("admin:quizzes_quiz_import", _nothing, AUTHORS, shows('type="file"')),
    PageCase(
        "admin:quizzes_quiz_import",
        _nothing,
        AUTHORS,
        _created(Quiz, slug="imported-by-role"),
        method="post",
        data=_import_payload,
        writes=True,
    ),
    PageCase("admin:quizzes_quiz_delete", _quiz, AUTHORS, _deletion_blocked_by_attempts),
    PageCase("admin:quizzes_quiz_import_sample", lambda world: ["seed"], AUTHORS, _sample),
    # The live preview answers POST only; reading it is refused even to those who may post.
    PageCase("admin:quizzes_question_preview", _nothing, AUTHORS, _post_only),
    PageCase(
        "admin:quizzes_question_preview",
        _nothing,
        AUTHORS,
        shows("<strong>bold</strong>"),
        method="post",
        data=lambda world: {"text": "**bold**"},
    ),
]


def _review_post(url_name: str, data: Callable[[World], dict], ran: Check) -> PageCase:
    return PageCase(
        url_name,
        lambda world: [world.attempt.public_id],
        CANDIDATE_READERS,
        ran,
        method="post",
        data=data,
        writes=True,
    )


def _noted(world: World, outcome: Outcome) -> None:
    note = AttemptNote.objects.get(attempt=world.attempt)
    assert (note.text, note.author) == ("заметка", outcome.user)


def _rated(world: World, outcome: Outcome) -> None:
    world.attempt.refresh_from_db()
    assert world.attempt.rating == 4


def _overridden(world: World, outcome: Outcome) -> None:
    change = ScoreChange.objects.get(attempt=world.attempt)
    assert (change.kind, change.changed_by) == (ScoreChange.Kind.OVERRIDE, outcome.user)


def _granted(world: World, outcome: Outcome) -> None:
    grant = AttemptGrant.objects.get()
    assert (grant.granted_by, grant.attempt) == (outcome.user, world.attempt)


def _subscribed(world: World, outcome: Outcome) -> None:
    assert outcome.response.status_code == 302, outcome.text[:300]
    preference = NotificationPreference.objects.get()
    assert (preference.user, preference.mode, preference.language) == (outcome.user, "each", "en")


def _shortlisted(world: World, outcome: Outcome) -> None:
    world.attempt.refresh_from_db()
    assert world.attempt.hiring_status == Attempt.HiringStatus.SHORTLISTED
    change = HiringStatusChange.objects.get(attempt=world.attempt)
    assert (change.old_status, change.new_status, change.changed_by) == (
        "new",
        "shortlisted",
        outcome.user,
    )


def _first_question(world: World) -> int:
    return world.attempt.revision.content["questions"][0]["id"]


def _workbook_names_the_candidate(world: World, outcome: Outcome) -> None:
    assert outcome.response.status_code == 200, outcome.text[:300]
    sheet = load_workbook(io.BytesIO(outcome.body), read_only=True).active
    assert (SECRET_NAME, SECRET_EMAIL) in {row[:2] for row in sheet.iter_rows(values_only=True)}


def _compared(world: World) -> str:
    # A second attempt of the quiz to compare with; made before the request is timed, so
    # the request itself must still leave the database as it was.
    rival = finish(world.quiz, {}, name="Соперник", email="rival@example.com")
    return f"?ids={world.attempt.public_id}&ids={rival.public_id}"


REVIEW_CASES = [
    PageCase("quizzes:review_attempts", _nothing, CANDIDATE_READERS, shows(SECRET_NAME)),
    PageCase(
        "quizzes:review_export_xlsx",
        _nothing,
        CANDIDATE_READERS,
        _workbook_names_the_candidate,
        query=lambda world: f"?quiz={world.quiz.pk}",
    ),
    PageCase(
        "quizzes:review_compare",
        _nothing,
        CANDIDATE_READERS,
        shows(SECRET_NAME, "Соперник"),
        query=_compared,
    ),
    PageCase(
        "quizzes:review_report",
        lambda world: [world.attempt.public_id],
        CANDIDATE_READERS,
        shows(SECRET_NAME, SECRET_EMAIL, "Права"),
    ),
    PageCase(
        "quizzes:review_export",
        _nothing,
        CANDIDATE_READERS,
        shows(SECRET_NAME, SECRET_EMAIL),
        query=lambda world: f"?quiz={world.quiz.pk}",
    ),
    PageCase(
        "quizzes:review_attempt",
        lambda world: [world.attempt.public_id],
        CANDIDATE_READERS,
        shows(SECRET_NAME, SECRET_EMAIL),
    ),
    _review_post("quizzes:review_note", lambda world: {"text": "заметка"}, _noted),
    _review_post("quizzes:review_rate", lambda world: {"rating": "4"}, _rated),
    _review_post(
        "quizzes:review_override",
        lambda world: {
            "question_id": _first_question(world),
            "points": "0.5",
            "reason": "спорный вопрос",
        },
        _overridden,
    ),
    _review_post("quizzes:review_grant", lambda world: {}, _granted),
    _review_post(
        "quizzes:review_hiring_status", lambda world: {"status": "shortlisted"}, _shortlisted
    ),
    PageCase(
        "quizzes:review_statistics",
        lambda world: [world.quiz.slug],
        CANDIDATE_READERS,
        shows("Права"),
    ),
    PageCase(
        "quizzes:review_histogram",
        lambda world: [world.quiz.slug],
        CANDIDATE_READERS,
        shows("<svg"),
    ),
    PageCase(
        "quizzes:review_option_chart",
        lambda world: [world.quiz.slug, _first_question(world)],
        CANDIDATE_READERS,
        shows("<svg"),
    ),
    PageCase(
        "quizzes:review_notifications",
        _nothing,
        CANDIDATE_READERS,
        shows("Email notifications", 'name="mode"'),
    ),
    PageCase(
        "quizzes:review_notifications",
        _nothing,
        CANDIDATE_READERS,
        _subscribed,
        method="post",
        data=lambda world: {"mode": "each", "language": "en"},
        writes=True,
    ),
]
