"""Strict JSON for request bodies: RFC 8259 and nothing a later layer could choke on.

Python's ``json`` accepts what other parsers refuse (NaN, Infinity, duplicate keys, lone
surrogates) and fails with a server error on what an attacker can send cheaply (integers
of thousands of digits, arrays nested a thousand deep). Every body the API reads goes
through :func:`loads`, which either returns plain data or raises :class:`InvalidJson`
with a sentence saying what is wrong.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 40


class InvalidJson(ValueError):
    """The body is not JSON this service accepts; the message says why, in words."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidJson(f"the key {_shown(key)} appears twice in one object")
        result[key] = value
    return result


def _shown(key: str) -> str:
    return json.dumps(key[:40], ensure_ascii=True)


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise InvalidJson(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise InvalidJson(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJson("a number is too large")
    return value


def _constant(name: str) -> Any:
    raise InvalidJson(f"{name} is not a JSON value")


def _too_deep(value: Any) -> bool:
    """Whether arrays and objects nest deeper than ``MAX_DEPTH`` (walked without recursion,
    in time linear in the size of the value)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(raw: bytes | str) -> Any:
    """Parse a request body; raise :class:`InvalidJson` for anything RFC 8259 or we refuse.

    Accepted: UTF-8 (a leading byte-order mark is ignored). Refused: other encodings,
    NaN and Infinity, duplicate keys, numbers of more than ``MAX_NUMBER_DIGITS`` digits,
    nesting deeper than ``MAX_DEPTH``, and strings holding unpaired UTF-16 surrogates.
    """
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidJson(f"it is not UTF-8 text (bad byte at position {exc.start})") \
                from exc
    else:
        text = raw
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_int=_integer,
                           parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"{exc.msg.lower()} (line {exc.lineno}, column {exc.colno})") \
            from exc
    except RecursionError as exc:  # deeper than the parser itself goes
        raise InvalidJson(f"arrays and objects nest deeper than {MAX_DEPTH} levels") from exc
    if _too_deep(value):
        raise InvalidJson(f"arrays and objects nest deeper than {MAX_DEPTH} levels")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidJson("a string holds an unpaired UTF-16 surrogate (an escape such as "
                          "\\ud800 without its partner)") from exc
    return value
