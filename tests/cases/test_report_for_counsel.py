"""The report of a realistic case reads as counsel needs it (issue 17): three artifacts of a memo
sent to 300 recipients, one identified and two inconclusive, with access events and
communications in the logs. A summary on page 1, evidence strongest first, short lists in the
body, full lists in an appendix and as CSV beside the report, charts that say what they show."""

from __future__ import annotations

import csv
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from clirunner import run
from samples import MEMO, people_rows

from leaktrace import Workspace
from leaktrace.cases.book import Cases
from leaktrace.cases.report import build_report, write_report

PEOPLE = people_rows(300)
LEAKER = PEOPLE[123]
FIRST_SEEN = "2030-06-01T06:00:00Z"
# (time, who, what): access events and communications, one after the first-seen time
EVENTS = [("2030-05-01T09:00:00Z", PEOPLE[1]["email"], "opened"),
          ("2030-05-02T09:00:00Z", PEOPLE[1]["email"], "printed"),
          ("2030-05-03T09:00:00Z", "temp.contractor@agency.example", "downloaded"),
          ("2030-05-04T09:00:00Z", LEAKER["email"], "downloaded"),
          ("2030-05-05T09:00:00Z", PEOPLE[50]["email"], "viewed"),
          ("2030-05-06T09:00:00Z", PEOPLE[60]["email"], "forwarded"),
          ("2030-05-07T09:00:00Z", PEOPLE[61]["email"], "shared"),
          ("2030-07-02T09:00:00Z", "late.reader@agency.example", "opened")]
SAID = {"opened": "access: view", "viewed": "access: view", "printed": "access: print",
        "downloaded": "access: download", "forwarded": "communication: forward", "shared": "communication: share"}


def _plain(t: str) -> str:
    """Retyped: no invisible characters."""
    return "".join(ch for ch in t if unicodedata.category(ch) != "Cf")


@pytest.fixture(scope="module")
def big_case(tmp_path_factory):
    """(workspace folder, tmp folder): C1 with A1 (three paragraphs of LEAKER's copy, pasted: identified),
    A2 and A3 (one paragraph each, retyped: too few marks, inconclusive), traced."""
    tmp = tmp_path_factory.mktemp("counsel")
    with (tmp / "people.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "name", "email", "team"])
        w.writeheader()
        w.writerows(PEOPLE)
    (tmp / "plan.md").write_text(MEMO, encoding="utf-8")
    with (tmp / "dms.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["when", "who", "what", "file", "ref"])
        w.writerows([(t, who, what, "plan.md", f"e{i}") for i, (t, who, what) in enumerate(EVENTS)])
    ws = Workspace.create(tmp / "ws")
    doc = ws.add_document(tmp / "plan.md", title="Depot plan")
    ws.import_recipients(tmp / "people.csv")
    ws.mark(doc.id, to="all", out_dir=tmp / "copies")
    paras = ws.render_copy(doc.id, LEAKER["id"]).split("\n\n")
    (tmp / "a1.txt").write_text("\n\n".join(paras[3:5]) + "\n", encoding="utf-8")
    (tmp / "a2.txt").write_text(_plain(paras[9]) + "\n", encoding="utf-8")
    (tmp / "a3.txt").write_text(_plain(paras[6]) + "\n", encoding="utf-8")
    from leaktrace.ledger.book import Ledger

    Ledger(ws).import_file(tmp / "dms.csv", "csv", "time=when,actor=who,action=what,document=file,event_id=ref")
    cs = Cases(ws)
    case = cs.open("Depot plan in the Gazette", "find the copy")
    for name in ("a1.txt", "a2.txt", "a3.txt"):
        cs.add_artifact(case.id, tmp / name, obtained_from="Gazette website", obtained_at="2030-06-02T08:00:00Z",
                        first_seen=FIRST_SEEN)
    assert [f.verdict for f in cs.trace(case.id)] == ["identified", "inconclusive", "inconclusive"]
    ws.close()
    return tmp / "ws", tmp


@pytest.fixture(scope="module")
def pdf(big_case):
    """The PDF report and its pages' text, the report's data, the CSV files."""
    import pypdf

    wsp, tmp = big_case
    out = tmp / "pdf" / "report.pdf"
    out.parent.mkdir()
    with Workspace.open(wsp) as ws:
        res = write_report(Cases(ws), "C1", "pdf", out)
        data = build_report(Cases(ws).view("C1"))
    pages = [" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(str(out)).pages]
    return pages, data, res


@pytest.fixture(scope="module")
def page(big_case):
    wsp, tmp = big_case
    out = tmp / "html" / "report.html"
    out.parent.mkdir()
    with Workspace.open(wsp) as ws:
        write_report(Cases(ws), "C1", "html", out)
    return out.read_text(encoding="utf-8")


def _identified(data) -> str:
    [x] = [x for f in data["findings"] for x in f["copies"] if x["identified"]]
    return x["label"]


def test_page_one_is_the_summary_with_each_artifacts_verdict_in_one_line(pdf):
    pages, data, _ = pdf
    first = pages[0]
    assert "Summary of the case" in first and "Artifact A1" not in first   # the evidence starts on page 2
    assert re.search(r"A1 IDENTIFIED: the copy issued to Recipient-[0-9A-Z]{16}, false-accusation bound "
                     r"\d\.\de-\d+, \d+ of \d+ marks agree", first)
    for a in ("A2", "A3"):
        assert re.search(rf"{a} INCONCLUSIVE: \d+ marks read, no copy clears the bar; best copy's bound [\d.]+; "
                         "nobody is identified", first), a
    assert "VERDICT: IDENTIFIED" not in first.upper()   # no one headline over three findings
    assert "None: everyone appears under a pseudonym" in first
    assert "report-exposure.csv" in first and "report-timeline.csv" in first
    assert "A copy is not a person" in first


def test_the_identified_holder_is_named_on_page_one_of_a_short_report(pdf):
    pages, data, _ = pdf
    who = _identified(data)
    assert who in pages[0]
    assert len(pages) <= 30, len(pages)        # 84 pages before the report was reorganized
    a1 = next(i for i, p in enumerate(pages) if "Artifact A1: a1.txt" in p)
    assert a1 == 1 and "Identified: the copy issued to " + who in pages[a1]   # the strongest evidence first


def test_every_access_event_and_communication_is_listed_in_the_artifacts_sections(pdf):
    pages, data, _ = pdf
    body = " ".join(pages[:next(i for i, p in enumerate(pages) if "Appendix A" in p)])
    for f in data["findings"]:
        assert len([e for e in f["timeline"] if e["kind"] != "distribution"]) == len(EVENTS)
    for t, _, what in EVENTS:
        row = f"{t[:10]} {t[11:16]} UTC {SAID[what]}"
        assert body.count(row) == 3, row          # in each of the three artifacts' timelines
    assert "300 copies of the whole document distributed" in body     # distributions are counted
    assert "First 300 of" not in body
    assert "Communications (shared, forwarded): 2 (forward 1, share 1)" in pages[0]


def test_every_page_of_the_long_report_has_something_on_it(pdf):
    """Each page looked at as an image, as test_report.py does for a short report: no blank page."""
    import pypdfium2 as pdfium

    pages, _, res = pdf
    doc = pdfium.PdfDocument(res["path"])
    try:
        assert len(doc) == len(pages)
        for i in range(len(doc)):
            img = doc[i].render(scale=0.6).to_pil().convert("L")
            lo, hi = img.getextrema()
            assert hi - lo > 100 and sum(img.histogram()[:128]) > 200, f"page {i + 1} looks blank"
            assert len(pages[i].split()) >= 20, f"page {i + 1} holds almost nothing: {pages[i]!r}"
    finally:
        doc.close()


def test_the_full_lists_are_csv_files_beside_the_report(pdf, big_case):
    pages, data, res = pdf
    folder = Path(res["path"]).parent
    assert res["lists"] == {k: str(folder / f"report-{k}.csv") for k in ("exposure", "timeline", "sites")}
    rows = {k: list(csv.DictReader(open(p, newline="", encoding="utf-8"))) for k, p in res["lists"].items()}
    assert len(rows["exposure"]) == sum(len(f["exposure"]) for f in data["findings"]) >= 3 * 300
    assert len(rows["timeline"]) == sum(len(f["timeline"]) for f in data["findings"]) >= 3 * (300 + len(EVENTS))
    assert len(rows["sites"]) == sum(len(f["site_reads"]) for f in data["findings"])
    a1 = [r for r in rows["exposure"] if r["artifact"] == "A1"]
    assert a1[0]["copy_evidence"] == "identified" and a1[0]["who"] == _identified(data)   # most relevant first
    assert all(r["access_events_before_first_seen"] != "0" for r in a1[1:4])   # then access events
    a1t = [r for r in rows["timeline"] if r["artifact"] == "A1"]
    assert [r["event"] for r in a1t[:len(EVENTS)]] == ["access"] * 5 + ["communication"] * 2 + ["access"]
    appendix = " ".join(pages[next(i for i, p in enumerate(pages) if "Appendix A" in p):])
    assert appendix.count("Recipient-") >= 600    # every holder, in the exposure set and the timeline
    text = "".join(Path(p).read_text(encoding="utf-8") for p in res["lists"].values())
    for p in PEOPLE[:50] + [LEAKER]:
        assert p["email"] not in text and p["id"] not in text and p["name"] not in text
    audit = run_audit(big_case)
    assert [x["path"] for x in audit["details"]["lists"]] == list(res["lists"].values())


def run_audit(big_case) -> dict:
    wsp, _ = big_case
    with Workspace.open(wsp) as ws:
        return [e for e in Cases(ws).audit("C1") if e.action == "report"][0].to_json()


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts (headers included)."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_no_negative_zero_and_no_empty_column(pdf, page):
    pages, _, _ = pdf
    assert "-0.0" not in " ".join(pages) and not re.search(r">-0(\.0+)?<", page)
    parser = Tables()
    parser.feed(page)
    for table in parser.tables:
        width = max(len(r) for r in table)
        for k in range(width):
            column = [r[k] for r in table if len(r) > k]
            assert any(column[1:]) or (column and column[0] and len(table) == 1), (table[0], k)
            if len(table[0]) == width:
                assert table[0][k], f"a column without a header: {table[0]}"


def test_charts_have_labelled_axes_and_captions(page):
    for label in ("copy scores chart", "all copies scores", "timeline"):
        assert page.count(f'aria-label="{label}"') == 3
    assert page.count("match strength: −log10(false-accusation bound)") == 3
    for axis in ("score of a copy", "copies", "time (UTC)"):
        assert page.count(f">{axis}</text>") == 3, axis
    assert page.count("<figcaption>") == 9


def test_the_sites_read_show_what_the_leak_says_and_what_the_copy_has(pdf, page):
    _, data, _ = pdf
    parser = Tables()
    parser.feed(page)
    sites = [t for t in parser.tables if len(t[0]) == 6 and t[0][3] == "the leak says"]
    assert len(sites) == 3
    a2 = next(f for f in data["findings"] if f["artifact"]["id"] == "A2")
    best = max(a2["copies"], key=lambda c: c["score"])
    assert sites[1][0][4] == f"the copy issued to {best['label']} has"
    lexical = [r for r in sites[1][1:] if r[2].startswith("lexical")]
    reads = [x for x in a2["site_reads"] if x["channel"] == "lexical"]
    assert lexical and len(lexical) == len(reads)
    for row, x in zip(lexical, reads):
        assert row[3] == (x["observed"] or "(nothing)") and row[4] == (x["accused"] or "(nothing)")
    assert "<sup class=\"site\">1</sup>" in page       # the highlighted site carries its row number


def test_after_a_reveal_and_closing_the_summary_and_lists_say_so(big_case, capsys, monkeypatch):
    wsp, tmp = big_case
    copy = tmp / "ws-closed"
    shutil.copytree(wsp, copy)
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(copy))
    data = run(capsys, "case", "show", "C1", "--json").json()
    who = next(x for f in data["findings"] for x in f["copies"] if x["identified"])["subject"]["pseudonym"]
    assert run(capsys, "case", "reveal", "C1", who, "--reason", "counsel's request").code == 0
    assert run(capsys, "case", "close", "C1", "--disposition", "referred", "--reason", "to HR",
               "--names", who).code == 0
    out = tmp / "closed" / "C1.html"
    out.parent.mkdir()
    r = run(capsys, "case", "report", "C1", "--out", out)
    assert r.code == 0, r.err
    said = " ".join(r.out.split())
    assert "report-exposure.csv" not in said and f"{out.parent / 'C1-exposure.csv'} (exposure)" in said
    summary = out.read_text(encoding="utf-8").split('<div class="summary">')[1].split("</div>")[0]
    assert f"{LEAKER['name']} ({who})" in summary and "with copy evidence over the bar" in summary
    assert "Disposition" in summary and "referred" in summary and "to HR" in summary
    lists = (out.parent / "C1-exposure.csv").read_text(encoding="utf-8")
    assert f"{LEAKER['name']} ({who})" in lists
    others = {p["name"] for p in PEOPLE} - {LEAKER["name"]}
    assert not [n for n in others if n in lists]
    r = run(capsys, "case", "report", "C1", "--out", out)
    assert "already exists" in r.err
    # beside C1.html, C1.htm finds the same lists; a list that differs is not overwritten without --force
    assert run(capsys, "case", "report", "C1", "--out", out.with_suffix(".htm")).code == 0
    (out.parent / "C1-sites.csv").write_text("edited\n")
    r = run(capsys, "case", "report", "C1", "--out", out.with_suffix(".xhtml"))
    assert "C1-sites.csv already exists" in r.err and not out.with_suffix(".xhtml").exists()
