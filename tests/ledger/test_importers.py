"""Each audit-log format: what is read from the vendor's fields, what is ignored, what is rejected."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from ledgerkit import DRIVE_DOC_ID, FIXTURES, JSONL_MAP, S3_PATH, access_events, assert_import_audit, import_audits

from leaktrace.errors import InputError
from leaktrace.ledger import importers
from leaktrace.ledger.importers import BadRecord, Mapping, parse_time

ID = "4f1c2b9e-0a6d-4c1e-9b7a-1d2e3f4050"


def by_ref(led, source_kind):
    return {e.source_ref: e for e in led.events() if e.source_kind == source_kind}


def test_m365_json_array(led):
    r = led.import_file(FIXTURES / "m365.json", "m365-json")
    assert (r.events, r.added, r.ignored, r.rejected) == (8, 8, 2, 0)
    assert r.ignored_operations == {"UserLoggedIn": 1, "FileModified": 1}
    ev = by_ref(led, "m365")
    assert {k[-2:]: e.action for k, e in ev.items()} == {
        "01": "view", "02": "view", "03": "download", "04": "download", "05": "share", "06": "print",
        "07": "view", "10": "download"}
    first = ev[ID + "01"]
    assert first.occurred_at == "2024-03-04T09:15:22.000Z"      # CreationTime has no offset: UTC
    assert first.recipient == "ana.ashby" and first.document == 1
    assert first.details["matched_by"] == "name" and first.details["client_ip"] == "203.0.113.11"
    assert ev[ID + "02"].occurred_at == "2024-03-04T10:02:11.123Z"  # seven fractional digits
    assert ev[ID + "05"].details["target"] == "visitor@press.example"
    printed = ev[ID + "06"]                                      # Endpoint DLP: a local Windows path
    assert printed.document == 1 and printed.recipient == "dara.dunn" and printed.kind == "access"
    assert ev[ID + "07"].document is None                        # another file: kept, not mapped
    guest = ev[ID + "10"]
    assert guest.recipient is None and guest.actor == "guest_r.vale@press.example"
    assert r.mapped_documents == 7 and r.mapped_recipients == 7


def test_m365_file_id_alias_wins_over_the_name(led):
    led.add_alias("D1", "file_id", "{7D3C6A1E-52B4-4F0A-9E61-2C8B3A9D0F11}")  # braces and case do not matter
    led.import_file(FIXTURES / "m365.json", "m365-json")
    assert by_ref(led, "m365")[ID + "01"].details["matched_by"] == "file_id"


def test_m365_search_export_lines_and_csv_share_ids_with_the_api_records(led):
    r = led.import_file(FIXTURES / "m365.jsonl", "m365-json")   # JSON Lines, AuditData as a JSON string
    assert (r.added, r.rejected) == (3, 0)
    ev = by_ref(led, "m365")
    assert ev[ID + "12"].action == "share" and ev[ID + "11"].recipient == "chen.cole"
    r = led.import_file(FIXTURES / "m365.json", "m365-json")
    assert (r.added, r.duplicates) == (7, 1)
    r = led.import_file(FIXTURES / "m365.csv", "m365-csv")      # Purview CSV: all four already known
    assert (r.events, r.added, r.duplicates, r.ignored) == (4, 0, 4, 1)
    assert len(access_events(led)) == 10
    audits = import_audits(led)                                  # one per import, even the one adding nothing
    assert [(a.details["format"], a.details["added"], a.details["duplicates"]) for a in audits] == [
        ("m365-json", 3, 0), ("m365-json", 7, 1), ("m365-csv", 0, 4)]
    assert_import_audit(audits[-1], r, ignored=1)
    assert led.count() == 10 + 3


def test_m365_csv_alone(led):
    r = led.import_file(FIXTURES / "m365.csv", "m365-csv")
    assert (r.events, r.added, r.ignored) == (4, 4, 1)
    ev = by_ref(led, "m365")
    assert ev[ID + "03"].occurred_at == "2024-03-05T16:40:05.000Z"
    assert ev[ID + "02"].recipient == "ben.brook"                # e-mail Ben.Brook@Depot.example, any case


def test_gws_drive_csv(led):
    led.add_alias("D1", "file_id", DRIVE_DOC_ID)
    r = led.import_file(FIXTURES / "gws_drive.csv", "gws-drive-csv")
    assert (r.events, r.added, r.ignored, r.rejected) == (6, 6, 1, 0)
    assert r.ignored_operations == {"Edit": 1}
    ev = access_events(led)
    assert [e.action for e in ev] == ["view", "download", "print", "share", "export", "view"]
    assert ev[2].occurred_at == "2024-03-05T13:22:10.000Z"      # "Mar 5, 2024, 2:22:10 PM GMT+1"
    assert [e.document for e in ev] == [1, 1, 1, 1, 1, None]
    assert ev[0].details["matched_by"] == "file_id" and ev[5].details["title"] == "Canteen menu"
    assert ev[3].details["visibility"] == "Shared externally"
    assert all(e.source_ref.startswith("sha256:") for e in ev)  # no event id in the export
    assert_import_audit(import_audits(led)[-1], r, events=6, added=6, ignored=1)
    assert led.import_file(FIXTURES / "gws_drive.csv", "gws-drive-csv").added == 0
    assert access_events(led) == ev


def test_cloudtrail(led, tmp_path):
    led.add_alias("D1", "path", S3_PATH)
    r = led.import_file(FIXTURES / "cloudtrail.json", "cloudtrail")
    assert (r.events, r.added, r.ignored) == (4, 4, 2)
    assert r.ignored_operations == {"GetObject (failed: AccessDenied)": 1, "ListObjects": 1}
    ev = access_events(led)
    assert [(e.action, e.recipient) for e in ev] == [("download", "ana.ashby"), ("download", "chen.cole"),
                                                      ("export", "ben.brook"), ("share", "ana.ashby")]
    assert ev[1].actor.startswith("arn:aws:sts::111122223333:assumed-role/Partners/")
    copy = ev[2]                                                 # CopyObject: the source object was read
    assert copy.document == 1 and copy.details["destination"] == "s3://ben-scratch-example/exports/plan-copy.md"
    assert copy.details["matched_by"] == "path"
    # CloudTrail delivers gzipped files; the same events are not imported twice.
    gz = tmp_path / "trail.json.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "cloudtrail.json").read_bytes()))
    r = led.import_file(gz, "cloudtrail")
    assert (r.events, r.added, r.duplicates) == (4, 0, 4)
    assert len(access_events(led)) == 4
    assert_import_audit(import_audits(led)[-1], r, format="cloudtrail", added=0, duplicates=4, ignored=2)


def test_generic_csv_and_jsonl(led):
    r = led.import_file(FIXTURES / "generic.csv", "csv", "time=when,actor=who,action=what,document=file,event_id=ref")
    assert (r.added, r.mapped_documents, r.mapped_recipients) == (4, 3, 4)
    ev = access_events(led)
    assert [e.action for e in ev] == ["view", "print", "forward", "export"]
    assert ev[1].occurred_at == "2024-03-05T08:10:00.000Z"       # +01:00 converted to UTC
    assert ev[2].occurred_at == "2024-03-07T09:00:00.000Z"       # Unix seconds
    assert ev[2].recipient == "dara.dunn"                        # by the `accounts` attribute
    assert ev[0].source_ref == "dms-1001"
    m = Mapping.parse("time=ts,actor=user.email,action=event,document=doc.path,document_kind=path,event_id=id")
    r = led.import_file(FIXTURES / "generic.jsonl", "jsonl", m)
    assert (r.added, r.mapped_documents) == (3, 3)               # path unknown, its file name is
    # The same events again under another file name add nothing: ids are per source kind, not per file.
    assert led.import_file(FIXTURES / "generic.jsonl", "jsonl", m).added == 0
    assert len(access_events(led)) == 4 + 3


def test_generic_events_without_ids_are_identified_by_their_content(led, tmp_path):
    p = tmp_path / "log.csv"
    shutil.copy(FIXTURES / "generic.csv", p)
    m = "time=when,actor=who,action=what,document=file"
    assert led.import_file(p, "csv", m).added == 4
    assert led.import_file(p, "csv", m).added == 0
    ev = access_events(led)
    assert len(ev) == 4 and all(e.source_ref.startswith("sha256:") for e in ev)


def test_copy_hash_maps_to_the_document_and_the_copy(led, tmp_path):
    from leaktrace.store import db

    with led.engine.begin() as c:  # an issued copy, as mark records it
        c.execute(db.copies.insert().values(doc=1, recipient="chen.cole", copy_id="c-1", sha256="ab" * 32,
                                            path="copies/chen.cole.md", created_at="2024-03-01T00:00:00Z"))
    p = tmp_path / "dlp.jsonl"
    p.write_text(json.dumps({"t": "2024-03-10T10:00:00Z", "u": "someone@else.example", "a": "print",
                             "h": "AB" * 32}) + "\n")
    led.import_file(p, "jsonl", "time=t,actor=u,action=a,document=h,document_kind=sha256")
    [e] = led.events(kind="access")
    assert e.document == 1 and e.details["matched_by"] == "copy_sha256" and e.details["copy_of"] == "chen.cole"


# ------------------------------------------------------------------ malformed input
def _mutate_lines(src, dst, lineno, fn):
    lines = src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[lineno - 1] = fn(lines[lineno - 1])
    dst.write_text("".join(lines), encoding="utf-8")
    return dst


def _cloudtrail(tmp_path, fn):
    data = json.loads((FIXTURES / "cloudtrail.json").read_text())
    fn(data["Records"])
    p = tmp_path / "trail.json"
    p.write_text(json.dumps(data))
    return p


def _m365_array(tmp_path, fn):
    data = json.loads((FIXTURES / "m365.json").read_text())
    fn(data)
    p = tmp_path / "m365.json"
    p.write_text(json.dumps(data, indent=1))
    return p


MALFORMED = {
    "m365-json lines: bad JSON": (
        "m365-json", lambda t: _mutate_lines(FIXTURES / "m365.jsonl", t / "a.jsonl", 2, lambda s: s[:40] + "\n"),
        ":2: not valid JSON"),
    "m365-json: missing UserId": (
        "m365-json", lambda t: _m365_array(t, lambda d: d[2].pop("UserId")), ": record 3: missing field UserId"),
    "m365-json: bad CreationTime": (
        "m365-json", lambda t: _m365_array(t, lambda d: d[0].update(CreationTime="yesterday")),
        ": record 1: bad timestamp 'yesterday'"),
    "m365-json: no Operation": (
        "m365-json", lambda t: _m365_array(t, lambda d: d[1].pop("Operation")), ": record 2: missing field Operation"),
    "m365-csv: AuditData not JSON": (
        "m365-csv", lambda t: _mutate_lines(FIXTURES / "m365.csv", t / "a.csv", 3,
                                            lambda s: s.replace('"{""CreationTime', '"{CreationTime')),
        ":3: AuditData is not valid JSON"),
    "m365-csv: short row": (
        "m365-csv", lambda t: _mutate_lines(FIXTURES / "m365.csv", t / "a.csv", 2, lambda s: "3/4/2024,x@y.example\n"),
        ":2: expected 4 fields as in the header, found 2"),
    "gws-drive: bad date": (
        "gws-drive-csv", lambda t: _mutate_lines(FIXTURES / "gws_drive.csv", t / "d.csv", 3,
                                                 lambda s: s.replace("2024-03-05T11:20:00.000Z", "2024-13-45")),
        ":3: bad timestamp '2024-13-45'"),
    "gws-drive: no user": (
        "gws-drive-csv", lambda t: _mutate_lines(FIXTURES / "gws_drive.csv", t / "d.csv", 2,
                                                 lambda s: s.replace(",ana.ashby@depot.example,2024", ",,2024")),
        ":2: missing field User"),
    "cloudtrail: no eventID": (
        "cloudtrail", lambda t: _cloudtrail(t, lambda r: r[1].pop("eventID")), ": record 2: missing field eventID"),
    "cloudtrail: no object key": (
        "cloudtrail", lambda t: _cloudtrail(t, lambda r: r[0]["requestParameters"].pop("key")),
        ": record 1: missing field requestParameters.bucketName or requestParameters.key"),
    "csv: unknown action": (
        "csv", lambda t: _mutate_lines(FIXTURES / "generic.csv", t / "g.csv", 3, lambda s: s.replace("printed", "teleported")),
        ":3: unknown action 'teleported'"),
    "jsonl: not an object": (
        "jsonl", lambda t: _mutate_lines(FIXTURES / "generic.jsonl", t / "g.jsonl", 2, lambda s: "[1, 2]\n"),
        ":2: a JSON list, not an object"),
}
GENERIC_MAPS = {"csv": "time=when,actor=who,action=what,document=file,event_id=ref",
                "jsonl": "time=ts,actor=user.email,action=event,document=doc.path,event_id=id"}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_record_stops_the_import_with_file_line_and_reason(led, tmp_path, case):
    fmt, make, expected = MALFORMED[case]
    p = make(tmp_path)
    with pytest.raises(InputError) as err:
        led.import_file(p, fmt, GENERIC_MAPS.get(fmt))
    msg = str(err.value)
    assert msg.startswith(str(p)) and expected in msg, msg
    assert "\n" not in msg
    assert led.count() == 0 and led.digests() == []


@pytest.mark.parametrize("fmt,content,expected", [
    ("m365-json", b"[{\"Operation\": \"FileAccessed\", ", "record 1: not valid JSON"),
    ("cloudtrail", b"{\"Records\": [{\"eventName\": \"ListBuckets\"}, {oops}]}", "record 2: not valid JSON"),
    ("cloudtrail", b"eventName,user\nGetObject,x\n", "not a CloudTrail log file"),
    ("cloudtrail", b"{\"Events\": []}", "no records found"),
    ("m365-csv", b"a,b\n1,2\n", "no AuditData column"),
    ("gws-drive-csv", b"Event Name,User,Date\nView,a@b.example,2024-03-01\n", "missing column(s) Document ID"),
    ("csv", b"when,who\n", "no column 'what' in the header"),
    ("m365-json", b"\x1f\x8b\x08\x00garbage", "cannot be read"),
    ("m365-json", b"", "is empty"),
])
def test_files_that_cannot_be_read_at_all(led, tmp_path, fmt, content, expected):
    p = tmp_path / "in.dat"
    p.write_bytes(content)
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        led.import_file(p, fmt, "time=when,actor=who,action=what,document=file" if fmt == "csv" else None)
    assert led.count() == 0


def test_a_json_syntax_error_cannot_be_skipped(led, tmp_path):
    p = tmp_path / "trail.json"
    p.write_bytes(b'{"Records": [{"eventName": "ListBuckets"}, {oops}]}')
    with pytest.raises(InputError, match="cannot be read past this point"):
        led.import_file(p, "cloudtrail", skip_invalid=True)
    assert not (tmp_path / "trail.json.quarantine.jsonl").exists()


@pytest.mark.parametrize("spec,message", [
    (None, "need a column mapping"),
    ("time=a,actor=b,action=c", "missing document"),
    ("time=a,actor=b,action=c,document=d,colour=e", "unknown key 'colour'"),
    ("time=a,actor=b,action=c,document=d,document_kind=url", "document_kind must be one of"),
    ("time=a,actor,action=c,document=d", "'actor' is not KEY=COLUMN"),
    ("time=a,time=b,actor=b,action=c,document=d", "time is given twice"),
])
def test_bad_mappings(led, spec, message):
    with pytest.raises(InputError, match=message):
        led.import_file(FIXTURES / "generic.csv", "csv", spec)


def test_unknown_format_and_a_mapping_for_a_vendor_format(led):
    with pytest.raises(InputError, match="unknown format 'splunk'; choose from m365-json"):
        led.import_file(FIXTURES / "m365.json", "splunk")
    with pytest.raises(InputError, match="--map is for the generic formats"):
        led.import_file(FIXTURES / "m365.json", "m365-json", JSONL_MAP)


@pytest.mark.parametrize("value,expected", [
    ("2024-03-04T09:15:22", "2024-03-04T09:15:22.000Z"),
    ("2024-03-04T09:15:22Z", "2024-03-04T09:15:22.000Z"),
    ("2024-03-04T09:15:22.1234567Z", "2024-03-04T09:15:22.123Z"),
    ("2024-03-04T10:15:22+01:00", "2024-03-04T09:15:22.000Z"),
    ("2024-03-04 09:15:22 UTC", "2024-03-04T09:15:22.000Z"),
    ("Mar 4, 2024, 9:15:22 AM GMT", "2024-03-04T09:15:22.000Z"),
    ("Mar 4, 2024, 4:15:22 AM GMT-05:00", "2024-03-04T09:15:22.000Z"),
    ("3/4/2024 9:15:22 AM", "2024-03-04T09:15:22.000Z"),
    ("1709543722", "2024-03-04T09:15:22.000Z"),
    (1709543722000, "2024-03-04T09:15:22.000Z"),
    ("2024-03-04", "2024-03-04T00:00:00.000Z"),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["", None, "soon", "2024-02-30T10:00:00Z", "1800-01-01", "99999999999999"])
def test_parse_time_refuses(value):
    with pytest.raises(BadRecord):
        parse_time(value)


def test_action_words():
    assert {w: importers.normalize_action(w) for w in ("Opened", "DOWNLOADED", "fwd", "link-created", "Save As")} == {
        "Opened": "view", "DOWNLOADED": "download", "fwd": "forward", "link-created": "share", "Save As": "export"}
    assert importers.normalize_action("delete") is None
