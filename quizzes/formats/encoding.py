"""Bytes -> text: BOM/UTF-8/cp1251 detection, binary rejection, mojibake repair.

Decoding never raises on bad input; it returns a ``DecodedText`` whose
``error`` explains why the bytes are not a usable text file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from .model import DecodedText
from .problems import Code, Problem, problem

# Codecs that UTF-8 text is commonly mis-decoded with before being saved
# again as UTF-8 (macOS TextEdit/old Office, Windows "ANSI").
_MOJIBAKE_CODECS = (
    ("mac_roman", "Mac OS Roman"),
    ("cp1252", "Windows-1252"),
)

# Control bytes that never appear in text files (tab, LF, FF, CR, ESC-free).
_TEXT_CONTROLS = {0x09, 0x0A, 0x0B, 0x0C, 0x0D}
_MAX_CONTROL_RATIO = 0.1

_WORD_RE = re.compile(r"[^\W\d_]+")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _looks_like_cyrillic_text(text: str) -> bool:
    """True when a cp1251 reading yields real Cyrillic words.

    Every byte >= 0xC0 is a Cyrillic letter in cp1251, so Latin-1 text such as
    "caf\\xe9" would also "decode"; genuine Russian text has whole Cyrillic
    words, while misread Western text produces Latin words with a stray
    Cyrillic letter inside.
    """
    non_ascii = [c for c in text if not c.isascii()]
    if not non_ascii:
        return False
    cyrillic = sum(1 for c in non_ascii if _is_cyrillic(c))
    if cyrillic < 0.7 * len(non_ascii):
        return False
    cyr_words = mixed_words = 0
    for word in _WORD_RE.findall(text):
        has_cyr = any(_is_cyrillic(c) for c in word)
        if not has_cyr:
            continue
        if any(_is_latin_letter(c) for c in word):
            mixed_words += 1
        else:
            cyr_words += 1
    return cyr_words > 0 and mixed_words <= 0.1 * (cyr_words + mixed_words)


def _binary_problem(data: bytes) -> Problem | None:
    nul = data.find(b"\x00")
    if nul != -1:
        return problem(_line_of(data, nul), Code.BINARY_NUL, offset=nul)
    sample = data[:65536]
    controls = sum(1 for b in sample if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)
    if sample and controls > _MAX_CONTROL_RATIO * len(sample):
        return problem(1, Code.BINARY_CONTROLS)
    return None


def _non_ascii_count(text: str) -> int:
    return sum(1 for c in text if not c.isascii())


def _try_unmojibake(text: str, codec: str) -> str | None:
    try:
        fixed = text.encode(codec).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if fixed == text:
        return None
    # Each multi-byte UTF-8 character became 2-4 single-byte characters, so a
    # genuine repair shrinks the non-ASCII share a lot; accidental round trips
    # of legitimate text (very rare) do not.
    if _non_ascii_count(fixed) > 0.75 * _non_ascii_count(text):
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v" for c in fixed):
        return None
    return fixed


def repair_mojibake(text: str) -> tuple[str, list[Problem]]:
    """Undo "UTF-8 decoded as a legacy 8-bit codec" damage, possibly nested."""
    repairs: list[Problem] = []
    for _ in range(3):
        for codec, label in _MOJIBAKE_CODECS:
            fixed = _try_unmojibake(text, codec)
            if fixed is not None:
                text = fixed
                repairs.append(problem(None, Code.MOJIBAKE_REPAIRED, codec=label))
                break
        else:
            break
    return text, repairs


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes) -> DecodedText:
    """Decode an uploaded file. Never raises on bad bytes; see ``DecodedText.error``."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        from .model import FormatError

        raise FormatError(f"decode() expects bytes, got {type(data).__name__}")
    data = bytes(data)

    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        # UTF-16 is full of NUL bytes, so it must be recognised before the
        # binary check.
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF32_LE):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                return DecodedText(
                    "",
                    codec,
                    error=problem(1, Code.INVALID_UTF16, offset=exc.start),
                )
            return _finish(text, codec, [])

    binary = _binary_problem(data)
    if binary is not None:
        return DecodedText("", "binary", error=binary)

    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data[len(codecs.BOM_UTF8) :]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            cp_text = data.decode("cp1251")
        except UnicodeDecodeError:
            cp_text = None
        if cp_text is not None and encoding == "utf-8" and _looks_like_cyrillic_text(cp_text):
            return _finish(cp_text, "cp1251", [])
        offset = exc.start + (len(data) - len(body))
        return DecodedText(
            "",
            encoding,
            error=problem(_line_of(data, offset), Code.INVALID_UTF8, offset=offset),
        )
    return _finish(text, encoding, [])


def _finish(text: str, encoding: str, repairs: list[Problem]) -> DecodedText:
    text = normalize_newlines(text)
    text, fixed = repair_mojibake(text)
    return DecodedText(text, encoding, repairs + fixed)
