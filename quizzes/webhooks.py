"""Webhooks without Django: the events, the signature and the rule for where we may send.

Each delivery is signed with the endpoint's secret: `X-Quizsite-Signature` is
`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, computed at every try, so a
receiver can refuse old replays by `t`. README, "Webhooks", shows how a receiver checks it
(tests/test_webhooks.py runs that snippet).

Webhook URLs are chosen by staff but fetched by the server, so a URL pointing into our own
network (a metadata service, the database, the admin on localhost) would let whoever
configures one probe it. `resolve_target` refuses any URL whose host resolves to an address
that is not public, unless private addresses are explicitly allowed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

ATTEMPT_SUBMITTED = "attempt.submitted"
ATTEMPT_CLOSED = "attempt.closed"
INVITE_USED = "invite.used"
INVITE_EXPIRED = "invite.expired"
# What an endpoint can subscribe to; `ping` is only sent by the admin's test action.
EVENTS = (ATTEMPT_SUBMITTED, ATTEMPT_CLOSED, INVITE_USED, INVITE_EXPIRED)
PING = "ping"

SIGNATURE_HEADER = "X-Quizsite-Signature"
EVENT_HEADER = "X-Quizsite-Event"
DELIVERY_HEADER = "X-Quizsite-Delivery"
USER_AGENT = "quizsite-webhooks"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-Quizsite-Signature value for `body` sent at `timestamp`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class UnsafeURL(ValueError):
    """The URL may not receive webhooks: its scheme, or an address it resolves to.

    `code` names the reason and `params` fill its message, so the caller can say it in
    the reader's language (services.webhook_delivery.refusal_message).
    """

    def __init__(self, code: str, message: str, **params: object):
        super().__init__(message % params)
        self.code = code
        self.params = params


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet; False for private, loopback, link-local,
    multicast, reserved and unspecified ones, including IPv4 ones wrapped in IPv6."""
    inner = _embedded_ipv4(address)
    if inner is not None and not is_public_address(inner):
        return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL as configured and the checked address to connect to."""

    url: str
    scheme: str
    host: str  # as in the URL, for the Host header and TLS (SNI and certificate)
    port: int
    address: str  # the IP address that was checked, which the connection must use


Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url_shape(url: str, *, require_https: bool) -> tuple[str, str, int]:
    """Scheme, host and port of an acceptable URL; raises UnsafeURL otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURL("invalid", "not a valid URL: %(error)s", error=error) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL("scheme", "only http and https URLs can receive webhooks")
    if require_https and scheme != "https":
        raise UnsafeURL("https", "webhook URLs must use https")
    if not parts.hostname:
        raise UnsafeURL("no_host", "the URL has no host")
    if parts.username or parts.password:
        raise UnsafeURL("credentials", "the URL must not contain a user name or password")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def resolve_target(
    url: str,
    *,
    allow_private: bool,
    require_https: bool,
    resolver: Resolver | None = None,
) -> Target:
    """Check the URL and the addresses its host resolves to now; raises UnsafeURL.

    Every address the name resolves to must be public (not just the first): otherwise a
    name with one public and one private address would pass the check and the connection
    could still land on the private one.
    """
    scheme, host, port = check_url_shape(url, require_https=require_https)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list((resolver or system_resolver)(host, port))
        except (OSError, UnicodeError) as error:
            raise UnsafeURL(
                "unresolvable", "cannot resolve %(host)s: %(error)s", host=host, error=error
            ) from None
    if not addresses:
        raise UnsafeURL("no_address", "%(host)s has no address", host=host)
    if not allow_private:
        for address in addresses:
            if not is_public_address(ipaddress.ip_address(address.split("%", 1)[0])):
                raise UnsafeURL(
                    "private",
                    "%(host)s resolves to %(address)s, which is not a public address",
                    host=host,
                    address=address,
                )
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])
