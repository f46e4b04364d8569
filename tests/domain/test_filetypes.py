"""saas.domain.filetypes: the bytes decide, not the name."""

import io
import zipfile

import pytest

from saas.domain.filetypes import XLSX, decode_text, sniff


def _zip(names):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return out.getvalue()


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (b"\xff\xd8\xff\xe0rest", "a.bin", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\nrest", "a.jpg", "image/png"),
    (b"%PDF-1.7 rest", "a.png", "application/pdf"),
    (_zip(["[Content_Types].xml", "xl/workbook.xml"]), "a.zip", XLSX),
    (_zip(["[Content_Types].xml", "word/document.xml"]), "a.xlsx", None),
    (b"PK\x03\x04garbage", "a.xlsx", None),
    (b"a,b\n1,2\n", "a.csv", "text/csv"),
    ("名称\n".encode("gbk"), "A.CSV", "text/csv"),
    (b"a,b\n1,2\n", "a.txt", None),
    (b"a\x00b", "a.csv", None),
    (b"", "a.csv", None),
    (b"MZ\x90\x00", "a.pdf", None),
])
def test_sniff(data, name, media_type):
    assert sniff(data, name) == media_type


def test_decode_text():
    assert decode_text("\ufeff指标".encode()) == "指标"
    assert decode_text("指标".encode("gbk")) == "指标"
