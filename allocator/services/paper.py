"""The paper an event's printed documents are laid out for: A4, or US Letter in the
countries whose everyday paper it is.

An event knows no country of its own; its time zone does (the IANA zone the organisers
chose, mapped to a country by tzdata's ``zone.tab``), and failing that the last part of
its venue when that names a country ("Hofburg, Vienna, Austria"). Anything else is A4.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from allocator.models import Event

# CLDR supplementalData.xml, <paperSize type="US-Letter" territories="…"/> (CLDR 44–47);
# every other territory uses A4.
LETTER_COUNTRIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())
# Old zone names (tzdata's "backward" links) that zone.tab does not list.
OLD_ZONE_PREFIXES = {"US/": "US", "Canada/": "CA", "Mexico/": "MX", "Chile/": "CL"}


@dataclass(frozen=True)
class Paper:
    """A sheet of paper: its name (as CSS ``@page size`` and Word know it) and size."""

    name: str
    width_mm: float
    height_mm: float


A4 = Paper("A4", 210.0, 297.0)
LETTER = Paper("Letter", 215.9, 279.4)


@functools.lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO 3166 country code, from tzdata's zone.tab (one country a zone)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                found[fields[2]] = fields[0]
    return found


def zone_country(zone: str | None) -> str | None:
    """The country an IANA time zone belongs to ("Europe/Vienna" -> "AT"), None for
    zones of no country (UTC, Etc/GMT+5) and names tzdata does not know."""
    if not zone:
        return None
    if zone in _zone_countries():
        return _zone_countries()[zone]
    for prefix, country in OLD_ZONE_PREFIXES.items():
        if zone.startswith(prefix):
            return country
    return None


def venue_country(venue: str | None) -> str | None:
    """The country the venue's last comma-separated part names, if it names one exactly
    (name, official name, or ISO code: "Austria", "USA", "CA")."""
    import pycountry

    last = (venue or "").rsplit(",", 1)[-1].strip().rstrip(".")
    if not last:
        return None
    try:
        return pycountry.countries.lookup(last).alpha_2
    except LookupError:
        return None


def event_country(event: Event) -> str | None:
    """Where the event takes place as far as it tells: its time zone's country, else the
    country its venue names, else None."""
    return zone_country(event.timezone) or venue_country(event.venue)


def for_event(event: Event | None) -> Paper:
    """The paper for ``event``'s documents: Letter in a Letter country, A4 otherwise."""
    country = event_country(event) if event is not None else None
    return LETTER if country in LETTER_COUNTRIES else A4
