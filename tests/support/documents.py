"""What a person reads in a response, whatever its format: HTML, JSON, CSV, a workbook, a
Word document or a PDF, as plain text to search."""

from __future__ import annotations

import io
import re
import zipfile


def text_of(content_type: str, body: bytes) -> str:
    """The readable text of a response body ('' for images)."""
    kind = (content_type or "").split(";")[0].strip()
    if kind == "application/pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if kind.endswith(("spreadsheetml.sheet", "wordprocessingml.document")):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            xml = " ".join(book.read(name).decode("utf-8") for name in book.namelist()
                           if name.endswith(".xml"))
        return re.sub(r"<[^>]+>", " ", xml)
    if kind.startswith("image/"):
        return ""
    return body.decode("utf-8", "replace")
