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

from .. import budget
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


def _lines(stream: BinaryIO, limit: int, name: str) -> Iterator[tuple[int, bytes]]:
    """The lines of a stream, none read whole into memory beyond `limit` bytes: a longer line is
    refused (its record could not be set aside without reading it)."""
    n = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        n += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            b = budget.current()
            raise b.exceeded("record_mb", f"{name}:{n}: a line longer than", over="")
        yield n, raw


def json_lines(stream: BinaryIO, name: str = "the file") -> Iterator[Record]:
    _skip_bom(stream)
    index = 0
    depth_limit = budget.current().json_depth
    for n, raw in _lines(stream, budget.current().record_bytes, name):
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
        except RecursionError:     # the standard parser's own limit, near 1,000 levels
            data = None
        if data is None or _depth(data, depth_limit) > depth_limit:
            yield Record(n, index, None, text[:200].rstrip("\r\n"), _too_deep())
            continue
        if not isinstance(data, dict):
            yield Record(n, index, None, text.rstrip("\r\n"), f"a JSON {type(data).__name__}, not an object")
            continue
        yield Record(n, index, data, text.rstrip("\r\n"))


def _depth(value, limit: int) -> int:
    """How deep a parsed JSON value nests (counted up to limit + 1, without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def _too_deep() -> str:
    b = budget.current()
    return f"nested deeper than the limit of {b.describe('json_depth')} (set {budget.ENV['json_depth']} to raise it)"


def _too_large() -> str:
    b = budget.current()
    return f"larger than the limit of {b.describe('record_mb')} (set {budget.ENV['record_mb']} to raise it)"


class _Skipped:
    """An item of the array that went over the budget; its reason, in place of its value."""

    def __init__(self, reason: str):
        self.reason = reason


def _array_items(stream: BinaryIO, path: tuple[str, ...]) -> Iterator[object]:
    """The items of the array at `path` (keys of objects from the top; () for a top-level array),
    built from ijson's basic events: memory grows with the item being built, never with the depth
    of the document (ijson.items keeps a prefix string per level, so its memory grows with the
    square of the depth: 24 GB for 200 KB of nested brackets). An item deeper or larger than the
    budget is read past, not built, and given as a _Skipped."""
    b = budget.current()
    max_depth, max_size = b.json_depth, b.record_bytes
    n = len(path)
    opened: list[list] = []      # every open container of the document: [is a map, its current key]
    building: list = []          # the containers of the item being built, outermost first
    keys: list = []              # the current key of each of them (maps)
    skipping: str | None = None  # why the item being read past is skipped
    size = 0

    def in_array() -> bool:
        return (len(opened) == n + 1 and not opened[-1][0]
                and all(f[0] and f[1] == k for f, k in zip(opened, path)))

    def put(value) -> None:
        if isinstance(building[-1], dict):
            building[-1][keys[-1]] = value
        else:
            building[-1].append(value)

    for event, value in ijson.basic_parse(stream, use_float=True):
        if event == "map_key":
            opened[-1][1] = value
            if building:
                keys[-1] = value
                size += len(value) + 4
        elif skipping is not None:
            if event in ("start_map", "start_array"):
                opened.append([event == "start_map", None])
            elif event in ("end_map", "end_array"):
                opened.pop()
                if len(opened) == n + 1:        # the skipped item has ended
                    yield _Skipped(skipping)
                    skipping, size = None, 0
            continue
        elif not building and (event in ("end_map", "end_array") or not in_array()):
            # outside the array's items (or at its end): only the structure
            if event in ("start_map", "start_array"):
                opened.append([event == "start_map", None])
            elif event in ("end_map", "end_array"):
                opened.pop()
            continue
        elif event in ("start_map", "start_array"):
            opened.append([event == "start_map", None])
            if len(building) >= max_depth:
                building, keys, skipping = [], [], _too_deep()
                continue
            new: dict | list = {} if event == "start_map" else []
            if building:
                put(new)
            building.append(new)
            keys.append(None)
            size += 2
        elif event in ("end_map", "end_array"):
            opened.pop()
            done = building.pop()
            keys.pop()
            if not building:
                yield done
                size = 0
            continue
        else:                                   # a scalar
            size += len(value) if isinstance(value, str) else 8
            if not building:
                yield value if size <= max_size else _Skipped(_too_large())
                size = 0
                continue
            put(value)
        if size > max_size and building:        # inside the item: read past the rest of it
            building, keys, skipping = [], [], _too_large()


def json_items(stream: BinaryIO, prefix: str, name: str) -> Iterator[Record]:
    """Items of a JSON array (at `prefix`, ijson syntax: "item", "Records.item"), parsed incrementally,
    each within the budget's depth and size. A syntax error ends the file: the parser cannot resume
    after it, so it is never skippable."""
    _skip_bom(stream)
    index = 0
    path = tuple(prefix.split(".")[:-1])
    try:
        for item in _array_items(stream, path):
            index += 1
            if isinstance(item, _Skipped):
                yield Record(None, index, None, None, item.reason)
            elif not isinstance(item, dict):
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
