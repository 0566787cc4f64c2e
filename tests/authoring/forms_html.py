"""Read an admin page's form the way a browser would submit it, so tests edit like authors."""

import re
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        # The inline's empty form ("__prefix__"), which "Add another" copies.
        self.templates: list[tuple[str, str]] = []
        self._select: str | None = None
        self._multiple = False
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
                return
            self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._select_value = value
                if self._multiple:
                    self._add(self._select, value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def _add(self, name: str, value: str) -> None:
        (self.templates if "__prefix__" in name else self.data).append((name, value))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            # A multiple select sends each selected option as it comes: nothing when none is.
            if not self._multiple:
                value = self._select_value if self._select_value is not None else self._first_option
                self._add(self._select, value or "")
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # Browsers drop the one newline that follows <textarea>, and submit every line
            # break of a text area as CRLF.
            text = text[1:] if text.startswith("\n") else text
            self._add(self._textarea, re.sub(r"\r\n|\r|\n", "\r\n", text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def admin_form_data(html: str, form_id: str) -> dict:
    """Field values of the form with `form_id`, as a dict (lists for repeated names)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return _as_dict(reader.data)


def add_inline_rows(html: str, form_id: str, data: dict, prefix: str, count: int) -> list[int]:
    """Press an inline's "Add another" `count` times: copy its empty form into `data`.

    Returns the new rows' indexes; their fields hold what the page's empty form holds.
    """
    reader = _FormReader(form_id)
    reader.feed(html)
    template = [
        (name, value)
        for name, value in reader.templates
        if name.startswith(f"{prefix}-__prefix__-")
    ]
    assert template, f"no empty form for {prefix!r} on the page"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    added = list(range(total, total + count))
    for index in added:
        data.update(
            _as_dict([(name.replace("__prefix__", str(index)), value) for name, value in template])
        )
    data[f"{prefix}-TOTAL_FORMS"] = str(total + count)
    return added


def _as_dict(pairs: list[tuple[str, str]]) -> dict:
    data: dict = {}
    for name, value in pairs:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data
