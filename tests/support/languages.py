"""Reading a page or a message for text left in English: every catalogue message's English
words that the reader's catalogue translates, looked for in what the reader sees."""

from __future__ import annotations

import functools
import html as html_module
import re
from pathlib import Path

from babel.messages.pofile import read_po

from allocator.i18n import PARTICIPANT_SOURCES

TRANSLATIONS = Path(__file__).resolve().parents[2] / "allocator" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
SEEN_ATTRIBUTES = re.compile(
    r'\b(?:aria-label|placeholder|title|alt|data-confirm)="([^"]*)"')


def participant_facing(locations: list[tuple[str, int | None]]) -> bool:
    """Whether a message is read by participants (one of its places is theirs)."""
    return any(path.removeprefix("allocator/").startswith(PARTICIPANT_SOURCES)
               for path, _ in locations)


@functools.cache
def english_pieces(language: str, participant_only: bool) -> tuple[str, ...]:
    """The English words of every message ``language`` translates differently, cut at
    placeholders, kept where they are long enough to tell (two words, ten characters).
    English, the language the messages are written in, has none."""
    if language == "en":
        return ()
    catalog = read_po((TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb"))
    pieces: set[str] = set()
    for message in catalog:
        if not message.id or (participant_only and not participant_facing(message.locations)):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = " ".join(s for s in strings if s)
        for english in ids:
            for piece in PLACEHOLDER.split(english):
                piece = " ".join(piece.split()).strip(" ,.:;()—·")
                if len(piece) >= 10 and len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2 \
                        and piece not in translated:
                    pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


def seen_text(markup: str) -> str:
    """What a reader sees (and hears) of a page as prose: its text and its labelled
    attributes."""
    # scripts and styles are not read; <code> and <kbd> are literal (column headings, keys)
    markup = re.sub(r"<(script|style|code|kbd)\b.*?</\1>", " ", markup, flags=re.S)
    attributes = " ".join(SEEN_ATTRIBUTES.findall(markup))
    text = re.sub(r"<[^>]+>", " ", markup)
    return " ".join(html_module.unescape(f"{text} {attributes}").split())


def untranslated(markup: str, language: str, participant_only: bool = True) -> list[str]:
    """The English catalogue words left in ``markup`` (a page, or a message's text)."""
    seen = seen_text(markup)
    return [piece for piece in english_pieces(language, participant_only) if piece in seen]


def page_language(markup: str) -> tuple[str, str]:
    """The ``lang`` and ``dir`` of a page's <html> element."""
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', markup)
    assert found, "the page says no language"
    return found.group(1), found.group(2)
