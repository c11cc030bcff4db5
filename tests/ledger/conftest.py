"""A workspace with the depot memo registered (as depot-plan.md) and the fixture recipients."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ledgerkit import FIXTURES
from samples import MEMO

from leaktrace import Workspace
from leaktrace.ledger.book import Ledger


@pytest.fixture
def lws(tmp_path: Path) -> Workspace:
    (tmp_path / "depot-plan.md").write_text(MEMO, encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws")
    ws.add_document(tmp_path / "depot-plan.md", title="Depot plan")
    ws.import_recipients(FIXTURES / "recipients.csv")
    yield ws
    ws.close()


@pytest.fixture
def led(lws: Workspace) -> Ledger:
    return Ledger(lws)
