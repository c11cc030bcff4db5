"""Input that once ended in an internal error (exit 70, a Python exception's name) gets the
one-line error of any bad input, or is handled, and leaves nothing half-written."""

from __future__ import annotations

import json

import pytest
from clirunner import one_line_error, run
from samples import MEMO, write_people

LATE = "9999-12-31T23:59:59-14:00"     # a valid ISO time whose UTC form is past year 9999


@pytest.fixture
def env(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    return tmp_path


def test_a_time_past_year_9999_in_utc_is_refused_on_one_line(env, capsys):
    log = env / "log.jsonl"
    log.write_text(json.dumps({"id": "e1", "ts": LATE, "user": "a@b.example", "event": "view",
                               "file": "memo.md"}) + "\n")
    err = one_line_error(run(capsys, "ledger", "import", log, "--format", "jsonl",
                             "--map", "time=ts,actor=user,action=event,document=file,event_id=id"))
    assert "log.jsonl:1" in err and "out of range" in err
    assert "--before" in one_line_error(run(capsys, "ledger", "events", "--before", LATE))
    (env / "leak.txt").write_text(MEMO)
    assert run(capsys, "case", "open", "Leak", "--purpose", "test").code == 0
    err = one_line_error(run(capsys, "case", "add", "C1", env / "leak.txt", "--obtained-from", "a forum",
                             "--obtained-at", "2030-06-02T00:00:00Z", "--first-seen", LATE))
    assert "--first-seen" in err
    assert run(capsys, "case", "show", "C1", "--json").json()["case"]["artifacts"] == 0


@pytest.mark.parametrize("csv_limit", [None, 10**9])   # 10**9: as the ledger's CSV reader raises it, process-wide
def test_a_recipient_field_over_the_csv_limit_is_refused_on_one_line(env, capsys, csv_limit):
    import csv

    before = csv.field_size_limit()
    if csv_limit:
        csv.field_size_limit(csv_limit)
    try:
        p = env / "people.csv"
        p.write_text("id,name,email\nann,Ann,a@x.org\nbob," + "B" * 140_000 + ",b@x.org\n")
        err = one_line_error(run(capsys, "recipients", "import", p))
        assert "people.csv:3" in err and "over the limit of 128 KB" in err
        assert run(capsys, "recipients", "list", "--json").json()["items"] == []
    finally:
        csv.field_size_limit(before)


@pytest.mark.parametrize("csv_text,message", [
    ('id,name,email\nann,Ann,a@x.org\nbob,"Bob Brook,b@x.org\ncai,Cai,c@x.org\n',
     ':3: a quoted field is never closed'),
    ("id,name,email,id\nann,Ann,a@x.org,bob\n", ":1: column 'id' appears twice"),
    ("id,name,email,Team,team\nann,Ann,a@x.org,red,blue\n", ":1: column 'team' appears twice"),
])
def test_csv_that_would_be_read_silently_wrong_is_refused(env, capsys, csv_text, message):
    p = env / "people.csv"
    p.write_text(csv_text)
    assert message in one_line_error(run(capsys, "recipients", "import", p))
    assert run(capsys, "recipients", "list", "--json").json()["items"] == []
    (env / "memo.md").write_text(MEMO)
    run(capsys, "doc", "add", env / "memo.md")
    write_people(env / "ok.csv", 3)
    run(capsys, "recipients", "import", env / "ok.csv")
    # the same reading for `mark --to FILE.csv`
    assert message in one_line_error(run(capsys, "mark", "D1", "--to", p, "--out", env / "o"))
    assert not (env / "o").exists()


def test_update_changes_a_recipient_who_already_holds_copies(env, capsys):
    (env / "memo.md").write_text(MEMO)
    assert run(capsys, "doc", "add", env / "memo.md").code == 0
    write_people(env / "p.csv", 3)
    assert run(capsys, "recipients", "import", env / "p.csv").code == 0
    assert run(capsys, "mark", "D1", "--out", env / "copies").code == 0
    before = run(capsys, "recipients", "list", "--json").json()["items"]
    text = (env / "p.csv").read_text().splitlines()
    header, first = text[0].split(","), text[1].split(",")
    first[header.index("name")] = "Renamed Person"
    (env / "p.csv").write_text("\n".join([text[0], ",".join(first), *text[2:]]) + "\n")
    r = run(capsys, "recipients", "import", env / "p.csv", "--update")
    assert r.code == 0, r.err
    after = run(capsys, "recipients", "list", "--json").json()["items"]
    assert [x["id"] for x in after] == [x["id"] for x in before]
    assert "Renamed Person" in [x["name"] for x in after]
    assert run(capsys, "ledger", "verify").code == 0


def test_values_longer_than_their_column_are_refused_alike_on_every_database(env, capsys):
    log = env / "log.jsonl"
    log.write_text("".join(json.dumps({"id": f"e{i}" + ("x" * 300 if i == 2 else ""), "ts": "2024-04-01T09:00:00Z",
                                       "user": "a@b.example", "event": "view", "file": "memo.md"}) + "\n"
                           for i in range(1, 4)))
    args = ["ledger", "import", log, "--format", "jsonl",
            "--map", "time=ts,actor=user,action=event,document=file,event_id=id"]
    err = one_line_error(run(capsys, *args))
    assert "log.jsonl:2: event id of 302 characters is over the limit of 200" in err
    assert run(capsys, "ledger", "events", "--json").json()["items"] == []
    r = run(capsys, *args, "--skip-invalid", "--json")
    assert r.code == 0, r.err
    assert (r.json()["added"], r.json()["rejected"]) == (2, 1)
    err = one_line_error(run(capsys, "protected", "add", "x" * 400 + "@ig.example", "--label", "inspector general"))
    assert "at most 320" in err
