"""The evidence report: JSON, self-contained HTML, and PDF checked as a reader would."""

from __future__ import annotations

import html
import json
import re

import pytest
from casekit import COUNSEL, FIRST_SEEN, GENERIC_MAP, HOSTILE, LEAKER, PEOPLE, write_access_log
from clirunner import one_line_error, run


@pytest.fixture
def traced(env, capsys):
    wsp, leak, tmp = env
    assert run(capsys, "ledger", "import", write_access_log(tmp / "dms.csv"), "--format", "csv",
               "--map", GENERIC_MAP).code == 0
    assert run(capsys, "case", "open", "Depot plan <in> the Gazette", "--purpose", "find the copy").code == 0
    assert run(capsys, "case", "add", "C1", leak, "--obtained-from", "Gazette <website>", "--obtained-at",
               "2030-06-02T08:00:00Z", "--first-seen", FIRST_SEEN).code == 0
    assert run(capsys, "case", "trace", "C1").code == 0
    return env


def report(capsys, tmp, fmt, name=None):
    out = tmp / (name or f"report.{fmt}")
    r = run(capsys, "case", "report", "C1", "--format", fmt, "--out", out, "--json")
    assert r.code == 0, r.err
    return out, r.json()


def identities():
    return [p["id"] for p in PEOPLE + [COUNSEL]] + [p["email"] for p in PEOPLE + [COUNSEL]] + [LEAKER["name"]]


def test_json_report_has_everything_and_no_names(traced, capsys):
    _, _, tmp = traced
    path, res = report(capsys, tmp, "json")
    text = path.read_text()
    data = json.loads(text)
    assert data["type"] == "leaktrace-case-report" and data["verdict"] == "identified"
    assert "A copy is not a person" in data["caveat"] and data["method"] and data["limits"]
    [f] = data["findings"]
    assert f["copies"][0]["identified"] and f["copies"][0]["label"].startswith("Recipient-")
    assert f["passages"] and all("read_sites" in p for p in f["passages"])
    assert any(p["read_sites"] for p in f["passages"])
    assert f["exposure"] and f["timeline"] and len(data["custody"][0]["sha256"]) == 64
    for s in identities():
        assert s not in text, s
    audit = run(capsys, "audit", "--case", "C1", "--json").json()["items"]
    assert audit[-1]["action"] == "report" and audit[-1]["details"]["sha256"] == res["sha256"]
    assert "already exists" in one_line_error(run(capsys, "case", "report", "C1", "-f", "json", "--out", path))


def test_html_report_is_self_contained_escaped_and_readable(traced, capsys):
    _, _, tmp = traced
    path, _ = report(capsys, tmp, "html")
    page = path.read_text()
    assert "<script" not in page.lower() and "alert(1)</script>" not in page
    assert html.escape(HOSTILE) in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{x}}" in page   # shown as text: nothing here is a template
    assert "Depot plan &lt;in&gt; the Gazette" in page and "Gazette &lt;website&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", page)   # nothing fetched
    assert "IDENTIFIED: the copy issued to Recipient-" in page
    assert "hidden marks match the copy issued to Recipient-" in page
    assert page.count("A copy is not a person") >= 2
    assert '<svg' in page and 'aria-label="copy scores chart"' in page and "bar: bound 1e-6" in page
    assert 'aria-label="timeline"' in page and "first seen 2030-06-01 06:00" in page
    assert "<mark>" in page and "Chain of custody" in page and "Method" in page and "Limits" in page
    assert "copy evidence" in page and "content exposure" in page and "access events before first seen" in page
    for s in identities():
        assert s not in page, s


def test_report_after_reveal_names_the_revealed_person_only(traced, capsys):
    _, _, tmp = traced
    data = json.loads(report(capsys, tmp, "json")[0].read_text())
    p = data["findings"][0]["copies"][0]["subject"]["pseudonym"]
    assert run(capsys, "case", "reveal", "C1", p, "--reason", "counsel's request of 2030-06-03").code == 0
    page = report(capsys, tmp, "html", "after.html")[0].read_text()
    assert f"{LEAKER['name']} ({p})" in page and "counsel&#x27;s request of 2030-06-03" in page
    others = [q for q in PEOPLE if q["id"] != LEAKER["id"] and q["name"] != LEAKER["name"]]
    assert not [q["name"] for q in others if q["name"] in page]


def test_pdf_report_reads_like_the_page(traced, capsys):
    # required, not optional: a machine without them must fail here, not skip (see scripts/system-deps.sh)
    import pypdf
    import pypdfium2 as pdfium
    import weasyprint  # noqa: F401
    _, _, tmp = traced
    path, res = report(capsys, tmp, "pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) >= 2
    for i in range(len(doc)):
        img = doc[i].render(scale=0.6).to_pil().convert("L")
        lo, hi = img.getextrema()
        dark = sum(img.histogram()[:128])
        assert hi - lo > 100 and dark > 200, f"page {i + 1} looks blank"
    doc.close()
    text = " ".join((p.extract_text() or "") for p in pypdf.PdfReader(str(path)).pages)
    flat = " ".join(text.split())
    assert "A1 IDENTIFIED: THE COPY ISSUED TO RECIPIENT-" in flat.upper()
    for s in ("A copy is not a person", "Chain of custody", "Method", "Limits",
              "<script>alert(1)</script>", res["case"]):
        assert s in flat, s
    assert re.search(r"Recipient-[0-9A-Z]{16}", flat)
    for s in identities():
        assert s not in flat, s


def test_pdf_without_weasyprint_is_one_line(traced, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    _, _, tmp = traced
    err = one_line_error(run(capsys, "case", "report", "C1", "--format", "pdf", "--out", tmp / "x.pdf"))
    assert "PDF reports need WeasyPrint" in err and not (tmp / "x.pdf").exists()
    assert [e["action"] for e in run(capsys, "audit", "--case", "C1", "--json").json()["items"]][-1] == "trace"
