"""One notion of the client's address for the lockout and the rate limits."""

import pytest
from django.test import RequestFactory

from quizzes.security import client_ip


def request(remote="192.0.2.1", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # left entries are the client's own
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "203.0.113.9", "192.0.2.1"),  # did not pass through both proxies
        (1, "", "192.0.2.1"),
        (1, "not-an-address", "192.0.2.1"),
    ],
)
def test_behind_proxies_the_entry_the_outermost_proxy_saw_is_used(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(forwarded=forwarded)) == expected
