"""A workspace whose data lives in a PostgreSQL server: the story of the command line on a
real server (a throwaway cluster, tests/pgserver.py), the passage index on PostgreSQL's text
search ranking like SQLite's, and one-line refusals for bad or unreachable databases."""

from __future__ import annotations

import json

import pgserver
import pytest
from clirunner import one_line_error, run
from requires import require
from reuse_samples import BRIEFING, PARAPHRASE
from samples import MEMO, write_people
from sqlalchemy import text

from leaktrace import Workspace
from leaktrace.errors import ConflictError
from leaktrace.search import passages


@pytest.fixture(scope="module")
def server():
    require(pgserver.problem())
    s = pgserver.Server().start()
    yield s
    s.stop()


def _ws_cli(tmp_path, capsys, monkeypatch, url) -> None:
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    r = run(capsys, "init", "--database", url, "--json")
    assert r.code == 0, r.err
    assert r.json()["database"].startswith("postgresql+psycopg://postgres@/")


def test_the_story_on_a_postgresql_server(server, tmp_path, capsys, monkeypatch):
    url = server.new_database()
    _ws_cli(tmp_path, capsys, monkeypatch, url)
    # the folder holds the key and the settings; the data is on the server
    assert not (tmp_path / "ws" / "leaktrace.db").exists()
    assert json.loads((tmp_path / "ws" / "settings.json").read_text())["database_url"].startswith("postgresql+psycopg")
    assert oct((tmp_path / "ws" / "settings.json").stat().st_mode & 0o777) == "0o600"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "memo.md").write_text(MEMO)
    (docs / "briefing.md").write_text(BRIEFING)
    r = run(capsys, "doc", "add", docs, "--json")
    assert r.code == 0, r.err
    assert [(d["id"], d["source_name"]) for d in r.json()["items"]] == [("D1", "briefing.md"), ("D2", "memo.md")]
    write_people(tmp_path / "people.csv", 12)
    assert run(capsys, "recipients", "import", tmp_path / "people.csv").code == 0
    ids = [row.split(",")[0] for row in (tmp_path / "people.csv").read_text().splitlines()[1:]]
    assert run(capsys, "mark", "D2", "--to", ",".join(ids[:8]), "--out", tmp_path / "c").code == 0
    r = run(capsys, "mark", "D2", "--to", ",".join(ids[8:]), "--sections", "Timing and risks",
            "--out", tmp_path / "t", "--json")
    assert r.code == 0, r.err
    # a pasted copy is traced to its holder
    copy = tmp_path / "c" / f"{ids[3]}.md"
    r = run(capsys, "trace", copy, "--json")
    assert r.code == 0, r.err
    res = r.json()
    assert res["verdict"] == "identified" and [c["recipient"] for c in res["copies"] if c["identified"]] == [ids[3]]
    # source search: a passage of the timing section, and the copies that held it
    start = MEMO.index("The move should take")
    leak = tmp_path / "leak.txt"
    leak.write_text("From the plan: " + MEMO[start:start + 260])
    res = run(capsys, "search", leak, "--json").json()
    assert res["verdict"] == "derived" and res["sources"][0]["sections"] == ["Timing and risks"]
    assert sorted(e["recipient"] for e in res["exposure"]) == sorted(ids)
    assert not any("no passage index" in n for n in res["notes"])
    # a rewording with nothing copied is found through the passage index
    (tmp_path / "para.txt").write_text(PARAPHRASE)
    res = run(capsys, "search", tmp_path / "para.txt", "--json").json()
    assert res["verdict"] == "possible_paraphrase" and res["sources"][0]["sections"] == ["Why we are doing this"]
    # the ledger on the server verifies, and the audit trail holds the traces
    r = run(capsys, "ledger", "verify")
    assert r.code == 0 and "Ledger OK" in r.out, r.out + r.err
    assert "trace" in run(capsys, "audit").out


def test_postgresql_ranks_passages_like_sqlite(server, tmp_path):
    lite = Workspace.create(tmp_path / "lite", key=b"k" * 32)
    pg = Workspace.create(tmp_path / "pg", key=b"k" * 32, database_url=server.new_database())
    for ws in (lite, pg):
        ws.add_documents([{"text": MEMO, "name": "memo.md"}, {"text": BRIEFING, "name": "briefing.md"}])
    words = ["depots", "rota", "storm", "standby", "millbrook", "generator"]
    with lite.engine.connect() as a, pg.engine.connect() as b:
        assert passages.available(b)
        assert passages.document_frequencies(a, words) == passages.document_frequencies(b, words)
        window = "Every standby crew needs a working van, a charged generator and pump spares."
        hits_a, hits_b = passages.query(a, window), passages.query(b, window)
        assert [h[:3] for h in hits_a] == [h[:3] for h in hits_b] and hits_b[0][0] == 2
        assert [round(h[3], 6) for h in hits_a] == pytest.approx([round(h[3], 6) for h in hits_b], rel=0.35)
        # hostile text is never query syntax: its words are looked up, its operators are not run
        hostile = "'standby' & !(generator | van) <-> \\ :* '' ) ("
        assert [h[:3] for h in passages.query(b, hostile)] == [h[:3] for h in passages.query(a, hostile)]
        assert {h[0] for h in passages.query(b, hostile)} == {2}
        count = b.execute(text("SELECT count(*) FROM passages")).scalar()
        assert count == a.execute(text("SELECT count(*) FROM passages")).scalar() > 0
    assert pg.search(PARAPHRASE).verdict == lite.search(PARAPHRASE).verdict == "possible_paraphrase"
    lite.close()
    pg.close()


def test_a_database_that_holds_a_workspace_is_not_taken_twice(server, tmp_path, capsys, monkeypatch):
    url = server.new_database()
    Workspace.create(tmp_path / "first", database_url=url).close()
    with pytest.raises(ConflictError, match="already holds leaktrace's tables"):
        Workspace.create(tmp_path / "second", database_url=url)
    assert not (tmp_path / "second").exists()


def test_bad_database_urls_are_one_line_errors(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    for url, message in [("mysql://root@localhost/x", "SQLite database or a PostgreSQL server"),
                         ("not a url", "not a database URL"),
                         ("postgresql://postgres@/?host=/nowhere", "names no database"),
                         (f"postgresql://postgres:secret@/missing_db?host={server.socket}", "cannot create")]:
        line = one_line_error(run(capsys, "init", "--database", url))
        assert message in line and "secret" not in line, line
        assert not (tmp_path / "ws").exists()


def test_an_unreachable_server_is_a_one_line_error(server, tmp_path, capsys, monkeypatch):
    url = server.new_database()
    Workspace.create(tmp_path / "ws", database_url=url).close()
    settings = tmp_path / "ws" / "settings.json"
    from sqlalchemy.engine import make_url

    u = make_url(json.loads(settings.read_text())["database_url"])
    assert u.query["host"] == str(server.socket)
    moved = u.set(password="hunter2").update_query_dict({"host": str(tmp_path / "gone")})
    settings.write_text(json.dumps({"database_url": moved.render_as_string(hide_password=False)}))
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    line = one_line_error(run(capsys, "doc", "list"))
    assert "cannot read the workspace's database" in line and "hunter2" not in line, line


def test_a_password_given_as_a_query_parameter_is_never_printed(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    url = server.new_database() + "&password=hunter2-query"
    r = run(capsys, "init", "--database", url)
    assert r.code == 0 and "hunter2" not in r.out + r.err and "password=***" in r.out, r.out
    assert "hunter2" not in run(capsys, "init", "--database", url, "-w", tmp_path / "ws2").err
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws3"))
    bad = f"postgresql://postgres@/missing_db?host={server.socket}&password=hunter2-query"
    line = one_line_error(run(capsys, "init", "--database", bad, "--json"))
    assert "cannot create" in line and "hunter2" not in line, line
    assert "hunter2" not in one_line_error(run(capsys, "init", "--database", bad))
