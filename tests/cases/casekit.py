"""Sample recipients, leaks and audit logs for the case tests (importable: conftest puts this
folder on sys.path)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from samples import people_rows

PEOPLE = people_rows(12)
LEAKER = PEOPLE[5]
COUNSEL = {"id": "mcounsel.legal", "name": "Morgan Counsel", "email": "m.counsel@lawfirm.example", "team": "legal"}
FIRST_SEEN = "2030-06-01T06:00:00Z"
HOSTILE = "Posted by <script>alert(1)</script> and {{x}} & friends."


def write_recipients(path: Path) -> Path:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "name", "email", "team"])
        w.writeheader()
        w.writerows(PEOPLE + [COUNSEL])
    return path


def leak_of(copy: str) -> str:
    """A hostile header, then three paragraphs of one copy, as an article would quote them."""
    paras = copy.split("\n\n")
    return HOSTILE + "\n\n" + "\n\n".join(paras[3:6]) + "\n"


def write_access_log(path: Path) -> Path:
    """Generic CSV: two events before the first-seen time, one after, one by an unmapped account."""
    rows = [
        ("2030-05-01T09:00:00Z", PEOPLE[1]["email"], "opened", "depot-plan.md", "e1"),
        ("2030-05-02T09:00:00Z", PEOPLE[1]["email"], "printed", "depot-plan.md", "e2"),
        ("2030-05-03T09:00:00Z", "temp.contractor@agency.example", "downloaded", "depot-plan.md", "e3"),
        ("2030-07-01T09:00:00Z", PEOPLE[2]["email"], "opened", "depot-plan.md", "e4"),
        ("2030-07-02T09:00:00Z", "late.reader@agency.example", "opened", "depot-plan.md", "e5"),
    ]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["when", "who", "what", "file", "ref"])
        w.writerows(rows)
    return path


GENERIC_MAP = "time=when,actor=who,action=what,document=file,event_id=ref"


def write_protected_log(path: Path) -> Path:
    """Microsoft 365 records: a recipient shares the plan with the inspector general, who opens it."""
    recs = [
        {"CreationTime": "2030-05-10T10:00:00", "Id": "11111111-0000-4000-8000-000000000001",
         "Operation": "SharingInvitationCreated", "Workload": "SharePoint", "UserId": PEOPLE[3]["email"],
         "ObjectId": "https://depot.sharepoint.example/sites/ops/Shared Documents/depot-plan.md",
         "SourceFileName": "depot-plan.md", "TargetUserOrGroupName": "tips@ig.oversight.example"},
        {"CreationTime": "2030-05-11T10:00:00", "Id": "11111111-0000-4000-8000-000000000002",
         "Operation": "FileAccessed", "Workload": "SharePoint", "UserId": "tips@ig.oversight.example",
         "ObjectId": "https://depot.sharepoint.example/sites/ops/Shared Documents/depot-plan.md",
         "SourceFileName": "depot-plan.md"},
    ]
    path.write_text(json.dumps(recs))
    return path
