"""Fill a language's gettext catalogue from a translator's list (one line per message of
the template, in its order; plural forms joined by " || "); checks placeholders and count.

    python scripts/fill_catalogue.py fr translations-fr.txt

Used once per language when a translator hands over a list; the catalogue (.po) is what
is kept and reviewed from then on.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "allocator" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def fill(language: str, lines: list[str]) -> Catalog:
    """The catalogue of ``language``: the template's messages with ``lines`` as their
    translations (raises ValueError on a count or placeholder mismatch)."""
    template = read_po((ROOT / "messages.pot").open("rb"))
    messages = [m for m in template if m.id]
    if len(lines) != len(messages):
        raise ValueError(f"{len(lines)} lines for {len(messages)} messages")
    catalog = Catalog(locale=language, project="allocator", fuzzy=False)
    plurals = get_plural(language).num_plurals
    for message, line in zip(messages, lines, strict=True):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = [part.strip() for part in line.split(" || ")]
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for form in forms:
            if set(PLACEHOLDER.findall(form)) - wanted - {"num"} or (
                    wanted - {"num"} - set(PLACEHOLDER.findall(form))):
                raise ValueError(f"placeholders differ: {ids[0]!r} -> {form!r}")
        if isinstance(message.id, tuple):
            if len(forms) == 2 and plurals == 3:  # one, many, other: many reads as other
                forms = [forms[0], forms[1], forms[1]]
            if len(forms) != plurals:
                raise ValueError(f"{len(forms)} forms for {plurals} in {ids[0]!r}")
            string: str | tuple[str, ...] = tuple(forms)
        else:
            string = forms[0]
        catalog.add(message.id, string, locations=message.locations, flags=message.flags)
    return catalog


def main() -> None:
    """Write ``allocator/translations/<language>/LC_MESSAGES/messages.po``."""
    language, source = sys.argv[1], Path(sys.argv[2])
    catalog = fill(language, source.read_text(encoding="utf-8").splitlines())
    target = ROOT / language / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        write_po(out, catalog, width=0, sort_by_file=True)
    print(f"{target.relative_to(ROOT.parent.parent)}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
