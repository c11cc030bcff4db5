"""What every reader returns, and the limits every reader keeps.

Leaked artifacts are hostile: readers never execute or render them, bound the memory they
use, and refuse malformed input with one line (an InputError). A reader that can read part
of a file says so in `notes` instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import budget
from ..models import Page

DEFAULT_MAX_MB = budget.Budget.input_mb
# Names of the keyed copy stamp in file metadata (see formats.stamp).
STAMP_PROPERTY = "LeaktraceStamp"      # DOCX custom property
STAMP_PDF_KEY = "/LeaktraceStamp"     # PDF document information entry
STAMP_HEADER = "X-Leaktrace-Stamp"     # e-mail header


def max_input_bytes() -> int:
    """The input limit of the budget in force (leaktrace.budget)."""
    return budget.current().input_bytes


@dataclass(frozen=True)
class Extracted:
    """The text of one artifact (a leak, or a part of one) as leaktrace reads it."""

    text: str
    format: str                                  # txt md html pdf docx eml image
    name: str
    stamps: tuple[str, ...] = ()                 # raw copy stamps found in the file's metadata
    notes: tuple[str, ...] = ()                  # what could not be read, in plain words
    readers: tuple[str, ...] = field(default=())  # how the text was obtained: "pdf-text", "ocr", ...
    pages: tuple[Page, ...] = ()                 # page images read by OCR, with their word boxes
    encoding: str | None = None                  # how a text file's bytes were read (utf-8, cp1252, ...)
    # what of the file was not read (parts past a limit, pages without text, attachments that
    # could not be read): the text may come from there, so the trace says it read only part
    unread: tuple[str, ...] = ()
