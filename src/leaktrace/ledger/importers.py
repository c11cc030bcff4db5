"""Importers: audit-log exports turned into access events, one record at a time.

Each importer is a generator over a binary stream yielding an `Event`, a `Rejected`
record (malformed: it stops an import unless invalid rows are skipped) or an `Ignored`
one (a well-formed record of an operation that is not an access to a document, such as
a log-in or a failed request: audit logs are full of them, so they never fail an import).

Vendor formats follow the vendors' documented layouts; the docstring of each parser says
which fields it relies on. Times are stored in UTC; a time without an offset is UTC (as
the Microsoft 365 `CreationTime` is).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO

from ..errors import InputError
from . import readers
from .chain import canonical, format_time
from .mapping import ALIAS_KINDS

# Our actions, and the words the generic formats accept for each (case, spaces and
# hyphens ignored). Vendor operations are mapped explicitly below.
ACTIONS: dict[str, tuple[str, ...]] = {
    "view": ("view", "viewed", "open", "opened", "read", "access", "accessed", "preview", "previewed"),
    "download": ("download", "downloaded", "sync", "synced"),
    "print": ("print", "printed"),
    "share": ("share", "shared", "sharing", "link_created", "invite", "invited"),
    "forward": ("forward", "forwarded", "fwd"),
    "export": ("export", "exported", "copy", "copied", "save_as"),
}
_ACTION_WORDS = {w: a for a, words in ACTIONS.items() for w in words}


@dataclass(frozen=True)
class Event:
    line: int | None
    index: int
    occurred_at: str
    actor: str
    action: str
    operation: str                              # the vendor's own name for it
    source_ref: str                             # the vendor's event id, or a hash of the event's fields
    documents: tuple[tuple[str, str], ...]      # (alias kind, value) to map, best first
    accounts: tuple[str, ...]                   # the actor's identities to map to a recipient
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        # the ledger's column holds 200 characters; refused here, alike on SQLite (which would
        # keep more) and PostgreSQL (which would fail the whole import)
        if len(self.source_ref) > MAX_EVENT_ID:
            raise BadRecord(f"event id of {len(self.source_ref)} characters is over the limit of {MAX_EVENT_ID}")


MAX_EVENT_ID = 200


@dataclass(frozen=True)
class Rejected:
    line: int | None
    index: int
    reason: str
    raw: str | dict | None

    def where(self, name: str) -> str:
        return f"{name}:{self.line}" if self.line is not None else f"{name}: record {self.index}"


@dataclass(frozen=True)
class Ignored:
    line: int | None
    index: int
    operation: str


Item = Event | Rejected | Ignored


class BadRecord(ValueError):
    """A malformed record; the message is the reason."""


# ------------------------------------------------------------------ helpers
_FRACTION = re.compile(r"(\.\d{6})\d+")
_TZ_SUFFIX = re.compile(r"\s*(?:UTC|GMT|Z)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\s*$", re.IGNORECASE)
_HUMAN_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%d %b %Y %H:%M:%S",
                  "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def parse_time(value) -> str:
    """ISO 8601 (a missing offset means UTC), Unix seconds or milliseconds, or the human forms of
    admin-console exports ("Mar 5, 2024, 2:22:10 PM GMT+1"); the fixed-width UTC form."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRecord("missing time")
    dt = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) or (
            isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value.strip())):
        x = float(value)
        try:
            dt = datetime.fromtimestamp(x / 1000 if x > 1e11 else x, UTC)
        except (OverflowError, OSError, ValueError):
            dt = None
    elif isinstance(value, str):
        s = _FRACTION.sub(r"\1", value.strip())
        try:
            dt = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s)
        except ValueError:
            offset = timedelta(0)
            m = _TZ_SUFFIX.search(s)
            if m:
                if m.group(1):
                    mins = int(m.group(2)) * 60 + int(m.group(3) or 0)
                    offset = timedelta(minutes=mins if m.group(1) == "+" else -mins)
                s = s[:m.start()]
            for fmt in _HUMAN_FORMATS:
                try:
                    dt = datetime.strptime(s, fmt).replace(tzinfo=timezone(offset))
                    break
                except ValueError:
                    continue
    if dt is None:
        raise BadRecord(f"bad timestamp {str(value)[:60]!r} (expected ISO 8601, e.g. 2024-03-05T14:22:10Z)")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        in_range = 1990 <= dt.astimezone(UTC).year <= 2200
    except OverflowError:       # e.g. 9999-12-31T23:59:59-14:00 is past year 9999 in UTC
        in_range = False
    if not in_range:
        raise BadRecord(f"timestamp {str(value)[:60]!r} is out of range")
    return format_time(dt)


def normalize_action(word: str) -> str | None:
    return _ACTION_WORDS.get(re.sub(r"[\s\-]+", "_", (word or "").strip().lower()))


def _content_ref(*parts) -> str:
    """For sources without event ids: the same event gives the same reference on every import."""
    return "sha256:" + hashlib.sha256(canonical([str(p) for p in parts])).hexdigest()


def _str(d: dict, key: str) -> str:
    v = d.get(key)
    return "" if v is None else str(v).strip()


def _need(d: dict, key: str, label: str | None = None) -> str:
    v = _str(d, key)
    if not v:
        raise BadRecord(f"missing field {label or key}")
    return v


def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _compact(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def _run(records: Iterator[readers.Record], parse: Callable[[readers.Record], Item]) -> Iterator[Item]:
    for rec in records:
        if rec.error:
            yield Rejected(rec.line, rec.index, rec.error, rec.raw)
            continue
        try:
            yield parse(rec)
        except BadRecord as e:
            yield Rejected(rec.line, rec.index, str(e), rec.raw)


# ------------------------------------------------------------------ Microsoft 365
M365_ACTIONS = {
    "FileAccessed": "view", "FileAccessedExtended": "view", "FilePreviewed": "view", "FileRead": "view",
    "FileDownloaded": "download", "FileSyncDownloadedFull": "download", "FileSyncDownloadedPartial": "download",
    "FilePrinted": "print",
    "SharingSet": "share", "SharingInvitationCreated": "share", "AddedToSecureLink": "share",
    "AnonymousLinkCreated": "share", "CompanyLinkCreated": "share", "SecureLinkCreated": "share",
    "AddedToSharingLink": "share",
    "FileCopied": "export", "FileCopiedToRemovableMedia": "export", "FileCopiedToNetworkShare": "export",
    "FileUploadedToCloud": "export", "FileTransferredByBluetooth": "export",
}


def _m365_event(ad: dict, rec: readers.Record, fallback: dict | None = None) -> Item:
    """Microsoft 365 unified audit log, the AuditData common schema and its SharePoint/OneDrive
    and Endpoint DLP extensions: Id, CreationTime (UTC, no offset), Operation, UserId, Workload,
    ClientIP, ObjectId (URL or local path), SourceFileName, SiteUrl, ListItemUniqueId (the file's
    GUID), TargetUserOrGroupName (sharing), Sha256 (Endpoint DLP)."""
    fb = fallback or {}
    op = _str(ad, "Operation") or fb.get("Operation", "")
    if not op:
        raise BadRecord("missing field Operation")
    action = M365_ACTIONS.get(op)
    if action is None:
        return Ignored(rec.line, rec.index, op)
    ref = _str(ad, "Id") or fb.get("Id", "")
    if not ref:
        raise BadRecord("missing field Id")
    when = parse_time(ad.get("CreationTime") or fb.get("CreationTime"))
    actor = _str(ad, "UserId") or fb.get("UserId", "")
    if not actor:
        raise BadRecord("missing field UserId")
    obj = _str(ad, "ObjectId")
    name = _str(ad, "SourceFileName") or (_basename(obj) if obj else "")
    docs = [("file_id", _str(ad, "ListItemUniqueId")), ("sha256", _str(ad, "Sha256")),
            ("path", obj), ("name", name)]
    docs = tuple((k, v) for k, v in docs if v)
    if not docs:
        raise BadRecord(f"{op} names no file (no ObjectId, SourceFileName or ListItemUniqueId)")
    details = _compact({"operation": op, "workload": _str(ad, "Workload"), "client_ip": _str(ad, "ClientIP"),
                        "object_id": obj, "file_name": name, "site_url": _str(ad, "SiteUrl"),
                        "target": _str(ad, "TargetUserOrGroupName"), "user_agent": _str(ad, "UserAgent")})
    return Event(rec.line, rec.index, when, actor, action, op, ref, docs, (actor,), details)


def m365_json(stream: BinaryIO, name: str, mapping: Mapping | None = None) -> Iterator[Item]:
    """A JSON array or JSON Lines of audit records: either AuditData objects themselves (as the
    Office 365 Management Activity API returns them) or records with an `AuditData` field
    (object or JSON string) beside CreationDate/UserIds/Operations, as search exports have."""
    records = (readers.json_items(stream, "item", name) if readers.first_byte(stream) == b"["
               else readers.json_lines(stream, name))

    def parse(rec: readers.Record) -> Item:
        d = rec.data
        if "AuditData" in d:
            ad = d["AuditData"]
            if isinstance(ad, str):
                try:
                    ad = json.loads(ad)
                except ValueError:
                    raise BadRecord("AuditData is not valid JSON") from None
            if not isinstance(ad, dict):
                raise BadRecord("AuditData is not a JSON object")
            return _m365_event(ad, rec, _m365_fallback(d))
        return _m365_event(d, rec)

    return _run(records, parse)


def _m365_fallback(row: dict) -> dict:
    def first(*keys):
        return next((str(row[k]).strip() for k in keys if row.get(k) not in (None, "")), "")
    return {"Operation": first("Operations", "Operation"), "UserId": first("UserIds", "UserId"),
            "CreationTime": first("CreationDate", "CreationTime") or None, "Id": first("RecordId", "Identity")}


def m365_csv(stream: BinaryIO, name: str, mapping: Mapping | None = None) -> Iterator[Item]:
    """The CSV that the Purview audit search exports: CreationDate, UserIds, Operations, AuditData
    (newer exports: RecordId, CreationDate, RecordType, Operation, UserId, AuditData). The
    AuditData column, a JSON string, is required and is what is read; the other columns fill in
    what it lacks."""
    header, rows = readers.csv_rows(stream, name)
    if "AuditData" not in header:
        raise InputError(f"{name}: no AuditData column; is this a Microsoft 365 audit log CSV export? "
                         f"(columns: {', '.join(header[:8])})")

    def parse(rec: readers.Record) -> Item:
        raw = rec.data.get("AuditData", "")
        if not raw.strip():
            raise BadRecord("missing AuditData")
        try:
            ad = json.loads(raw)
        except ValueError:
            raise BadRecord("AuditData is not valid JSON") from None
        if not isinstance(ad, dict):
            raise BadRecord("AuditData is not a JSON object")
        return _m365_event(ad, rec, _m365_fallback(rec.data))

    return _run(rows, parse)


# ------------------------------------------------------------------ Google Workspace Drive
GWS_DRIVE_ACTIONS = {
    "view": "view", "viewed": "view", "preview": "view", "previewed": "view",
    "download": "download", "downloaded": "download",
    "print": "print", "printed": "print",
    "copy": "export", "copied": "export", "make_a_copy": "export",
    "change_user_access": "share", "change_document_visibility": "share", "change_document_access_scope": "share",
    "change_acl_editors": "share", "change_visibility": "share", "shared": "share", "share": "share",
    "user_sharing_permissions_change": "share", "shared_drive_membership_change": "share",
}
_GWS_COLUMNS = {
    "event": ("event name", "event", "event_name"),
    "user": ("user", "actor", "actor email"),
    "date": ("date", "time", "timestamp"),
    "document": ("document id", "doc id", "item id", "doc_id"),
    "title": ("title", "document title", "item name", "doc title"),
    "owner": ("owner",),
    "visibility": ("visibility",),
    "description": ("event description", "description"),
    "ip": ("ip address",),
    "target": ("target", "target user"),
}


def gws_drive_csv(stream: BinaryIO, name: str, mapping: Mapping | None = None) -> Iterator[Item]:
    """The Drive log events exported as CSV from the Google Admin console (Reporting > Audit
    and investigation > Drive log events): Event Name (or Event), User (or Actor), Date,
    Document ID (or Item ID), Title, Owner, Visibility, Event Description, IP Address.
    Event names are matched ignoring case and spaces, so both the console's ("View",
    "Change user access") and the Reports API's ("view", "change_user_access") forms work.
    The export has no event id: an event is identified by a hash of (date, user, event,
    document id), so the same event exported twice is imported once."""
    header, rows = readers.csv_rows(stream, name)
    lower = {h.lower(): h for h in header}
    cols = {k: next((lower[a] for a in aliases if a in lower), None) for k, aliases in _GWS_COLUMNS.items()}
    labels = {"event": "Event Name", "user": "User", "date": "Date", "document": "Document ID"}
    missing = [labels[k] for k in labels if cols[k] is None]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(missing)}; is this a Google Workspace Drive "
                         f"audit log CSV? (columns: {', '.join(header[:8])})")

    def get(row: dict, key: str) -> str:
        c = cols[key]
        return (row.get(c) or "").strip() if c else ""

    def parse(rec: readers.Record) -> Item:
        row = rec.data
        op = get(row, "event")
        if not op:
            raise BadRecord("missing field Event Name")
        action = GWS_DRIVE_ACTIONS.get(re.sub(r"[\s\-]+", "_", op.lower()))
        if action is None:
            return Ignored(rec.line, rec.index, op)
        actor = get(row, "user")
        if not actor:
            raise BadRecord("missing field User")
        when = parse_time(get(row, "date"))
        doc = get(row, "document")
        if not doc:
            raise BadRecord("missing field Document ID")
        title = get(row, "title")
        docs = (("file_id", doc),) + ((("name", title),) if title else ())
        details = _compact({"operation": op, "title": title, "owner": get(row, "owner"),
                            "visibility": get(row, "visibility"), "description": get(row, "description"),
                            "ip": get(row, "ip"), "target": get(row, "target")})
        ref = _content_ref(when, actor.casefold(), op.lower(), doc)
        return Event(rec.line, rec.index, when, actor, action, op, ref, docs, (actor,), details)

    return _run(rows, parse)


# ------------------------------------------------------------------ AWS CloudTrail
CLOUDTRAIL_ACTIONS = {
    "GetObject": "download", "SelectObjectContent": "view", "CopyObject": "export",
    "PutObjectAcl": "share", "RestoreObject": "export",
}


def cloudtrail(stream: BinaryIO, name: str, mapping: Mapping | None = None) -> Iterator[Item]:
    """A CloudTrail log file: one JSON object {"Records": [...]} (gzipped or not), or a JSON
    array of records. Fields used: eventID, eventTime, eventName, eventSource, errorCode (a
    failed request is not an access and is ignored), userIdentity (arn, userName, principalId,
    invokedBy), sourceIPAddress, userAgent, requestParameters.bucketName/key and, for CopyObject,
    x-amz-copy-source (the object that was copied). S3 data events must be enabled on the trail."""
    first = readers.first_byte(stream)
    if first not in (b"{", b"["):
        raise InputError(f"{name}: not a CloudTrail log file (expected a JSON object with a Records array)")
    records = readers.json_items(stream, "Records.item" if first == b"{" else "item", name)

    def parse(rec: readers.Record) -> Item:
        r = rec.data
        op = _str(r, "eventName")
        if not op:
            raise BadRecord("missing field eventName")
        action = CLOUDTRAIL_ACTIONS.get(op)
        if action is None:
            return Ignored(rec.line, rec.index, op)
        if _str(r, "errorCode"):
            return Ignored(rec.line, rec.index, f"{op} (failed: {_str(r, 'errorCode')})")
        ref = _need(r, "eventID")
        when = parse_time(r.get("eventTime"))
        ident = r.get("userIdentity")
        if not isinstance(ident, dict):
            raise BadRecord("missing field userIdentity")
        accounts = [_str(ident, "arn"), _str(ident, "userName"), _str(ident, "principalId"),
                    _str(ident, "invokedBy")]
        accounts = [a for a in accounts if a]
        if not accounts:
            raise BadRecord("userIdentity names nobody (no arn, userName, principalId or invokedBy)")
        params = r.get("requestParameters")
        if not isinstance(params, dict):
            raise BadRecord("missing field requestParameters")
        bucket, key = _str(params, "bucketName"), _str(params, "key")
        copied = _str(params, "x-amz-copy-source")
        if op == "CopyObject" and copied:
            bucket, _, key = copied.lstrip("/").partition("/")
        if not bucket or not key:
            raise BadRecord("missing field requestParameters.bucketName or requestParameters.key")
        path = f"s3://{bucket}/{key}"
        details = _compact({"operation": op, "event_source": _str(r, "eventSource"),
                            "source_ip": _str(r, "sourceIPAddress"), "user_agent": _str(r, "userAgent"),
                            "object": path, "region": _str(r, "awsRegion"),
                            "destination": (f"s3://{_str(params, 'bucketName')}/{_str(params, 'key')}"
                                            if op == "CopyObject" else "")})
        return Event(rec.line, rec.index, when, accounts[0], action, op, ref,
                     (("path", path), ("name", _basename(key))), tuple(accounts), details)

    return _run(records, parse)


# ------------------------------------------------------------------ generic CSV / JSON Lines
@dataclass(frozen=True)
class Mapping:
    """Which column (CSV) or field (JSON Lines; dotted paths reach into objects) holds what."""

    time: str
    actor: str
    action: str
    document: str
    event_id: str | None = None
    document_kind: str | None = None  # file_id | path | name | sha256; None tries each in turn
    target: str | None = None  # whom a share or forward went to (checked against protected channels)

    KEYS = ("time", "actor", "action", "document", "event_id", "document_kind", "target")

    @classmethod
    def parse(cls, spec: str | dict | Mapping | None) -> Mapping:
        if isinstance(spec, Mapping):
            return spec
        if not spec:
            raise InputError("the generic formats need a column mapping: "
                             "--map time=COL,actor=COL,action=COL,document=COL[,event_id=COL]"
                             "[,document_kind=file_id|path|name|sha256][,target=COL]")
        if isinstance(spec, str):
            pairs = {}
            for part in spec.split(","):
                if not part.strip():
                    continue
                k, sep, v = part.partition("=")
                k, v = k.strip().lower(), v.strip()
                if not sep or not v:
                    raise InputError(f"--map: {part.strip()!r} is not KEY=COLUMN")
                if k in pairs:
                    raise InputError(f"--map: {k} is given twice")
                pairs[k] = v
        else:
            pairs = {str(k).lower(): str(v) for k, v in spec.items()}
        unknown = [k for k in pairs if k not in cls.KEYS]
        if unknown:
            raise InputError(f"--map: unknown key {unknown[0]!r}; keys are {', '.join(cls.KEYS)}")
        missing = [k for k in cls.KEYS[:4] if k not in pairs]
        if missing:
            raise InputError(f"--map: missing {', '.join(missing)} (time, actor, action and document are required)")
        kind = pairs.get("document_kind")
        if kind is not None and kind not in ALIAS_KINDS:
            raise InputError(f"--map: document_kind must be one of {', '.join(ALIAS_KINDS)}, not {kind!r}")
        return cls(**pairs)

    def columns(self) -> list[str]:
        return [c for c in (self.time, self.actor, self.action, self.document, self.event_id, self.target) if c]


def _generic_event(get: Callable[[str], str], m: Mapping, rec: readers.Record) -> Item:
    when = parse_time(get(m.time) or None)
    actor = get(m.actor)
    if not actor:
        raise BadRecord(f"missing {m.actor} (actor)")
    word = get(m.action)
    if not word:
        raise BadRecord(f"missing {m.action} (action)")
    action = normalize_action(word)
    if action is None:
        raise BadRecord(f"unknown action {word[:40]!r} (expected one of {', '.join(ACTIONS)} or a synonym)")
    doc = get(m.document)
    if not doc:
        raise BadRecord(f"missing {m.document} (document)")
    kinds = (m.document_kind,) if m.document_kind else ("file_id", "sha256", "path", "name")
    docs = tuple((k, doc) for k in kinds)
    if m.document_kind == "path":
        docs += (("name", _basename(doc)),)
    ref = get(m.event_id) if m.event_id else ""
    ref = ref or _content_ref(when, actor.casefold(), word.lower(), doc)
    details = {"operation": word, "document_ref": doc}
    if m.document_kind:
        details["document_kind"] = m.document_kind
    if m.target and get(m.target):
        details["target"] = get(m.target)
    return Event(rec.line, rec.index, when, actor, action, word, ref, docs, (actor,), details)


def generic_csv(stream: BinaryIO, name: str, mapping: Mapping | str | dict | None = None) -> Iterator[Item]:
    """Any CSV with a header, read through a mapping of our fields to its columns."""
    m = Mapping.parse(mapping)
    header, rows = readers.csv_rows(stream, name)
    exact = set(header)
    lower = {h.lower(): h for h in header}
    cols = {}
    for c in m.columns():
        col = c if c in exact else lower.get(c.lower())
        if col is None:
            raise InputError(f"{name}: no column {c!r} in the header (it has: {', '.join(header[:12])})")
        cols[c] = col

    def parse(rec: readers.Record) -> Item:
        return _generic_event(lambda c: (rec.data.get(cols[c]) or "").strip(), m, rec)

    return _run(rows, parse)


def _dotted(d: dict, path: str):
    if path in d:
        return d[path]
    cur = d
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def generic_jsonl(stream: BinaryIO, name: str, mapping: Mapping | str | dict | None = None) -> Iterator[Item]:
    """JSON Lines, one object per line, read through a mapping of our fields to its keys."""
    m = Mapping.parse(mapping)

    def parse(rec: readers.Record) -> Item:
        def get(path: str) -> str:
            v = _dotted(rec.data, path)
            return "" if v is None or isinstance(v, (dict, list)) else str(v).strip()
        return _generic_event(get, m, rec)

    return _run(readers.json_lines(stream, name), parse)


# ------------------------------------------------------------------ registry
@dataclass(frozen=True)
class Format:
    name: str
    source_kind: str       # events from formats of one kind share ids, so they are never imported twice
    parse: Callable[..., Iterator[Item]]
    needs_mapping: bool
    description: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("m365-json", "m365", m365_json, False, "Microsoft 365 unified audit log, JSON array or JSON Lines"),
    Format("m365-csv", "m365", m365_csv, False, "Microsoft 365 unified audit log, Purview CSV export"),
    Format("gws-drive-csv", "gws-drive", gws_drive_csv, False, "Google Workspace Drive log events, CSV export"),
    Format("cloudtrail", "cloudtrail", cloudtrail, False, "AWS CloudTrail log file (S3 data events)"),
    Format("csv", "generic", generic_csv, True, "any CSV, with --map"),
    Format("jsonl", "generic", generic_jsonl, True, "any JSON Lines, with --map"),
)}


def get_format(name: str) -> Format:
    f = FORMATS.get((name or "").strip().lower())
    if f is None:
        raise InputError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    return f
