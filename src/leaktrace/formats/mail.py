"""Text of a leaked e-mail (.eml): subject, body, attachments and forwarded messages.

Mail arrives broken in every way (missing boundaries, bad base64, charsets nobody knows), so
the reader never fails on a part: what cannot be read becomes a note and the rest is kept.
Attachments are read by the caller's dispatcher; nesting and the number of parts are bounded.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from .. import budget
from ..errors import InputError
from .base import STAMP_HEADER, Extracted, max_input_bytes
from .image import short_reason
from .web import html_main_text, text_codec

MAX_DEPTH = 5      # messages inside messages
MAX_PARTS = 200    # leaf parts read in one mail

PartReader = Callable[[bytes, str], Extracted]


def extract_eml(data: bytes, name: str, extract_part: PartReader) -> Extracted:
    """The text of a mail: "Subject: …", the body (plain text preferred over HTML), then each
    attachment under an "Attachment: <name>" line. Stamps come from the X-Leaktrace-Stamp
    header and from the attachments. Refuses input with no mail headers."""
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception as e:  # noqa: BLE001 - the parser is lenient, but hostile input finds corners
        raise InputError(f"{name}: cannot be parsed as an e-mail ({short_reason(e)})") from None
    if not msg.keys():
        raise InputError(f"{name}: is not an e-mail (it has no mail headers)")
    _check_headers(msg, name)
    reading = _Reading(extract_part)
    try:
        reading.message(msg, depth=0)
    except RecursionError:
        raise InputError(f"{name}: its MIME parts are nested too deeply to read") from None
    if reading.skipped:
        reading.notes.append(f"{reading.skipped} parts after the first {MAX_PARTS} were skipped")
        reading.unread.append(f"{reading.skipped} parts after the first {MAX_PARTS}")
    text = "\n\n".join(t.strip() for t in reading.texts if t.strip())
    if not text:
        raise InputError(f"{name}: has no readable text")
    return Extracted(text=text, format="eml", name=name, stamps=tuple(dict.fromkeys(reading.stamps)),
                     notes=tuple(reading.notes), readers=tuple(dict.fromkeys(["mail", *reading.readers])),
                     unread=tuple(reading.unread))


@dataclass
class _Reading:
    """What has been read of one mail so far, part by part."""

    extract_part: PartReader
    texts: list[str] = field(default_factory=list)
    stamps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    parts: int = 0
    skipped: int = 0

    def message(self, msg: EmailMessage, depth: int) -> None:
        """A whole message: its stamp header, subject, body and attachments."""
        self.stamps += [s.strip() for s in _header(msg, STAMP_HEADER) if s.strip()]
        subject = " ".join(" ".join(_header(msg, "Subject")).split())
        if subject:
            self.texts.append(f"Subject: {subject}")
        self.entity(msg, depth)

    def entity(self, part: EmailMessage, depth: int) -> None:
        """The body and attachments of a message or of a multipart inside one."""
        if part.get_content_type() == "message/rfc822" or not part.is_multipart():
            # a single part, or a multipart whose boundaries are missing: read it whole
            self.leaf(part, depth, attachment=part.get_content_maintype() not in ("text", "multipart"))
            return
        self._note_defects(part, "MIME structure")
        body = part.get_body(preferencelist=("plain", "html"))
        if body is not None:
            self.leaf(body, depth, attachment=False)
        for attachment in part.iter_attachments():
            self.leaf(attachment, depth, attachment=True)

    def leaf(self, part: EmailMessage, depth: int, attachment: bool) -> None:
        """One part, or a container met among the attachments; no failure leaves it."""
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            self.entity(part, depth)
            return
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.skipped += 1
            return
        label = _part_name(part, self.parts) if attachment else f"part {self.parts}"
        try:
            self._read(part, depth, label, attachment)
        except (RecursionError, budget.BudgetExceeded):
            raise
        except MemoryError:       # over the budget's memory: not a damaged file
            raise
        except Exception as e:  # noqa: BLE001 - broken MIME never stops the other parts
            self.notes.append(f"{label} could not be read ({short_reason(e)})")
            self.unread.append(label)
        self._note_defects(part, label)

    def _note_defects(self, part: EmailMessage, label: str) -> None:
        if part.defects:
            kinds = sorted({_defect_words(d) for d in part.defects})
            self.notes.append(f"{label}: damaged MIME ({', '.join(kinds)}); read what could be decoded")

    def _read(self, part: EmailMessage, depth: int, label: str, attachment: bool) -> None:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            if depth + 1 > MAX_DEPTH:
                self.notes.append(f"{label}: a message nested more than {MAX_DEPTH} deep; skipped")
                self.unread.append(f"{label} (nested more than {MAX_DEPTH} deep)")
                return
            inner = part.get_payload(0)
            self.texts.append("Attached message")
            self.message(inner, depth + 1)
            return
        if ctype in ("text/plain", "text/html") or not attachment:
            text = self._text(part, label)
            if attachment and part.get_filename():
                self.texts.append(f"Attachment: {label}")
            self.texts.append(html_main_text(text) if ctype == "text/html" else text)
            return
        try:
            extracted = self.extract_part(part.get_payload(decode=True) or b"", label)
        except budget.BudgetExceeded:
            raise
        except InputError as e:
            reason = str(e).removeprefix(f"{label}: ")
            self.notes.append(f"attachment {label} skipped: {reason}")
            self.unread.append(f"attachment {label}")
            return
        self.texts += [f"Attachment: {label}", extracted.text]
        self.stamps += extracted.stamps
        self.notes += [f"{label}: {note}" for note in extracted.notes]
        self.readers += extracted.readers
        self.unread += [f"{label}: {u}" for u in extracted.unread]

    def _text(self, part: EmailMessage, label: str) -> str:
        """A text part in its charset, newlines normalized and flowed lines joined."""
        text, note = decode_part(part.get_payload(decode=True) or b"", part.get_content_charset())
        if note:
            self.notes.append(f"{label}: {note}")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if part.get_param("format", "").lower() == "flowed":
            text = _unflow(text, delsp=part.get_param("delsp", "").lower() == "yes")
        return text


def decode_part(payload: bytes, declared: str | None) -> tuple[str, str | None]:
    """Text in the declared charset if Python knows it, else UTF-8, else Latin-1 (which never
    fails); with a note when the result is a guess."""
    codec = text_codec(declared) if declared else "ascii"
    for candidate in filter(None, (codec, "utf-8")):
        try:
            text = payload.decode(candidate)
        except UnicodeDecodeError:
            continue
        unknown = declared is not None and codec is None
        return text, f"declared charset {declared!r} unknown; decoded as UTF-8" if unknown else None
    if declared and codec:
        return payload.decode(codec, errors="replace"), f"not valid {declared} text; unreadable bytes replaced"
    what = f"declared charset {declared!r} unknown" if declared else "no charset declared and not UTF-8"
    return payload.decode("latin-1"), f"{what}; decoded as latin-1"


def _check_headers(msg: EmailMessage, name: str) -> None:
    """Refuses a header longer than the budget allows, before any header is parsed: the standard
    library's header parser takes time that grows with the square of a header's length (a 2.4 MB
    folded Subject took 104 s). A real header is a few hundred characters."""
    limit = budget.current()
    for part in msg.walk():
        for field_name, value in part.raw_items():
            if len(value) > limit.header_chars:
                raise limit.exceeded("header_kb", f"{name}: its {_printable_name(field_name)} header has "
                                     f"{len(value) / 1024:,.0f} KB")


def _printable_name(field_name: str) -> str:
    return re.sub(r"[^\x21-\x7e]", "?", field_name)[:60]


def _header(msg: EmailMessage, field_name: str) -> list[str]:
    """The values of a header, decoded; raw when the header is too malformed to parse."""
    try:
        return [str(v) for v in msg.get_all(field_name, [])]
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception:  # noqa: BLE001 - the header parser has corners hostile mail can reach
        return [str(v) for k, v in msg.raw_items() if k.lower() == field_name.lower()]


def _part_name(part: EmailMessage, number: int) -> str:
    """The attachment's file name without any folders, or one made from its type."""
    try:
        filename = part.get_filename() or ""
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception:  # noqa: BLE001
        filename = ""
    filename = re.sub(r"[\x00-\x1f\x7f]", "", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if filename:
        return filename[:120]
    return f"part-{number}{mimetypes.guess_extension(part.get_content_type()) or ''}"


def _defect_words(defect: Exception) -> str:
    """InvalidBase64PaddingDefect → "invalid base64 padding"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type(defect).__name__.removesuffix("Defect"))
    return words.lower()


def _unflow(text: str, delsp: bool) -> str:
    """format=flowed text (RFC 3676) with its soft line breaks joined."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.removeprefix(" ")  # space-stuffing
        if lines and lines[-1].endswith(" ") and lines[-1] != "-- ":
            lines[-1] = (lines[-1][:-1] if delsp else lines[-1]) + line
        else:
            lines.append(line)
    return "\n".join(lines)
