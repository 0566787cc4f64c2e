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
