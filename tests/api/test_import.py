"""CSV import: all rows or none, every bad row named with its row and column."""

from __future__ import annotations

from tests.conftest import bearer, person
from tests.support.workshop import post_csv

HEADER = "full_name,email,organization,sector,country,gender,role,preferences,consent\n"


def csv_rows(n, start=0):
    lines = [HEADER]
    for i in range(start, start + n):
        lines.append(f"Person {i},p{i}@example.org,Org {i % 7},civil_society,AT,female,"
                     f"participant,information-sharing;structured-cooperation,yes\n")
    return "".join(lines)




def count(client, event, token):
    return client.get(f"/api/events/{event['id']}/participants",
                      headers=bearer(token)).json["total"]


def test_import_creates_everyone(client, tokens, event):
    org = tokens["organizer"]
    r = post_csv(client, event, org, csv_rows(80))
    assert r.status_code == 201, r.json
    assert r.json["created"] == 80 and len(r.json["participant_ids"]) == 80
    assert count(client, event, org) == 80
    one = client.get(f"/api/events/{event['id']}/participants?q=person 7&per_page=1",
                     headers=bearer(org)).json["items"][0]
    assert one["preferences"] == ["information-sharing", "structured-cooperation"]


def test_import_as_raw_text_with_bom_semicolons_and_arrows(client, tokens, event):
    text = ("\ufeffName;E-mail;Organisation;Sector;Theme preferences;Consent\r\n"
            "Łukasz Przykładowy;L@Example.org;Border Guard;government;"
            "structured-cooperation > information-sharing;x\r\n"
            "Nguyễn Văn Mẫu;n@example.org;Shelter;civil_society;;1\r\n")
    r = post_csv(client, event, tokens["organizer"], text, as_file=False)
    assert r.status_code == 201, r.json
    people = client.get(f"/api/events/{event['id']}/participants",
                        headers=bearer(tokens["organizer"])).json["items"]
    assert [(p["full_name"], p["email"], p["preferences"]) for p in people] == [
        ("Łukasz Przykładowy", "l@example.org", ["structured-cooperation",
                                                 "information-sharing"]),
        ("Nguyễn Văn Mẫu", "n@example.org", []),
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(client, tokens, event):
    org = tokens["organizer"]
    client.post(f"/api/events/{event['id']}/participants", headers=bearer(org),
                json=person(email="taken@example.org"))
    text = (HEADER
            + "Good One,good@example.org,Org,government,AT,,,,yes\n"
            + "No Mail,,Org,government,AT,,,,yes\n"
            + "Bad Sector,bs@example.org,Org,pirates,AT,,,,yes\n"
            + "Bad Country,bc@example.org,Org,media,ZZ,,,,yes\n"
            + "Bad Theme,bt@example.org,Org,media,AT,,,nope;information-sharing,yes\n"
            + "No Consent,nc@example.org,Org,media,AT,,,,no\n"
            + "Dup In File,GOOD@example.org,Org,media,AT,,,,yes\n"
            + "Taken,taken@example.org,Org,media,AT,,,,yes\n"
            + "Short Row,sr@example.org\n")
    r = post_csv(client, event, org, text)
    assert r.status_code == 422
    assert r.content_type == "application/problem+json"
    got = {(e["row"], e["column"]) for e in r.json["errors"]}
    assert got == {(3, "email"), (4, "sector"), (5, "country"), (6, "preferences"),
                   (7, "consent"), (8, "email"), (9, "email"), (10, None)}
    dup = next(e for e in r.json["errors"] if e["row"] == 8)
    assert "row 2" in dup["message"]
    assert count(client, event, org) == 1


def test_dry_run_validates_without_writing(client, tokens, event):
    org = tokens["organizer"]
    r = post_csv(client, event, org, csv_rows(5), query="?dry_run=1")
    assert r.status_code == 200
    # it says what would happen, row by row, and writes nothing
    assert r.json["dry_run"] is True and r.json["rows"] == 5 and r.json["created"] == 5
    assert [row["status"] for row in r.json["report"]] == ["created"] * 5
    assert [row["row"] for row in r.json["report"]] == [2, 3, 4, 5, 6]
    assert count(client, event, org) == 0


def test_file_level_problems(client, tokens, event):
    org = tokens["organizer"]
    cases = [
        ("", "empty"),
        (HEADER, "no rows"),
        ("full_name,email,colour\nA,a@example.org,red\n", "Unknown column"),
        ("full_name,email,organization,sector\nA,a@example.org,O,media\n",
         "Missing a column it needs: Consent."),
        ("full_name,email,email,organization,sector,consent\n", "more than once"),
        ("Ä".encode("latin-1") + b",x\n", "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        (HEADER + "A," + "x" * 5000 + "\n", "longer than"),
        (HEADER + '"unterminated,a@example.org,O,media,,,,,yes\n', "CSV"),
    ]
    for text, needle in cases:
        r = post_csv(client, event, org, text)
        assert r.status_code == 422, (needle, r.json)
        assert needle in r.json["detail"], (needle, r.json)
    assert count(client, event, org) == 0


def test_too_many_rows_and_too_large(client, tokens, event):
    org = tokens["organizer"]
    r = post_csv(client, event, org, csv_rows(10_001))
    assert r.status_code == 413 and "10,000" in r.json["detail"]
    huge = HEADER + ("x" * 1000 + "\n") * 6000
    r = post_csv(client, event, org, huge)
    assert r.status_code == 413
    assert r.content_type == "application/problem+json"
    assert count(client, event, org) == 0


def test_import_needs_a_file_and_the_organizer(client, tokens, event):
    path = f"/api/events/{event['id']}/participants/import"
    r = client.post(path, headers=bearer(tokens["organizer"]), data={"other": "x"},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.json["errors"]
    r = client.post(path, headers=bearer(tokens["organizer"]), json={"rows": []})
    assert r.status_code == 415
    assert post_csv(client, event, tokens["desk"], csv_rows(1)).status_code == 403


def _seven_themes(client, event, org):
    keys = [t["key"] for t in client.get(f"/api/events/{event['id']}/themes",
                                         headers=bearer(org)).json]
    for n in range(4):
        r = client.post(f"/api/events/{event['id']}/themes", headers=bearer(org),
                        json={"key": f"extra-{n}", "title": f"Extra {n}"})
        keys.append(r.json["key"])
    return keys


def test_the_separator_is_read_from_the_header_row(client, tokens, event):
    """The README's own format: commas between cells, ';' between themes, six rows or more
    whose preference cells hold more semicolons than the rows hold commas."""
    org = tokens["organizer"]
    themes = ";".join(_seven_themes(client, event, org))
    rows = [HEADER] + [f"Person {i},p{i}@example.org,Org,civil_society,AT,female,participant,"
                       f"{themes},yes\n" for i in range(12)]
    r = post_csv(client, event, org, "".join(rows))
    assert r.status_code == 201, r.json
    assert r.json["created"] == 12
    one = client.get(f"/api/events/{event['id']}/participants?q=person+3",
                     headers=bearer(org)).json["items"][0]
    assert one["preferences"] == themes.split(";")


def test_semicolon_and_tab_files_with_commas_inside_cells(client, tokens, event):
    org = tokens["organizer"]
    semicolons = ("full_name;email;organization;sector;preferences;consent\n" + "".join(
        f"Person {i};s{i}@example.org;Ministry, Dept. {i};government;"
        f"information-sharing>structured-cooperation;ja\n" for i in range(8)))
    r = post_csv(client, event, org, semicolons)
    assert r.status_code == 201, r.json
    tabs = ("full_name\temail\torganization\tsector\tconsent\n" + "".join(
        f"Person {i}\tt{i}@example.org\tNGO, {i}; a network\tcivil_society\tyes\n"
        for i in range(8)))
    r = post_csv(client, event, org, tabs)
    assert r.status_code == 201, r.json
    found = client.get(f"/api/events/{event['id']}/participants?q=t3%40example.org",
                       headers=bearer(org)).json["items"][0]
    assert found["organization"] == "NGO, 3; a network"
