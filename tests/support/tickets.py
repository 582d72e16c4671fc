"""Tickets as a scanner reads them: the QR code's text, decoded by a real decoder."""

from __future__ import annotations

import io
from typing import Any


def decoded(png: bytes) -> str:
    """The text of a QR code image, read by zxing-cpp."""
    import zxingcpp
    from PIL import Image

    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.text


def ticket_text(client: Any, base: str, participant_id: int, headers: dict[str, str]) -> str:
    """What a scanner reads from this person's ticket (``base``: /api/events/<id>)."""
    answer = client.get(f"{base}/participants/{participant_id}/ticket.png", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return decoded(answer.data)
