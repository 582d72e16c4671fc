"""A fake camera for Chromium: a Y4M video that shows a QR code on a desk."""

from __future__ import annotations

from pathlib import Path


def qr_video(text: str, path: Path, frames: int = 30, width: int = 640,
             height: int = 480) -> Path:
    """Write a Y4M (4:2:0) video of ``text`` as a QR code, slightly moving, for
    ``--use-file-for-fake-video-capture``; return ``path``."""
    import io

    import segno
    from PIL import Image

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=7, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for n in range(frames):
            frame = Image.new("L", (width, height), 235)
            frame.paste(code, ((width - code.width) // 2 + n % 5,
                               (height - code.height) // 2))
            y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(cb.resize((width // 2, height // 2)).tobytes())
            out.write(cr.resize((width // 2, height // 2)).tobytes())
    return path
