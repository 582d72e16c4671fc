"""What people write, turned into the canonical value: one layer for the API, the CSV import
and the pages.

A spreadsheet says ``Government``, ``Civil society``, ``Facilitator``, ``Information
Sharing`` (a theme's title) or ``ua``; the API wants ``government``, ``civil_society``,
``facilitator``, ``information-sharing`` and ``UA``. Everything here accepts what is
unambiguous — letter case, accents, spaces, hyphens and underscores, labels and titles as
well as keys, ISO country names and codes (``pycountry``) — and refuses the rest with a
sentence that names what is allowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from allocator.validation import COUNTRY_CODES

GENDERS = {"female": "female", "male": "male", "non binary": "non_binary",
           "nonbinary": "non_binary", "undisclosed": "undisclosed",
           "prefer not to say": "undisclosed"}
ROLES = {"participant": "participant", "facilitator": "facilitator"}
# Programme duties, as people write them (models.base.DUTIES holds the keys).
DUTIES_READ = {"moderator": "moderator", "chair": "chair", "chairperson": "chair",
               "workshop chair": "chair", "rapporteur": "rapporteur", "speaker": "speaker",
               "expert": "speaker"}
DUTY_LABELS = {"moderator": "Moderator", "chair": "Chair", "rapporteur": "Rapporteur",
               "speaker": "Speaker"}
# The seven sectors of the UN.GIFT forum, as people read them.
DEFAULT_SECTOR_LABELS = {
    "government": "Government",
    "parliament": "Parliament",
    "private_sector": "Private sector",
    "civil_society": "Civil society",
    "media": "Media",
    "academia": "Academia",
    "international_organization": "International organisation",
}
# Names people use that ISO 3166 does not list (and Kosovo, which it does not list at all).
COUNTRY_ALIASES = {"uk": "GB", "great britain": "GB", "england": "GB", "usa": "US",
                   "us": "US", "united states of america": "US", "kosovo": "XK",
                   "russia": "RU", "turkey": "TR", "ivory coast": "CI", "syria": "SY",
                   "laos": "LA", "north korea": "KP", "macedonia": "MK", "cape verde": "CV",
                   "swaziland": "SZ", "burma": "MM", "the netherlands": "NL",
                   "holland": "NL", "vatican": "VA", "east timor": "TL"}


def fold(value: str) -> str:
    """Case, accents and separators forgiven: 'Civil-Society ' -> 'civil society'."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.split(r"[^0-9a-z]+", text)).strip()


def humanise(key: str) -> str:
    """A label for a key nobody labelled: 'private_sector' -> 'Private sector'."""
    text = re.sub(r"[-_]+", " ", key).strip()
    return text[:1].upper() + text[1:]


def _choice(value: str, options: dict[str, str], what: str) -> str:
    found = options.get(fold(value))
    if found is None:
        allowed = ", ".join(sorted({humanise(v) for v in options.values()}))
        raise ValueError(f"Not a {what} this service knows. Use one of: {allowed}.")
    return found


def gender(value: str) -> str:
    """'Female', 'non-binary', 'Non Binary' -> the stored value."""
    return _choice(value, GENDERS, "gender")


def duty(value: str) -> str:
    """'Rapporteur', 'chair' -> the stored value."""
    return _choice(value, DUTIES_READ, "duty")


def role(value: str) -> str:
    """'Facilitator' -> 'facilitator'."""
    return _choice(value, ROLES, "role")


def _country_key(name: str) -> str:
    """How a country's name is looked up: folded for Latin script, else its own letters,
    case-folded and spaced once ("Австрия" -> "австрия")."""
    return fold(name) or " ".join(re.split(r"[\W_]+", name.casefold())).strip()


def _country_index() -> dict[str, set[str]]:
    import pycountry

    index: dict[str, set[str]] = {}

    def add(name: str | None, code: str) -> None:
        if name and _country_key(name):
            index.setdefault(_country_key(name), set()).add(code)

    for country in pycountry.countries:
        code = country.alpha_2
        add(code, code)
        add(country.alpha_3, code)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            add(name, code)
            if name and "," in name:  # "Korea, Republic of" -> also "Korea"
                add(name.split(",")[0], code)
    for alias, code in COUNTRY_ALIASES.items():
        index.setdefault(alias, set()).add(code)
    # Names as people write them in the languages the pages speak (CLDR, through Babel):
    # "Autriche", "Österreich", "Австрия", "النمسا", "奥地利".
    from babel import Locale

    for language in ("en", "fr", "es", "ru", "ar", "zh", "de"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                add(name, code)
    return index


_COUNTRIES: dict[str, set[str]] | None = None


def country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code from a code (any case), an alpha-3 code or a name.

    'ua', 'UKR', 'Ukraine', 'Türkiye', 'Russia', 'South Korea', and names in the six UN
    languages and German ('Autriche', 'Австрия'), are understood; a name that fits several
    countries ('Congo', 'Korea') is refused, naming them.
    """
    global _COUNTRIES
    if _COUNTRIES is None:
        _COUNTRIES = _country_index()
    key = _country_key(value)
    codes = _COUNTRIES.get(key)
    if not codes:  # a word or two from the start of exactly one country's name
        codes = {code for name, found in _COUNTRIES.items() if name.startswith(key + " ")
                 or name == key for code in found} if len(key) >= 4 else set()
    codes = {c for c in codes if c in COUNTRY_CODES}
    if len(codes) == 1:
        return next(iter(codes))
    if codes:
        raise ValueError(f"'{value.strip()}' could be several countries "
                         f"({', '.join(sorted(codes))}); write the ISO code.")
    raise ValueError(f"'{value.strip()}' is not a country ISO 3166 knows; write its name or "
                     "its ISO code (e.g. AT, CO, TH).")


@dataclass
class Taxonomy:
    """One event's words: its sectors (keys and labels) and its themes (keys and titles)."""

    sectors: list[str]
    sector_labels: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)  # key -> title, in order
    # Our own default labels in the reader's language (the event's own labels stay as written)
    translate: Callable[[str], str] = field(default=str, repr=False, compare=False)

    def label(self, sector: str) -> str:
        """How a sector reads: its label, else the default label in the reader's language,
        else the key made readable."""
        if self.sector_labels.get(sector):
            return self.sector_labels[sector]
        default = DEFAULT_SECTOR_LABELS.get(sector)
        return self.translate(default) if default else humanise(sector)

    def sector(self, value: str) -> str:
        """A sector key from its key or label (translated or not), however it is spelt."""
        wanted = fold(value)
        for key in self.sectors:
            if wanted in (fold(key), fold(self.label(key)),
                          fold(DEFAULT_SECTOR_LABELS.get(key, key))):
                return key
        raise ValueError(f"'{value.strip()}' is not one of this event's sectors. Use one of: "
                         f"{', '.join(self.label(s) for s in self.sectors)}.")

    def theme(self, value: str) -> str:
        """A theme key from its key or title, however it is spelt."""
        wanted = fold(value)
        for key, title in self.themes.items():
            if wanted in (fold(key), fold(title)):
                return key
        known = ", ".join(self.themes.values()) or "none yet"
        raise ValueError(f"'{value.strip()}' is not one of this event's themes. "
                         f"Its themes: {known}.")

    def themes_of(self, values: Iterable[str]) -> list[str]:
        """Theme keys for a list of keys or titles; every unknown one named in the error."""
        keys, unknown = [], []
        for value in values:
            try:
                keys.append(self.theme(value))
            except ValueError:
                unknown.append(value.strip())
        if unknown:
            names = ", ".join(f"'{u}'" for u in unknown)
            raise ValueError(f"Not among this event's themes: {names}. Its themes: "
                             f"{', '.join(self.themes.values()) or 'none yet'}.")
        return keys


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: (1, 'row') -> '1 row', (2, 'row') ->
    '2 rows', (2, 'person', 'people') -> '2 people'."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
