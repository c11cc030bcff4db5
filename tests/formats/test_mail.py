"""Reading leaked e-mails: body, attachments, forwarded messages, and mail broken every way."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest

from leaktrace.errors import InputError
from leaktrace.formats import mail
from leaktrace.formats.base import STAMP_HEADER, STAMP_PDF_KEY, Extracted
from leaktrace.formats.mail import extract_eml
from leaktrace.formats.pdfread import extract_pdf

BODY = ("Ana,\n\nthe eastern quay closes for six weeks from the second week of April. "
        "Please keep this to the operations team until the board has met.\n\nTomas")
STAMP = "lt1.CABCDEFGH.0123456789abcdef0123"


def dispatch(data: bytes, name: str) -> Extracted:
    """A stand-in for the formats dispatcher: text and PDF, nothing else."""
    if name.endswith(".txt"):
        return Extracted(data.decode("utf-8"), "txt", name)
    if name.endswith(".pdf"):
        return extract_pdf(data, name)
    raise InputError(f"{name}: unsupported format {name.rsplit('.', 1)[-1]!r}")


def read(data: bytes) -> Extracted:
    return extract_eml(data, "leak.eml", dispatch)


def message(subject: str = "Quay closure", body: str = BODY) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Tomas Ferreira <tomas@northwind-harbour.example>"
    msg["To"] = "ana@northwind-harbour.example"
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def stamped_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    pdf = HTML(string="<p style='font-family: DejaVu Serif'>Dredging budget: below the March "
                      "figure, with eight percent held back.</p>").write_pdf()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({STAMP_PDF_KEY: STAMP})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_plain_mail_gives_its_subject_and_body_and_the_stamp_header():
    msg = message()
    msg[STAMP_HEADER] = STAMP
    got = read(msg.as_bytes())
    assert got.text == f"Subject: Quay closure\n\n{BODY}"
    assert got.stamps == (STAMP,) and got.format == "eml" and got.readers == ("mail",) and got.notes == ()


def test_an_html_only_alternative_is_read_as_text():
    msg = message()
    msg.set_content("<html><body><p>The eastern quay closes for <b>six weeks</b>.</p>"
                    "<p>Dredging starts in April &amp; ends in May.</p></body></html>", subtype="html")
    got = read(msg.as_bytes())
    assert got.text == ("Subject: Quay closure\n\nThe eastern quay closes for six weeks.\n\n"
                        "Dredging starts in April & ends in May.")


def test_plain_text_is_preferred_over_html():
    msg = message()
    msg.add_alternative("<p>HTML version of the note</p>", subtype="html")
    assert "HTML version" not in read(msg.as_bytes()).text


def test_attachments_are_read_under_their_names_with_their_stamps_and_skips_noted():
    msg = message()
    msg.add_attachment(b"Berth list for the northern mole.", maintype="text", subtype="plain",
                       filename="berths.txt")
    msg.add_attachment(stamped_pdf(), maintype="application", subtype="pdf", filename="../budget.pdf")
    msg.add_attachment(b"\x00\x01", maintype="application", subtype="octet-stream", filename="tides.xls")
    got = read(msg.as_bytes())
    assert got.text.endswith("Attachment: berths.txt\n\nBerth list for the northern mole.\n\n"
                             "Attachment: budget.pdf\n\nDredging budget: below the March figure, "
                             "with eight percent held back.")
    assert got.stamps == (STAMP,) and got.readers == ("mail", "pdf-text")
    assert got.notes == ("attachment tides.xls skipped: unsupported format 'xls'",)


def test_latin_1_is_decoded_and_an_unknown_charset_is_noted():
    latin = read(_raw_mail("iso-8859-1", "Café on the quay closes in April.".encode("latin-1")))
    assert latin.text.endswith("Café on the quay closes in April.") and latin.notes == ()
    unknown = read(_raw_mail("x-harbour-8", "Café on the quay".encode("latin-1")))
    assert unknown.text.endswith("Café on the quay")
    assert unknown.notes == ("part 1: declared charset 'x-harbour-8' unknown; decoded as latin-1",)


def _raw_mail(charset: str, body: bytes, encoding: str = "8bit") -> bytes:
    return (f"From: tomas@northwind-harbour.example\nSubject: Quay\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {encoding}\n\n"
            ).encode() + body + b"\n"


def test_broken_base64_and_missing_boundaries_are_noted_not_fatal():
    broken = read(_raw_mail("utf-8", b"VGhlIHF1YXkgY2xvc2Vz!!IGluIEFwcmlsLg", encoding="base64"))
    assert "The quay closes" in broken.text and "invalid base64" in broken.notes[0]
    no_parts = read(b"Subject: Quay\nContent-Type: multipart/mixed; boundary=NONE\n\n"
                    b"The quay closes in April.\n")
    assert no_parts.text == "Subject: Quay\n\nThe quay closes in April."
    assert "start boundary not found" in no_parts.notes[0]


def test_a_forwarded_message_is_read_inside_the_mail():
    outer = message("Fwd: Quay closure", "See below.")
    outer.add_attachment(message())
    got = read(outer.as_bytes())
    assert got.text == f"Subject: Fwd: Quay closure\n\nSee below.\n\nAttached message\n\nSubject: Quay closure\n\n{BODY}"


def test_nesting_and_part_counts_are_bounded(monkeypatch):
    msg = message("level 0", "body 0")
    for level in range(1, 8):
        outer = message(f"level {level}", f"body {level}")
        outer.add_attachment(msg)
        msg = outer
    got = read(msg.as_bytes())
    assert "body 2" in got.text and "body 1" not in got.text
    assert any("nested more than 5 deep" in n for n in got.notes)

    monkeypatch.setattr(mail, "MAX_PARTS", 3)
    many = message()
    for i in range(6):
        many.add_attachment(f"note {i}".encode(), maintype="text", subtype="plain", filename=f"n{i}.txt")
    assert "4 parts after the first 3 were skipped" in read(many.as_bytes()).notes


@pytest.mark.parametrize("data", [b"", b"just a line of text, no headers", b"\x00\x01\x02\xff" * 50])
def test_input_that_is_not_a_mail_is_refused(data):
    with pytest.raises(InputError, match=r"^leak\.eml: is not an e-mail"):
        read(data)


def test_an_encoded_subject_is_decoded():
    assert read(message("Quai fermé à l'est").as_bytes()).text.startswith("Subject: Quai fermé à l'est")
