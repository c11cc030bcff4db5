"""Fuzzing every reader with hypothesis: whatever the bytes, a reader returns text or raises one of
leaktrace's own errors (a LeaktraceError, one line for the user), within the budget. Examples are
bounded and derandomized so that the suite stays fast and repeatable; bench/fuzz.py runs the same
properties for longer."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import MEMO

from leaktrace import formats
from leaktrace.errors import LeaktraceError
from leaktrace.ledger import importers

# bench/fuzz.py sets LEAKTRACE_FUZZ_EXAMPLES (and a seed) for a longer run of the same properties
_LONG = int(os.environ.get("LEAKTRACE_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_LONG or 25, derandomize=not _LONG, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=_LONG or 10)      # readers that parse pages or start Tesseract

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "latin-1", "koi8-r", "shift_jis", "gb18030",
             "mac_roman", "utf-16-be"]
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


def read(data: bytes, name: str) -> None:
    """Read `data` as the leak `name`: text, or leaktrace's own error, nothing else."""
    try:
        ex = formats.extract_leak(data, name)
    except LeaktraceError as e:
        assert str(e).strip() and "\n" not in str(e).strip(), repr(str(e))
        return
    assert isinstance(ex.text, str) and ex.text.strip()


def mutate(base: bytes):
    """Bytes near a valid file: some bytes overwritten, cut short, or spliced."""
    flips = st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), max_size=20)
    return st.one_of(
        flips.map(lambda fl: _flip(base, fl)),
        st.integers(0, len(base)).map(lambda n: base[:n]),
        st.tuples(st.integers(0, len(base)), st.binary(max_size=200)).map(lambda t: base[:t[0]] + t[1] + base[t[0]:]),
    )


def _flip(base: bytes, flips) -> bytes:
    b = bytearray(base)
    for i, v in flips:
        b[i] = v
    return bytes(b)


# ------------------------------------------------------------------ text, Markdown, HTML

@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_text(data):
    read(data, "leak.txt")


@FUZZ
@given(words, st.sampled_from(ENCODINGS))
def test_text_in_any_encoding(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    read(data, "leak.txt")


@FUZZ
@given(st.lists(st.sampled_from(["# ", "## ", "* ", "1. ", "> ", "```", "|", "---", "`", "_", "*", "[", "](",
                                 ")", "<b>", "\n", "\n\n", "    "]) | words, max_size=40))
def test_markdown(pieces):
    read("".join(pieces).encode("utf-8"), "leak.md")


TAGS = ["html", "body", "head", "p", "div", "table", "tr", "td", "th", "ul", "li", "script", "style", "span",
        "br", "a", "title", "pre", "article", "main", "nav", "iframe", "svg", "template"]
html_piece = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(["&amp;", "&#x0;", "&#1114112;", "&nbsp;", "<!--", "-->", "<![CDATA[", "]]>", "<?xml ?>",
                     "<!DOCTYPE html>", '<meta charset="utf-8">', '<meta charset="koi8-r">',
                     '<meta charset="x-unknown">', '<td colspan="99999">', '<td rowspan="-1">']),
    words,
)


@FEW
@given(st.lists(html_piece, max_size=60), st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_html(pieces, encoding):
    read("".join(pieces).encode(encoding, errors="replace"), "leak.html")


# ------------------------------------------------------------------ Word, PDF, e-mail, images

@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    from leaktrace.formats import docx

    return docx.from_markdown(MEMO[:800], "Memo")


@FEW
@given(data=st.data())
def test_docx_damaged(docx_bytes, data):
    read(data.draw(mutate(docx_bytes)), "leak.docx")


@FUZZ
@given(st.lists(st.sampled_from(["<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>", "<w:tbl>", "<w:tc>",
                                 "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", "&e;", "<w:br/>"])
                | words, max_size=40),
       st.sampled_from(["word/document.xml", "word/other.xml", "[Content_Types].xml"]))
def test_docx_made_up(pieces, member):
    buf = io.BytesIO()
    body = "".join(pieces)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                           f"<w:body>{body}</w:body></w:document>")
    read(buf.getvalue(), "leak.docx")


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    from leaktrace.formats import pdfwrite

    return pdfwrite.render(pdfwrite.page(pdfwrite.markdown_html(MEMO[:600]), "Memo"))


@FEW
@given(data=st.data())
def test_pdf_damaged(pdf_bytes, data):
    read(data.draw(mutate(pdf_bytes)), "leak.pdf")


@FEW
@given(st.binary(max_size=1500))
def test_pdf_of_noise(noise):
    read(b"%PDF-1.4\n" + noise, "leak.pdf")


header = st.tuples(st.sampled_from(["Subject", "From", "To", "Content-Type", "Content-Transfer-Encoding",
                                    "MIME-Version", "X-Leaktrace-Stamp", "Content-Disposition"]),
                   st.one_of(words.map(lambda s: s.replace("\n", " ")),
                             st.sampled_from(['multipart/mixed; boundary="b"', "text/plain; charset=undefined",
                                              "text/html; charset=idna", "base64", "quoted-printable",
                                              "message/rfc822", 'attachment; filename="../../x.pdf"',
                                              "=?utf-8?b?////?=", "=?x-unknown?q?abc?="])))
body_piece = st.one_of(words, st.sampled_from(["--b\n", "--b--\n", "\n\n", "Content-Type: text/plain\n",
                                               "Content-Type: application/pdf\n", "=C3=A9", "====", "\r\n"]))


@FUZZ
@given(st.lists(header, min_size=1, max_size=8), st.lists(body_piece, max_size=30))
def test_eml(headers, body):
    text = "".join(f"{k}: {v}\n" for k, v in headers) + "\n" + "".join(body)
    read(text.encode("utf-8"), "leak.eml")


@pytest.fixture(scope="module")
def png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("L", (400, 120), 255)
    ImageDraw.Draw(img).text((10, 40), "The depot closes at noon.", fill=0)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@FEW
@given(data=st.data(), name=st.sampled_from(["leak.png", "leak.jpg", "leak.gif", "leak.tif", "leak.webp"]))
def test_images_damaged(png_bytes, data, name):
    read(data.draw(mutate(png_bytes)), name)


@FEW
@given(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM",
                        b"RIFF\x00\x00\x00\x00WEBP"]), st.binary(max_size=600))
def test_images_of_noise(magic, noise):
    read(magic + noise, "leak.png")


# ------------------------------------------------------------------ recipient lists

@pytest.fixture(scope="module")
def recipients_ws(tmp_path_factory):
    from leaktrace import Workspace

    w = Workspace.create(tmp_path_factory.mktemp("fuzz") / "ws", key=bytes(32))
    yield w, tmp_path_factory.mktemp("csv")
    w.close()


csv_cell = st.one_of(words, st.sampled_from(['"', '""', ",", "\n", "\r\n", "id", "name", "email", "\ufeff",
                                             "a@example.org", "x" * 300]))


@FUZZ
@given(st.lists(st.lists(csv_cell, max_size=6), max_size=12),
       st.sampled_from([b"id,name,email\n", b"\xef\xbb\xbfid,name,email\n", b"id,id,name\n", b""]))
def test_recipient_csv(recipients_ws, rows, head):
    ws, folder = recipients_ws
    path = folder / "people.csv"
    path.write_bytes(head + "\n".join(",".join(r) for r in rows).encode("utf-8"))
    try:
        ws.import_recipients(path, update=True)
    except LeaktraceError as e:
        assert str(e).strip()


# ------------------------------------------------------------------ audit logs

def parse_log(fmt: str, data: bytes) -> None:
    """Every record of an audit log: an event, a rejected or an ignored record, or the importer's
    own error for the whole file."""
    stream = io.BufferedReader(io.BytesIO(data))
    mapping = "time=t,actor=a,action=x,document=d,event_id=i" if importers.get_format(fmt).needs_mapping else None
    try:
        for item in importers.get_format(fmt).parse(stream, "log", mapping):
            assert isinstance(item, (importers.Event, importers.Rejected, importers.Ignored))
    except LeaktraceError as e:
        assert str(e).strip()


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              words, st.sampled_from(["FileAccessed", "GetObject", "view", "2024-03-05T14:22:10Z",
                                      "9999-12-31T23:59:59+14:00", "1709648530", "s3://b/k"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["Operation", "Id", "CreationTime", "UserId", "ObjectId", "AuditData", "eventName",
                        "eventID", "eventTime", "userIdentity", "arn", "requestParameters", "bucketName", "key",
                        "t", "a", "x", "d", "i", "Records"]) | words, inner, max_size=6),
    max_leaves=20)


@FUZZ
@given(st.sampled_from(list(importers.FORMATS)), st.lists(json_value, max_size=6), st.sampled_from(["lines", "array",
                                                                                                     "records"]))
def test_audit_logs_of_json(fmt, values, shape):
    import json

    if shape == "lines":
        data = "\n".join(json.dumps(v) for v in values).encode()
    elif shape == "array":
        data = json.dumps(values).encode()
    else:
        data = json.dumps({"Records": values}).encode()
    parse_log(fmt, data)


@FUZZ
@given(st.sampled_from(list(importers.FORMATS)), st.binary(max_size=1500))
def test_audit_logs_of_any_bytes(fmt, data):
    parse_log(fmt, data)


@FUZZ
@given(st.sampled_from(["m365-csv", "gws-drive-csv", "csv"]),
       st.lists(st.lists(csv_cell | json_value.map(lambda v: __import__("json").dumps(v)), max_size=6), max_size=10))
def test_audit_logs_of_csv(fmt, rows):
    head = {"m365-csv": "CreationDate,UserIds,Operations,AuditData", "gws-drive-csv": "Event Name,User,Date,Document ID",
            "csv": "t,a,x,d,i"}[fmt]
    parse_log(fmt, (head + "\n" + "\n".join(",".join(r) for r in rows)).encode("utf-8"))
