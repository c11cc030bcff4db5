"""A leak whose first appearance in public nobody knows: the exposure set runs up to when the
artifact was obtained, and every output says so."""

from __future__ import annotations

from casekit import FIRST_SEEN, GENERIC_MAP, write_access_log
from clirunner import run

OBTAINED = "2030-07-01T12:00:00Z"     # after e4 (a recipient's view, 07-01 09:00), before e5 (07-02)


def traced(capsys, leak, *first_seen: str) -> tuple[dict, dict]:
    r = run(capsys, "case", "open", "Depot plan on a forum", "--purpose", "find the copy", "--json")
    case = r.json()["id"]
    r = run(capsys, "case", "add", case, leak, "--obtained-from", "a forum, saved by J. Doe",
            "--obtained-at", OBTAINED, *first_seen, "--json")
    assert r.code == 0, r.err
    [f] = run(capsys, "case", "trace", case, "--json").json()["items"]
    return r.json(), f


def test_first_seen_unknown_or_omitted_exposes_everyone_up_to_when_it_was_obtained(env, capsys):
    wsp, leak, tmp = env
    assert run(capsys, "ledger", "import", write_access_log(tmp / "dms.csv"), "--format", "csv",
               "--map", GENERIC_MAP).code == 0
    known_art, known = traced(capsys, leak, "--first-seen", FIRST_SEEN)
    for given in (("--first-seen", "unknown"), ("--first-seen", "UNKNOWN"), ()):
        art, f = traced(capsys, leak, *given)
        assert art["first_seen_known"] is False and art["first_seen"] == art["obtained_at"]
        # the access event between the (unknown) first appearance and the artifact counts; the later one not
        assert [e["before_first_seen"] for e in f["timeline"] if e["kind"] == "access"] == [True] * 4 + [False]
        views = sorted(e["time"] for r in f["exposure"] for e in r["access_events"])
        assert len(views) == 4 and views[-1].startswith("2030-07-01T09")
    assert known_art["first_seen_known"] is True
    assert len([e for r in known["exposure"] for e in r["access_events"]]) == 3

    run(capsys, "case", "open", "The same post, told by a reader", "--purpose", "find the copy")   # C5
    r = run(capsys, "case", "add", "C5", leak, "--obtained-from", "a reader", "--obtained-at", OBTAINED)
    assert r.code == 0, r.err
    assert "First seen: unknown; exposure up to when it was obtained (2030-07-01T12:00:00.000Z)" in r.out
    r = run(capsys, "case", "trace", "C5")
    assert r.code == 0 and "First seen: unknown; exposure up to when it was obtained" in r.out
    r = run(capsys, "case", "show", "C5")
    assert r.code == 0, r.err
    assert "(first seen: unknown)" in r.out and "before it was obtained, 2030-07-01T12:00:00.000Z" in r.out
    audit = run(capsys, "audit", "--case", "C5", "--json").json()["items"]
    assert [e["details"]["first_seen"] for e in audit if e["action"] in ("artifact-add", "trace")][:2] == [
        "unknown", "unknown"]


def test_an_unknown_first_seen_is_still_checked_as_a_time_when_given(env, capsys):
    wsp, leak, tmp = env
    run(capsys, "case", "open", "x", "--purpose", "y")
    r = run(capsys, "case", "add", "C1", leak, "--obtained-from", "x", "--obtained-at", OBTAINED,
            "--first-seen", "sometime")
    assert r.code == 1 and "--first-seen" in r.err and "not a time" in r.err


def test_artifacts_recorded_before_schema_7_keep_their_first_seen(investigation):
    from sqlalchemy import text

    from leaktrace import Workspace
    from leaktrace.cases.book import Cases

    wsp, leak, tmp = investigation
    with Workspace.open(wsp) as ws:
        cs = Cases(ws)
        case = cs.open("x", "y")
        cs.add_artifact(case.id, leak, obtained_from="web", obtained_at=FIRST_SEEN, first_seen=FIRST_SEEN)
        with ws.engine.begin() as conn:     # the database as schema 6 left it
            conn.execute(text("ALTER TABLE case_artifacts DROP COLUMN first_seen_unknown"))
            conn.execute(text("UPDATE meta SET value = '6' WHERE key = 'schema_version'"))
    with Workspace.open(wsp) as ws:
        [art] = Cases(ws).artifacts(case.id)
        assert art.first_seen_known and art.first_seen == "2030-06-01T06:00:00.000Z"
        assert Cases(ws).add_artifact(case.id, tmp / "people.csv", obtained_from="web",
                                      obtained_at=FIRST_SEEN).first_seen_known is False


def _words(page: str) -> str:
    """A page's text as a reader sees it: tags gone, entities decoded, spaces collapsed."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_report_never_shows_when_it_was_obtained_as_first_seen(env, capsys):
    """An artifact added without --first-seen: the report says first seen is unknown and that the
    exposure runs up to when it was obtained, and nowhere calls the obtained time "first seen"."""
    import csv
    import json
    import re

    wsp, leak, tmp = env
    assert run(capsys, "ledger", "import", write_access_log(tmp / "dms.csv"), "--format", "csv",
               "--map", GENERIC_MAP).code == 0
    run(capsys, "case", "open", "Depot plan on a forum", "--purpose", "find the copy")
    assert run(capsys, "case", "add", "C1", leak, "--obtained-from", "a forum", "--obtained-at", OBTAINED).code == 0
    assert run(capsys, "case", "trace", "C1").code == 0
    r = run(capsys, "case", "report", "C1", "--format", "html", "--out", tmp / "r.html")
    assert r.code == 0, r.err
    words = _words((tmp / "r.html").read_text(encoding="utf-8"))
    assert "first seen in public unknown (exposure counted up to when it was obtained)" in words   # custody
    # "first seen" is never followed by a time (the obtained time is the only one there is)
    said = [words[m.start():m.start() + 70] for m in re.finditer(r"first[- ]seen", words, re.I)]
    assert said and not [s for s in said if re.match(r"first[- ]seen[a-z ]{0,12}:? ?\d{4}-\d\d-\d\d", s, re.I)], said
    assert "obtained 2030-07-01 12:00" in words        # the red line of the timeline says what it is
    assert "Where the first-seen time is unknown" in words   # and the limits say what that means

    r = run(capsys, "case", "report", "C1", "--format", "json", "--out", tmp / "r.json")
    assert r.code == 0, r.err
    [f] = json.loads((tmp / "r.json").read_text(encoding="utf-8"))["findings"]
    assert f["first_seen_known"] is False and f["first_seen"] == f["artifact"]["obtained_at"]   # the cut-off
    with (tmp / "r-exposure.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["first_seen"] for r in rows} == {"unknown"}
    assert {r["exposure_up_to"] for r in rows} == {f["first_seen"]}


def test_a_known_first_seen_is_shown_as_the_time_it_is(env, capsys):
    wsp, leak, tmp = env
    run(capsys, "case", "open", "Depot plan on a forum", "--purpose", "find the copy")
    assert run(capsys, "case", "add", "C1", leak, "--obtained-from", "a forum", "--obtained-at", OBTAINED,
               "--first-seen", FIRST_SEEN).code == 0
    assert run(capsys, "case", "trace", "C1").code == 0
    assert run(capsys, "case", "report", "C1", "--format", "html", "--out", tmp / "r.html").code == 0
    words = _words((tmp / "r.html").read_text(encoding="utf-8"))
    assert "first seen in public 2030-06-01T06:00:00.000Z" in words and "exposure counted up to" not in words
    assert "first seen 2030-06-01 06:00" in words
    assert "Where the first-seen time is unknown" not in words
