"""Each participant in their own language: the personal page and what it leads to, every
message they are sent (with its calendar entry and its Content-Language), their badge; the
staff pages in German; a bad language refused in words."""

from __future__ import annotations

import re

import pytest

from allocator.i18n import PARTICIPANT_LANGUAGES
from tests.conftest import bearer, person
from tests.support.http import csrf, personal_link, sign_in
from tests.support.languages import page_language, untranslated
from tests.support.mail import LINK, send_mail

pytestmark = pytest.mark.db

# One invitee per language; Arabic and Chinese names too, and Latin names inside Arabic text
READERS = {"en": "Amina Diallo", "fr": "Élodie Mercier", "es": "Lucía Gómez",
           "ru": "Пётр Коваленко", "ar": "Layla Haddad", "zh": "王秀英"}
# A word each language's e-mail says that no other does (the invitation's button)
ANSWER_BUTTON = {"en": "Answer the invitation", "fr": "Répondre à l’invitation",
                 "es": "Responder a la invitación", "ru": "Ответить на приглашение",
                 "ar": "الرد على الدعوة", "zh": "答复邀请"}


def _mail_to(smtp, address: str, index: int = -1):
    received = [m for m in smtp.inbox.received if m.rcpt_tos == [address]]
    assert received, f"nothing reached {address}"
    return received[index]


def _check_message(message, language: str) -> None:
    """A message speaks its reader's language, says so, and leaves nothing in English."""
    assert message.message["Content-Language"] == language
    for body in (message.text(), message.html()):
        assert untranslated(body, language) == [], (language, untranslated(body, language))
    assert page_language(message.html()) == (language, "rtl" if language == "ar" else "ltr")


@pytest.fixture
def invitees(client, tokens, event):
    """Six invitees, one per language ("French" is read as fr): {language: (id, e-mail)}."""
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    out = {}
    for language, name in READERS.items():
        spelt = {"fr": "French", "ar": "العربية"}.get(language, language)
        r = client.post(f"{base}/participants", headers=org, json={
            "full_name": name, "email": f"{language}@example.org", "status": "invited",
            "language": spelt})
        assert r.status_code == 201, r.json
        assert r.json["language"] == language
        out[language] = (r.json["id"], f"{language}@example.org")
    return out


def test_each_invitee_reads_their_invitation_page_and_confirmation_in_their_language(
        app, client, tokens, event, smtp, runner, invitees):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    assert client.post(f"{base}/invitations", headers=org, json={}).json["queued"] == 6
    send_mail(runner)
    for language, (_, address) in invitees.items():
        invitation = _mail_to(smtp, address)
        _check_message(invitation, language)
        assert ANSWER_BUTTON[language] in invitation.html()
        assert invitation.message["Subject"] != f"Invitation: {event['name']}" \
            or language == "en"
        link = LINK.search(invitation.text()).group(1)

        # The page, before answering: the form in their language, the right direction,
        # whatever the browser asks for (their stored language decides).
        page = client.get(link, headers={"Accept-Language": "de, en;q=0.5"})
        html = page.get_data(as_text=True)
        assert page_language(html) == (language, "rtl" if language == "ar" else "ltr")
        assert untranslated(html, language) == [], (language, untranslated(html, language))

        # A wrong answer is told beside the field in their language.
        wrong = client.post(link, data={"csrf_token": csrf(html), "answer": "accept",
                                        "preference_1": "information-sharing",
                                        "preference_2": "information-sharing"})
        assert wrong.status_code == 422
        assert untranslated(wrong.get_data(as_text=True), language) == []

        answered = client.post(link, data={
            "csrf_token": csrf(html), "answer": "accept", "full_name": READERS[language],
            "organization": "Safe Homes", "sector": "civil_society", "country": "AT",
            "preference_1": "information-sharing", "consent": "yes"})
        assert answered.status_code == 303, answered.get_data(as_text=True)[:2000]
        registered = client.get(answered.headers["Location"]).get_data(as_text=True)
        assert 'id="ticket-heading"' in registered and 'id="networking-heading"' in registered
        assert untranslated(registered, language) == [], untranslated(registered, language)
        if language == "ar":  # a Latin name inside Arabic text keeps its own direction
            assert f"<bdi>{READERS['ar']}</bdi>" in registered

        directory = client.get(f"{link}/directory").get_data(as_text=True)
        assert page_language(directory)[0] == language
        assert untranslated(directory, language) == [], untranslated(directory, language)

    send_mail(runner)
    for language, (_, address) in invitees.items():
        _check_message(_mail_to(smtp, address), language)  # the confirmation


def test_the_group_announcement_and_its_calendar_entry_speak_each_readers_language(
        client, tokens, event, smtp, runner):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    readers = {}
    for language, name in READERS.items():
        r = client.post(f"{base}/participants", headers=org, json=person(
            full_name=name, email=f"{language}@example.org", language=language))
        assert r.status_code == 201, r.json
        readers[language] = f"{language}@example.org"
    for n in range(6):
        client.post(f"{base}/participants", headers=org, json=person(
            full_name=f"Early {n}", email=f"early{n}@example.org"))
    run = client.post(f"{base}/allocations", headers=org, json={"time_limit_s": 5}).json
    assert client.post(f"{base}/allocations/{run['id']}/publish", headers=org).status_code \
        == 200
    assert client.post(f"{base}/notifications", headers=org,
                       json={"kind": "groups"}).status_code == 202
    send_mail(runner)
    words = {"en": "Working group:", "fr": "Groupe de travail :", "es": "Grupo de trabajo:",
             "ru": "Рабочая группа:", "ar": "الفريق العامل:", "zh": "工作组："}
    for language, address in readers.items():
        announcement = _mail_to(smtp, address)
        _check_message(announcement, language)
        calendar = announcement.calendar().replace("\r\n ", "").replace("\n ", "")
        calendar = calendar.replace("\\,", ",")
        assert words[language] in calendar, (language, calendar)


def test_the_personal_page_follows_the_browser_until_the_person_chooses(
        app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    pid = client.post(f"{base}/participants", headers=org, json=person()).json["id"]
    link = personal_link(app, pid)
    russian = client.get(link, headers={"Accept-Language": "ru-RU, en;q=0.5"})
    assert page_language(russian.get_data(as_text=True)) == ("ru", "ltr")
    plain = client.get(link)  # no Accept-Language: the event's language
    assert page_language(plain.get_data(as_text=True)) == ("en", "ltr")

    html = russian.get_data(as_text=True)
    chosen = client.post(f"{link}/language", data={"csrf_token": csrf(html),
                                                   "language": "ar"})
    assert chosen.status_code == 303
    arabic = client.get(link, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert page_language(arabic) == ("ar", "rtl")
    assert client.get(f"{base}/participants/{pid}", headers=org).json["language"] == "ar"
    # the switch offers each language in its own name, the current one marked
    assert 'lang="zh">中文</button>' in arabic and 'aria-current="true">العربية' in arabic

    refused = client.post(f"{link}/language", data={"csrf_token": csrf(arabic),
                                                    "language": "tlh"})
    assert refused.status_code == 400
    assert client.get(f"{base}/participants/{pid}", headers=org).json["language"] == "ar"
    forged = client.post(f"{link}/language", data={"csrf_token": "x", "language": "fr"})
    assert forged.status_code == 400
    assert client.get(f"{base}/participants/{pid}", headers=org).json["language"] == "ar"


def test_a_language_is_read_by_code_or_name_and_anything_else_is_refused_in_words(
        client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    for spelt, code in (("zh", "zh"), ("Spanish", "es"), ("русский", "ru"), ("fr-CA", "fr")):
        r = client.post(f"{base}/participants", headers=org, json=person(
            email=f"{code}@example.org", language=spelt))
        assert r.status_code == 201 and r.json["language"] == code, r.json
    bad = client.post(f"{base}/participants", headers=org, json=person(
        email="x@example.org", language="Klingon"))
    assert bad.status_code == 422
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    assert "en, fr, es, ru, ar, zh" in bad.json["errors"]["language"][0]
    pid = client.get(f"{base}/participants?q=zh@example.org", headers=org).json["items"][0]["id"]
    cleared = client.patch(f"{base}/participants/{pid}", headers=org, json={"language": None})
    assert cleared.status_code == 200 and cleared.json["language"] is None

    # The import reads a language column the same way, and names a bad one by row.
    rows = ("full_name,email,organization,sector,consent,language\n"
            "Ana Pérez,ana@example.org,Org,government,yes,Spanish\n"
            "Bo Li,bo@example.org,Org,government,yes,Klingon\n")
    r = client.post(f"{base}/participants/import?dry_run=true", headers={
        **org, "Content-Type": "text/csv"}, data=rows.encode())
    assert r.status_code == 422, r.json
    assert any(e.get("row") == 3 and e.get("column") == "language"
               for e in r.json["errors"]), r.json


def test_staff_pages_speak_german_for_the_session_that_chose_it(
        client, tokens, event):
    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base, run_id, placed = published(client, org, event, people=8)
    event_id = event["id"]
    sign_in(client, tokens["organizer"])
    desk = client.get(f"/events/{event_id}/desk").get_data(as_text=True)
    assert page_language(desk) == ("en", "ltr")
    chosen = client.post("/language", data={"csrf_token": csrf(desk), "language": "de",
                                            "next": f"/events/{event_id}/desk"})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/desk")
    someone = next(iter(placed))
    group = event["groups"][0]["id"]
    pages = [f"/events/{event_id}/desk", f"/events/{event_id}/desk/register",
             f"/events/{event_id}/setup", f"/events/{event_id}/rules",
             f"/events/{event_id}/allocate", f"/events/{event_id}/runs/{run_id}",
             f"/events/{event_id}/programme", f"/events/{event_id}/invitations",
             f"/events/{event_id}/team", f"/events/{event_id}/import",
             f"/events/{event_id}/plenary", f"/events/{event_id}/groups/{group}/recommendations",
             f"/events/{event_id}/desk/{someone}", f"/events/{event_id}/people/{someone}/edit",
             f"/events/{event_id}/plenary/projector/{group}", f"/events/{event_id}/programme/now",
             "/", "/events/new"]
    for path in pages:
        page = client.get(path, follow_redirects=True)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert page_language(html) == ("de", "ltr"), path
        left = untranslated(html, "de", participant_only=False)
        assert left == [], (path, left)
    german_desk = client.get(f"/events/{event_id}/desk").get_data(as_text=True)
    assert "Abmelden" in german_desk and "Sign out" not in german_desk
    assert 'lang="en">English</button>' in german_desk  # the way back
    # The report the German session downloads is German (built apart from the English one).
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        pdf = client.get(f"/events/{event_id}/report.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf.data,
                                       capture_output=True, check=True).stdout.decode().split())
        assert "Empfehlungen" in text and "Teilnahme" in text, text[:500]
        assert "Arbeitsgruppen zu 3 Themen" in text and "Recommendations" not in text
    # A bad choice changes nothing; the API keeps speaking English.
    client.post("/language", data={"csrf_token": csrf(desk), "language": "xx"})
    assert page_language(client.get("/", follow_redirects=True).get_data(as_text=True))[0] \
        == "de"
    problem = client.get(f"/api/events/{event_id}/participants/999999", headers=org)
    assert problem.json["title"] == "Not Found"


def test_a_badge_speaks_its_wearers_language_and_prints_arabic_joined(
        app, client, tokens, event):
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("make test installs poppler-utils")
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    for language, name in (("ar", "ليلى حداد"), ("fr", "Élodie Mercier")):
        r = client.post(f"{base}/participants", headers=org, json=person(
            full_name=name, email=f"{language}@example.org", language=language,
            duties=["rapporteur"]))
        assert r.status_code == 201, r.json
    sign_in(client, tokens["organizer"])
    pdf = client.get(f"/events/{event['id']}/badges.pdf?layout=label")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True,
                          check=True).stdout.decode()
    assert "RAPPORTEUR" in text  # French: the same word (printed in capitals)
    assert "المقرر" in text and "ليلى حداد" in text, text


@pytest.mark.parametrize("language", [code for code in PARTICIPANT_LANGUAGES if code != "en"])
def test_an_unknown_personal_link_answers_in_the_browsers_language(client, language):
    page = client.get("/i/not-a-link", headers={"Accept-Language": language})
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert page_language(html)[0] == language
    assert untranslated(html, language) == []
    assert re.search(r"<h1>[^<]+</h1>", html)


def test_a_participants_own_mistakes_are_told_in_their_language_and_their_words_read(
        app, client, tokens, event):
    """The schema's sentences with the typed value in them never reach a French page in
    English; a country typed in French is understood."""
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    pid = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Élodie Mercier", "email": "fr@example.org", "status": "invited",
        "language": "fr"}).json["id"]
    link = personal_link(app, pid)
    token = csrf(client.get(link).get_data(as_text=True))
    nothing = client.post(link, data={"csrf_token": token})
    assert nothing.status_code == 422
    assert "Indiquez si vous participerez." in nothing.get_data(as_text=True)
    wrong = client.post(link, data={"csrf_token": token, "answer": "accept",
                                    "organization": "Safe Homes", "sector": "nope",
                                    "country": "Atlantide", "consent": "yes"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "Choisissez un secteur dans la liste." in html
    assert "Indiquez le nom du pays ou son code ISO" in html
    assert "'nope'" not in html and "ISO 3166 knows" not in html
    assert untranslated(html, "fr") == []
    ok = client.post(link, data={"csrf_token": token, "answer": "accept",
                                 "full_name": "Élodie Mercier", "organization": "Safe Homes",
                                 "sector": "Société civile", "country": "Autriche",
                                 "preference_1": "information-sharing", "consent": "yes"})
    assert ok.status_code == 303
    stored = client.get(f"{base}/participants/{pid}", headers=org).json
    assert (stored["country"], stored["sector"]) == ("AT", "civil_society")
    page = client.get(link).get_data(as_text=True)
    assert 'value="Autriche"' in page  # the country as they read it


def test_the_directory_refuses_in_the_readers_language(app, client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    pid = client.post(f"{base}/participants", headers=org, json={
        "full_name": "Пётр Коваленко", "email": "ru@example.org", "status": "invited",
        "language": "ru"}).json["id"]
    link = personal_link(app, pid)
    refused = client.get(f"{link}/directory")
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    assert "Раздел знакомств открыт для участников" in html and "Доступ запрещён" in html
    assert untranslated(html, "ru") == []


def test_erasure_forgets_the_language_too(client, tokens, event):
    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    pid = client.post(f"{base}/participants", headers=org, json=person(
        language="ar")).json["id"]
    erased = client.post(f"{base}/participants/{pid}/erase", headers=org)
    assert erased.status_code == 200
    assert erased.json["language"] is None and erased.json["country"] is None
