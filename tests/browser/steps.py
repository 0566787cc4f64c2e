"""Steps a candidate takes in the browser tests, named as the pages word them (in Russian)."""

SUBMIT = "Отправить ответы"
CONFIRM_TITLE = "Отправить ответы?"


def press(locator, *, tap: bool = False) -> None:
    if tap:
        locator.tap()
    else:
        locator.click()


def confirm_dialog(page):
    return page.get_by_role("dialog", name=CONFIRM_TITLE)


def open_confirmation(page, *, tap: bool = False):
    """Press the page's Submit (or the navigator's Finish) button: the dialog asks first."""
    press(page.locator('button[name="action"][value="submit"]').first, tap=tap)
    dialog = confirm_dialog(page)
    dialog.wait_for()
    return dialog


def submit_answers(page, *, tap: bool = False) -> None:
    """Submit, confirm in the dialog, and wait for the result page."""
    dialog = open_confirmation(page, tap=tap)
    press(dialog.get_by_role("button", name=SUBMIT), tap=tap)
    page.wait_for_url("**/result/")


def start_public(page, live_server, quiz, name="Ира", email="ira@example.com") -> None:
    """Open the quiz's page, give a name and email, press Start, land on the attempt."""
    page.goto(live_server.url + quiz.get_absolute_url())
    page.locator("[name=candidate_name]").fill(name)
    page.locator("[name=candidate_email]").fill(email)
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")


def option(page, text):
    return page.get_by_label(text, exact=True)


def wait_for_save(page, action) -> dict:
    """Do `action` and wait for the background save it causes; returns the reply."""
    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as reply:
        action()
    return reply.value.json()
