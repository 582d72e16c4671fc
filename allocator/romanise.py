"""The Latin spellings people type for a name written in another script, beyond the
letter-by-letter transliteration of :func:`allocator.validation.fold` (anyascii).

* Greek: ELOT 743, the romanisation of Greek passports and of the UN (UNGEGN):
  'Παπαδοπούλου' -> 'papadopoulou' (ου -> ou), 'Ευάγγελος' -> 'evangelos', 'Μπακογιάννης'
  -> 'bakogiannis'; and the common form with χ as h ('Χατζηδάκης' -> 'hatzidakis').
* Cyrillic: the passport tables, Russian (ICAO Doc 9303: 'Юлия' -> 'iuliia') and
  Ukrainian (Cabinet of Ministers resolution 55 of 2010: 'Сергій' -> 'serhii'), and the
  common English forms ('Мария' -> 'maria', 'Дмитрий' -> 'dmitry').
* Korean: the surname as most Koreans spell it ('김' -> 'kim', '이' -> 'lee', '박' ->
  'park'); Revised Romanization (anyascii's) writes 'gim', 'i', 'bak'.

The maintained libraries were checked first: Unidecode (GPL) writes η as 'e' and χ as
'kh' (classical Greek); transliterate (GPL/LGPL) writes ου as 'oy' and ю as 'ju'; PyICU
has the UNGEGN Greek table but is compiled against libicu and knows no passport table for
Russian or Ukrainian. These tables are short and official, so they are written here.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# --- Greek: ELOT 743 -------------------------------------------------------------------

_GREEK = str.maketrans({
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o", "ϊ": "i", "ϋ": "y",
})
# αυ, ευ, ηυ: v before a vowel or a voiced consonant, f before a voiceless one or at the end.
_GREEK_VOICELESS = "θκξπστφχψ"
_GREEK_U = re.compile(r"([αεη])υ(?=(.?))")
_GREEK_PAIRS = [("ου", "ou"), ("γγ", "ng"), ("γξ", "nx"), ("γχ", "nch")]
_WORD_START_MP = re.compile(r"(?<!\w)μπ")
_HAS_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")


def _greek_word_rules(text: str) -> str:
    def u(match: re.Match[str]) -> str:
        after = match.group(2)
        return match.group(1) + ("φ" if not after or after in _GREEK_VOICELESS
                                 or not after.isalpha() else "β")

    text = _WORD_START_MP.sub("b", _GREEK_U.sub(u, text))
    for greek, latin in _GREEK_PAIRS:
        text = text.replace(greek, latin)
    return text


def _plain_greek(text: str) -> str:
    """Lower case without the tonos, keeping the diaeresis (it parts a diphthong)."""
    out = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if ch == "\u0308" and out and out[-1] in "ιυ":
            out[-1] = {"ι": "ϊ", "υ": "ϋ"}[out[-1]]
        elif not unicodedata.combining(ch):
            out.append(ch)
    return "".join(out)


def greek(text: str) -> list[str]:
    """ELOT 743 (passports) and the same with χ as 'h': 'Χατζηδάκης' -> ['chatzidakis',
    'hatzidakis']; [] for text without Greek letters."""
    if not _HAS_GREEK.search(text):
        return []
    elot = _greek_word_rules(_plain_greek(text))
    return [elot.translate(_GREEK), elot.replace("χ", "h").translate(_GREEK)]


# --- Cyrillic: the passport tables ------------------------------------------------------

_RUSSIAN_ICAO = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
})
_RUSSIAN_COMMON = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
})
# Ukrainian, KMU 2010: є, ї, й, ю, я are ye, yi, y, yu, ya at the start of a word.
_UKRAINIAN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
})
_UKRAINIAN_START = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_HAS_CYRILLIC = re.compile("[\u0400-\u04ff]")
_WORD_START = re.compile(r"(?<![\w'’ʼ])([єїйюя])")


def cyrillic(text: str) -> list[str]:
    """The Russian passport (ICAO 9303) and common English forms, and the Ukrainian
    passport form: 'Юлия' -> ['iuliia', 'yulia', 'yuliia']; [] without Cyrillic."""
    if not _HAS_CYRILLIC.search(text):
        return []
    low = text.casefold()
    common = re.sub(r"ия\b", "ia", re.sub(r"ий\b", "y", low))  # Maria, Dmitry
    ukrainian = _WORD_START.sub(lambda m: _UKRAINIAN_START[m.group(1)], low)
    ukrainian = ukrainian.replace("зг", "zgh")  # KMU 2010: Zghurskyi, not Zhurskyi
    return [low.translate(_RUSSIAN_ICAO), common.translate(_RUSSIAN_COMMON),
            ukrainian.translate(_UKRAINIAN)]


# --- Korean: surnames as their bearers spell them --------------------------------------

_KOREAN_SURNAMES = {
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang",
    "조": "cho", "윤": "yoon", "장": "jang", "임": "lim", "오": "oh", "신": "shin",
    "권": "kwon", "안": "ahn", "유": "yoo", "류": "ryu", "고": "ko", "문": "moon",
    "백": "baek", "허": "heo", "노": "noh", "심": "shim", "곽": "kwak", "성": "sung",
    "주": "joo", "우": "woo", "구": "koo", "전": "jeon", "천": "chun", "변": "byun",
    "엄": "um", "채": "chae", "현": "hyun", "명": "myung", "차": "cha", "하": "ha",
}
_HANGUL_NAME = re.compile(r"\b([\uac00-\ud7a3])([\uac00-\ud7a3]{1,3})\b")


def korean(text: str) -> list[str]:
    """The surname (first syllable of a Hangul name) spelt the customary way, the given
    name as Revised Romanization: '김민준' -> ['kim minjun']; [] when there is none."""
    def spelt(match: re.Match[str]) -> str:
        surname = _KOREAN_SURNAMES.get(match.group(1))
        if surname is None:
            return match.group(0)
        return f"{surname} {anyascii(match.group(2))}"

    found = _HANGUL_NAME.sub(spelt, text)
    return [found] if found != text else []


def romanisations(text: str) -> list[str]:
    """The other Latin spellings people type for ``text`` (not folded; may repeat)."""
    return greek(text) + cyrillic(text) + korean(text)
