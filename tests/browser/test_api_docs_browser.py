"""The API's interactive docs work under the site's strict CSP (no CDN, no inline code)."""

import json

import pytest

from quizzes.models import Invite, Quiz
from tests.api.conftest import make_role_user, token_for
from tests.builders import make_quiz

pytestmark = pytest.mark.browser


def test_docs_page_renders_swagger_and_calls_the_api_without_csp_violations(
    page, live_server, screenshot
):
    make_quiz(title="Документация", access=Quiz.Access.PUBLIC)
    token = token_for(make_role_user("superuser"))
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security" in message.text or "Refused" in message.text
            else None
        ),
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )
    page.goto(live_server.url + "/api/v1/docs")
    page.get_by_text("quizsite API").first.wait_for()
    # Every operation of the schema is listed.
    for operation in ("list_quizzes", "create_invite", "list_attempts", "get_attempt"):
        page.locator(f"#operations-quizzes-{operation}, [id$='-{operation}']").first.wait_for()

    # "Authorize" with the token, then "Try it out" on the quiz list: a real API call.
    page.get_by_role("button", name="Authorize").first.click()
    page.locator("#auth-bearer-value").fill(token)
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper .btn-done").click()
    operation = page.locator("[id$='-list_quizzes']").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "Документация" in operation.locator(".live-responses-table").inner_text()
    screenshot(page, "docs")
    assert not blocked, blocked
    assert not outside, outside


def test_the_example_body_of_create_invite_works_as_it_is_offered(page, live_server):
    # "Try it out" fills the body with the schema's example: executed unchanged, it must
    # create an invite, not meet an expiry of "now" or a quiz called "string".
    make_quiz(title="Python-разработчик", slug="python-developer", access=Quiz.Access.INVITE)
    token = token_for(make_role_user("superuser"))
    page.goto(live_server.url + "/api/v1/docs")
    page.get_by_role("button", name="Authorize").first.click()
    page.locator("#auth-bearer-value").fill(token)
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".auth-btn-wrapper .btn-done").click()
    operation = page.locator("[id$='-create_invite']").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    offered = json.loads(operation.locator("textarea.body-param__text").input_value())
    assert offered["quiz"] == "python-developer" and "@" in offered["email"]
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "201"
    assert Invite.objects.get().candidate_email == offered["email"]
