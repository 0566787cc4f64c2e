"""The benchmark's own code: seeding is correct at small N, the table reads right."""

import json
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from bench import prepare, seed
from bench.load import RequestList
from bench.report import BARE, EndpointResult, add_ratios, format_table, percentile
from quizzes import grading
from quizzes.content import gradable_questions
from quizzes.models import Answer, Attempt
from quizzes.services.attempts import start_attempt, submit_attempt
from quizzes.services.revisions import current_revision


@pytest.mark.django_db
def test_seeded_attempts_carry_the_scores_the_grader_gives():
    quiz = seed.build_quiz(questions=6, options=5, slug="bench-small")
    report = seed.seed_attempts(quiz, attempts=30, batch=7, progress=lambda _: None)

    assert report.attempts == 30
    assert Attempt.objects.filter(quiz=quiz, state="submitted").count() == 30
    assert Answer.objects.filter(attempt__quiz=quiz).count() == report.answers > 0
    content = current_revision(quiz).content
    questions = gradable_questions(content)
    for attempt in Attempt.objects.filter(quiz=quiz).prefetch_related("answers"):
        answers = {a.question_id: a for a in attempt.answers.all()}
        graded = grading.grade_attempt(questions, {q: a.selected for q, a in answers.items()})
        assert attempt.score == graded.score
        assert attempt.max_score == graded.max_score == 6
        assert attempt.marks_total == sum((a.points for a in answers.values()), Decimal(0))
        # The stored percent is filled by the database for COPY-seeded rows too.
        assert attempt.percent == pytest.approx(float(graded.score) * 100 / 6)
        for question in graded.questions:
            if question.question_id in answers:
                assert answers[question.question_id].points == question.points
        assert attempt.layout["questions"] == [q["id"] for q in content["questions"]]
        assert attempt.submitted_at > attempt.started_at


@pytest.mark.django_db
def test_seeding_twice_appends_with_fresh_ids():
    quiz = seed.build_quiz(questions=2, slug="bench-twice")
    seed.seed_attempts(quiz, attempts=5, progress=lambda _: None)
    seed.seed_attempts(quiz, attempts=5, seed=8, progress=lambda _: None)
    assert Attempt.objects.filter(quiz=quiz).count() == 10
    # The id sequence is past the seeded rows: the site can still start attempts.
    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@x.org")
    assert attempt.pk > max(Attempt.objects.exclude(pk=attempt.pk).values_list("pk", flat=True))


def test_question_choices_grade_the_right_answer_fully():
    question = grading.GradableQuestion(
        id=1,
        kind=grading.Kind.MULTIPLE,
        options=tuple(
            grading.GradableOption(id=i, verdict=grading.Verdict(v))
            for i, v in enumerate(["correct", "correct", "partial", "incorrect", "incorrect"], 1)
        ),
    )
    best, others = seed.question_choices(question)
    assert best.selected == (1, 2) and best.fraction == 1 and best.points == Decimal("1.0000")
    assert others and all(choice.selected != best.selected for choice in others)
    # Ticking the ⚠️ option too is still full marks (partial options are neutral).
    fractions = {choice.selected: choice.fraction for choice in others}
    assert fractions[(1, 2, 3)] == 1
    assert fractions[(1,)] == Decimal("0.5")
    assert fractions[(3, 4)] == 0


def test_table_shows_ratios_to_the_bare_view_and_target_verdicts():
    results = [
        EndpointResult(name=BARE, requests=10_000, seconds=10, p50_ms=1, p95_ms=2, p99_ms=3),
        EndpointResult(
            name="attempt page",
            requests=4_000,
            seconds=10,
            p50_ms=9,
            p95_ms=20,
            p99_ms=31.25,
            cpu_ms=4.5,
            target=0.5,
        ),
        EndpointResult(
            name="submit POST",
            requests=3_000,
            seconds=10,
            p50_ms=9,
            p95_ms=20,
            p99_ms=30,
            errors=2,
            target=0.25,
        ),
        EndpointResult(name="statistics page", seconds=10, note="cold cache"),
        EndpointResult(name="autosave POST", note="no endpoint", measured=False),
    ]
    add_ratios(results)
    assert [r.ratio for r in results] == [1.0, 0.4, 0.3, 0.0, None]
    table = format_table(results).splitlines()
    assert table[0].split() == [
        "endpoint",
        "req/s",
        "p50",
        "ms",
        "p95",
        "ms",
        "p99",
        "ms",
        "errors",
        "CPU",
        "ms/req",
        "×",
        "bare",
        "target",
    ]
    attempt = next(line for line in table if line.startswith("attempt page"))
    assert "400" in attempt and "31.2" in attempt and "4.5" in attempt
    assert attempt.rstrip().endswith("≥ 0.5× MISSED")
    submit = next(line for line in table if line.startswith("submit POST"))
    assert submit.rstrip().endswith("≥ 0.25× ok") and " 2 " in submit
    assert table[-1].startswith("autosave POST") and table[-1].endswith("skipped: no endpoint")
    # Measured but nothing finished is a result (0 req/s), not a skipped endpoint.
    stats = next(line for line in table if line.startswith("statistics page"))
    assert stats.split()[2] == "0" and "skipped" not in stats
    assert json.loads(json.dumps(results[1].as_dict()))["verdict"] == "MISSED"


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.99) == 7.0


def test_request_list_file_matches_what_the_wrk_script_reads(tmp_path):
    path = RequestList("POST", "a=1&b=2", [("/x/", "sessionid=s; csrftoken=c"), ("/y/", "")])
    text = path.write(tmp_path / "r.requests").read_text()
    assert text == "POST\na=1&b=2\n/x/\tsessionid=s; csrftoken=c\n/y/\t\n"
    own = RequestList("POST", "", [("/x/", "c=1", "q_a=b"), ("/y/", "c=2", "q_c=d")])
    text = own.write(tmp_path / "own.requests").read_text()
    assert text == "POST\n\n/x/\tc=1\tq_a=b\n/y/\tc=2\tq_c=d\n"


@pytest.mark.django_db
def test_every_benchmarked_save_and_submit_is_accepted_by_the_site():
    # Answers name options by each attempt's own tokens: one body for all attempts would
    # only measure the refusal of forged answers (as the benchmark did before).
    from django.test import Client

    quiz = seed.build_quiz(questions=4, slug="bench-bodies")
    (reviewed,) = prepare.new_attempts(quiz, 1)  # the result page's (seeded, submitted)
    submit_attempt(attempt_id=reviewed.pk, selections={})
    lists = prepare.candidate_requests(quiz, submit_pool=3, autosave_pool=3)
    for name, expected in (("submit POST", 302), ("autosave POST", 200)):
        requests = lists[name]
        assert isinstance(requests, RequestList)
        for path, cookie, body in requests.entries:
            browser = Client(enforce_csrf_checks=True)
            for pair in cookie.split("; "):
                key, value = pair.split("=", 1)
                browser.cookies[key] = value
            response = browser.post(
                path, body, content_type="application/x-www-form-urlencoded", HTTP_HOST="127.0.0.1"
            )
            assert response.status_code == expected, (name, response.content[:300])
            if name == "autosave POST":
                assert response.json()["saved"] is True


@pytest.mark.django_db
def test_soak_audit_counts_lost_changed_and_duplicated_answers():
    from bench.soak import Candidate, audit

    quiz = seed.build_quiz(questions=3, slug="soak-audit")
    content = current_revision(quiz).content
    q1, q2, q3 = (q["id"] for q in content["questions"])
    opt = {q["id"]: [o["id"] for o in q["options"]] for q in content["questions"]}

    def candidate(n, sent, stored, *, attempts=1, submit=True):
        person = Candidate(number=n, email=f"c{n}@example.com", sent=sent, submitted=True)
        for _ in range(attempts):
            attempt = start_attempt(quiz=quiz, candidate_name=f"C{n}", candidate_email=person.email)
            if submit:
                submit_attempt(attempt_id=attempt.pk, selections=stored)
        return person

    people = [
        candidate(1, {q1: [opt[q1][0]]}, {q1: [opt[q1][0]]}),  # intact
        candidate(2, {q1: [opt[q1][0]], q2: [opt[q2][0]]}, {q1: [opt[q1][0]]}),  # q2 lost
        candidate(3, {q3: [opt[q3][0]]}, {q3: [opt[q3][1]]}),  # q3 changed
        candidate(4, {q1: [opt[q1][0]]}, {q1: [opt[q1][0]]}, attempts=2),  # duplicate attempt
        candidate(5, {q2: [opt[q2][0]]}, {}, submit=False),  # never stored as submitted
    ]
    people.append(Candidate(number=6, email="c6@example.com", failure="start POST: timeout"))

    result = audit(people, quiz)

    assert result["candidates"] == 6
    assert result["submitted_by_clients"] == 5
    assert result["answers_sent"] == 6
    assert result["answers_lost"] == 2  # candidate 2's q2 and candidate 5's q2
    assert result["answers_changed"] == 1
    assert result["attempts_duplicated"] == 1
    assert result["answers_duplicated"] == 0
    assert result["submitted_but_not_stored_as_submitted"] == 1
    assert result["client_failures"] == [("start POST: timeout", 1)]


@pytest.mark.django_db
def test_soak_candidates_answer_with_the_tokens_their_attempt_page_shows(client, start):
    from bench.soak import Candidate, answer_fields, read_tokens

    quiz = seed.build_quiz(questions=4, slug="soak-tokens")
    attempt = start(quiz)
    questions = attempt.revision.content["questions"]
    person = Candidate(number=1, email=attempt.candidate_email)

    read_tokens(person, client.get(attempt.get_absolute_url()).content.decode(), questions)

    assert person.question_tokens == {q["id"]: attempt.tokens.question(q["id"]) for q in questions}
    sent = {q["id"]: [q["options"][-1]["id"]] for q in questions[:3]}
    assert client.post(attempt.get_absolute_url(), answer_fields(person, sent)).status_code == 302
    stored = dict(attempt.answers.values_list("question_id", "selected"))
    assert {k: v for k, v in stored.items() if v} == sent


@pytest.mark.django_db
def test_prepared_request_bodies_use_each_attempts_tokens(client):
    from bench import prepare

    quiz = seed.build_quiz(questions=6, slug="prepared-bodies")
    first, second = prepare.new_attempts(quiz, 2)
    assert first.token_key and first.token_key != second.token_key
    client.cookies["sessionid"] = prepare.sessions_for([first])[0]
    questions = first.revision.content["questions"]

    body = prepare.autosave_body(first, "csrf")
    saved = client.post(
        reverse("quizzes:autosave", kwargs={"public_id": first.public_id}),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    seq = int(parse_qs(body)["seq"][0])
    assert saved.json() == {"saved": True, "stale": False, "seq": seq}
    assert {(a.question_id, a.time_spent) for a in first.answers.all()} == {
        (q["id"], 20) for q in questions[:5]
    }
    submitted = client.post(
        first.get_absolute_url(),
        prepare.answer_body(first, "csrf"),
        content_type="application/x-www-form-urlencoded",
    )
    assert submitted.status_code == 302
    stored = dict(first.answers.values_list("question_id", "selected"))
    assert stored == {q["id"]: [q["options"][0]["id"]] for q in questions}


@pytest.mark.django_db
def test_api_requests_page_through_the_seeded_attempts_with_a_working_token(client, tmp_path):
    from bench.prepare import api_attempts_requests

    quiz = seed.build_quiz(questions=2, slug="bench-api")
    seed.seed_attempts(quiz, attempts=120, progress=lambda _: None)
    requests = api_attempts_requests()

    assert isinstance(requests, RequestList) and requests.authorization.startswith("Bearer qz_")
    assert len(requests.entries) == 1 + 3  # the first page, then a cursor per 50 attempts
    assert (
        requests.write(tmp_path / "api.requests")
        .read_text()
        .startswith(f"GET\t{requests.authorization}\n\n/api/v1/attempts\t\n")
    )
    seen = []
    for path, _cookie in requests.entries:
        response = client.get(path, HTTP_AUTHORIZATION=requests.authorization)
        assert response.status_code == 200, response.content
        seen.append(len(response.json()["attempts"]))
    assert seen == [50, 50, 50, 19]  # after the 1st, 51st and 101st of 120
