"""The evidence report of a case: JSON (everything), a self-contained HTML page (inline CSS and
SVG, no JavaScript, every piece of text escaped), and a PDF of that page (WeasyPrint).

Built from the pseudonymized `CaseView` only, so a report names people exactly as the case
shows them: by pseudonym, and by name only after a reveal with a stated reason.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
import tempfile
import unicodedata
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from ..jsonutil import finite
from ..errors import ConflictError, InputError, LeaktraceError
from ..ledger import chain
from .book import CAVEAT, Cases, CaseView, Finding, investigator

FORMATS = ("html", "pdf", "json")
REPORT_TYPE = "leaktrace-case-report"
ARTIFACT_TEXT_MAX = 50_000  # characters of the artifact's text quoted in a report

METHOD = (
    "Before distribution, every recipient received an individually marked copy of the document. The copies "
    "read exactly alike; they differ in small places (sites) where the text can vary without changing its "
    "meaning: invisible characters, typography, word choices and author-declared alternatives. The variant "
    "at each site is chosen for each copy by a keyed fingerprinting code (q-ary Tardos).",
    "Tracing aligns the artifact to the registered document, reads the variant the artifact shows at every "
    "site it covers, and scores every issued copy by how well its variants agree with the reading. For the "
    "best-scoring copies it computes the false-accusation bound: an upper bound on the probability that the "
    "best-scoring innocent copy among all copies would score as high. A copy is identified only when that "
    "bound is at or below the bar (1 in a million); otherwise the result is inconclusive.",
    "The exposure set comes from the workspace's ledger, which is append-only, hash-chained and signed: "
    "every recipient who was issued a copy containing the leaked passages, and every account that opened, "
    "downloaded, printed, shared, forwarded or exported the document, before the time the artifact's "
    "content was first seen in public. Accounts that map to no recipient appear as accounts.",
    "The three kinds of evidence are kept in separate columns and never combined into a score: copy "
    "evidence (the marks), content exposure (who held the text), access events (who opened it, and how).",
    "People appear under pseudonyms derived from the workspace's secret key; a name is shown only after an "
    "investigator revealed it in this case with a stated reason. Every trace, reveal and report is recorded "
    "in the same tamper-evident audit log (`leaktrace audit`).",
    "Communications with protected channels (inspector general, ombudsman, regulator, counsel) are never "
    "presented as evidence: events whose account or target is a protected address or domain are left out "
    "of the exposure set, the timeline and this report entirely. Protected channels that were issued a copy "
    "are listed apart, as never being evidence of leaking.",
)
LIMITS = (
    "The exposure set is only as complete as the access logs imported into the ledger: people who saw the "
    "document in ways that were not logged (over a shoulder, on paper, in mail outside the imported logs) "
    "are not in it, and being in it is not evidence of leaking.",
    "Copies are of the whole document: everyone issued a copy is taken to have held the leaked passages.",
    "The chart shows the copies the trace lists: the best-scoring ones and every copy that clears the bar. "
    "All other copies scored lower than the last one shown.",
    "An inconclusive result identifies nobody; it is neither evidence of guilt nor of innocence.",
    "Times are UTC. The first-seen time is the one stated by the investigator when the artifact was added.",
    "The bound assumes the marking key stayed secret: with the key, anyone could forge or strip marks.",
)


class ReportError(LeaktraceError):
    """A report cannot be produced as asked (PDF support missing)."""


# -------------------------------------------------------------------- JSON
def finding_json(f: Finding) -> dict:
    r = f.result
    passages = []
    for p, hl in zip(r.passages, f.highlights):
        passages.append({**asdict(p), "read_sites": [list(x) for x in hl]})
    return {
        "artifact": f.artifact.to_json(), "traced_at": f.traced_at, "first_seen": f.artifact.first_seen,
        "verdict": f.verdict, "verdict_text": f.verdict_text, "document": r.document,
        "leak_words": r.leak_words, "aligned_words": r.aligned_words, "sites_covered": r.sites_covered,
        "sites_read": r.sites_read, "bar": r.bar, "recipients_scored": r.recipients_scored,
        "more_words_needed": r.more_words_needed, "notes": list(r.notes), "passages": passages,
        "site_reads": [asdict(s) for s in r.site_reads],
        "copies": [c.to_json() for c in f.copies],
        "copies_not_listed": max(0, r.recipients_scored - len(f.copies)),
        "all_scores": list(r.all_scores), "score_bar": r.score_bar,
        "exposure": [x.to_json() for x in f.exposure],
        "protected_holders": [x.to_json() for x in f.protected_holders],
        "timeline": list(f.timeline),
        "artifact_text": f.artifact_text[:ARTIFACT_TEXT_MAX],
        "artifact_text_truncated": len(f.artifact_text) > ARTIFACT_TEXT_MAX,
    }


def build_report(view: CaseView) -> dict:
    findings = [finding_json(f) for f in view.findings]
    verdicts = {f["verdict"] for f in findings}
    overall = next((v for v in ("identified", "inconclusive", "no_match") if v in verdicts), "not_traced")
    if findings:
        summary = " ".join(f["verdict_text"] for f in findings)
    else:
        summary = "No artifact of this case has been traced yet: there are no findings."
    return {
        "type": REPORT_TYPE, "version": 1, "generated_at": chain.now(), "generated_by": investigator(),
        "case": view.case.to_json(), "verdict": overall, "summary": summary, "caveat": CAVEAT,
        "custody": [a.to_json() for a in view.artifacts], "findings": findings,
        "reveals": [r.to_json() for r in view.reveals],
        "method": list(METHOD), "limits": list(LIMITS),
    }


# -------------------------------------------------------------------- HTML
def shown(s) -> str:
    """Like h(), for leaked text: each invisible character is a small grey code (the marks it carries)."""
    out, run_ = [], []
    for ch in str(s):
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp"):
            out.append(html.escape("".join(run_), quote=True))
            run_ = []
            out.append(f'<span class="inv">{ord(ch):04X}</span>')
        else:
            run_.append(ch)
    out.append(html.escape("".join(run_), quote=True))
    return "".join(out)


def h(s) -> str:
    """Escaped, with invisible and control characters shown as <U+XXXX> (leaks are hostile)."""
    out = []
    for ch in str(s):
        if ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp"):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return html.escape("".join(out), quote=True)


CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: "page " counter(page) " of " counter(pages);
  font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", "Helvetica", "Arial", sans-serif; font-size: 10pt; color: #111;
  line-height: 1.4; max-width: 60em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .2em; } h2 { font-size: 13pt; border-bottom: 1px solid #999;
  margin-top: 1.6em; } h3 { font-size: 11pt; }
.meta { color: #444; } .verdict { font-size: 12pt; font-weight: bold; text-transform: uppercase; }
.identified { color: #8b0000; } .inconclusive { color: #7a5a00; } .no_match, .not_traced { color: #225522; }
.caveat { border: 2px solid #8b0000; padding: .5em .8em; background: #fff4f4; margin: 1em 0; }
.box { border: 1px solid #bbb; padding: .5em .8em; background: #f7f7f7; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eee; } .custody th { width: 11em; }
td.mono, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt;
  word-break: break-all; }
.inv { font-size: 5.5pt; color: #777; vertical-align: super; }
.artifact { white-space: pre-wrap; font-size: 9pt; }
.side td { width: 50%; white-space: pre-wrap; font-size: 9pt; }
mark { background: #ffe066; border-bottom: 2px solid #b08800; }
.protected { color: #225522; font-style: italic; }
svg { max-width: 100%; height: auto; } .small { font-size: 8pt; color: #444; }
"""


def render_html(data: dict) -> str:
    c = data["case"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{h(c['id'])} — {h(c['title'])} — evidence report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{h(c['id'])}: {h(c['title'])}</h1>",
        f"<p class=\"meta\">Purpose: {h(c['purpose'])}<br>Opened {h(c['opened_at'])} by {h(c['opened_by'])}. "
        f"Report generated {h(data['generated_at'])} by {h(data['generated_by'])}.</p>",
        "<h2>Summary and verdict</h2>",
        f"<p class=\"verdict {h(data['verdict'])}\">Verdict: {h(data['verdict'].replace('_', ' '))}</p>",
        f"<p>{h(data['summary'])}</p>",
        f"<div class=\"caveat\"><strong>{h(data['caveat'])}</strong></div>",
    ]
    for f in data["findings"]:
        parts.append(_finding_html(f))
    parts.append("<h2>Chain of custody</h2>")
    for a in data["custody"]:
        rows = [("artifact", h(a["id"])), ("original name", h(a["original_name"])), ("size", f"{a['size']} bytes"),
                ("SHA-256", f"<span class=\"mono\">{h(a['sha256'])}</span>"),
                ("obtained from", h(a["obtained_from"])), ("obtained at", h(a["obtained_at"])),
                ("first seen in public", h(a["first_seen"])), ("URL", h(a["url"] or "")),
                ("added by", f"{h(a['added_by'])} at {h(a['added_at'])}")]
        parts.append("<table class=\"custody\">" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
                     + "</table>")
    parts.append("<p class=\"small\">The bytes of each artifact are kept in the workspace under their "
                 "SHA-256 and checked against it before every trace.</p>")
    if data["reveals"]:
        parts.append("<h2>Names revealed in this case</h2><table><tr><th>pseudonym</th><th>identity</th>"
                     "<th>copy evidence</th><th>reason</th><th>by</th><th>when</th><th>audit entry</th></tr>")
        for r in data["reveals"]:
            evidence = ("over the bar" if r.get("copy_evidence", True)
                        else "<strong>none over the bar: revealed without copy evidence</strong>")
            parts.append(f"<tr><td>{h(r['pseudonym'])}</td><td>{h(r['subject'])}</td><td>{evidence}</td>"
                         f"<td>{h(r['reason'])}</td><td>{h(r['revealed_by'])}</td><td>{h(r['revealed_at'])}</td>"
                         f"<td>#{r['audit_seq']}</td></tr>")
        parts.append("</table>")
    case = data.get("case") or {}
    if case.get("status") == "closed":
        names = ", ".join(case.get("names") or []) or "no one"
        parts.append(f"<h2>Disposition</h2><p>Closed on {h(case['closed_at'])} by {h(case['closed_by'])}: "
                     f"<strong>{h(case['disposition'])}</strong>, naming {h(names)}. Reason: "
                     f"{h(case['closing_reason'])}</p>")
    parts.append("<h2>Method</h2>" + "".join(f"<p>{h(p)}</p>" for p in data["method"]))
    parts.append("<h2>Limits</h2><ul>" + "".join(f"<li>{h(p)}</li>" for p in data["limits"]) + "</ul>")
    parts.append(f"<div class=\"caveat\"><strong>{h(data['caveat'])}</strong></div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _finding_html(f: dict) -> str:
    a = f["artifact"]
    doc = f["document"]
    p = [f"<h2>Artifact {h(a['id'])}: {h(a['original_name'])}</h2>",
         f"<p class=\"verdict {h(f['verdict'])}\">{h(f['verdict'].replace('_', ' '))}</p>",
         f"<p>{h(f['verdict_text'])}</p>",
         f"<p class=\"small\">Traced {h(f['traced_at'])}. First seen in public {h(f['first_seen'])}. "
         f"Artifact: {f['leak_words']} words"
         + (f"; {f['aligned_words']} aligned to {h(doc['id'])} “{h(doc['title'])}”" if doc else "") + ".</p>"]
    p.append("<h3>The artifact's text, as traced</h3><div class=\"box artifact\">" + shown(f["artifact_text"])
             + "</div>" + ("<p class=\"small\">(shortened; the full text is in the stored artifact)</p>"
                           if f["artifact_text_truncated"] else ""))
    if not doc:
        return "\n".join(p)
    read = ", ".join(f"{h(ch)} {f['sites_read'].get(ch, 0)} of {n}" for ch, n in f["sites_covered"].items())
    p.append(f"<p>Marks read (read of covered, per channel): {read or 'none'}.</p>")
    p.append("<h3>The leak beside the source</h3><p class=\"small\">Left: the artifact's text. Right: the "
             "registered document; <mark>highlighted</mark> are the sites whose marks were read. Small grey "
             "codes in the artifact's text are invisible characters (e.g. 200B, a zero-width space).</p>")
    p.append("<table class=\"side\"><tr><th>artifact " + h(a["id"]) + "</th><th>" + h(doc["id"])
             + "</th></tr>")
    for ps in f["passages"]:
        p.append(f"<tr><td>{shown(ps['leak_text'])}</td><td>{_highlighted(ps['doc_text'], ps['read_sites'])}</td></tr>")
    p.append("</table>")
    p.append("<h3>Copy evidence: every listed copy's score and the bar</h3>")
    p.append(_chart(f))
    p.append("<h3>All copies' scores</h3>")
    p.append(_histogram(f))
    if f["copies"]:
        p.append("<table><tr><th>copy issued to</th><th>copy</th><th>score</th><th>false-accusation bound</th>"
                 "<th>marks agreeing</th><th>result</th></tr>")
        for x in f["copies"]:
            res = "identified" if x["identified"] else "below the bar"
            prot = (f" <span class=\"protected\">protected channel ({h(x['protected'])}): never evidence of "
                    "leaking</span>") if x["protected"] else ""
            p.append(f"<tr><td>{h(x['label'])}{prot}</td><td class=\"mono\">{h(x['copy'])}</td>"
                     f"<td>{x['score']:.2f}</td><td>{_num(x['false_accusation_bound'])}</td>"
                     f"<td>{x['agreed']} of {x['read']}</td><td>{res}</td></tr>")
        p.append("</table>")
    if f["copies_not_listed"]:
        p.append(f"<p class=\"small\">{f['copies_not_listed']} other issued copies scored lower and are not "
                 "listed.</p>")
    p.append(f"<h3>Exposure set: who could have seen this text before {h(f['first_seen'])}</h3>")
    p.append("<p class=\"small\">Three separate kinds of evidence, never combined. Being in this set is not "
             "evidence of leaking.</p>")
    if f["exposure"]:
        p.append("<table><tr><th>person or account</th><th>copy evidence</th><th>content exposure</th>"
                 "<th>access events before first seen</th></tr>")
        for r in f["exposure"]:
            p.append(f"<tr><td>{h(r['label'])}</td><td>{_copy_cell(r['copy_evidence'])}</td>"
                     f"<td>{_content_cell(r['content_exposure'])}</td><td>{_access_cell(r['access_events'])}</td></tr>")
        p.append("</table>")
    else:
        p.append("<p>Nobody is recorded as having held or opened the document before that time.</p>")
    if f["protected_holders"]:
        p.append("<p class=\"protected\">Protected channels that were issued a copy (never evidence of leaking): "
                 + ", ".join(f"{h(r['label'])} ({h(r['protected_channel'])})" for r in f["protected_holders"])
                 + ".</p>")
    p.append("<h3>Timeline: distribution and access against the first-seen time</h3>")
    p.append(_timeline_svg(f["timeline"], f["first_seen"]))
    return "\n".join(p)


def _highlighted(text: str, spans: list) -> str:
    out, at = [], 0
    for s, e in spans:
        s, e = max(s, at), min(e, len(text))
        if e <= s:
            continue
        out.append(h(text[at:s]))
        out.append(f"<mark>{h(text[s:e])}</mark>")
        at = e
    out.append(h(text[at:]))
    return "".join(out)


def _num(x) -> str:
    if isinstance(x, str):
        return h(x)
    return f"{x:.1e}" if x < 0.01 else f"{x:.3f}"


def _copy_cell(ev) -> str:
    if ev is None:
        return "not among the listed copies (scored lower)"
    res = "<strong>identified</strong>" if ev["identified"] else "below the bar"
    return f"{res}; bound {_num(ev['false_accusation_bound'])}; {ev['agreed']} of {ev['read']} marks agree"


def _content_cell(ce) -> str:
    if not ce["held_copy"]:
        return "was not issued a copy"
    return f"held copy <span class=\"mono\">{h(ce['copy'])}</span>, issued {h(ce['distributed_at'])}"


def _access_cell(events) -> str:
    if not events:
        return "none"
    return "<br>".join(f"{h(e['time'])} {h(e['action'])} <span class=\"small\">({h(e['source'])})</span>"
                       for e in events[:20]) + (f"<br>… and {len(events) - 20} more" if len(events) > 20 else "")


def _chart(f: dict) -> str:
    """Horizontal bars of −log10(false-accusation bound), with the bar drawn as a red line."""
    copies = f["copies"]
    if not copies:
        return "<p>No copy was scored.</p>"
    bar = -math.log10(f["bar"])

    def strength(b) -> float:
        b = float(b) if not isinstance(b, str) else 1.0
        return 300.0 if b <= 0 else min(300.0, -math.log10(b))

    vals = [strength(x["false_accusation_bound"]) for x in copies]
    top = max(max(vals), bar * 1.5, 1.0)
    left, width, row = 190, 460, 18
    height = 30 + row * len(copies) + 30
    scale = width / top
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height}" '
         f'viewBox="0 0 {left + width + 20} {height}" role="img" aria-label="copy scores chart">',
         '<title>Strength of the match of each listed copy: -log10 of its false-accusation bound</title>']
    for i, (x, v) in enumerate(zip(copies, vals)):
        y = 20 + i * row
        color = "#8b0000" if x["identified"] else "#8899aa"
        s.append(f'<text x="{left - 6}" y="{y + 12}" font-size="10" text-anchor="end">{h(x["label"])}</text>')
        s.append(f'<rect x="{left}" y="{y + 2}" width="{max(v * scale, 1):.1f}" height="{row - 5}" '
                 f'fill="{color}"/>')
        s.append(f'<text x="{left + max(v * scale, 1) + 4:.1f}" y="{y + 12}" font-size="9">{v:.1f}</text>')
    xb = left + bar * scale
    s.append(f'<line x1="{xb:.1f}" y1="12" x2="{xb:.1f}" y2="{height - 24}" stroke="#d00000" '
             f'stroke-width="2" stroke-dasharray="5,3"/>')
    s.append(f'<text x="{xb + 3:.1f}" y="11" font-size="9" fill="#d00000">bar: bound 1e-{bar:.0f}</text>')
    s.append(f'<text x="{left}" y="{height - 6}" font-size="9">match strength: -log10(false-accusation bound); '
             'longer is stronger; only bars past the red line identify a copy</text>')
    s.append("</svg>")
    return "".join(s)


def _histogram(f: dict) -> str:
    """How all issued copies scored (counts per score interval), with the score the bar requires."""
    scores = [float(x) for x in f.get("all_scores") or []]
    if not scores:
        return "<p>No copy was scored.</p>"
    bar = f.get("score_bar")
    lo = min(min(scores), 0.0)
    hi = max(max(scores), bar or 0.0) * 1.05 + 1e-9
    bins = 40
    width_bin = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for x in scores:
        counts[min(bins - 1, int((x - lo) / width_bin))] += 1
    left, width, height = 50, 600, 170
    top = max(counts)
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height + 40}" '
         f'viewBox="0 0 {left + width + 20} {height + 40}" role="img" aria-label="all copies scores">',
         f"<title>Scores of all {len(scores)} copies; the red line is the score needed to clear the bar</title>"]
    for i, c in enumerate(counts):
        if not c:
            continue
        bh = max(2.0, (height - 20) * (c ** 0.5) / (top ** 0.5))  # square-root scale: lone copies stay visible
        x = left + i * width / bins
        s.append(f'<rect x="{x:.1f}" y="{height - bh:.1f}" width="{width / bins - 1:.1f}" height="{bh:.1f}" '
                 f'fill="#8899aa"><title>{c} copies</title></rect>')
    if bar is not None:
        xb = left + (bar - lo) / (hi - lo) * width
        s.append(f'<line x1="{xb:.1f}" y1="8" x2="{xb:.1f}" y2="{height}" stroke="#d00000" stroke-width="2" '
                 f'stroke-dasharray="5,3"/><text x="{xb + 3:.1f}" y="14" font-size="9" fill="#d00000">bar</text>')
    s.append(f'<line x1="{left}" y1="{height}" x2="{left + width}" y2="{height}" stroke="#333"/>')
    s.append(f'<text x="{left}" y="{height + 14}" font-size="9">{lo:.1f}</text>'
             f'<text x="{left + width}" y="{height + 14}" font-size="9" text-anchor="end">{hi:.1f}</text>')
    note = ("no score can clear the bar with the marks read" if bar is None
            else "copies right of the red line are identified")
    s.append(f'<text x="{left}" y="{height + 30}" font-size="9">score of each of the {len(scores)} copies '
             f'(bar height: square root of the count); {note}</text>')
    s.append("</svg>")
    return "".join(s)


def _timeline_svg(events: list, first_seen: str) -> str:
    """Distributions (squares) and access events (circles) on a time axis; the red line is first seen."""
    def ts(t: str) -> float:
        return datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()

    t0 = min([ts(e["time"]) for e in events] + [ts(first_seen)])
    t1 = max([ts(e["time"]) for e in events] + [ts(first_seen)])
    span = max(t1 - t0, 3600.0)
    t0 -= span * 0.03
    t1 += span * 0.03
    left, width, height = 100, 560, 120
    lanes = {"distribution": 40, "access": 80}

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * width

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height + 20}" '
         f'viewBox="0 0 {left + width + 20} {height + 20}" role="img" aria-label="timeline">',
         "<title>Distribution and access events against the first-seen time</title>",
         f'<text x="{left - 8}" y="44" font-size="10" text-anchor="end">distributed</text>',
         f'<text x="{left - 8}" y="84" font-size="10" text-anchor="end">accessed</text>',
         f'<line x1="{left}" y1="{height - 10}" x2="{left + width}" y2="{height - 10}" stroke="#444"/>']
    for e in events[:5000]:
        cx, cy = x(ts(e["time"])), lanes.get(e["kind"], 80)
        color = ("#2255aa" if e["kind"] == "distribution" else "#dd7700") if e["before_first_seen"] else "#bbbbbb"
        if e["kind"] == "distribution":
            s.append(f'<rect x="{cx - 3:.1f}" y="{cy - 3}" width="6" height="6" fill="{color}"/>')
        else:
            s.append(f'<circle cx="{cx:.1f}" cy="{cy}" r="3.5" fill="{color}" fill-opacity="0.8"/>')
    xf = x(ts(first_seen))
    s.append(f'<line x1="{xf:.1f}" y1="14" x2="{xf:.1f}" y2="{height - 6}" stroke="#d00000" stroke-width="2"/>')
    s.append(f'<text x="{min(xf + 3, left + width - 120):.1f}" y="12" font-size="9" fill="#d00000">first seen '
             f'{h(first_seen[:16].replace("T", " "))}</text>')
    for k, t in enumerate(t0 + (t1 - t0) * k / 4 for k in range(5)):
        anchor = "start" if k == 0 else "end" if k == 4 else "middle"
        label = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M" if t1 - t0 < 4 * 86400 else "%Y-%m-%d")
        s.append(f'<text x="{x(t):.1f}" y="{height + 6}" font-size="9" text-anchor="{anchor}">{h(label)}</text>')
    s.append("</svg>")
    before = [e for e in events if e["before_first_seen"]]
    rows = ["<table><tr><th>time (UTC)</th><th>event</th><th>who</th><th></th></tr>"]
    for e in events[:300]:
        when = "" if e["before_first_seen"] else "after first seen"
        prot = f" <span class=\"protected\">protected channel ({h(e['protected_channel'])})</span>" \
            if e["protected_channel"] else ""
        rows.append(f"<tr><td>{h(e['time'])}</td><td>{h(e['kind'])}: {h(e['action'])}</td>"
                    f"<td>{h(e['label'])}{prot}</td><td>{when}</td></tr>")
    rows.append("</table>")
    more = f"<p class=\"small\">First 300 of {len(events)} events listed.</p>" if len(events) > 300 else ""
    legend = (f"<p class=\"small\">Squares: copies distributed; circles: access events; grey: after the first-seen "
              f"time (red line). {len(before)} of {len(events)} events came before it.</p>")
    return "".join(s) + legend + "".join(rows) + more


# -------------------------------------------------------------------- PDF
def render_pdf(page: str) -> bytes:
    """The HTML page as PDF; the page refers to nothing outside itself, and nothing is fetched."""
    try:
        import weasyprint
    except (ImportError, OSError):
        raise ReportError("PDF reports need WeasyPrint and the Pango library: `pip install weasyprint`, and on "
                          "Debian/Ubuntu `apt-get install libpango-1.0-0 libpangoft2-1.0-0`; "
                          "or use --format html") from None

    def no_fetch(url, *args, **kwargs):
        raise ValueError(f"external resources are not fetched ({url[:60]})")

    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        return weasyprint.HTML(string=page, url_fetcher=no_fetch).write_pdf()
    finally:
        log.setLevel(level)


# -------------------------------------------------------------------- writing
def render(data: dict, fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(finite(data), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    page = render_html(data)
    if fmt == "html":
        return page.encode("utf-8")
    return render_pdf(page)


def write_report(cases: Cases, case_id: str, fmt: str, out: str | os.PathLike | None = None, *,
                 overwrite: bool = False) -> dict:
    """Write the report (temporary file renamed at the end) and record it in the audit log."""
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    view = cases.view(case_id)
    path = Path(out) if out else Path(f"{view.case.id}-report.{fmt}")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if path.exists() and not overwrite:
        raise ConflictError(f"{path} already exists; use --force to overwrite or choose another --out")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    data = build_report(view)
    blob = render(data, fmt)
    sha = hashlib.sha256(blob).hexdigest()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        seq = cases.record("report", {"case": view.case.id, "format": fmt, "path": str(path), "sha256": sha,
                                      "bytes": len(blob), "verdict": data["verdict"],
                                      "revealed": [r.pseudonym for r in view.reveals]})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"case": view.case.id, "path": str(path), "format": fmt, "bytes": len(blob), "sha256": sha,
            "audit_seq": seq}
