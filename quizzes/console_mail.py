"""The development email backend: each message printed as a person would read it.

Django's console backend prints the raw MIME message, where a Russian subject is base64
and the HTML part repeats the text. `make run` uses this one instead (no EMAIL_HOST set).
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class EmailBackend(ConsoleBackend):
    def write_message(self, message) -> None:
        headers = message.extra_headers
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
        ]
        if "Message-ID" in headers:
            lines.append(f"Message-ID: {headers['Message-ID']}")
        alternatives = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        if alternatives:
            lines.append(f"Also as: {', '.join(alternatives)}")
        self.stream.write("\n".join(lines) + "\n\n" + message.body.rstrip() + "\n")
        self.stream.write("-" * 79 + "\n")
