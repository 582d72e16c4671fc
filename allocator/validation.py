"""Pure validation and normalisation rules shared by the API, the CSV import and the pages."""

from __future__ import annotations

import re
import unicodedata

import idna
from anyascii import anyascii

from allocator.romanise import romanisations

# ISO 3166-1 alpha-2 (2024), plus XK (Kosovo), which registrations use in practice.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW XK
    """.split()
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# The marks that make だ of た and ぱ of は: part of the letter, not an accent.
_KANA_VOICING = "\u3099\u309a"
# Letters that do not decompose under NFKD but that people type without the mark.
_APOSTROPHES = re.compile(r"['’`]")
# Kept in a search key: letters, digits, and what e-mail addresses are made of.
_NOT_SEARCHED = re.compile(r"[^0-9a-z@.+_]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane):
# "not for interchange", and not allowed in the XML of a spreadsheet file.
_NONCHARACTER_RE = re.compile("[\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]")


# The largest id an integer key holds on both databases (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1
_WHOLE_RE = re.compile(r"[0-9]{1,9}")


def whole_number(value: str | None) -> int | None:
    """A form field's whole number (ASCII digits only: "²" and "٣" are not), else None."""
    text = (value or "").strip()
    return int(text) if _WHOLE_RE.fullmatch(text) else None


def is_slug(value: str) -> bool:
    """Tell whether ``value`` is a lower-case key such as ``information-sharing``."""
    return bool(SLUG_RE.match(value))


def normalise_email(value: str) -> str:
    """Return the canonical (lower-case, IDNA domain) form of an e-mail, or raise ValueError."""
    value = value.strip()
    if len(value) > 254:
        raise ValueError("An e-mail address has at most 254 characters.")
    local, sep, domain = value.rpartition("@")
    if not sep or not local or not domain:
        raise ValueError("Not a valid e-mail address.")
    if len(local) > 64 or not _LOCAL_RE.match(local) or ".." in local:
        raise ValueError("Not a valid e-mail address.")
    if local.startswith(".") or local.endswith("."):
        raise ValueError("Not a valid e-mail address.")
    try:
        # IDNA 2008 with UTS 46 mapping (not Python's IDNA 2003 codec): "straße" and
        # "strasse", "ς" and "σ" are different domains and stay different.
        domain = idna.encode(domain.rstrip("."), uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError("Not a valid e-mail domain.") from exc
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels):
        raise ValueError("Not a valid e-mail domain.")
    if labels[-1].isdigit():
        raise ValueError("Not a valid e-mail domain.")
    result = f"{local.lower()}@{domain}"
    if len(result) > 254:
        raise ValueError("An e-mail address has at most 254 characters.")
    return result


def normalise_country(value: str) -> str:
    """Return an upper-case ISO 3166-1 alpha-2 code, or raise ValueError."""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError("Not an ISO 3166-1 alpha-2 country code (e.g. AT, CO, TH).")
    return code


def clean_text(value: str, multiline: bool = False) -> str:
    """Trim, normalise to NFC and drop control characters (tabs become spaces); unless
    ``multiline``, line breaks become spaces too, and direction overrides and zero-width
    spaces (which can hide or reorder what a reader sees) are dropped."""
    value = unicodedata.normalize("NFC", value).replace("\t", " ")
    if not multiline:
        value = _INVISIBLE_RE.sub("", value.replace("\r", " ").replace("\n", " "))
    value = _NONCHARACTER_RE.sub("", _CONTROL_RE.sub("", value))
    return " ".join(value.split()) if "\n" not in value else value.strip()


_INVISIBLE_RE = re.compile("[\u200b\u202a-\u202e\u2066-\u2069\ufeff]")


def xml_safe(value: str) -> str:
    """Text a spreadsheet's XML can hold: anything XML 1.0 forbids becomes U+FFFD."""
    return _XML_ILLEGAL_RE.sub("\ufffd", value)


_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def fold(value: str) -> str:
    """Text as the desk types it when searching: transliterated to Latin letters (anyascii:
    Cyrillic, Greek, Arabic, CJK alike), case and accents folded, apostrophes dropped,
    other punctuation a space. 'Петрова' -> 'petrova', "O'Connor" -> 'oconnor',
    'Nguyễn Łukasz' -> 'nguyen lukasz', 'やまだ' -> 'yamada' (kana keep their voicing)."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch) or ch in _KANA_VOICING)
    text = anyascii(unicodedata.normalize("NFC", text)).lower()
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_SEARCHED.sub(" ", text).split())


def search_key(*parts: str | None) -> str:
    """The folded text a participant is found by: each part folded, in order (the name
    first: lists sort by it, duplicates are found by it), then the other Latin spellings
    of the parts (:func:`allocator.romanise.romanisations`): 'Παπαδοπούλου' ->
    'papadopoyloy | … | papadopoulou'."""
    keys = [fold(p) for p in parts if p]
    others = [fold(r) for p in parts if p for r in romanisations(p)]
    return " | ".join(keys + [r for r in dict.fromkeys(others) if r and r not in keys])
