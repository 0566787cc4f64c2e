"""Unexpected errors: a plain page for the visitor, the details in the log."""

import logging

import pytest


@pytest.fixture
def request_log(caplog):
    # django.request does not propagate to the root logger (see LOGGING), so listen on it.
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


@pytest.mark.urls("tests.security.urls_boom")
def test_an_unexpected_error_shows_the_plain_500_page_and_is_logged(
    client, settings, request_log, db
):
    settings.DEBUG = False
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Ошибка сервера" in html and "Server error" in html
    assert "Ваши сохранённые ответы не потеряны" in html
    for internal in ["hunter2", "RuntimeError", "Traceback", "internal-detail", "boom"]:
        assert internal not in html
    errors = [r for r in request_log.records if r.name == "django.request"]
    assert len(errors) == 1
    assert errors[0].levelno == logging.ERROR
    assert errors[0].exc_info[0] is RuntimeError
    assert "/boom/" in errors[0].getMessage()
