"""Staff passwords use Argon2; sign-in locks after 5 failures per client address or username."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizsite import settings as production_settings

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "editor", "editor@example.com", "right-password", is_staff=True
    )


def sign_in(client, password, username="editor", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_production_hashes_passwords_with_argon2(settings, staff, client):
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    staff.set_password("a long staff password")
    staff.save()
    stored = get_user_model().objects.get(pk=staff.pk).password
    assert stored.startswith("argon2$argon2id$")
    response = sign_in(client, "a long staff password")
    assert response.status_code == 302 and signed_in(client)


def test_four_failures_still_show_the_login_form(client, staff):
    for _ in range(4):
        response = sign_in(client, "wrong")
        assert response.status_code == 200
        assert 'name="password"' in response.content.decode()
    assert sign_in(client, "right-password").status_code == 302
    assert signed_in(client)


def test_five_failures_lock_the_address_even_for_the_right_password(client, staff):
    for _ in range(4):
        sign_in(client, "wrong")
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Вход временно заблокирован" in locked.content.decode()

    response = sign_in(client, "right-password")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Вход временно заблокирован" in html
    assert "5 неудачных попыток входа" in html
    assert "60 минут" in html
    assert 'name="password"' not in html
    assert not signed_in(client)


def test_lockout_page_speaks_english_on_request(client, staff):
    for _ in range(5):
        sign_in(client, "wrong")
    html = sign_in(client, "right-password", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign-in is temporarily locked" in html
    assert "There were 5 failed sign-ins to this account or from your address." in html
    assert "Try again in 60 minutes" in html


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client, staff):
    for attempt in range(5):
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    response = sign_in(client, "right-password", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert response.status_code == 429
    assert not signed_in(client)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]


def test_behind_a_trusted_proxy_the_forwarded_client_is_locked_not_the_proxy(
    client, staff, settings, django_user_model
):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client prepends a forged entry; the proxy appends the address it really saw.
    for _ in range(5):
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.5")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
    locked = sign_in(client, "right-password", HTTP_X_FORWARDED_FOR="10.0.0.2, 203.0.113.5")
    assert locked.status_code == 429

    # Another client behind the same proxy is not locked (signing in to another account,
    # since the failures also count against the username "editor").
    django_user_model.objects.create_user("writer", password="writer-password", is_staff=True)
    other = sign_in(
        client, "writer-password", username="writer", HTTP_X_FORWARDED_FOR="203.0.113.6"
    )
    assert other.status_code == 302
    assert signed_in(client)


def test_signing_in_to_ones_own_account_does_not_reset_guesses_at_another(
    client, staff, django_user_model
):
    django_user_model.objects.create_user("insider", password="insider-password", is_staff=True)
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "insider-password", username="insider").status_code == 302
    client.logout()

    assert sign_in(client, "wrong").status_code == 429
    assert sign_in(client, "right-password").status_code == 429
    assert not signed_in(client)


def test_failures_are_forgotten_after_the_cool_off(client, staff, settings):
    for _ in range(5):
        sign_in(client, "wrong")
    assert sign_in(client, "right-password").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert sign_in(client, "right-password").status_code == 302


def fail_from_many_addresses(client, username, count=5):
    for n in range(count):
        response = sign_in(client, "wrong", username=username, REMOTE_ADDR=f"127.0.0.{n + 2}")
    return response


def test_failures_from_many_addresses_lock_the_username(client, staff, django_user_model):
    django_user_model.objects.create_user("writer", password="writer-password", is_staff=True)
    for n in range(4):
        # No single address reaches the limit...
        response = sign_in(client, "wrong", REMOTE_ADDR=f"127.0.0.{n + 2}")
        assert response.status_code == 200
    # ...but the account does.
    assert sign_in(client, "wrong", REMOTE_ADDR="127.0.0.6").status_code == 429

    response = sign_in(client, "right-password", REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Вход временно заблокирован" in html
    assert "5 неудачных попыток входа в эту учётную запись или с вашего адреса" in html
    assert 'name="password"' not in html
    assert not signed_in(client)
    # Another account, from another fresh address, signs in as usual.
    other = sign_in(client, "writer-password", username="writer", REMOTE_ADDR="192.0.2.11")
    assert other.status_code == 302
    assert signed_in(client)
    assert client.session["_auth_user_id"] == str(
        django_user_model.objects.get(username="writer").pk
    )


def test_a_username_that_does_not_exist_locks_the_same_way(client, staff):
    # The lockout page cannot be used to find out which accounts exist.
    real = fail_from_many_addresses(client, "editor").content.decode()
    ghost = fail_from_many_addresses(client, "nobody-here").content.decode()
    for html in (real, ghost):
        assert "Вход временно заблокирован" in html
        assert "5 неудачных попыток входа" in html
    assert (
        sign_in(client, "wrong", username="nobody-here", REMOTE_ADDR="192.0.2.20").status_code
        == 429
    )


def test_an_administrator_unlocks_an_account_with_the_management_command(client, staff):
    fail_from_many_addresses(client, "editor")
    assert sign_in(client, "right-password", REMOTE_ADDR="192.0.2.30").status_code == 429

    call_command("axes_reset_username", "editor", stdout=StringIO())

    assert sign_in(client, "right-password", REMOTE_ADDR="192.0.2.30").status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_an_account_on_the_access_attempts_page(
    client, staff, admin_client
):
    fail_from_many_addresses(client, "editor")
    assert sign_in(client, "right-password", REMOTE_ADDR="192.0.2.31").status_code == 429
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist, {"q": "editor"})
    assert page.status_code == 200
    rows = AccessAttempt.objects.filter(username="editor")
    assert rows.count() == 6  # the five failures and the refused sign-in
    assert "127.0.0.6" in page.content.decode()

    deleted = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )

    assert deleted.status_code == 302
    assert not AccessAttempt.objects.filter(username="editor").exists()
    assert sign_in(client, "right-password", REMOTE_ADDR="192.0.2.31").status_code == 302
