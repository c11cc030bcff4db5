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
