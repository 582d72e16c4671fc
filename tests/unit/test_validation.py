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
