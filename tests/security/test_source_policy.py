"""Source-level rules that keep the CSP and the escaping honest."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Virtualenvs (also `make bench-peer`'s), dependencies and generated files are not ours.
SKIPPED_DIRS = {
    ".venv",
    ".venv-peer",
    "tests",
    "node_modules",
    "var",
    ".git",
    "vendor",
    "__pycache__",
}


def project_files(*suffixes: str, under: str = ".") -> list[Path]:
    found = []
    for path in (ROOT / under).rglob("*"):
        relative = path.relative_to(ROOT)
        if (
            path.is_file()
            and path.suffix in suffixes
            and not SKIPPED_DIRS.intersection(relative.parts)
        ):
            found.append(path)
    return sorted(found)


INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son\w+\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def violations(pattern: re.Pattern, files: list[Path]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}: {match.group(0)}"
        for path in files
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]


def test_the_scan_sees_the_templates_and_static_files():
    templates = project_files(".html", under="templates")
    assert ROOT / "templates" / "base.html" in templates
    assert ROOT / "templates" / "quizzes" / "attempt.html" in templates
    assert ROOT / "static" / "quizzes" / "site.css" in project_files(".css", under="static")


def test_templates_and_static_files_have_no_inline_script_style_or_handlers():
    # Templates anywhere (project and app folders) and our own static files.
    files = project_files(".html", ".js", ".txt")
    found = (
        violations(INLINE_SCRIPT, files)
        + violations(STYLE_ATTRIBUTE, files)
        + violations(STYLE_ELEMENT, files)
        + violations(HANDLER_ATTRIBUTE, files)
    )
    assert found == []


def test_the_inline_code_patterns_catch_what_they_should():
    samples = {
        INLINE_SCRIPT: ["<script>alert(1)</script>", '<script type="module">x</script>'],
        STYLE_ATTRIBUTE: ['<p style="color:red">', "<div  STYLE='x'>"],
        HANDLER_ATTRIBUTE: ['<img onerror="x">', "<body onload=x>"],
    }
    for pattern, texts in samples.items():
        for text in texts:
            assert pattern.search(text), text
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="d">{}</script>')
    assert not HANDLER_ATTRIBUTE.search('<a data-confirm="x" href="/">')


UNSAFE_MARKUP = re.compile(r"\|\s*safe(seq)?\b|\bmark_safe\b|\bautoescape\s+off\b|\bSafeString\(")
# The sanitizer's own module is the one place that may declare HTML safe.
ALLOWED_TO_MARK_SAFE = {ROOT / "quizzes" / "rendering.py"}


def test_html_is_marked_safe_only_by_the_sanitizer():
    files = [
        path
        for path in project_files(".py", ".html", ".txt", ".js")
        if path not in ALLOWED_TO_MARK_SAFE and not path.name.startswith("test_")
    ]
    assert ROOT / "quizzes" / "views" / "candidate.py" in files
    assert ROOT / "templates" / "quizzes" / "result.html" in files
    assert violations(UNSAFE_MARKUP, files) == []


def test_the_unsafe_markup_pattern_catches_every_spelling():
    for text in [
        "{{ x|safe }}",
        "{{ x | safe }}",
        "{% autoescape off %}",
        "mark_safe(html)",
        "from django.utils.safestring import mark_safe",
        "{{ rows|safeseq|join:', ' }}",
        "SafeString(html)",
    ]:
        assert UNSAFE_MARKUP.search(text), text
    assert not UNSAFE_MARKUP.search("{{ x|safeseq_ish }} safely, format_html('{}', x)")
