"""Normalisation rules shared by the API, the import and the pages."""

from __future__ import annotations

import pytest

from allocator.validation import fold, normalise_country, normalise_email


@pytest.mark.parametrize(("raw", "expected"), [
    ("Erika@Example.ORG", "erika@example.org"),
    ("  a.b+tag@sub.example.co.uk ", "a.b+tag@sub.example.co.uk"),
    ("user@bücher.example", "user@xn--bcher-kva.example"),
])
def test_emails_are_normalised(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "plain", "@example.org", "a@", "a@b", "a..b@example.org", ".a@example.org",
    "a b@example.org", "a@-example.org", "a@example.123", "ü@example.org",
    "a@" + "x" * 64 + ".org",
])
def test_bad_emails_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_email(raw)


def test_domains_follow_idna_2008_so_distinct_domains_stay_distinct():
    """IDNA 2003 mapped "straße" to "strasse" and "ς" to "σ": two people's domains merged."""
    assert normalise_email("a@straße.de") == "a@xn--strae-oqa.de"
    assert normalise_email("a@strasse.de") == "a@strasse.de"
    assert normalise_email("a@ςaς.gr") != normalise_email("a@σaσ.gr")
    assert normalise_email("a@XN--STRAE-OQA.de") == "a@xn--strae-oqa.de"
    assert normalise_email("a@Bücher.Example.") == "a@xn--bcher-kva.example"
    for bad in ("a@ex_ample.org", "a@xn--zz.example", "a@a\u200db.example"):
        with pytest.raises(ValueError):
            normalise_email(bad)


def test_countries():
    assert normalise_country(" at ") == "AT"
    assert normalise_country("xk") == "XK"
    for bad in ("XX", "AUT", "", "A"):
        with pytest.raises(ValueError):
            normalise_country(bad)


def test_fold_ignores_case_and_accents():
    assert fold("Nguyễn Văn Mẫu") == "nguyen van mau"
    assert fold("ŁUKASZ Przykładowy") == "lukasz przykladowy"
    assert fold("Straße  Øre") == "strasse ore"
