"""A translator's round trip for one language's gettext catalogue.

    python scripts/fill_catalogue.py fr --gaps > fr-todo.txt     # what is missing, one per line
    python scripts/fill_catalogue.py fr fr-done.txt              # the same lines, translated

The missing messages are those of the template (``messages.pot``) the catalogue does not
translate yet: for the participant languages only those participants read (the files in
``allocator.i18n.PARTICIPANT_SOURCES``), for a staff language all of them. Plural forms are
joined by " || "; placeholders are checked. The catalogue (.po) is what is kept and
reviewed; ``make update-messages`` brings it up to date with the code first.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "allocator" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
sys.path.insert(0, str(ROOT.parent.parent))
from allocator.i18n import PARTICIPANT_SOURCES, STAFF_LANGUAGES  # noqa: E402


def participant_facing(message: Message) -> bool:
    """Whether participants read ``message`` (one of its places is theirs)."""
    return any(path.removeprefix("allocator/").startswith(PARTICIPANT_SOURCES)
               for path, _ in message.locations)


def translated(message: Message) -> bool:
    """Whether ``message`` has every form translated and is not fuzzy."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def catalogue_path(language: str) -> Path:
    """Where ``language``'s catalogue lives."""
    return ROOT / language / "LC_MESSAGES" / "messages.po"


def gaps(language: str) -> list[Message]:
    """The template's messages ``language`` must translate and does not yet, in order."""
    template = read_po((ROOT / "messages.pot").open("rb"))
    path = catalogue_path(language)
    catalog = read_po(path.open("rb")) if path.exists() else Catalog(locale=language)
    missing = []
    for message in template:
        if not message.id:
            continue
        if language not in STAFF_LANGUAGES and not participant_facing(message):
            continue
        have = catalog.get(message.id)
        if have is None or not translated(have):
            missing.append(message)
    return missing


def fill(language: str, lines: list[str]) -> Catalog:
    """``language``'s catalogue with ``lines`` as the translations of its gaps (raises
    ValueError on a count or placeholder mismatch)."""
    missing = gaps(language)
    if len(lines) != len(missing):
        raise ValueError(f"{len(lines)} lines for {len(missing)} missing messages")
    path = catalogue_path(language)
    catalog = read_po(path.open("rb")) if path.exists() else Catalog(
        locale=language, project="allocator", fuzzy=False)
    plurals = get_plural(language).num_plurals
    for message, line in zip(missing, lines, strict=True):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = [part.strip() for part in line.split(" || ")]
        wanted = set(PLACEHOLDER.findall(ids[-1])) - {"num"}
        for form in forms:
            if set(PLACEHOLDER.findall(form)) - {"num"} != wanted:
                raise ValueError(f"placeholders differ: {ids[0]!r} -> {form!r}")
        string: str | tuple[str, ...] = forms[0]
        if isinstance(message.id, tuple):
            if len(forms) == 2 and plurals == 3:  # one, many, other: many reads as other
                forms = [forms[0], forms[1], forms[1]]
            if len(forms) == 1 and plurals > 1:
                forms = forms * plurals
            if len(forms) != plurals:
                raise ValueError(f"{len(forms)} forms for {plurals} in {ids[0]!r}")
            string = tuple(forms)
        if message.id in catalog:
            catalog.delete(message.id)
        catalog.add(message.id, string, locations=message.locations, flags=message.flags)
    return catalog


def main() -> None:
    """Print a language's gaps (``--gaps``), or fill them from a file of lines."""
    language = sys.argv[1]
    if sys.argv[2] == "--gaps":
        for message in gaps(language):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            print(" || ".join(ids))
        return
    catalog = fill(language, Path(sys.argv[2]).read_text(encoding="utf-8").splitlines())
    path = catalogue_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=0, sort_by_file=True)
    print(f"{path.relative_to(ROOT.parent.parent)}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
