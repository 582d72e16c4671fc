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


def _finds(name: str, typed: str) -> bool:
    """Whether the desk's search (every typed word inside the key) finds ``name``."""
    from allocator.validation import search_key

    key = search_key(name, "", "someone@example.org")
    return all(term in key for term in fold(typed).split())


@pytest.mark.parametrize(("name", "typed"), [
    # Greek: ELOT 743, as in passports, and χ as h
    ("Παπαδοπούλου", "papadopoulou"), ("Χατζηδάκης", "chatzidakis"),
    ("Χατζηδάκης", "hatzidakis"), ("Ευάγγελος Αυγερινός", "evangelos avgerinos"),
    ("Ευθύμιος", "efthymios"), ("Γιώργος Μπακογιάννης", "giorgos bakogiannis"),
    ("Παπαδοπούλου", "Παπαδοπούλου"),  # typed in Greek
    # Cyrillic: Ukrainian and Russian passports, and the common English forms
    ("Шевченко", "shevchenko"), ("Петрова", "petrova"), ("Юлия", "yuliya"),
    ("Юлия", "iuliia"), ("Юлия", "yulia"), ("Мария Иванова", "maria ivanova"),
    ("Дмитрий", "dmitry"), ("Сергій", "serhii"), ("Євген", "yevhen"),
    ("Олександр Гнатюк", "oleksandr hnatiuk"),
    # Arabic is written without short vowels: anyascii keeps the consonants
    ("محمد", "mhmd"),
    # Chinese: pinyin, syllables run together in the key, so either order is found
    ("张伟", "zhang wei"), ("张伟", "zhangwei"),
    # Japanese: kana in Hepburn (with the voicing marks); long vowels as written (ou)
    ("やまだ たろう", "yamada taro"), ("ヤマダ", "yamada"),
    # Korean: Revised Romanization, and the surname as it is spelt
    ("김민준", "kim minjun"), ("김민준", "gim minjun"), ("이서연", "lee seoyeon"),
    ("박지성", "park jiseong"),
    # Thai letter by letter (no vowels inferred): what anyascii's table gives
    ("สมชาย ใจดี", "smchay"),
    # Vietnamese: the accents folded
    ("Nguyễn Văn An", "nguyen van an"),
])
def test_names_are_found_by_the_spelling_people_type(name, typed):
    assert _finds(name, typed)


@pytest.mark.parametrize(("name", "typed"), [
    ("Παπαδοπούλου", "papadopoulos"), ("Юлия", "julia"), ("محمد", "muhammad"),
    ("山田太郎", "yamada"), ("สมชาย ใจดี", "somchai"),
])
def test_what_the_tables_do_not_give_is_not_claimed(name, typed):
    """Documented limits: no Japanese readings of kanji (anyascii reads them as Chinese),
    no vowels for Arabic or Thai, no 'j' for Cyrillic ю."""
    assert not _finds(name, typed)


def test_the_name_stays_first_in_the_key_for_sorting_and_duplicates():
    from allocator.validation import search_key

    key = search_key("Παπαδοπούλου", "Υπουργείο", "e@example.org")
    assert key.split(" | ")[:3] == [fold("Παπαδοπούλου"), fold("Υπουργείο"), "e@example.org"]
    assert "papadopoulou" in key and "ypourgeio" in key
    assert search_key("Jane Doe", "Acme", "jane@example.org") \
        == "jane doe | acme | jane@example.org"
