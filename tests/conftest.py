"""Shared fixtures: a memo written for the tests, recipients, and a marked workspace."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from samples import MEMO, write_people

from leaktrace import Workspace


@pytest.fixture
def memo_file(tmp_path: Path) -> Path:
    p = tmp_path / "memo.md"
    p.write_text(MEMO, encoding="utf-8")
    return p


@pytest.fixture
def people_file(tmp_path: Path) -> Path:
    return write_people(tmp_path / "people.csv")


@pytest.fixture
def ws(tmp_path: Path, request) -> Workspace:
    # a key pinned per test: marks are keyed randomness, and tests must not depend on luck
    key = hashlib.sha256(request.node.nodeid.encode()).digest()
    w = Workspace.create(tmp_path / "ws", key=key)
    yield w
    w.close()


@pytest.fixture
def marked(ws: Workspace, memo_file: Path, people_file: Path, tmp_path: Path):
    """A workspace with the memo registered and marked for 40 recipients."""
    doc = ws.add_document(memo_file, title="Depot plan")
    ws.import_recipients(people_file)
    ws.mark(doc.id, to="all", out_dir=tmp_path / "copies")
    return ws, doc


def pytest_collection_modifyitems(config, items):
    import os

    if os.environ.get("LEAKTRACE_TEST_POSTGRES"):
        skip = pytest.mark.skip(reason="reads or edits the SQLite file itself")
        for item in items:
            if "sqlite_file" in item.keywords:
                item.add_marker(skip)


# LEAKTRACE_TEST_POSTGRES=1 runs the whole suite with every workspace's data on a throwaway
# PostgreSQL server instead of the embedded SQLite file (tests/pgserver.py)
@pytest.fixture(scope="session", autouse=True)
def _postgres_everywhere():
    import os

    if not os.environ.get("LEAKTRACE_TEST_POSTGRES"):
        yield None
        return
    import pgserver
    from requires import require

    require(pgserver.problem())
    server = pgserver.Server().start()
    create = Workspace.create.__func__

    def on_server(cls, path=None, *, key=None, database_url=None):
        return create(cls, path, key=key, database_url=database_url or server.new_database())

    mp = pytest.MonkeyPatch()
    mp.setattr(Workspace, "create", classmethod(on_server))
    yield server
    mp.undo()
    server.stop()
