"""Names in every script a delegation writes them in print as letters, not boxes: each
character of a badge's name is drawn from a font embedded in the PDF that has it (fonts
from Debian: fonts-dejavu-core, fonts-noto-core, fonts-noto-cjk)."""

from __future__ import annotations

import io
import unicodedata

import pytest

from tests.conftest import bearer, person

# One name per script; the Latin tag (shown as the organisation) says whose badge a page is.
NAMES = {
    "Thai": "สมชาย ใจดี",
    "Khmer": "សុខ ដារ៉ា",
    "Lao": "ສົມພອນ ແກ້ວມະນີ",
    "Myanmar": "အောင်ဆန်း ကျော်",
    "Devanagari": "प्रिया शर्मा",
    "Bengali": "রহিম আহমেদ",
    "Georgian": "ნინო ბერიძე",
    "Armenian": "Արամ Խաչատրյան",
    "Hebrew": "דוד כהן",
    "Ethiopic": "አበበ ቢቂላ",
    "Sinhala": "කුමාර පෙරේරා",
    "Tamil": "முத்து கிருஷ்ணன்",
    "Thaana": "އަޙްމަދު ރަޝީދު",
    "Tibetan": "བསྟན་འཛིན",
}


def _to_unicode(font) -> dict[int, str]:
    """A PDF font's ToUnicode map: {glyph code: the text it stands for} (a conjunct or a
    ligature stands for several characters)."""
    import re

    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    text = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            text[int(code, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(
                r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = bytes.fromhex(dst).decode("utf-16-be")
            for n, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                text[code] = first[:-1] + chr(ord(first[-1]) + n)
    return text


def _drawn(page) -> list[dict]:
    """The fonts a PDF page draws text with, each {"name", "glyphs": how many the embedded
    font has, "used": the glyph ids drawn, "text": what each glyph stands for (ToUnicode),
    "cmap": the embedded font's own character map (code point -> glyph name)}."""
    from fontTools.ttLib import TTFont
    from pypdf.generic import ContentStream

    fonts: dict[str, dict] = {}
    for key, ref in page["/Resources"]["/Font"].items():
        font = ref.get_object()
        [descendant] = font["/DescendantFonts"]
        descriptor = descendant.get_object()["/FontDescriptor"].get_object()
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        fonts[key] = {"name": str(font["/BaseFont"]), "glyphs": len(program.getGlyphOrder()),
                      "used": set(), "text": _to_unicode(font),
                      "cmap": program.getBestCmap() or {}, "order": program.getGlyphOrder()}
    current = None
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            current = fonts[str(operands[0])]
        elif operator in (b"Tj", b"TJ"):
            parts = operands[0] if operator == b"TJ" else operands
            for part in parts:
                if isinstance(part, bytes | str):  # pypdf may have decoded the bytes
                    data = getattr(part, "original_bytes", part)
                    current["used"].update(int.from_bytes(data[i:i + 2], "big")
                                           for i in range(0, len(data), 2))
    return [f for f in fonts.values() if f["used"]]  # the resources are shared by pages


def _letters(name: str) -> set[str]:
    """The characters of a name a font must draw (not spaces, not joiners)."""
    return {ch for ch in name if not ch.isspace() and unicodedata.category(ch) != "Cf"}


def _assert_drawn(name: str, fonts: list[dict]) -> None:
    """No glyph drawn is a box, and every letter of ``name`` is drawn by a real glyph of
    an embedded font: the glyph the PDF says stands for it (a conjunct for its letters),
    or the font's own glyph for it (a vowel sign drawn before its consonant, which the PDF
    attributes to the cluster's first glyph)."""
    drawn = set()
    for font in fonts:
        # .notdef is glyph 0; an id past the font's end also prints as the empty box.
        boxes = {g for g in font["used"] if g == 0 or g >= font["glyphs"]}
        assert not boxes, (name, font["name"], boxes)
        drawn.update(*(font["text"].get(g, "") for g in font["used"]))
        names = {font["order"][g] for g in font["used"]}
        drawn.update(chr(cp) for cp, glyph in font["cmap"].items() if glyph in names)
    missing = {f"U+{ord(ch):04X}" for ch in _letters(name) - drawn}
    assert not missing, (name, missing, [f["name"] for f in fonts])


def test_a_badge_in_each_script_prints_every_letter_from_an_embedded_font(
        client, tokens, event):
    from pypdf import PdfReader

    desk, org = bearer(tokens["desk"]), bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    for n, (script, name) in enumerate(NAMES.items()):
        r = client.post(f"{base}/participants", headers=desk, json=person(
            full_name=name, email=f"script{n}@example.org", organization=f"Tag {script}"))
        assert r.status_code == 201, r.json
        assert client.patch(f"{base}/participants/{r.json['id']}", headers=org,
                            json={"badge_shows_organization": True}).status_code == 200
    r = client.get(f"{base}/badges.pdf?layout=label", headers=desk)
    assert r.status_code == 200, r.data[:200]
    pages = PdfReader(io.BytesIO(r.data)).pages
    seen = set()
    for page in pages:  # one badge a page
        [script] = [s for s in NAMES if f"Tag {s}" in page.extract_text()]
        fonts = _drawn(page)
        _assert_drawn(NAMES[script], fonts)
        seen.add(script)
        if script == "Thai":  # the face a Thai reader expects, not any that happens to fit
            assert any("Noto-Sans-Thai" in f["name"] for f in fonts), fonts
    assert seen == set(NAMES)


def test_a_control_name_the_fonts_cannot_draw_is_caught(client, tokens, event):
    """The check above would notice boxes: a private-use character has no glyph."""
    from pypdf import PdfReader

    desk = bearer(tokens["desk"])
    base = f"/api/events/{event['id']}"
    name = "Ana \U0010fffd"
    assert client.post(f"{base}/participants", headers=desk, json=person(
        full_name=name, email="nobox@example.org")).status_code == 201
    r = client.get(f"{base}/badges.pdf?layout=label", headers=desk)
    [page] = PdfReader(io.BytesIO(r.data)).pages
    with pytest.raises(AssertionError):
        _assert_drawn(name, _drawn(page))


def test_the_sign_in_sheet_prints_a_thai_name(client, tokens, event):
    from pypdf import PdfReader

    from tests.support.workshop import published

    org = bearer(tokens["organizer"])
    base = f"/api/events/{event['id']}"
    r = client.post(f"{base}/participants", headers=org, json=person(
        full_name=NAMES["Thai"], email="somchai@example.org"))
    assert r.status_code == 201, r.json
    _, _, placed = published(client, org, event)
    group = placed[r.json["id"]]
    sheet = client.get(f"{base}/groups/{group}/sign-in-sheet.pdf", headers=org)
    assert sheet.status_code == 200, sheet.data[:200]
    pages = PdfReader(io.BytesIO(sheet.data)).pages
    fonts = [font for page in pages for font in _drawn(page)]
    _assert_drawn(NAMES["Thai"], fonts)
    assert any("Noto-Sans-Thai" in f["name"] for f in fonts)
