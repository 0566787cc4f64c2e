"""A candidate's journey in Chromium: coming back, confirming, the time bar, honest signals."""

import json
import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from quizzes.models import Answer, Attempt
from tests.browser.steps import (
    SUBMIT,
    open_confirmation,
    option,
    start_public,
    submit_answers,
    wait_for_save,
)
from tests.builders import make_large_quiz, make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Все ответы сохранены"
NEWER = "В другой вкладке или на другом устройстве сохранены более новые ответы"
WIDTH = 375


def close(context) -> None:
    # Closing a page sends a last background save; the database is reset right after.
    context.route("**/autosave/", lambda route: route.abort())
    context.close()


def poll(read, expected, timeout=5.0):
    """Read from the database until it gives `expected` (a beacon lands a moment later)."""
    deadline = time.monotonic() + timeout
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def test_coming_back_through_the_home_page_offers_to_resume_with_the_time_left(
    browser, live_server, screenshot, axe_violations, tmp_path
):
    quiz = make_quiz(title="Найм весной", access="public", time_limit=timedelta(minutes=30))
    first = browser.new_context(locale="ru-RU")
    page = first.new_page()
    start_public(page, live_server, quiz)
    attempt_url = page.url
    wait_for_save(page, lambda: option(page, "Dropout").check())

    # The candidate wanders off and comes back through the site's front page.
    page.goto(live_server.url + "/")
    resume = page.get_by_role("link", name=re.compile(r"Продолжить незавершённую попытку"))
    assert re.search(r"осталось (29|30):\d\d", resume.inner_text())
    page.get_by_role("link", name="Найм весной").click()
    offer = page.locator(".resume-offer")
    assert "У вас есть незавершённая попытка" in offer.inner_text()
    assert re.search(r"Осталось времени: (29|30):\d\d\.", offer.inner_text())
    # One attempt allowed: starting again would only resume, so no form asks for a name.
    assert page.locator("[name=candidate_name]").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "1-resume-offer")
    offer.get_by_role("link", name="Продолжить попытку").click()
    page.wait_for_url(attempt_url)
    assert option(page, "Dropout").is_checked()

    # The same browser without its session (only the id cookie kept) is still offered it.
    state = tmp_path / "state.json"
    first.storage_state(path=str(state))
    close(first)
    later = browser.new_context(locale="ru-RU")
    cookies = [c for c in first_cookies(state) if c["name"] == "quizzes_browser"]
    assert cookies
    later.add_cookies(cookies)
    page = later.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile(r"Продолжить незавершённую попытку")).click()
    page.wait_for_url(attempt_url)
    assert option(page, "Dropout").is_checked()
    assert Attempt.objects.count() == 1
    close(later)


def first_cookies(path) -> list[dict]:
    return json.loads(path.read_text())["cookies"]


def test_submit_asks_first_and_links_the_unanswered_questions(
    page, live_server, screenshot, axe_violations
):
    quiz = make_quiz(title="Подтверждение", access="public", review_after_attempt="score")
    start_public(page, live_server, quiz)
    wait_for_save(page, lambda: option(page, "ReLU").check())

    dialog = open_confirmation(page)
    assert dialog.locator(".confirm-answered").inner_text() == "Отвечено: 1 из 3"
    assert dialog.get_by_role("link").all_inner_texts() == ["Вопрос 2", "Вопрос 3"]
    assert axe_violations(page) == []
    screenshot(page, "1-dialog")

    # A link leads to its question: the dialog closes and the question is in view.
    dialog.get_by_role("link", name="Вопрос 3").click()
    assert not dialog.is_visible()
    third = page.locator("fieldset[data-number='3']")
    assert third.evaluate(
        "el => { const box = el.getBoundingClientRect();"
        " return box.top >= 0 && box.top < window.innerHeight; }"
    )
    assert page.evaluate("() => document.activeElement.closest('fieldset').dataset.number") == "3"
    option(page, "Взрыв градиентов").check()

    dialog = open_confirmation(page)
    assert dialog.get_by_role("link").all_inner_texts() == ["Вопрос 2"]
    dialog.get_by_role("button", name="Вернуться к вопросам").click()
    assert not dialog.is_visible()
    assert Attempt.objects.get().state == Attempt.State.IN_PROGRESS

    submit_answers(page)
    attempt = Attempt.objects.get()
    # Question 1 partly right (one of three), question 3 right.
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == Decimal("1.3333")


def test_without_javascript_a_confirmation_page_lists_the_unanswered_questions(
    browser, live_server, screenshot, axe_violations, tmp_path
):
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    quiz = make_quiz(title="Без скриптов", access="public", review_after_attempt="score")
    start_public(page, live_server, quiz)
    option(page, "Он адаптирует learning rate для каждого параметра").check()
    page.get_by_role("button", name=SUBMIT).click()

    page.wait_for_url("**/submit/")
    assert page.get_by_role("heading", name="Отправить ответы?").is_visible()
    assert "Отвечено: 1 из 3" in page.content()
    links = page.locator(".unanswered-links a")
    assert links.all_inner_texts() == ["Вопрос 1", "Вопрос 3"]
    screenshot(page, "1-confirmation-page")
    # axe runs as a script (page.evaluate never returns without JavaScript): the same page
    # in a browser with it, sharing the session.
    state = tmp_path / "state.json"
    context.storage_state(path=str(state))
    checker = browser.new_context(locale="ru-RU", storage_state=str(state))
    checked = checker.new_page()
    checked.goto(page.url)
    assert checked.locator(".unanswered-links a").count() == 2
    assert axe_violations(checked) == []
    checker.close()

    # Back to question 3 by its link: the answer given before the detour is still there.
    links.filter(has_text="Вопрос 3").click()
    page.wait_for_url(re.compile(r"/attempt/[0-9a-f-]+/#q-[a-p]{14}$"))
    assert option(page, "Он адаптирует learning rate для каждого параметра").is_checked()
    option(page, "Взрыв градиентов").check()
    page.get_by_role("button", name=SUBMIT).click()
    page.wait_for_url("**/submit/")
    assert page.locator(".unanswered-links a").all_inner_texts() == ["Вопрос 1"]
    page.get_by_role("button", name=SUBMIT).click()

    page.wait_for_url("**/result/")
    assert "2 / 3" in page.locator(".score").inner_text()
    attempt = Attempt.objects.get()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 2
    context.close()


def test_the_time_bar_stays_in_view_mid_page_on_a_phone(
    browser, live_server, screenshot, axe_violations
):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    quiz = make_large_quiz(
        title="Длинный", access="public", questions=12, time_limit=timedelta(minutes=30)
    )
    start_public(page, live_server, quiz)

    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_function("() => window.scrollY > 500")
    bar = page.locator("#attempt-bar")
    box = bar.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    # Nothing covers it, and it says what the candidate needs to know, readably.
    assert page.evaluate(
        "() => document.getElementById('attempt-bar').contains(document.elementFromPoint(20, 10))"
    )
    assert re.fullmatch(r"Осталось: (29|30):\d\d", bar.locator(".timer").inner_text().strip())
    assert bar.locator(".answered-progress").inner_text() == "Отвечено: 0 из 12"
    size = bar.locator(".answered-progress").evaluate("el => getComputedStyle(el).fontSize")
    assert float(size.removesuffix("px")) >= 14
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH

    middle = page.locator("fieldset[data-number='7']")
    middle.scroll_into_view_if_needed()
    middle.locator("label").first.tap()
    assert bar.locator(".answered-progress").inner_text() == "Отвечено: 1 из 12"
    assert bar.bounding_box()["y"] >= 0
    assert axe_violations(page) == []
    full = screenshot(page, "mid-page")
    # What the phone shows: a full-page capture cannot show where a sticky bar sits.
    page.screenshot(path=str(full.with_name(full.stem + "-viewport.png")))

    # The front page's offer to continue fits the phone too.
    page.goto(live_server.url + "/")
    resume = page.get_by_role("link", name=re.compile(r"Продолжить незавершённую попытку"))
    assert resume.bounding_box()["x"] + resume.bounding_box()["width"] <= WIDTH
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    assert axe_violations(page) == []
    screenshot(page, "home-with-offer")
    close(context)


def test_a_reload_or_moving_on_is_not_counted_as_the_page_hidden(page, live_server):
    quiz = make_quiz(title="Сигналы", access="public")
    start_public(page, live_server, quiz)
    attempt = Attempt.objects.get()
    wait_for_save(page, lambda: option(page, "ReLU").check())

    page.reload()
    page.get_by_role("button", name="Сохранить и продолжить позже").click()
    page.wait_for_load_state()
    page.reload()
    reply = wait_for_save(page, lambda: option(page, "Dropout").check())

    assert reply["saved"] is True
    time.sleep(0.5)  # any beacon from the unloads has landed by now
    attempt.refresh_from_db()
    assert attempt.hidden_count == 0
    # Both ticks of question 1 were saved (other rows hold only time spent).
    assert [len(a.selected) for a in attempt.answers.all() if a.selected] == [2]

    # Switching away while the page stays open still counts.
    page.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden',"
        " configurable: true}); document.dispatchEvent(new Event('visibilitychange')); }"
    )
    hidden = poll(lambda: Attempt.objects.get(pk=attempt.pk).hidden_count, 1)
    assert hidden == 1


def test_a_save_made_stale_by_another_device_says_so_and_shows_the_newer_answers(
    browser, live_server, screenshot, tmp_path
):
    quiz = make_quiz(title="Две вкладки", access="public")
    laptop = browser.new_context(locale="ru-RU")
    # The laptop's page can be put to sleep: its monotonic clock then stands still, as on
    # a computer that was suspended, so its save numbers fall behind another device's.
    laptop.add_init_script(
        "(() => { const real = performance.now.bind(performance); let slept = null;"
        " window.sleepClock = () => { slept = real(); };"
        " performance.now = () => (slept === null ? real() : slept); })()"
    )
    page = laptop.new_page()
    start_public(page, live_server, quiz)
    attempt = Attempt.objects.get()
    third = quiz.questions.get(position=3)
    page.evaluate("() => window.sleepClock()")

    state = tmp_path / "state.json"
    laptop.storage_state(path=str(state))
    phone = browser.new_context(locale="ru-RU", storage_state=str(state))
    other = phone.new_page()
    other.goto(page.url)
    assert wait_for_save(other, lambda: option(other, "Взрыв градиентов").check())["saved"]
    theirs = third.options.get(text="Взрыв градиентов").id

    # The laptop's change is older than the phone's save: the page says so and shows it.
    option(page, "Переобучение").check()
    page.locator(".save-status", has_text=NEWER).wait_for()
    assert option(page, "Взрыв градиентов").is_checked()
    assert not option(page, "Переобучение").is_checked()
    assert SAVED not in page.locator(".save-status").inner_text()
    screenshot(page, "1-newer-answers-shown")
    assert Answer.objects.get(attempt=attempt, question_id=third.id).selected == [theirs]

    # Its next change is saved as the newest.
    assert wait_for_save(page, lambda: option(page, "Переобучение").check())["saved"]
    mine = third.options.get(text="Переобучение").id
    assert Answer.objects.get(attempt=attempt, question_id=third.id).selected == [mine]
    close(phone)
    close(laptop)


def test_screen_readers_hear_the_true_time_left_and_only_crossed_thresholds(
    page, live_server, browser
):
    quiz = make_quiz(title="Две минуты", access="public", time_limit=timedelta(minutes=2))
    start_public(page, live_server, quiz)
    announcement = page.locator("#timer-announcement")
    page.wait_for_function("() => document.getElementById('timer-announcement').textContent")
    text = announcement.text_content()
    # What the countdown shows then, in words: 2:00 or a second or two less.
    assert re.fullmatch(r"Осталось времени: (2 минуты|1 минута \d{1,2} секунд[аы]?)\.", text), text
    page.wait_for_timeout(1500)
    assert "пять минут" not in announcement.text_content()

    # Five minutes and a second left: the start says so, then the threshold is crossed.
    longer = make_quiz(title="Пять минут", access="public", time_limit=timedelta(minutes=10))
    start_public(page, live_server, longer, email="ira2@example.com")
    Attempt.objects.filter(quiz=longer).update(deadline=timezone.now() + timedelta(seconds=302))
    page.reload()
    page.wait_for_function(
        "() => document.getElementById('timer-announcement').textContent"
        " === 'Осталось пять минут.'",
        timeout=8000,
    )


def test_time_counts_for_the_question_in_view(browser, live_server):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1000, "height": 600})
    page = context.new_page()
    quiz = make_large_quiz(title="В поле зрения", access="public", questions=8)
    start_public(page, live_server, quiz)
    # The candidate reads question 5 without touching it.
    page.locator("fieldset[data-number='5']").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(3500)
    # Any save reports the time; a change event on the form itself moves no focus.
    wait_for_save(
        page,
        lambda: page.evaluate(
            "() => document.getElementById('attempt-form')"
            ".dispatchEvent(new Event('change', {bubbles: true}))"
        ),
    )
    times = dict(Answer.objects.filter(attempt__quiz=quiz).values_list("question_id", "time_spent"))
    fifth = quiz.questions.get(position=5).id
    # Question 1 may have had the first second, before the page scrolled.
    assert times.get(fifth, 0) >= 2, times
    assert times[fifth] > sum(times.values()) - times[fifth], times
    close(context)
