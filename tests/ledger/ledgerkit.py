"""Fixture paths and helpers for the ledger tests (importable: conftest puts this folder on sys.path)."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
DRIVE_DOC_ID = "1ZkQe8vT3mW0depotPlanFixture7xYb2"
S3_PATH = "s3://depot-docs-example/plans/depot-plan.md"


def write_jsonl_events(path: Path, n: int, start: int = 0) -> Path:
    """n generic JSON Lines events on the memo, two a day, by the fixture recipients."""
    who = ["ana.ashby@depot.example", "ben.brook@depot.example", "chen.cole@depot.example", "dara.dunn@depot.example"]
    acts = ["view", "download", "print", "share", "forward", "export"]
    with path.open("w", encoding="utf-8") as f:
        for i in range(start, start + n):
            f.write(json.dumps({"id": f"evt-{i}", "ts": f"2024-04-{1 + i // 2 % 28:02d}T{8 + i % 2 * 6:02d}:00:00Z",
                                "user": who[i % 4], "event": acts[i % 6], "file": "depot-plan.md"}) + "\n")
    return path


JSONL_MAP = "time=ts,actor=user,action=event,document=file,event_id=id"


# Every import appends one audit entry (kind "audit", action "import") after its access events,
# in the same transaction; these helpers keep the tests' counts and positions honest about it.
IMPORT_COUNTS = ("events", "added", "duplicates", "ignored", "rejected")


def access_events(led) -> list:
    """The imported access events, in ledger (seq) order."""
    return sorted(led.events(kind="access"), key=lambda e: e.seq)


def import_audits(led) -> list:
    """The audit entries written by imports, in ledger (seq) order."""
    return sorted((e for e in led.events(kind="audit") if e.action == "import"), key=lambda e: e.seq)


def assert_import_audit(entry, result=None, **counts) -> None:
    """`entry` is an import's audit entry; its counts are `counts` and, given `result`, the ImportResult's."""
    assert (entry.kind, entry.action, entry.source_kind) == ("audit", "import", "audit")
    d = entry.details
    assert set(IMPORT_COUNTS) <= set(d) and len(d["sha256"]) == 64
    if result is not None:
        assert (d["file"], d["format"]) == (result.file, result.format)
        assert {k: d[k] for k in IMPORT_COUNTS} == {k: getattr(result, k) for k in IMPORT_COUNTS}
        if result.last_seq is not None:
            assert entry.seq == result.last_seq + 1  # right after the events the import added
    for k, v in counts.items():
        assert d[k] == v, (k, d[k], v)
