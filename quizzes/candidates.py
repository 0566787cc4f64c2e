"""Candidate lists pasted by recruiters: one `Name <email>` (or `email`, `Name, email`) a line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.core.validators import validate_email


@dataclass(frozen=True)
class InviteEntry:
    name: str
    email: str


_SEPARATED = re.compile(r"^(?P<name>.*?)\s*[,;\t]\s*(?P<email>[^,;\t\s]+@[^,;\t\s]+)$")


def normalized_email(email: str) -> str:
    """The form of an address that identifies a candidate: trimmed, case-insensitive."""
    return email.strip().lower()


def masked_email(email: str) -> str:
    """An address shown to someone who may not own it: a***@example.com."""
    local, _at, domain = email.strip().rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def parse_invite_line(line: str) -> InviteEntry:
    """One pasted line: `Name <email>`, `email`, or `Name, email` (also `;` or a tab).

    Raises django.core.exceptions.ValidationError when the line holds no valid address.
    """
    line = line.strip()
    separated = _SEPARATED.match(line)
    if "<" in line:
        name, email = parseaddr(line)
    elif separated:
        name, email = separated["name"], separated["email"]
    else:
        name, email = "", line
    name, email = name.strip().strip("\"'"), email.strip()
    validate_email(email)
    return InviteEntry(name=name, email=email)
