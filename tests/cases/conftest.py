"""A marked workspace with a counsel recipient, and a leak of one copy."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from casekit import LEAKER, leak_of, write_recipients  # noqa: E402
from samples import MEMO  # noqa: E402

from leaktrace import Workspace  # noqa: E402


@pytest.fixture
def investigation(tmp_path: Path):
    """(workspace path, leak file, tmp folder): memo marked for 13 recipients, a leak of LEAKER's copy."""
    (tmp_path / "depot-plan.md").write_text(MEMO, encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws")
    doc = ws.add_document(tmp_path / "depot-plan.md", title="Depot plan")
    ws.import_recipients(write_recipients(tmp_path / "people.csv"))
    ws.mark(doc.id, to="all", out_dir=tmp_path / "copies")
    leak = tmp_path / "article.txt"
    leak.write_text(leak_of(ws.render_copy(doc.id, LEAKER["id"])), encoding="utf-8")
    ws.close()
    return tmp_path / "ws", leak, tmp_path


@pytest.fixture
def env(investigation, monkeypatch):
    wsp, leak, tmp = investigation
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(wsp))
    monkeypatch.chdir(tmp)
    return investigation
