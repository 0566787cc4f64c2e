"""The admin pages Recruiters read speak Russian: every field is labelled in words, capitalized."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import translation

from quizzes.admin.attempts import AnswerInline
from quizzes.models import (
    Answer,
    ApiToken,
    Attempt,
    Invite,
    OutboundEmail,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db

MODELS = [Attempt, Invite, OutboundEmail, WebhookEndpoint, WebhookDelivery, ApiToken]
# The same word in both languages.
SAME_IN_BOTH = {"URL"}


def _labels(model, *, change: bool) -> dict[str, dict[str, str]]:
    """Each field the add or change page shows: its label in Russian and in English."""
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    model_admin = admin.site._registry[model]
    obj = model() if change else None
    form = model_admin.get_form(request, obj)
    labels = {}
    for name in flatten_fieldsets(model_admin.get_fieldsets(request, obj)):
        labels[name] = {}
        for language in ("ru", "en"):
            with translation.override(language):
                field = form.base_fields.get(name)
                if field is not None and field.label:
                    label = field.label
                else:
                    label = label_for_field(name, model, model_admin, form=form)
                labels[name][language] = str(label)
    return labels


@pytest.mark.parametrize("change", [False, True], ids=["add", "change"])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_of_the_integration_admins_is_translated(model, change):
    labels = _labels(model, change=change)
    untranslated = {
        name: label["ru"]
        for name, label in labels.items()
        if label["ru"] == label["en"] and label["ru"] not in SAME_IN_BOTH
    }
    assert untranslated == {}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_form_field_labels_start_with_a_capital_like_the_admins_own(model):
    # Django capitalizes a model field's label and a read-only field's; a label given to a
    # form field is shown as written.
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    form = admin.site._registry[model].get_form(request, None)
    with translation.override("ru"):
        lowercase = {
            name: str(field.label)
            for name, field in form.base_fields.items()
            if field.label and str(field.label)[:1].islower()
        }
    assert lowercase == {}


def test_invite_page_names_who_created_it_in_russian(admin_client, django_user_model):
    from tests.builders import make_quiz

    invite = Invite.objects.create(quiz=make_quiz(), candidate_email="a@example.com")
    html = admin_client.get(f"/admin/quizzes/invite/{invite.pk}/change/").content.decode()
    assert "Создал" in html and "Created by" not in html


def test_the_answers_on_an_attempt_are_labelled_in_russian():
    untranslated = {}
    for name in AnswerInline.fields:
        with translation.override("ru"):
            russian = str(label_for_field(name, Answer, AnswerInline))
        with translation.override("en"):
            english = str(label_for_field(name, Answer, AnswerInline))
        if russian == english:
            untranslated[name] = russian
    assert untranslated == {}
