"""The command line, driven as a user would, asserting on output and workspace state."""

import json
import random

from clirunner import run
from samples import MEMO

from leaktrace import Workspace, simulate


def setup(tmp_path, capsys, monkeypatch, n=30):
    from samples import write_people

    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    (tmp_path / "memo.md").write_text(MEMO)
    write_people(tmp_path / "people.csv", n)
    assert run(capsys, "init").code == 0
    r = run(capsys, "doc", "add", tmp_path / "memo.md", "--title", "Depot plan", "--json")
    assert r.code == 0, r.err
    doc = r.json()["id"]
    assert run(capsys, "recipients", "import", tmp_path / "people.csv").code == 0
    return doc


def test_the_main_story(tmp_path, capsys, monkeypatch):
    doc = setup(tmp_path, capsys, monkeypatch)
    assert doc == "D1"
    r = run(capsys, "mark", doc, "--to", "all", "--out", tmp_path / "copies", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert len(data["copies"]) == 30
    manifest = json.loads((tmp_path / "copies" / "manifest.json").read_text())
    assert manifest["document"]["id"] == "D1" and len(manifest["copies"]) == 30
    rid = data["copies"][4]["recipient"]
    copy = (tmp_path / "copies" / f"{rid}.md").read_text()
    leak = tmp_path / "leak.txt"
    leak.write_text("Posted on a forum: " + simulate.excerpt(copy, 40, random.Random(5)))
    r = run(capsys, "trace", leak, "--json")
    assert r.code == 0, r.err
    res = r.json()
    assert res["verdict"] == "identified"
    assert res["document"] == {"id": "D1", "title": "Depot plan"}
    top = res["copies"][0]
    assert top["recipient"] == rid and top["copy"] == data["copies"][4]["copy"]
    assert top["false_accusation_bound"] <= 1e-6 and "score" in top
    # human output says the same
    r = run(capsys, "trace", leak, "--sites")
    assert r.code == 0 and "IDENTIFIED" in r.out and rid[:8] in r.out


def test_doc_list_recipients_list_capacity_and_preview(tmp_path, capsys, monkeypatch):
    doc = setup(tmp_path, capsys, monkeypatch)
    docs = run(capsys, "doc", "list", "--json").json()["items"]
    assert [d["id"] for d in docs] == ["D1"] and docs[0]["words"] > 300
    recs = run(capsys, "recipients", "list", "--json").json()["items"]
    assert len(recs) == 30 and recs[0]["attributes"]["team"]
    cap = run(capsys, "doc", "capacity", doc, "--json").json()
    assert cap["sites_by_channel"]["invisible"] > 100 and cap["sites_by_channel"]["declared"] == 2
    profiles = {p["leak_type"]: p for p in cap["profiles"]}
    assert profiles["copy-paste"]["words_for_1000"] < profiles["copy-paste"]["sites"]
    r = run(capsys, "mark", doc, "--preview", recs[0]["id"], "--json")
    changes = r.json()["items"]
    assert changes and {c["channel"] for c in changes} >= {"invisible"}
    assert not (tmp_path / "copies").exists()
    r = run(capsys, "mark", doc, "--preview", recs[0]["id"])
    assert "<U+200" in r.out
    only = run(capsys, "mark", doc, "--preview", recs[0]["id"], "--only", "lexical,declared", "--json").json()["items"]
    assert only and {c["channel"] for c in only} <= {"lexical", "declared"}
    assert len(only) == sum(1 for c in changes if c["channel"] in ("lexical", "declared"))


def test_mark_to_a_subset_and_channel_restriction(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    from samples import write_people

    (tmp_path / "memo.md").write_text(MEMO)
    write_people(tmp_path / "people.csv", 5)
    run(capsys, "init")
    doc = run(capsys, "doc", "add", tmp_path / "memo.md", "--channels", "typographic,invisible", "--json").json()
    assert doc["channels"] == ["invisible", "typographic"]
    run(capsys, "recipients", "import", tmp_path / "people.csv")
    ids = [r["id"] for r in run(capsys, "recipients", "list", "--json").json()["items"]]
    r = run(capsys, "mark", "D1", "--to", ",".join(ids[:2]), "--out", tmp_path / "c", "--json")
    assert r.code == 0 and sorted(c["recipient"] for c in r.json()["copies"]) == sorted(ids[:2])
    cap = run(capsys, "doc", "capacity", "D1", "--json").json()
    assert set(cap["sites_by_channel"]) <= {"invisible", "typographic"}


def test_workspace_option_beats_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "env-ws"))
    assert run(capsys, "init", "--workspace", tmp_path / "opt-ws").code == 0
    assert (tmp_path / "opt-ws" / "key").exists() and not (tmp_path / "env-ws").exists()
    assert Workspace.open(tmp_path / "opt-ws").documents() == []


def test_a_restored_key_rebuilds_every_copy_exactly(tmp_path, capsys, monkeypatch):
    doc = setup(tmp_path, capsys, monkeypatch, n=3)
    r = run(capsys, "mark", doc, "--out", tmp_path / "a", "--json")
    key = (tmp_path / "ws" / "key").read_bytes()
    (tmp_path / "backup.key").write_text(key.hex())
    other = tmp_path / "restored"
    assert run(capsys, "init", "--key-file", tmp_path / "backup.key", "-w", other).code == 0
    run(capsys, "doc", "add", tmp_path / "memo.md", "--title", "Depot plan", "-w", other)
    run(capsys, "recipients", "import", tmp_path / "people.csv", "-w", other)
    r2 = run(capsys, "mark", "D1", "--out", tmp_path / "b", "--json", "-w", other)
    assert [c["sha256"] for c in r.json()["copies"]] == [c["sha256"] for c in r2.json()["copies"]]
    (tmp_path / "bad.key").write_text("not a key")
    r3 = run(capsys, "init", "--key-file", tmp_path / "bad.key", "-w", tmp_path / "x")
    assert r3.code == 1 and "not a marking key" in r3.err and not (tmp_path / "x").exists()


def test_capacity_is_measured_per_leak_type_for_the_current_recipients(tmp_path, capsys, monkeypatch):
    doc = setup(tmp_path, capsys, monkeypatch, n=30)
    cap = run(capsys, "doc", "capacity", doc, "--json").json()
    assert cap["recipients"] == 30
    p = {x["leak_type"]: x for x in cap["profiles"]}
    assert list(p) == ["copy-paste", "sanitized", "retyped", "printed or photographed", "paraphrased",
                       "printed PDF copy"]
    # a printed PDF copy carries its layout marks besides what OCR reads of its text
    assert p["printed PDF copy"]["sites"] > p["printed or photographed"]["sites"] and cap["layout_marks_per_page"] > 0
    # what each kind of leak leaves: a retyped leak reads fewer marks than a pasted one
    assert p["copy-paste"]["sites"] > p["sanitized"]["sites"] > p["retyped"]["sites"] >= p["paraphrased"]["sites"]
    assert p["copy-paste"]["words_for_recipients"] <= p["copy-paste"]["words_for_1000"]
    # two declared alternatives cannot single out one of 30 copies: out of reach, with advice
    assert p["paraphrased"]["words_for_recipients"] is None and "out of reach" in p["paraphrased"]["advice"]
    r = run(capsys, "doc", "capacity", doc)
    assert r.code == 0 and "words: 1 of 30" in r.out and "paraphrased: out of reach" in r.out
    # beside "now": without the two declared alternatives, and with the suggestions accepted
    sc = {x["name"]: x for x in cap["scenarios"]}
    assert list(sc) == ["automatic", "suggestions"] and sc["automatic"]["among"] == 30
    assert sc["automatic"]["sites"] == sum(cap["sites_by_channel"].values()) - 2
    assert "keeps-meaning suggestions" in sc["suggestions"]["description"]

    # the same probe copies without their declared sites keep fewer marks; accepted suggestions
    # add marks that survive retyping
    for leak in ("sanitized", "retyped", "paraphrased"):
        assert sc["automatic"]["read"][leak] < p[leak]["sites"] < sc["suggestions"]["read"][leak]

    assert "suggestions accepted" in r.out and "automatic only" in r.out
    # the columns count the sites that live in the words: fewer without the declared ones
    assert sc["automatic"]["wordlike"] == cap["sites_by_channel"].get("lexical", 0)
    assert sc["suggestions"]["wordlike"] > sc["automatic"]["wordlike"] + 2


def test_version_workspace_before_the_command_and_json_errors(tmp_path, capsys, monkeypatch):
    from leaktrace import __version__

    monkeypatch.delenv("LEAKTRACE_WORKSPACE", raising=False)    # restored after the test
    r = run(capsys, "--version")
    assert r.code == 0 and r.out.strip() == f"leaktrace {__version__}"
    assert run(capsys, "-w", tmp_path / "ws", "init").code == 0
    (tmp_path / "memo.md").write_text(MEMO)
    assert run(capsys, "--workspace", tmp_path / "ws", "doc", "add", tmp_path / "memo.md").code == 0
    assert [d["id"] for d in run(capsys, "-w", tmp_path / "ws", "doc", "list", "--json").json()["items"]] == ["D1"]
    # with --json, an error is JSON on stderr, with the same exit code as the one-line error
    r = run(capsys, "-w", tmp_path / "ws", "doc", "capacity", "D9", "--json")
    assert r.code == 1 and r.out == ""
    err = json.loads(r.err)
    assert err["code"] == 1 and err["kind"] == "NotFoundError" and "no document D9" in err["error"]
    r = run(capsys, "-w", tmp_path / "ws", "doc", "capacity", "D9")
    assert r.code == 1 and r.err.startswith("error: no document D9")


def test_long_listings_page_with_limit_and_offset(tmp_path, capsys, monkeypatch):
    doc = setup(tmp_path, capsys, monkeypatch)
    rid = run(capsys, "recipients", "list", "--json").json()["items"][0]["id"]
    everything = run(capsys, "mark", doc, "--preview", rid, "--json").json()["items"]
    assert len(everything) > 30
    page = run(capsys, "mark", doc, "--preview", rid, "--limit", "10", "--offset", "5", "--json").json()["items"]
    assert page == everything[5:15]
    r = run(capsys, "mark", doc, "--preview", rid, "--limit", "10")
    assert r.code == 0 and f"Changes 1–10 of {len(everything)}" in r.out and "--offset 10 for the next page" in r.out
    assert run(capsys, "mark", doc, "--out", tmp_path / "copies").code == 0
    events = run(capsys, "ledger", "events", "--json").json()["items"]
    assert len(events) >= 30
    assert run(capsys, "ledger", "events", "--limit", "7", "--offset", "3", "--json").json()["items"] == events[3:10]
    r = run(capsys, "ledger", "events", "--limit", "7")
    assert r.code == 0 and f"Entries 1–7 of {len(events)}; --offset 7 for the next page." in r.out


def test_at_80_columns_tables_wrap_values_and_never_cut_them():
    from rich.console import Console

    from leaktrace.cliutil import Table

    values = ("Noor Sorensen (Recipient-K5A2JJ)", "IDENTIFIED: bound 2.9e-10, 43/43 marks agree",
              "2026-12-02T02:23:16.000Z")
    t = Table("who", "copy evidence", "issued")
    t.add_row(*values)
    console = Console(width=40, record=True)
    console.print(t)
    assert "…" not in console.export_text()
    for value in values:            # alone in a narrow column, each value is all there
        one = Table("value")
        one.add_row(value)
        narrow = Console(width=14, record=True)
        narrow.print(one)
        cells = "".join(line.strip("│┃ ") for line in narrow.export_text().splitlines()[3:-1])
        assert "…" not in narrow.export_text() and cells.replace(" ", "") == value.replace(" ", "")
