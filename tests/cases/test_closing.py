"""Cases that close: a disposition with a reason (audited), names only on copy evidence over the
bar, no changes once closed; custody dates checked; reveals without copy evidence flagged."""

from __future__ import annotations

from casekit import FIRST_SEEN, LEAKER
from clirunner import one_line_error, run

from test_case_cli import add, open_case


def traced_case(env, capsys) -> str:
    wsp, leak, tmp = env
    case = open_case(capsys)
    assert add(capsys, case, leak).code == 0
    assert run(capsys, "case", "trace", case).code == 0
    return case


def leaker_pseudonym(capsys, case) -> tuple[str, str]:
    [f] = run(capsys, "case", "show", case, "--json").json()["findings"]
    copies = f["copies"]
    return copies[0]["subject"]["pseudonym"], copies[1]["subject"]["pseudonym"]


def test_close_with_a_disposition_that_names_someone_on_copy_evidence(env, capsys):
    case = traced_case(env, capsys)
    leaker, innocent = leaker_pseudonym(capsys, case)
    # a name without copy evidence over the bar is refused, and says why
    err = one_line_error(run(capsys, "case", "close", case, "--disposition", "personnel-action",
                             "--reason", "HR referral", "--names", innocent))
    assert "needs copy evidence over the bar" in err and innocent in err
    assert "names a person" in one_line_error(run(capsys, "case", "close", case, "--disposition",
                                                  "personnel action", "--reason", "HR referral"))
    assert "unknown disposition" in one_line_error(run(capsys, "case", "close", case, "--disposition", "guilty",
                                                       "--reason", "x"))
    r = run(capsys, "case", "close", case, "--disposition", "personnel action", "--reason", "HR referral",
            "--names", leaker, "--json")
    assert r.code == 0, r.err
    c = r.json()
    assert c["status"] == "closed" and c["disposition"] == "personnel-action" and c["names"] == [leaker]
    assert LEAKER["id"] not in r.out
    r = run(capsys, "case", "list")
    assert "closed: personnel-action" in r.out
    entry = run(capsys, "audit", "--case", case, "--json").json()["items"][-1]
    assert entry["action"] == "case-close" and entry["details"]["reason"] == "HR referral"
    assert entry["details"]["evidence"][leaker][0]["artifact"] == "A1"
    # closed: its evidence no longer changes
    wsp, leak, tmp = env
    assert "was closed" in one_line_error(run(capsys, "case", "trace", case))
    assert "was closed" in one_line_error(add(capsys, case, leak))
    assert "was closed" in one_line_error(run(capsys, "case", "close", case, "--disposition", "other",
                                              "--reason", "again"))


def test_close_without_a_finding(env, capsys):
    case = traced_case(env, capsys)
    r = run(capsys, "case", "close", case, "--disposition", "no-finding", "--reason", "public already")
    assert r.code == 0 and "closed: no-finding" in r.out


def test_custody_dates_are_checked(env, capsys):
    wsp, leak, tmp = env
    case = open_case(capsys)
    r = run(capsys, "case", "add", case, leak, "--obtained-from", "web", "--obtained-at", "2030-06-01T05:00:00Z",
            "--first-seen", "2030-06-01T06:00:00Z")
    assert "is after --obtained-at" in one_line_error(r)
    r = run(capsys, "case", "add", case, leak, "--obtained-from", "web", "--obtained-at", "2099-01-01T00:00:00Z",
            "--first-seen", FIRST_SEEN)
    assert r.code == 0 and "is in the future" in r.out
    entry = run(capsys, "audit", "--case", case, "--json").json()["items"][-1]
    assert entry["action"] == "artifact-add" and "in the future" in entry["details"]["warnings"][0]


def test_a_reveal_without_copy_evidence_warns_and_the_report_says_so(env, capsys):
    case = traced_case(env, capsys)
    leaker, innocent = leaker_pseudonym(capsys, case)
    r = run(capsys, "case", "reveal", case, innocent, "--reason", "interview request")
    assert r.code == 0 and "revealed without copy evidence" in r.out
    r = run(capsys, "case", "reveal", case, leaker, "--reason", "interview request")
    assert r.code == 0 and "Warning" not in r.out
    wsp, leak, tmp = env
    r = run(capsys, "case", "report", case, "--format", "html", "--out", tmp / "report.html")
    assert r.code == 0, r.err
    html = (tmp / "report.html").read_text()
    assert html.count("revealed without copy evidence") == 1
    entries = [e for e in run(capsys, "audit", "--case", case, "--json").json()["items"] if e["action"] == "reveal"]
    assert [e["details"]["copy_evidence"] for e in entries] == [False, True]


def test_a_case_says_what_trace_says_about_an_inconclusive_leak():
    from leaktrace.cases.book import Artifact, verdict_text
    from leaktrace.models import TraceResult

    art = Artifact("A1", "C1", "0" * 64, 10, "post.txt", "web", "t", "t", None, "me", "t", "x")
    summary = ("Derived from D1 “Depot plan”, but although the 124 marks read would single out a lone leaker's "
               "copy among 40, no copy agrees with them well enough at a false-accusation bound of 1e-06 (the "
               "best copy agrees at 80 of 124): the text may mix several copies or have been altered.")
    res = TraceResult("inconclusive", summary, document={"id": "D1", "title": "Depot plan"}, aligned_words=300)
    text = verdict_text(res, (), art)
    assert "Although the 124 marks read would single out a lone leaker's copy among 40" in text
    assert "are not enough" not in text and text.endswith("nobody is identified.")
    reworded = TraceResult("inconclusive", "Derived from D1 “Depot plan” (paraphrase, 60 words), but reworded "
                           "text keeps too little of any copy's marks to single one out.",
                           document={"id": "D1", "title": "Depot plan"})
    assert "Reworded text keeps too little" in verdict_text(reworded, (), art)


def test_trace_search_and_case_trace_say_the_same_of_one_artifact(env, capsys):
    """The same artifact through `trace`, `search` and `case trace`: the same document, verdict,
    copy and bound, and for an inconclusive one the same reason."""
    import unicodedata

    wsp, leak, tmp = env
    one = tmp / "one-paragraph.txt"      # one paragraph, retyped: too few marks
    paragraph = leak.read_text(encoding="utf-8").split("\n\n")[2]
    one.write_text("".join(c for c in paragraph if unicodedata.category(c) != "Cf") + "\n", encoding="utf-8")
    case = open_case(capsys)
    for artifact in (leak, one):
        assert add(capsys, case, artifact).code == 0
    findings = run(capsys, "case", "trace", case, "--json").json()["items"]
    for artifact, f in zip((leak, one), findings):
        t = run(capsys, "trace", artifact, "--json").json()
        s = run(capsys, "search", artifact, "--json").json()
        assert t["verdict"] == f["verdict"] and t["document"]["id"] == f["document"]["id"]
        assert s["verdict"] == "derived" and s["sources"][0]["document"]["id"] == f["document"]["id"]
        if f["verdict"] == "identified":
            # the same copy: under its pseudonym the case names no copy id; revealed, the same id
            ident = [c for c in f["copies"] if c["identified"]]
            assert [c["false_accusation_bound"] for c in t["copies"] if c["identified"]] == [
                c["false_accusation_bound"] for c in ident] and [c["copy"] for c in ident] == [None]
            assert "Its hidden marks match the copy issued to Recipient-" in f["verdict_text"]
            assert run(capsys, "case", "reveal", case, ident[0]["subject"]["pseudonym"],
                       "--reason", "compare the copy").code == 0
            shown = run(capsys, "case", "show", case, "--json").json()["findings"]
            assert [(c["copy"], c["false_accusation_bound"]) for c in t["copies"] if c["identified"]] == [
                (c["copy"], c["false_accusation_bound"]) for g in shown if g["artifact"]["id"] == f["artifact"]["id"]
                for c in g["copies"] if c["identified"]]
        else:
            reason = t["summary"].split("”, but ", 1)[1]
            assert reason[:1].upper() + reason[1:] in f["verdict_text"], (t["summary"], f["verdict_text"])
    assert [f["verdict"] for f in findings] == ["identified", "inconclusive"]


def test_case_list_shows_open_and_closed_cases(env, capsys):
    closed = traced_case(env, capsys)
    assert run(capsys, "case", "close", closed, "--disposition", "no-finding", "--reason", "public already").code == 0
    still_open = open_case(capsys)
    items = {c["id"]: c for c in run(capsys, "case", "list", "--json").json()["items"]}
    assert items[closed]["status"] == "closed" and items[closed]["disposition"] == "no-finding"
    assert items[still_open]["status"] == "open"
    rows = {line.split("│")[1].strip(): line for line in run(capsys, "case", "list").out.splitlines()
            if line.count("│") > 2 and line.split("│")[1].strip() in items}
    assert "closed: no-finding" in rows[closed] and "open" in rows[still_open]
