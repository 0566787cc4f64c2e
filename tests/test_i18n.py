"""Russian is complete and compiled: a missing translation shows up as English in the UI."""

from pathlib import Path

import polib
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"


def test_every_russian_message_is_translated():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalog_matches_the_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = {(entry.msgctxt, entry.msgid): entry for entry in polib.mofile(str(LOCALE / "django.mo"))}
    stale = [
        entry.msgid
        for entry in po.translated_entries()
        if (entry.msgctxt, entry.msgid) not in mo
        or (
            mo[(entry.msgctxt, entry.msgid)].msgstr
            or mo[(entry.msgctxt, entry.msgid)].msgstr_plural
        )
        != (entry.msgstr or {int(k): v for k, v in entry.msgstr_plural.items()})
    ]
    assert stale == [], "run `make messages` to recompile translations"
