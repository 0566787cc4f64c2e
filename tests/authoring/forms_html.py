"""Read an admin page's form the way a browser would submit it, so tests edit like authors."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
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
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
                return
            self.data.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "__prefix__" not in name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self._select_value = value
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else self._first_option
            self.data.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # Browsers drop the one newline that follows <textarea>.
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def admin_form_data(html: str, form_id: str) -> dict:
    """Field values of the form with `form_id`, as a dict (lists for repeated names)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    data: dict = {}
    for name, value in reader.data:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data
