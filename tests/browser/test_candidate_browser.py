"""A candidate in a real browser: invite, crash, resume, timer, keyboard, axe, mobile."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Answer, Attempt, Invite, Quiz
from tests.browser.steps import confirm_dialog, submit_answers
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Все ответы сохранены"


def option(page, text):
    return page.get_by_label(text, exact=True)


def test_invite_crash_resume_submit_and_see_the_result(browser, live_server, screenshot, tmp_path):
    quiz = make_quiz(
        title="Тест по DL",
        access="invite",
        review_after_attempt="full",
        time_limit=timedelta(minutes=20),
    )
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна Иванова", candidate_email="anna@example.com"
    )
    link = live_server.url + invite.get_absolute_url()

    first = browser.new_context(locale="ru-RU")
    page = first.new_page()
    page.goto(link)
    assert invite.token not in page.url
    screenshot(page, "1-invite-start")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    assert invite.token not in page.content()
    option(page, "MaxPooling").check()
    option(page, "Dropout").check()
    option(page, "Он адаптирует learning rate для каждого параметра").check()
    page.locator(".save-status", has_text=SAVED).wait_for()
    screenshot(page, "2-attempt-answered")
    state = tmp_path / "state.json"
    first.storage_state(path=str(state))
    first.close()  # the browser "crashes": no submit, no unload handler to rely on

    second = browser.new_context(locale="ru-RU", storage_state=str(state))
    page = second.new_page()
    page.goto(link)
    page.wait_for_url("**/attempt/*/")
    assert option(page, "MaxPooling").is_checked()
    assert option(page, "Dropout").is_checked()
    assert option(page, "Он адаптирует learning rate для каждого параметра").is_checked()
    timer = page.locator(".timer-value")
    assert timer.inner_text().startswith(("19:", "20:"))
    option(page, "ReLU").check()
    option(page, "Взрыв градиентов").check()
    screenshot(page, "3-attempt-resumed")
    submit_answers(page)
    assert "3 / 3" in page.locator(".score").inner_text()
    assert invite.token not in page.content()
    screenshot(page, "4-result")
    second.close()
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 3
    assert attempt.focus_lost_count >= 0


def test_countdown_reaching_zero_submits_the_answers_and_the_result_says_time_ran_out(
    page, live_server, screenshot, axe_violations
):
    quiz = make_quiz(
        title="Быстрый тест",
        access="public",
        review_after_attempt="full",
        time_limit=timedelta(seconds=4),
    )
    page.goto(live_server.url + quiz.get_absolute_url())
    page.locator("[name=candidate_name]").fill("Пётр")
    page.locator("[name=candidate_email]").fill("petr@example.com")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    option(page, "Взрыв градиентов").check()
    screenshot(page, "1-counting-down")

    page.wait_for_url("**/result/", timeout=15_000)

    screenshot(page, "2-result")
    attempt = Attempt.objects.get()
    assert attempt.state in (Attempt.State.SUBMITTED, Attempt.State.CLOSED)
    assert attempt.score == 1
    assert "1 / 3" in page.locator(".score").inner_text()
    # The countdown submits once the deadline has passed, so the result says time ran out.
    assert attempt.time_ran_out and attempt.submitted_at >= attempt.deadline
    notice = page.locator(".time-ran-out").inner_text()
    deadline = timezone.localtime(attempt.deadline).strftime("%H:%M")
    assert notice.startswith(f"Время вышло в {deadline}")
    assert "Оценены ответы, сохранённые к этому моменту." in notice
    assert axe_violations(page) == []


def _tab_to(page, predicate_js: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate_js}; }}"):
            outline = page.evaluate(
                "() => getComputedStyle(document.activeElement).outlineStyle"
                " + ' ' + getComputedStyle(document.activeElement).boxShadow"
            )
            assert outline != "none none", "the focused element has no visible focus"
            return
    raise AssertionError(f"never reached {predicate_js} with Tab")


def test_keyboard_only_completion_of_a_paged_quiz(page, live_server, screenshot):
    quiz = make_quiz(
        title="Клавиатура", access="public", review_after_attempt="full", navigation="paged"
    )
    page.goto(live_server.url + quiz.get_absolute_url())
    _tab_to(page, "el.name === 'candidate_name'")
    page.keyboard.type("Ольга")
    page.keyboard.press("Tab")
    page.keyboard.type("olga@example.com")
    page.keyboard.press("Enter")
    page.wait_for_url("**/attempt/*/")
    # Question 1 (checkboxes): tick the first option with Space, then go Next.
    _tab_to(page, "el.type === 'checkbox'")
    page.keyboard.press("Space")
    _tab_to(page, "el.value === 'next'")
    screenshot(page, "1-focus-on-next")
    page.keyboard.press("Enter")
    page.wait_for_url("**?q=2")
    assert "Вопрос 2 из 3" in page.content()
    _tab_to(page, "el.type === 'radio'")
    page.keyboard.press("Space")
    # Submit is on the last page and in the navigator ("Finish the test") only.
    assert page.locator('.page-buttons button[value="submit"]').count() == 0
    _tab_to(page, "el.value === 'submit'")
    page.keyboard.press("Enter")
    dialog = confirm_dialog(page)
    dialog.wait_for()
    # It names the question still unanswered and starts on the way back, not on Submit.
    assert dialog.get_by_role("link").all_inner_texts() == ["Вопрос 3"]
    assert page.evaluate("() => document.activeElement.classList.contains('confirm-back')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.value") == "finish"
    screenshot(page, "2-confirm")
    page.keyboard.press("Enter")
    page.wait_for_url("**/result/")
    screenshot(page, "3-result")
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.SUBMITTED
    assert sorted(len(a.selected) for a in attempt.answers.all()) == [1, 1]


def test_no_serious_accessibility_violations(page, live_server, axe_violations, screenshot):
    quiz = make_quiz(
        title="Доступность",
        access="public",
        review_after_attempt="full",
        navigation="paged",
        time_limit=timedelta(minutes=5),
    )
    page.goto(live_server.url + quiz.get_absolute_url())
    assert axe_violations(page) == []
    page.locator("[name=candidate_name]").fill("Ира")
    page.locator("[name=candidate_email]").fill("ira@example.com")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    assert axe_violations(page) == []
    screenshot(page, "attempt-paged")
    submit_answers(page)
    assert axe_violations(page) == []

    everything = make_quiz(title="Все сразу", review_after_attempt="full")
    invite = Invite.objects.create(quiz=everything, candidate_email="a@b.cd")
    page.goto(live_server.url + invite.get_absolute_url())
    assert axe_violations(page) == []
    page.locator("[name=candidate_name]").fill("Ира")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    assert axe_violations(page) == []
    option(page, "MaxPooling").check()
    submit_answers(page)
    assert axe_violations(page) == []
    screenshot(page, "result-full-review")


def test_usable_at_375_pixels(browser, live_server, screenshot):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    quiz = make_quiz(
        title="Мобильный",
        access="public",
        review_after_attempt="full",
        navigation="paged",
        time_limit=timedelta(minutes=5),
    )
    page.goto(live_server.url + quiz.get_absolute_url())
    screenshot(page, "1-quiz")
    page.locator("[name=candidate_name]").fill("Ира")
    page.locator("[name=candidate_email]").fill("ira@example.com")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")

    def no_sideways_scroll():
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width}px wide at 375px"

    no_sideways_scroll()
    option(page, "MaxPooling").tap()
    assert option(page, "MaxPooling").is_checked()
    box = page.get_by_role("button", name="Далее").bounding_box()
    assert box["height"] >= 32 and box["x"] + box["width"] <= 375
    screenshot(page, "2-attempt")
    submit_answers(page, tap=True)
    no_sideways_scroll()
    screenshot(page, "3-result")
    context.close()


def test_a_shuffled_page_speaks_tokens_and_saves_answers_and_time_where_they_belong(
    page, live_server
):
    quiz = make_quiz(
        title="Перемешанный",
        access="public",
        review_after_attempt="score",
        shuffle_questions=True,
        shuffle_options=True,
    )
    page.goto(live_server.url + quiz.get_absolute_url())
    page.locator("[name=candidate_name]").fill("Ира")
    page.locator("[name=candidate_email]").fill("ira@example.com")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    names_and_values = page.evaluate(
        "() => Array.from(document.querySelectorAll('fieldset[data-question] input'),"
        " el => [el.name, el.value, el.id])"
    )
    assert len(names_and_values) == 14
    for name, value, element_id in names_and_values:
        assert re.fullmatch(r"q_[a-p]{14}", name) and element_id == f"o-{value}"
        assert re.fullmatch(r"[a-p]{14}", value)

    # Time on a question counts while it has the focus; a change saves it with the answer.
    option(page, "Переобучение").check()
    page.wait_for_timeout(3500)
    # Waiting for the save's response (the status line still says "saved" from the first
    # change); the test reads the database only then, never while the server writes.
    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as saved:
        option(page, "Взрыв градиентов").check()
    reply = saved.value.json()
    assert reply["saved"] is True and reply["stale"] is False

    third = quiz.questions.get(position=3)
    answer = Answer.objects.get(attempt__quiz=quiz, question_id=third.id)
    assert answer.selected == [third.options.get(text="Взрыв градиентов").id]
    assert answer.time_spent >= 2
    submit_answers(page)
    assert "1 / 3" in page.locator(".score").inner_text()


def test_on_a_phone_a_default_quiz_thanks_first_and_shows_the_review_after_it_closes(
    browser, live_server, screenshot
):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    # The defaults: invite only, a thank-you right after, the full review after the close.
    quiz = make_quiz(title="Найм", closes_at=timezone.now() + timedelta(hours=1))
    invite = Invite.objects.create(
        quiz=quiz, candidate_name="Анна Иванова", candidate_email="anna@example.com"
    )
    page.goto(live_server.url + invite.get_absolute_url())
    assert "Тест закрывается" in page.locator(".test-rules").inner_text()
    page.get_by_role("button", name="Начать тест").tap()
    page.wait_for_url("**/attempt/*/")
    for text in ("MaxPooling", "Dropout", "ReLU", "Взрыв градиентов"):
        option(page, text).tap()
    option(page, "Он адаптирует learning rate для каждого параметра").tap()
    submit_answers(page, tap=True)
    result_url = page.url

    assert "Спасибо! Ваши ответы отправлены." in page.content()
    assert page.locator(".score").count() == 0
    assert page.locator("section.reviewed-question").count() == 0
    assert page.locator(".review-later").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot(page, "1-thank-you")

    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.goto(result_url)
    assert "3 / 3" in page.locator(".score").inner_text()
    assert page.locator("section.reviewed-question").count() == 3
    assert page.locator("details.explanation").count() == 3
    assert page.locator(".review-later").count() == 0
    assert "Спасибо" not in page.content()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot(page, "2-after-the-close")
    context.close()
