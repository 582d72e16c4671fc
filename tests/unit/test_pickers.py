"""The name pickers of the Rules and Move pages: any unambiguous part of a name picks the
person; several matches are listed with what tells them apart."""

from __future__ import annotations

from types import SimpleNamespace

from allocator.web.forms import namesakes, pick_person

PEOPLE = [SimpleNamespace(id=1, full_name="Anna Hargreaves", organization="Police Scotland"),
          SimpleNamespace(id=2, full_name="Ewa Kowalska", organization="La Strada"),
          SimpleNamespace(id=3, full_name="Ewa Kowalska", organization="Ministry of Justice"),
          SimpleNamespace(id=4, full_name="Παναγιώτα Παπαδοπούλου", organization="A21"),
          SimpleNamespace(id=5, full_name="Jean Exemple", organization="Independent")]


def test_the_start_of_a_name_or_any_unambiguous_part_picks_the_person():
    assert pick_person("Hargr", PEOPLE) == (1, None)
    assert pick_person("  anna  HARG ", PEOPLE) == (1, None)
    assert pick_person("exemple", PEOPLE) == (5, None)
    assert pick_person("Παπαδοπ", PEOPLE) == (4, None)
    assert pick_person("Ewa Kowalska — La Strada · #2", PEOPLE) == (2, None)
    assert pick_person("#3", PEOPLE) == (3, None)


def test_several_matches_are_listed_with_their_organisation_and_number():
    chosen, why = pick_person("Kowal", PEOPLE)
    assert chosen is None
    assert why.startswith("2 people match “Kowal”: ")
    assert "Ewa Kowalska — La Strada · #2" in why
    assert "Ewa Kowalska — Ministry of Justice · #3" in why
    chosen, why = pick_person("Ewa Kowalska", PEOPLE)
    assert chosen is None and "#2" in why and "#3" in why


def test_nobody_and_nothing_are_said_in_words():
    assert pick_person("Nobody Of That Name", PEOPLE) == (
        None, "Nobody called Nobody Of That Name is registered: choose a name from the list.")
    assert pick_person("   ", PEOPLE) == (None, "Choose a person.")


def test_namesakes_are_those_sharing_a_name_as_the_search_reads_it():
    assert namesakes(["Ewa Kowalska", "ewa kowalska", "Jean Exemple"]) == {
        "Ewa Kowalska", "ewa kowalska"}
