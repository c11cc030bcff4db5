"""Streaming readers for audit-log files: records one at a time, never the whole file.

A file is read through a counting buffer (for the progress callback), transparently
gunzipped when it starts with the gzip magic (CloudTrail delivers `.json.gz`), and split
into records: CSV rows (with their line numbers and raw text), JSON Lines, or the items
of a JSON array parsed incrementally with ijson.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ijson

from ..errors import InputError

Progress = Callable[[int, int], None]
_PROGRESS_STEP = 1 << 20
_CSV_FIELD_LIMIT = 64 << 20


@dataclass(frozen=True)
class Record:
    """One record of a file: `data` parsed, or `error` saying why it could not be."""

    line: int | None     # first line of the record (None inside a JSON document, e.g. a CloudTrail file)
    index: int           # 1-based position of the record in the file
    data: dict | None
    raw: str | dict | None
    error: str | None = None


class _Counting(io.RawIOBase):
    def __init__(self, f: BinaryIO, total: int, progress: Progress | None):
        self._f = f
        self.total = total
        self.count = 0
        self._next = _PROGRESS_STEP
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._f.readinto(b)
        self.count += n or 0
        if self._progress and self.count >= self._next:
            self._next = self.count + _PROGRESS_STEP
            self._progress(self.count, self.total)
        return n


@contextmanager
def open_stream(path: Path, progress: Progress | None = None) -> Iterator[BinaryIO]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    total = path.stat().st_size
    if total == 0:
        raise InputError(f"{path}: is empty")
    try:
        f = path.open("rb")
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    counting = _Counting(f, total, progress)
    stream: BinaryIO = io.BufferedReader(counting, 1 << 20)
    try:
        if stream.peek(2)[:2] == b"\x1f\x8b":
            stream = io.BufferedReader(gzip.GzipFile(fileobj=stream, mode="rb"), 1 << 20)  # type: ignore[arg-type]
        yield stream
        if progress:
            progress(total, total)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(f"{path}: cannot be read ({getattr(e, 'strerror', None) or e})") from None
    finally:
        f.close()


def first_byte(stream: BinaryIO) -> bytes:
    """The first significant byte (after a BOM and whitespace), without consuming it."""
    head = stream.peek(1 << 16)  # type: ignore[attr-defined]
    head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    s = head.lstrip()
    return s[:1]


def _skip_bom(stream: BinaryIO) -> None:
    if stream.peek(3)[:3] == b"\xef\xbb\xbf":  # type: ignore[attr-defined]
        stream.read(3)


def json_lines(stream: BinaryIO) -> Iterator[Record]:
    _skip_bom(stream)
    index = 0
    for n, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        index += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield Record(n, index, None, raw.decode("utf-8", "replace").rstrip("\r\n"),
                         f"not valid UTF-8 (bad byte at column {e.start + 1})")
            continue
        try:
            data = json.loads(text)
        except ValueError as e:
            yield Record(n, index, None, text.rstrip("\r\n"), f"not valid JSON ({e.msg} at column {e.colno})")
            continue
        if not isinstance(data, dict):
            yield Record(n, index, None, text.rstrip("\r\n"), f"a JSON {type(data).__name__}, not an object")
            continue
        yield Record(n, index, data, text.rstrip("\r\n"))


def json_items(stream: BinaryIO, prefix: str, name: str) -> Iterator[Record]:
    """Items of a JSON array (at `prefix`, ijson syntax: "item", "Records.item"), parsed incrementally.
    A syntax error ends the file: the parser cannot resume after it, so it is never skippable."""
    _skip_bom(stream)
    index = 0
    try:
        for item in ijson.items(stream, prefix, use_float=True):
            index += 1
            if not isinstance(item, dict):
                yield Record(None, index, None, item, f"a JSON {type(item).__name__}, not an object")
            else:
                yield Record(None, index, item, item)
    except ijson.JSONError as e:
        reason = str(e).splitlines()[0] if str(e) else "malformed"
        raise InputError(f"{name}: record {index + 1}: not valid JSON ({reason}); "
                         "the file cannot be read past this point") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: record {index + 1}: not valid UTF-8") from None


def csv_rows(stream: BinaryIO, name: str) -> tuple[list[str], Iterator[Record]]:
    """The header and an iterator of rows as dicts (keys from the header, as written)."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(min(_CSV_FIELD_LIMIT, sys.maxsize))
    _skip_bom(stream)
    state = {"line": 0, "lines": [], "bad": None}

    def text_lines() -> Iterator[str]:
        for raw in stream:
            state["line"] += 1
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                s = raw.decode("utf-8", "replace")
                if state["bad"] is None:
                    state["bad"] = f"not valid UTF-8 (bad byte at column {e.start + 1} of line {state['line']})"
            state["lines"].append(s)
            yield s

    reader = csv.reader(text_lines())
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise InputError(f"{name}:1: not a valid CSV header ({e})") from None
    if state["bad"]:
        raise InputError(f"{name}:1: {state['bad']}")
    if not header or not any(h.strip() for h in header):
        raise InputError(f"{name}: has no CSV header")
    header = [h.strip() for h in header]

    def rows() -> Iterator[Record]:
        index = 0
        state["lines"] = []
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                start = state["line"] - len(state["lines"]) + 1
                raise InputError(f"{name}:{start}: not valid CSV ({e})") from None
            lines, state["lines"] = state["lines"], []
            bad, state["bad"] = state["bad"], None
            start = state["line"] - len(lines) + 1
            raw = "".join(lines).rstrip("\r\n")
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            index += 1
            if bad:
                yield Record(start, index, None, raw, bad)
            elif len(fields) != len(header):
                yield Record(start, index, None, raw,
                             f"expected {len(header)} fields as in the header, found {len(fields)}")
            else:
                yield Record(start, index, dict(zip(header, fields)), raw)

    return header, rows()


def file_sha256(path) -> str:
    """SHA-256 of a file, read in blocks (an audit entry names exactly what was imported)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
