"""The command line for source search: folders, versions, sections, `search` and `trace`."""

from __future__ import annotations

from clirunner import run
from samples import MEMO, write_people


def _ws(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0


def test_folder_versions_sections_and_search(tmp_path, capsys, monkeypatch):
    _ws(tmp_path, capsys, monkeypatch)
    docs = tmp_path / "docs"
    (docs / "old").mkdir(parents=True)
    (docs / "memo.md").write_text(MEMO)
    (docs / "old" / "notes.txt").write_text("Field notes on pump maintenance. " * 20)
    r = run(capsys, "doc", "add", docs)
    assert r.code == 0 and "Registered 1 documents" in r.out
    r = run(capsys, "doc", "add", docs, "--recursive", "--skip-existing", "--json")
    assert r.code == 0, r.err
    assert [d["source_name"] for d in r.json()["items"]] == ["notes.txt"]
    r = run(capsys, "doc", "add", docs, "--recursive")
    assert r.code == 1 and "already registered" in r.err
    (tmp_path / "v2.md").write_text(MEMO.replace("about six weeks", "about eight weeks"))
    r = run(capsys, "doc", "add", tmp_path / "v2.md", "--version-of", "D1", "--json")
    assert r.json()["version"] == 2 and r.json()["series"] == "D1"
    r = run(capsys, "doc", "versions", "D3", "--json")
    assert [d["id"] for d in r.json()["items"]] == ["D1", "D3"]
    r = run(capsys, "doc", "sections", "D1", "--json")
    assert [s["name"] for s in r.json()["items"]][1:] == ["Why we are doing this", "What changes", "Timing and risks"]

    write_people(tmp_path / "people.csv", 10)
    assert run(capsys, "recipients", "import", tmp_path / "people.csv").code == 0
    r = run(capsys, "mark", "D3", "--sections", "Timing and risks", "--out", tmp_path / "c", "--json")
    assert r.code == 0, r.err
    leak = tmp_path / "leak.txt"
    leak.write_text("From the plan: The move should take about eight weeks. The main risks are the stores "
                    "migration, the rota change and the winter peak, and we'll track all three at the weekly review.")
    r = run(capsys, "search", leak, "--json")
    res = r.json()
    assert res["verdict"] == "derived" and res["sources"][0]["document"]["id"] == "D3"
    assert res["sources"][0]["sections"] == ["Timing and risks"]
    assert {v["id"]: v["contains"] for v in res["sources"][0]["versions"]} == {"D1": False, "D3": True}
    assert len(res["sources"][0]["exposure"]) == 10
    r = run(capsys, "search", leak)
    assert "Reuse: DERIVED" in r.out and "Versions that contain it: D3 (v2); not: D1 (v1)" in r.out
    assert "Sections it requires: Timing and risks" in r.out
    r = run(capsys, "trace", leak, "--json")
    assert r.json()["reuse"] == "derived" and r.json()["sources"][0]["document"]["id"] == "D3"


def test_search_errors_are_one_line(tmp_path, capsys, monkeypatch):
    _ws(tmp_path, capsys, monkeypatch)
    (tmp_path / "m.md").write_text(MEMO)
    assert run(capsys, "doc", "add", tmp_path / "m.md").code == 0
    for args, message in [(["doc", "add", tmp_path / "nowhere"], "no such file"),
                          (["doc", "add", tmp_path, "--title", "x"], "for one file"),
                          (["doc", "add", tmp_path / "m.md", "--version-of", "D9"], "no document D9"),
                          (["doc", "sections", "D7"], "no document D7"),
                          (["search", tmp_path / "missing.txt"], "no such file")]:
        r = run(capsys, *args)
        assert r.code == 1 and message in r.err and len(r.err.strip().splitlines()) == 1, (args, r.err)
    (tmp_path / "empty").mkdir()
    r = run(capsys, "doc", "add", tmp_path / "empty")
    assert r.code == 1 and "use --recursive" in r.err
