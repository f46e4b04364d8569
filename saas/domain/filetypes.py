"""What a file really is, from its first bytes (magic numbers), not from the name or the
Content-Type the client claims. Pure Python (stdlib zipfile for .xlsx)."""

from __future__ import annotations

import io
import zipfile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _is_text(data: bytes) -> bool:
    """Plain text in UTF-8 or GB18030 (Excel in China saves CSV as GBK), no NUL bytes."""
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(data: bytes, filename: str = "") -> str | None:
    """The media type the bytes prove (None: unknown). Text counts as CSV only when the
    name says .csv, since any text would otherwise pass."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if _is_xlsx(data):
        return XLSX
    if filename.lower().endswith(".csv") and data and _is_text(data):
        return "text/csv"
    return None


def decode_text(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")
