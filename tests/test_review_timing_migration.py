"""Migration 0004: quizzes made before review timing keep showing candidates what they showed."""

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("quizzes", "0003_review_list_indexes")]
AFTER = [("quizzes", "0004_review_timing")]
POLICIES = ["thanks", "score", "correctness", "full"]


@pytest.mark.django_db(transaction=True)
def test_each_old_policy_becomes_both_reviews_and_back():
    try:
        old = migrate(BEFORE).get_model("quizzes", "Quiz")
        for policy in POLICIES:
            old.objects.create(title=policy, slug=policy, review_policy=policy, access="public")

        new = migrate(AFTER).get_model("quizzes", "Quiz")
        rows = new.objects.order_by("slug").values_list(
            "slug", "review_after_attempt", "review_after_close", "access", "practice", "closes_at"
        )
        assert list(rows) == [
            (policy, policy, policy, "public", False, None) for policy in sorted(POLICIES)
        ]

        new.objects.filter(slug="full").update(review_after_attempt="score")
        old = migrate(BEFORE).get_model("quizzes", "Quiz")
        assert dict(old.objects.values_list("slug", "review_policy")) == {
            "thanks": "thanks",
            "score": "score",
            "correctness": "correctness",
            "full": "score",  # what it showed right after the attempt
        }
    finally:
        migrate_to_latest()
