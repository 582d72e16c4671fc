"""The catalogues: current with the code, complete where they must be, and consistent.

A string marked for translation and not brought into the catalogues (``make
update-messages``), a participant-facing string one of the six languages lacks, a staff
string German lacks, a fuzzy or a broken placeholder: each fails here, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from allocator.i18n import PARTICIPANT_LANGUAGES, STAFF_LANGUAGES
from tests.support.languages import participant_facing

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "allocator" / "translations"
LANGUAGES = sorted({*PARTICIPANT_LANGUAGES, *STAFF_LANGUAGES} - {"en"})


def _catalog(language: str):
    return read_po((TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb"))


def test_the_template_holds_every_string_the_code_marks():
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    marked = {message if isinstance(message, str) else message[0]
              for _, _, message, _, _ in extract_from_dir(
                  str(ROOT / "allocator"), method_map, options_map, keywords=keywords)}
    template = {m.id if isinstance(m.id, str) else m.id[0]
                for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    assert sorted(marked - template) == [], "run make update-messages"
    assert sorted(template - marked) == [], "run make update-messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_translates_what_its_readers_see(language):
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    catalog = _catalog(language)
    staff = language in STAFF_LANGUAGES
    missing = []
    for message in template:
        if not message.id or not (staff or participant_facing(message.locations)):
            continue
        have = catalog.get(message.id)
        strings = () if have is None else (
            have.string if isinstance(have.string, tuple) else (have.string,))
        if not strings or not all(strings) or have.fuzzy:
            missing.append(message.id)
    assert missing == [], f"{language} lacks {len(missing)}: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_translation_keeps_its_placeholders(language):
    catalog = _catalog(language)
    broken = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert broken == []
    assert not any(m.fuzzy for m in catalog if m.id)


def test_the_servers_consent_text_is_the_one_the_catalogues_translate():
    import os

    import config
    from allocator.i18n import DEFAULT_CONSENT_TEXT

    if os.environ.get("CONSENT_TEXT"):
        pytest.skip("this server has its own consent text")
    assert config.BaseConfig.CONSENT_TEXT == DEFAULT_CONSENT_TEXT
