"""The evidence report of a case: JSON (everything), a self-contained HTML page (inline CSS and
SVG, no JavaScript, every piece of text escaped), and a PDF of that page (WeasyPrint). Page 1
summarizes the case; each artifact's evidence follows, strongest first; long lists are short in
the body and full in an appendix and in CSV files beside the report.

Built from the pseudonymized `CaseView` only, so a report names people exactly as the case
shows them: by pseudonym, and by name only after a reveal with a stated reason.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import logging
import math
import os
import re
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
REPORT_VERSION = 2
# What the JSON report file says it is, as every --json output does ("leaktrace.<kind>/<version>").
# Its own kind: `case report --json` prints another shape (where the file was written) under
# leaktrace.case-report/1.
REPORT_SCHEMA = f"leaktrace.case-report-file/{REPORT_VERSION}"
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
    "content was first seen in public (where that time is unknown, before the artifact was obtained). "
    "Accounts that map to no recipient appear as accounts.",
    "The three kinds of evidence are kept in separate columns and never combined into a score: copy "
    "evidence (the marks), content exposure (who held the text), access events (who opened it, and how).",
    "People appear under pseudonyms derived from the workspace's secret key; a name is shown only after an "
    "investigator revealed it in this case with a stated reason. Every trace, reveal and report is recorded "
    "in the same tamper-evident audit log (shown by the command “leaktrace audit”).",
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
    "Under a pseudonym the report gives no copy id and no ledger entry number: the manifest and the ledger "
    "export name the holder of each, so either would unmask the person. A revealed person's copy is named. "
    "Times are kept, as evidence needs them; an auditor holding the ledger export can match them, and is "
    "entitled to the names it holds.",
)


UNKNOWN_FIRST_SEEN_LIMIT = (
    "Where the first-seen time is unknown, the exposure set and the timeline are counted up to when the "
    "artifact was obtained, the latest the content can have been first seen: they may hold people and events "
    "from after the content was in fact public.")


class ReportError(LeaktraceError):
    """A report cannot be produced as asked (PDF support missing)."""


# -------------------------------------------------------------------- JSON
ACCESS_ACTIONS = ("view", "download", "print", "export")   # someone opened or took the document
COMMUNICATIONS = ("share", "forward")                     # it went from one account to another
SHORT_EXPOSURE = 15      # rows of an exposure set in the body; the rest in the appendix and the CSV
SHORT_EVENTS = 60        # access events and communications in the body; all in the appendix
SHORT_SITES = 30         # sites read of the visible channels in the body; the rest in the CSV
SHORT_INVISIBLE = 6      # sites read of the invisible channel in the body
SHORT_TABLE = 15         # rows of a table short enough to keep on one page
LISTS = ("exposure", "timeline", "sites")   # report.pdf -> report-exposure.csv, ...


def finding_json(f: Finding) -> dict:
    r = f.result
    passages = []
    for p, hl in zip(r.passages, f.highlights):
        passages.append({**asdict(p), "read_sites": [[s, e] for s, e, _ in hl],
                         "read_site_ids": [list(ids) for _, _, ids in hl]})
    out = {
        # first_seen is the exposure cut-off: when it was obtained where first_seen_known is false
        "artifact": f.artifact.to_json(), "traced_at": f.traced_at, "first_seen": f.artifact.first_seen,
        "first_seen_known": f.artifact.first_seen_known,
        "verdict": f.verdict, "verdict_text": f.verdict_text, "document": r.document,
        "leak_words": r.leak_words, "aligned_words": r.aligned_words, "sites_covered": r.sites_covered,
        "sites_read": r.sites_read, "bar": r.bar, "recipients_scored": r.recipients_scored,
        "more_words_needed": r.more_words_needed, "notes": list(f.notes), "passages": passages,
        "site_reads": [asdict(s) for s in r.site_reads],
        "copies": sorted((c.to_json() for c in f.copies),
                         key=lambda c: (not c["identified"], _bound(c["false_accusation_bound"]), -c["score"])),
        "copies_not_listed": max(0, r.recipients_scored - len(f.copies)),
        "all_scores": list(r.all_scores), "score_bar": r.score_bar,
        "exposure": sorted((x.to_json() for x in f.exposure), key=relevance),
        "protected_holders": [x.to_json() for x in f.protected_holders],
        "timeline": sorted(f.timeline, key=_event_relevance),
        "artifact_text": f.artifact_text[:ARTIFACT_TEXT_MAX],
        "artifact_text_truncated": len(f.artifact_text) > ARTIFACT_TEXT_MAX,
    }
    out["headline"] = headline(out)
    return out


def _bound(b) -> float:
    try:
        return float(b)
    except (TypeError, ValueError):
        return 1.0


def relevance(row: dict) -> tuple:
    """Exposure rows, most relevant first: copy evidence over the bar, then access events before
    the first-seen time, then the strength of copy evidence below the bar, then holding a copy."""
    ev = row["copy_evidence"]
    return (not (ev and ev["identified"]), not row["access_events"],
            _bound(ev["false_accusation_bound"]) if ev else 2.0, -len(row["access_events"]), row["label"])


def event_class(e: dict) -> str:
    if e["kind"] == "distribution":
        return "distribution"
    return "communication" if e["action"] in COMMUNICATIONS else "access"


def _event_relevance(e: dict) -> tuple:
    """Timeline entries: access events and communications before the first-seen time, then those
    after it, then distributions; in time order within each."""
    rank = 2 if e["kind"] == "distribution" else 0 if e["before_first_seen"] else 1
    return (rank, e["time"], e.get("seq") or 0)


def headline(f: dict) -> str:
    """The verdict on one artifact in one line."""
    if f["document"] is None or f["verdict"] == "no_match":
        return "NO MATCH: the text comes from no registered document; it says nothing about any copy or person"
    ident = [c for c in f["copies"] if c["identified"]]
    if ident:
        return "IDENTIFIED: " + "; ".join(
            f"the copy issued to {c['label']}" + (f" (protected channel: {c['protected']})" if c["protected"] else "")
            + f", false-accusation bound {_plain_num(c['false_accusation_bound'])}, "
              f"{c['agreed']} of {c['read']} marks agree" for c in ident)
    read = sum(f["sites_read"].values())
    best = (f"; best copy's bound {_plain_num(f['copies'][0]['false_accusation_bound'])}"
            if f["copies"] else "")
    return (f"{f['verdict'].replace('_', ' ').upper()}: {read} mark{'s' if read != 1 else ''} read, no copy clears "
            f"the bar{best}; nobody is identified")


def _plain_num(x) -> str:
    if isinstance(x, str):
        return x
    return f"{x:.1e}" if x < 0.01 else f"{x:.3f}"


def list_paths(path: Path) -> dict[str, Path]:
    """The CSV files written beside a report: report.pdf -> report-exposure.csv, ..."""
    return {k: path.with_name(f"{path.stem}-{k}.csv") for k in LISTS}


def build_report(view: CaseView, lists: dict[str, str] | None = None) -> dict:
    """The report's data. `lists`: the names of the CSV files written beside it, to say where they are."""
    findings = [finding_json(f) for f in view.findings]
    verdicts = {f["verdict"] for f in findings}
    overall = next((v for v in ("identified", "inconclusive", "no_match") if v in verdicts), "not_traced")
    if findings:
        summary = "\n".join(f"{f['artifact']['id']}: {f['headline']}." for f in findings)
    else:
        summary = "No artifact of this case has been traced yet: there are no findings."
    return {
        "type": REPORT_TYPE, "version": REPORT_VERSION, "generated_at": chain.now(),
        "generated_by": investigator(),
        "case": view.case.to_json(), "verdict": overall, "summary": summary, "caveat": CAVEAT,
        "custody": [a.to_json() for a in view.artifacts], "findings": findings,
        "reveals": [r.to_json() for r in view.reveals],
        "method": list(METHOD),
        "limits": list(LIMITS) + ([UNKNOWN_FIRST_SEEN_LIMIT]
                                  if any(not a.first_seen_known for a in view.artifacts) else []),
        "lists": dict(lists or {}),
    }


# -------------------------------------------------------------------- CSV
def _cell(v) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted (leaks are hostile)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    s = str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def _csv(header: list[str], rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue().encode("utf-8")


def render_lists(data: dict) -> dict[str, bytes]:
    """The full lists of the report as CSV, most relevant rows first: the exposure set of every
    artifact, its timeline, and the sites read. Pseudonyms as in the report."""
    exposure, timeline, sites = [], [], []
    for f in data["findings"]:
        a, doc = f["artifact"]["id"], (f["document"] or {}).get("id")
        seen = f["first_seen"] if _seen_known(f) else "unknown"   # the cut-off is in exposure_up_to
        for k, r in enumerate(f["exposure"], 1):
            ev, ce = r["copy_evidence"], r["content_exposure"]
            exposure.append([
                a, doc, seen, f["first_seen"], k, r["label"], r["subject"]["pseudonym"], r["subject"]["kind"],
                ("identified" if ev["identified"] else "below the bar") if ev else "not among the listed copies",
                ev["false_accusation_bound"] if ev else None, ev["agreed"] if ev else None,
                ev["read"] if ev else None, ce["held_copy"], ce["copy"], ce["distributed_at"],
                len(r["access_events"]),
                "; ".join(f"{e['time']} {e['action']} ({e['source']})" for e in r["access_events"])])
        for e in f["timeline"]:
            timeline.append([a, doc, seen, f["first_seen"], e["time"], event_class(e), e["action"], e["label"],
                             e["pseudonym"], e["before_first_seen"], e.get("copy"),
                             ", ".join(e.get("sections") or []), e.get("source"), e["protected_channel"]])
        best = f["copies"][0]["label"] if f["copies"] else None
        for x in sorted(f["site_reads"], key=lambda x: (x["channel"] == "invisible", x["site"])):
            sites.append([a, doc, x["site"], x["line"], x["channel"], x["kind"], x["status"], x["observed"],
                          x["accused"], best, x["agrees"]])
    return {
        "exposure": _csv(["artifact", "document", "first_seen", "exposure_up_to", "rank", "who", "pseudonym", "kind",
                          "copy_evidence", "false_accusation_bound", "marks_agreeing", "marks_read", "held_copy",
                          "copy", "copy_issued_at", "access_events_before_first_seen", "access_events"], exposure),
        "timeline": _csv(["artifact", "document", "first_seen", "exposure_up_to", "time", "event", "action", "who",
                          "pseudonym", "before_first_seen", "copy", "sections", "source", "protected_channel"],
                         timeline),
        "sites": _csv(["artifact", "document", "site", "line", "channel", "kind", "status", "leak_shows",
                       "best_copy_has", "best_copy_issued_to", "agrees"], sites),
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
  margin-top: 1.4em; } h3 { font-size: 11pt; margin-bottom: .3em;
  break-after: avoid; page-break-after: avoid; }
.summary, .artifact-section, .appendix { break-before: page; page-break-before: always; }
.summary { break-before: auto; page-break-before: auto; }
.after-evidence { margin-top: 2.2em; }
.meta { color: #444; } .verdict { font-size: 12pt; font-weight: bold; text-transform: uppercase; }
.identified { color: #8b0000; } .inconclusive { color: #7a5a00; } .no_match, .not_traced { color: #225522; }
.caveat { border: 2px solid #8b0000; padding: .5em .8em; background: #fff4f4; margin: 1em 0; }
.box { border: 1px solid #bbb; padding: .5em .8em; background: #f7f7f7; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eee; } .custody th { width: 11em; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.mono, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
.custody .mono { word-break: break-all; } .file, td.mono { white-space: nowrap; }
.inv { font-size: 5.5pt; color: #777; vertical-align: super; }
.artifact { white-space: pre-wrap; font-size: 9pt; }
.side td { width: 50%; white-space: pre-wrap; font-size: 9pt; }
mark { background: #ffe066; border-bottom: 2px solid #b08800; }
sup.site { font-size: 6pt; color: #7a5a00; font-weight: bold; }
.protected { color: #225522; font-style: italic; }
figure, .keep { margin: .6em 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 8.5pt; color: #333; margin-top: .2em; }
svg { max-width: 100%; height: auto; } .small { font-size: 8pt; color: #444; }
.grid { font-size: 7.5pt; line-height: 1.5; }
/* the first appendix opens a page; the next ones follow on, so that the last names of a long
   list never stand alone on a page before the next appendix's page */
h2.appendix ~ h2.appendix { break-before: auto; page-break-before: auto; margin-top: 2em; }
/* two columns: a 16-character pseudonym with its copy and time never wraps, whatever its letters,
   so the pages fall the same way for every workspace key */
.grid > span { display: inline-block; width: 49%; }
.nw { white-space: nowrap; }
.compact { font-size: 8pt; } .compact td, .compact th { padding: 2px 4px; }
.lines td:first-child { white-space: nowrap; width: 6em; font-weight: bold; }
"""


def render_html(data: dict) -> str:
    c = data["case"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{h(c['id'])} — {h(c['title'])} — evidence report</title>",
        f"<style>{CSS}</style></head><body>",
        _summary_html(data),
    ]
    for f in data["findings"]:
        parts.append(_finding_html(f, data.get("lists") or {}))
    parts.append("<h2 class=\"after-evidence\">Chain of custody</h2>")
    for a in data["custody"]:
        rows = [("artifact", h(a["id"])), ("original name", h(a["original_name"])), ("size", f"{a['size']} bytes"),
                ("SHA-256", f"<span class=\"mono\">{h(a['sha256'])}</span>"),
                ("obtained from", h(a["obtained_from"])), ("obtained at", h(a["obtained_at"])),
                ("first seen in public", h(a["first_seen"]) if _seen_known(a) else UNKNOWN_SAID)]
        if a.get("url"):
            rows.append(("URL", h(a["url"])))
        rows.append(("added by", f"{h(a['added_by'])} at {h(a['added_at'])}"))
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
    if c.get("status") == "closed":
        parts.append(f"<h2>Disposition</h2><p>{_disposition(c)}</p>")
    parts.append("<h2>Method</h2>" + "".join(f"<p>{h(p)}</p>" for p in data["method"]))
    parts.append("<h2>Limits</h2><ul>" + "".join(f"<li>{h(p)}</li>" for p in data["limits"]) + "</ul>")
    parts.append(f"<div class=\"caveat\"><strong>{h(data['caveat'])}</strong></div>")
    parts.append(_appendix_html(data))
    parts.append("</body></html>")
    # a header row is repeated on every page a table runs over
    return _HEADER_ROW.sub(r"<table\1><thead><tr>\2</tr></thead>", "\n".join(parts))


_HEADER_ROW = re.compile(r"<table([^>]*)><tr>((?:<th>(?:(?!</?t[dh]>).)*</th>)+)</tr>", re.S)


def _disposition(c: dict) -> str:
    names = ", ".join(c.get("names") or []) or "no one"
    return (f"Closed on {h(c['closed_at'])} by {h(c['closed_by'])}: <strong>{h(c['disposition'])}</strong>, "
            f"naming {h(names)}. Reason: {h(c['closing_reason'])}")


def _lists_note(lists: dict) -> str:
    if not lists:
        return "the appendix"
    return "the appendix and in " + ", ".join(f"<span class=\"mono file\">{h(v)}</span>" for v in lists.values())


def _summary_html(data: dict) -> str:
    """Page 1: the case, each artifact's verdict in one line, who is identified and with what bound,
    what was revealed, access events and communications, the disposition."""
    c, findings, lists = data["case"], data["findings"], data.get("lists") or {}
    status = "closed" if c.get("status") == "closed" else "open"
    p = ["<div class=\"summary\">",
         f"<h1>{h(c['id'])}: {h(c['title'])}</h1>",
         f"<p class=\"meta\">Purpose: {h(c['purpose'])}<br>Opened {h(c['opened_at'])} by {h(c['opened_by'])}; "
         f"{status}. Report generated {h(data['generated_at'])} by {h(data['generated_by'])}.</p>",
         "<h2>Summary of the case</h2>"]
    if not findings:
        p.append(f"<p>{h(data['summary'])}</p>")
    else:
        counts: dict[str, int] = {}
        for f in findings:
            counts[f["verdict"]] = counts.get(f["verdict"], 0) + 1
        said = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in counts.items())
        p.append(f"<p>{len(findings)} finding{'s' if len(findings) != 1 else ''} on {len(data['custody'])} "
                 f"artifact{'s' if len(data['custody']) != 1 else ''}: {h(said)}. One line each:</p>")
        p.append("<table class=\"lines\">")
        for f in findings:
            a = f["artifact"]
            doc = f"{h(f['document']['id'])} “{h(f['document']['title'])}”" if f["document"] else "no document"
            p.append(f"<tr><td>{h(a['id'])}</td><td><span class=\"verdict-line {h(f['verdict'])}\">"
                     f"<strong>{h(f['headline'])}</strong></span><br><span class=\"small\">{h(a['original_name'])}; "
                     f"from {doc}; {_first_seen_said(f)}</span></td></tr>")
        p.append("</table>")
    traced = {f["artifact"]["id"] for f in findings}
    untraced = [a["id"] for a in data["custody"] if a["id"] not in traced]
    if untraced:
        p.append(f"<p>Not traced yet: {h(', '.join(untraced))}.</p>")
    ident = [(f["artifact"]["id"], x) for f in findings for x in f["copies"] if x["identified"]]
    if ident:
        items = "".join(f"<li><strong>{_who(x['label'])}</strong>: {_copy_words(x['copy'])}in {h(a)}; the chance "
                        f"that an innocent copy matches this well is at most {h(_plain_num(x['false_accusation_bound']))}"
                        + (f" (protected channel: {h(x['protected'])}, never evidence of leaking)"
                           if x["protected"] else "") + "</li>" for a, x in ident)
        p.append(f"<h3>Whose copy the text came from</h3><ul>{items}</ul>")
    else:
        p.append("<h3>Whose copy the text came from</h3><p>No copy clears the bar: nobody is identified.</p>")
    p.append("<h3>Names revealed</h3>")
    if data["reveals"]:
        items = "".join(f"<li>{h(r['pseudonym'])} is {h(r['subject'])}: "
                        + ("with copy evidence over the bar" if r.get("copy_evidence", True)
                           else "<strong>no copy evidence over the bar</strong>")
                        + f" (reason: {h(r['reason'])})</li>" for r in data["reveals"])
        p.append(f"<ul>{items}</ul>")
    else:
        p.append("<p>None: everyone appears under a pseudonym.</p>")
    seen: dict[tuple, dict] = {}
    for f in findings:
        for e in f["timeline"]:
            if e["kind"] != "distribution" and e["before_first_seen"]:
                seen.setdefault((e.get("seq"), e["time"], e["pseudonym"], e["action"]), e)
    acc = [e for e in seen.values() if event_class(e) == "access"]
    com = [e for e in seen.values() if event_class(e) == "communication"]
    if findings:
        def tally(events: list[dict]) -> str:
            by: dict[str, int] = {}
            for e in events:
                by[e["action"]] = by.get(e["action"], 0) + 1
            who = len({e["pseudonym"] for e in events})
            return (f"{len(events)} ({', '.join(f'{a} {n}' for a, n in by.items())}) by {who} "
                    f"{'person or account' if who == 1 else 'people or accounts'}") if events else "none"
        holders = max((len(f["exposure"]) for f in findings), default=0)
        unknown = [f["artifact"]["id"] for f in findings if not _seen_known(f)]
        where = " (where that is unknown, when it was obtained)" if unknown else ""
        p.append(f"<h3>Who could have seen the text before it was first seen{where}</h3>"
                 f"<p>Up to {holders} people and accounts per artifact held a copy or opened the document. Access "
                 f"events before the first-seen time{where}: {h(tally(acc))}. Communications (shared, forwarded): "
                 f"{h(tally(com))}. Every one is listed in the artifact's section; the full exposure sets and "
                 f"timelines are in {_lists_note(lists)}.</p>")
        if unknown:
            p.append(f"<p>When the content of {h(', '.join(unknown))} was first seen in public is unknown: "
                     f"{'its' if len(unknown) == 1 else 'their'} exposure set and timeline are counted up to when "
                     f"{'it was' if len(unknown) == 1 else 'they were'} obtained.</p>")
    if c.get("status") == "closed":
        p.append(f"<h3>Disposition</h3><p>{_disposition(c)}</p>")
    p.append(f"<div class=\"caveat\"><strong>{h(data['caveat'])}</strong></div>")
    p.append("</div>")
    return "\n".join(p)


def _short_time(t: str) -> str:
    return (t or "")[:16].replace("T", " ") + (" UTC" if t else "")


UNKNOWN_SAID = "unknown (exposure counted up to when it was obtained)"


def _seen_known(x: dict) -> bool:
    """Whether a finding's or an artifact's first-seen time is known (reports written before it
    could be unknown have no such key, and knew it). Where it is not, its `first_seen` holds the
    time it was obtained: the exposure cut-off, never to be shown as a first-seen time."""
    return x.get("first_seen_known", True)


def _first_seen_said(f: dict) -> str:
    """'first seen <time>', or that it is unknown, as the report says it of a finding (escaped)."""
    if _seen_known(f):
        return f"first seen {h(_short_time(f['first_seen']))}"
    return f"first seen: unknown (exposure counted up to when it was obtained, {h(_short_time(f['first_seen']))})"


def _cutoff(f: dict) -> str:
    """The time the exposure is counted up to, in words."""
    return "the first-seen time" if _seen_known(f) else "the time it was obtained"


def _before(f: dict) -> str:
    """'before <the cut-off>' for a heading (escaped)."""
    if _seen_known(f):
        return f"before {h(_short_time(f['first_seen']))}"
    return f"before it was obtained, {h(_short_time(f['first_seen']))} (first seen in public: unknown)"


def _events_word(f: dict) -> str:
    return "access events before first seen" if _seen_known(f) else "access events before it was obtained"


def _finding_html(f: dict, lists: dict) -> str:
    a = f["artifact"]
    doc = f["document"]
    p = [f"<div class=\"artifact-section\"><h2>Artifact {h(a['id'])}: {h(a['original_name'])}</h2>",
         f"<p class=\"verdict {h(f['verdict'])}\">{h(f['verdict'].replace('_', ' '))}</p>",
         f"<p>{h(f['verdict_text'])}</p>",
         f"<p class=\"small\">Traced {h(f['traced_at'])}. "
         + (f"First seen in public {h(f['first_seen'])}. " if _seen_known(f) else
            "First seen in public: unknown; the exposure is counted up to when it was obtained, "
            f"{h(f['first_seen'])}. ")
         + f"Artifact: {f['leak_words']} words"
         + (f"; {f['aligned_words']} aligned to {h(doc['id'])} “{h(doc['title'])}”; its whole text is in "
            "Appendix C" if doc else "") + ".</p>"]
    if doc:
        p.append(_copy_evidence_html(f))
        p.append(_sites_html(f, lists))
        p.append(_exposure_html(f, lists))
        p.append(_timeline_html(f, lists))
    else:
        p.append(_artifact_text_html(f))
    p.append("</div>")
    return "\n".join(p)


def _artifact_text_html(f: dict) -> str:
    return ("<div class=\"box artifact\">" + shown(f["artifact_text"]) + "</div>"
            + ("<p class=\"small\">(shortened; the full text is in the stored artifact)</p>"
               if f["artifact_text_truncated"] else ""))


def _copy_evidence_html(f: dict) -> str:
    p = ["<h3>Copy evidence, strongest first</h3>"]
    ident = [x for x in f["copies"] if x["identified"]]
    for x in ident:
        copy = f" (copy {h(x['copy'])})" if x["copy"] else ""
        p.append(f"<p><strong>Identified: the copy issued to {_who(x['label'])}</strong>{copy}: "
                 f"{x['agreed']} of {x['read']} marks agree; false-accusation bound "
                 f"{h(_plain_num(x['false_accusation_bound']))}, below the bar of {h(_plain_num(f['bar']))}.</p>")
    if not ident:
        p.append(f"<p>No copy clears the bar of {h(_plain_num(f['bar']))}. The copies that scored best are "
                 "candidates only: none of them is identified.</p>")
    p.append(_chart(f))
    if f["copies"]:
        p.append("<table><tr><th>copy issued to</th><th>copy</th><th>score</th><th>false-accusation bound</th>"
                 "<th>marks agreeing</th><th>result</th></tr>")
        for x in f["copies"]:
            res = "<strong>identified</strong>" if x["identified"] else "below the bar (candidate)"
            prot = (f" <span class=\"protected\">protected channel ({h(x['protected'])}): never evidence of "
                    "leaking</span>") if x["protected"] else ""
            p.append(f"<tr><td>{_who(x['label'])}{prot}</td><td class=\"mono\">{h(x['copy'] or UNDER_PSEUDONYM)}</td>"
                     f"<td>{_fixed(x['score'], 2)}</td><td>{_num(x['false_accusation_bound'])}</td>"
                     f"<td>{x['agreed']} of {x['read']}</td><td>{res}</td></tr>")
        p.append("</table>")
    if f["copies_not_listed"]:
        p.append(f"<p class=\"small\">{f['copies_not_listed']} other issued copies scored lower and are not "
                 "listed; the chart below shows how all of them scored.</p>")
    p.append(_histogram(f))
    return "\n".join(p)


def _variant(v: str, status: str = "read") -> str:
    if status != "read":
        return "<em>unreadable</em>"
    if v == "":
        return "<em>(nothing)</em>"
    if not v.strip():
        n = len(v)
        return f"<em>{n} space{'s' if n != 1 else ''}</em>"
    return f"<span class=\"mono\">{h(v)}</span>"


def _body_sites(f: dict) -> list[dict]:
    visible = [x for x in f["site_reads"] if x["channel"] != "invisible"]
    invisible = [x for x in f["site_reads"] if x["channel"] == "invisible"]
    return visible[:SHORT_SITES] + invisible[:SHORT_INVISIBLE]


def _sites_html(f: dict, lists: dict) -> str:
    """The marks read: at each site, what the leak shows and what the best-scoring copy has, and
    the leak beside the registered text with those sites highlighted and numbered."""
    doc = f["document"]
    read = ", ".join(f"{h(ch)} {f['sites_read'].get(ch, 0)} of {n}" for ch, n in f["sites_covered"].items())
    p = ["<h3>The marks read: what the leak says and what the copy has</h3>",
         f"<p>Sites read, of those the artifact covers, per channel: {read or 'none'}.</p>"]
    rows = _body_sites(f)
    number = {x["site"]: k for k, x in enumerate(rows, 1)}
    if rows and f["copies"]:
        best = f["copies"][0]
        for x in f["copies"]:   # site_reads compare with the best-scoring copy
            if x["score"] > best["score"]:
                best = x
        p.append(f"<table><tr><th>#</th><th>line</th><th>channel: kind of site</th><th>the leak says</th>"
                 f"<th>the copy issued to {_who(best['label'])} has</th><th>agree</th></tr>")
        for k, x in enumerate(rows, 1):
            p.append(f"<tr><td>{k}</td><td>{x['line']}</td><td>{h(x['channel'])}: {h(x['kind'])}</td>"
                     f"<td>{_variant(x['observed'], x['status'])}</td><td>{_variant(x['accused'])}</td>"
                     f"<td>{'yes' if x['agrees'] else '<strong>no</strong>'}</td></tr>")
        p.append("</table>")
        left = len(f["site_reads"]) - len(rows)
        if left > 0:
            agree = sum(1 for x in f["site_reads"] if x["agrees"])
            p.append(f"<p class=\"small\">{len(f['site_reads'])} sites listed by the trace, {agree} of them agree "
                     f"with that copy; {left} more are not shown here"
                     + (f" (all are in <span class=\"mono\">{h(lists['sites'])}</span>)"
                        if "sites" in lists else " (all are in the JSON report)") + ".</p>")
    p.append("<p class=\"small\">Below, left: the artifact's text; small grey codes are invisible characters "
             f"(e.g. 200B, a zero-width space). Right: the registered text of {h(doc['id'])}; "
             "<mark>highlighted</mark> are the sites whose marks were read, numbered as in the table above.</p>")
    p.append("<table class=\"side\"><tr><th>artifact " + h(f["artifact"]["id"]) + "</th><th>" + h(doc["id"])
             + " (registered text)</th></tr>")
    for ps in f["passages"]:
        spans = [(s, e, ids) for (s, e), ids in zip(ps["read_sites"], ps.get("read_site_ids")
                                                     or [[] for _ in ps["read_sites"]])]
        p.append(f"<tr><td>{shown(ps['leak_text'])}</td><td>{_highlighted(ps['doc_text'], spans, number)}</td></tr>")
    p.append("</table>")
    return "\n".join(p)


def _exposure_html(f: dict, lists: dict) -> str:
    rows = f["exposure"]
    p = [f"<h3>Exposure set: who could have seen this text {_before(f)}</h3>",
         "<p class=\"small\">Three separate kinds of evidence, never combined. Being in this set is not evidence "
         f"of leaking. Most relevant first: copy evidence over the bar, then access events before {_cutoff(f)}, "
         "then copy evidence below the bar, then holding a copy.</p>"]
    if not rows:
        p.append("<p>Nobody is recorded as having held or opened the document before that time.</p>")
    else:
        short = [r for r in rows if r["copy_evidence"] is not None or r["access_events"]][:SHORT_EXPOSURE]
        p.append("<table><tr><th>person or account</th><th>copy evidence</th><th>content exposure</th>"
                 f"<th>{_events_word(f)}</th></tr>")
        for r in short:
            p.append(f"<tr><td>{_who(r['label'])}</td><td>{_copy_cell(r['copy_evidence'])}</td>"
                     f"<td>{_content_cell(r['content_exposure'])}</td><td>{_access_cell(r['access_events'])}</td></tr>")
        p.append("</table>")
        held = sum(1 for r in rows if r["content_exposure"]["held_copy"])
        p.append(f"<p>{len(rows)} people and accounts in all ({held} held a copy); the {len(rows) - len(short)} "
                 f"not shown here held a copy with no copy evidence listed and no access events, or rank "
                 f"lower. The full set is in {_lists_note(lists)}.</p>")
    if f["protected_holders"]:
        p.append("<p class=\"protected\">Protected channels that were issued a copy (never evidence of leaking): "
                 + ", ".join(f"{_who(r['label'])} ({h(r['protected_channel'])})" for r in f["protected_holders"])
                 + ".</p>")
    return "\n".join(p)


def _timeline_html(f: dict, lists: dict) -> str:
    events = f["timeline"]
    p = [f"<h3>Timeline: distribution, access events and communications against {_cutoff(f)}</h3>"]
    if not events:
        p.append("<p>The ledger records no distribution or access of this document.</p>")
        return "\n".join(p)
    p.append(_timeline_svg(events, f["first_seen"], _seen_known(f)))
    # the short count of distributions before the long table of events: a page break falls inside
    # the table, between its rows, rather than leaving a lone paragraph on a page of its own
    p.append(_distribution_summary(events, lists, _cutoff(f)))
    moves = [e for e in events if e["kind"] != "distribution"]
    if moves:
        p.append(_events_table(moves[:SHORT_EVENTS], _seen_known(f)))
        if len(moves) > SHORT_EVENTS:
            p.append(f"<p class=\"small\">{SHORT_EVENTS} of {len(moves)} access events and communications "
                     f"shown, those before {_cutoff(f)} first; all are in {_lists_note(lists)}.</p>")
    else:
        p.append("<p>No access event or communication of this document is recorded.</p>")
    return "\n".join(p)


def _events_table(events: list[dict], seen_known: bool = True) -> str:
    when = "first seen" if seen_known else "it was obtained"
    # a short table is kept whole: split, it could leave a row or two alone on a page
    keep = " class=\"keep\"" if len(events) <= SHORT_TABLE else ""
    rows = [f"<table{keep}><tr><th>time (UTC)</th><th>what</th><th>who</th><th>before or after {when}</th>"
            "<th>logged by</th></tr>"]
    for e in events:
        when = "before" if e["before_first_seen"] else "after"
        rows.append(f"<tr><td>{h(_short_time(e['time']))}</td><td>{h(event_class(e))}: {h(e['action'])}</td>"
                    f"<td>{_who(e['label'])}</td><td>{when}</td>"
                    f"<td class=\"small\">{h(e.get('source') or '')}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _distribution_groups(events: list[dict]) -> list[tuple[tuple, list[dict]]]:
    groups: dict[tuple, list[dict]] = {}
    for e in events:
        if e["kind"] == "distribution":
            key = (e["time"][:10], tuple(e.get("sections") or ()), e["before_first_seen"])
            groups.setdefault(key, []).append(e)
    return sorted(groups.items())


def _distribution_summary(events: list[dict], lists: dict, cutoff: str = "the first-seen time") -> str:
    groups = _distribution_groups(events)
    if not groups:
        return "<p>No copy of this document was distributed.</p>"
    items = []
    for (day, sections, before), es in groups:
        prot = sum(1 for e in es if e["protected_channel"])
        what = f"sections {', '.join(sections)}" if sections else "the whole document"
        items.append(f"<li>{day}: {len(es)} cop{'y' if len(es) == 1 else 'ies'} of {h(what)} distributed"
                     + (f" ({prot} to protected channels)" if prot else "")
                     + ("" if before else f", after {cutoff}") + "</li>")
    # one block: the last line of it never stands alone on a page
    return (f"<div class=\"keep\"><p>Distributions, counted per day and sections:</p><ul>{''.join(items)}</ul>"
            f"<p class=\"small\">Each copy and its holder is listed in {_lists_note(lists)}.</p></div>")


def _appendix_html(data: dict) -> str:
    """The full lists: each distinct exposure set once (artifacts with the same set share it), with a
    column of copy evidence per artifact, and each document's distributions and access events."""
    findings = [f for f in data["findings"] if f["document"]]
    if not findings:
        return ""
    lists = data.get("lists") or {}
    texts = ["<h2 class=\"appendix\">Appendix C: the artifacts' texts, as traced</h2>",
             "<p class=\"small\">Everything each artifact says, including what lies outside the passages aligned "
             "to a document; small grey codes are invisible characters.</p>"]
    for f in findings:
        texts.append(f"<h3>{h(f['artifact']['id'])}: {h(f['artifact']['original_name'])}</h3>" + _artifact_text_html(f))
    p = ["<h2 class=\"appendix\">Appendix A: the exposure sets in full</h2>",
         "<p class=\"small\">Most relevant first, as in the body. Artifacts traced to the same document with the "
         "same first-seen time share one set; the copy evidence of each is in its own column. "
         + (f"The same rows, one per artifact, are in <span class=\"mono\">{h(lists['exposure'])}</span>."
            if "exposure" in lists else "") + "</p>"]
    groups: dict[tuple, list[dict]] = {}
    for f in findings:
        key = (f["document"]["id"], f["first_seen"], _seen_known(f),
               tuple(r["subject"]["pseudonym"] for r in sorted(f["exposure"], key=lambda r: r["label"])))
        groups.setdefault(key, []).append(f)
    for (doc, first_seen, _, _), fs in groups.items():
        arts = [f["artifact"]["id"] for f in fs]
        p.append(f"<h3>{h(doc)} {_before(fs[0])}: artifact{'s' if len(arts) > 1 else ''} "
                 f"{h(', '.join(arts))} ({len(fs[0]['exposure'])} people and accounts)</h3>")
        evidence = {f["artifact"]["id"]: {r["subject"]["pseudonym"]: r["copy_evidence"] for r in f["exposure"]}
                    for f in fs}
        rows = sorted(fs[0]["exposure"], key=lambda r: min(
            relevance({**r, "copy_evidence": evidence[a].get(r["subject"]["pseudonym"])}) for a in arts))
        full = [r for r in rows if r["access_events"]
                or any(evidence[a].get(r["subject"]["pseudonym"]) for a in arts)]
        rest = [r for r in rows if r not in full]
        if full:
            p.append("<table class=\"compact\"><tr><th>person or account</th>"
                     + "".join(f"<th>copy evidence in {h(a)}</th>" for a in arts)
                     + f"<th>content exposure</th><th>{_events_word(fs[0])}</th></tr>")
            for r in full:
                cells = "".join(f"<td>{_short_copy(evidence[a].get(r['subject']['pseudonym']))}</td>" for a in arts)
                p.append(f"<tr><td>{_who(r['label'])}</td>{cells}<td>{_content_cell(r['content_exposure'])}</td>"
                         f"<td>{_access_cell(r['access_events'])}</td></tr>")
            p.append("</table>")
        if rest:
            p.append(f"<p>{len(rest)} held a copy and nothing more is recorded: no copy evidence listed in "
                     f"{h(', '.join(arts))}, no access events before {_cutoff(fs[0])}. Holder and copy:</p>")
            p.append("<div class=\"grid\">" + "".join(
                f"<span>{h(r['label'])} · <span class=\"mono\">{h(r['content_exposure']['copy'] or '')}</span></span>"
                for r in rest) + "</div>")
    p.append("<h2 class=\"appendix\">Appendix B: the timelines in full</h2>")
    if "timeline" in lists:
        p.append(f"<p class=\"small\">Every entry, one row per artifact, is also in "
                 f"<span class=\"mono\">{h(lists['timeline'])}</span>.</p>")
    done: dict[tuple, str] = {}
    for f in findings:
        key = (f["document"]["id"], f["first_seen"], _seen_known(f))
        if key in done:
            continue
        done[key] = f["artifact"]["id"]
        arts = [g["artifact"]["id"] for g in findings
                if (g["document"]["id"], g["first_seen"], _seen_known(g)) == key]
        p.append(f"<h3>{h(key[0])}, {_first_seen_said(f)} (artifact{'s' if len(arts) > 1 else ''} "
                 f"{h(', '.join(arts))})</h3>")
        moves = [e for e in f["timeline"] if e["kind"] != "distribution"]
        if moves:
            p.append(f"<p>Access events and communications ({len(moves)}):</p>"
                     + _events_table(moves, _seen_known(f)))
        else:
            p.append("<p>No access event or communication is recorded.</p>")
        for (day, sections, before), es in _distribution_groups(f["timeline"]):
            what = f"sections {', '.join(sections)}" if sections else "the whole document"
            p.append(f"<p>Distributed on {day}, {h(what)}, {'before' if before else 'after'} {_cutoff(f)} "
                     f"({len(es)}): holder · copy · time (UTC)</p>")
            p.append("<div class=\"grid\">" + "".join(
                f"<span>{h(e['label'])}"
                + (f" <span class=\"protected\">({h(e['protected_channel'])})</span>" if e["protected_channel"] else "")
                + f" · <span class=\"mono\">{h(e.get('copy') or '')}</span> · {h(e['time'][11:16])}</span>"
                for e in es) + "</div>")
    return "\n".join(p + texts)


UNDER_PSEUDONYM = "(under pseudonym)"   # a copy id shown only once its holder is revealed


def _copy_words(copy: str | None) -> str:
    return f"copy {h(copy)} " if copy else ""


def _short_copy(ev) -> str:
    if ev is None:
        return "not listed"
    return (f"<strong>identified</strong>, {_num(ev['false_accusation_bound'])}" if ev["identified"]
            else f"below the bar, {_num(ev['false_accusation_bound'])}")


def _highlighted(text: str, spans: list, number: dict | None = None) -> str:
    """The text with each span marked, and the number of the sites it holds as the table lists them."""
    out, at = [], 0
    number = number or {}
    for span in spans:
        s, e = span[0], span[1]
        ids = span[2] if len(span) > 2 else ()
        s, e = max(s, at), min(e, len(text))
        if e <= s:
            continue
        out.append(h(text[at:s]))
        nums = sorted({number[i] for i in ids if i in number})
        sup = f"<sup class=\"site\">{','.join(map(str, nums))}</sup>" if nums else ""
        out.append(f"<mark>{h(text[s:e])}</mark>{sup}")
        at = e
    out.append(h(text[at:]))
    return "".join(out)


def _who(label: str) -> str:
    """A person or account as a table shows them: a pseudonym is never broken at its hyphen."""
    return f"<span class=\"nw\">{h(label)}</span>"


def _num(x) -> str:
    return h(_plain_num(x))


def _fixed(x: float, digits: int) -> str:
    """A number with `digits` decimals, never "-0.0"."""
    s = f"{float(x):.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def _copy_cell(ev) -> str:
    if ev is None:
        return "not among the listed copies (scored lower)"
    res = "<strong>identified</strong>" if ev["identified"] else "below the bar"
    return f"{res}; bound {_num(ev['false_accusation_bound'])}; {ev['agreed']} of {ev['read']} marks agree"


def _content_cell(ce) -> str:
    if not ce["held_copy"]:
        return "was not issued a copy"
    copy = f"copy <span class=\"mono\">{h(ce['copy'])}</span>" if ce["copy"] else "a copy"
    return f"held {copy}, issued {h(_short_time(ce['distributed_at']))}"


def _access_cell(events) -> str:
    if not events:
        return "none"
    return "<br>".join(f"{h(_short_time(e['time']))} {h(e['action'])} <span class=\"small\">({h(e['source'])})</span>"
                       for e in events[:20]) + (f"<br>… and {len(events) - 20} more" if len(events) > 20 else "")


def _ticks(top: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`."""
    raw = max(top, 1e-9) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * k for k in range(int(math.ceil(top / step - 1e-9)) + 1)]


def _label(v: float) -> str:
    return _fixed(v, 0) if abs(v) >= 10 else _fixed(v, 1)


def _chart(f: dict) -> str:
    """Horizontal bars of -log10(false-accusation bound), the bar drawn as a red line, with axes."""
    copies = f["copies"]
    if not copies:
        return "<p>No copy was scored.</p>"
    bar = -math.log10(f["bar"])

    def strength(b) -> float:
        b = _bound(b)
        return 300.0 if b <= 0 else max(0.0, min(300.0, -math.log10(b)))

    vals = [strength(x["false_accusation_bound"]) for x in copies]
    ticks = _ticks(max(max(vals), bar * 1.5, 1.0))
    top = ticks[-1]
    left, width, row = 230, 420, 20
    plot_h = row * len(copies)
    y0 = 24
    height = y0 + plot_h + 44
    scale = width / top
    s = [f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 24}" height="{height}" '
         f'viewBox="0 0 {left + width + 24} {height}" role="img" aria-label="copy scores chart" '
         'font-family="DejaVu Sans, sans-serif">',
         '<title>Strength of the match of each listed copy: -log10 of its false-accusation bound</title>',
         f'<text x="{left - 6}" y="{y0 - 8}" font-size="10.5" text-anchor="end" font-weight="bold">'
         'copy issued to</text>']
    for t in ticks:
        xt = left + t * scale
        s.append(f'<line x1="{xt:.1f}" y1="{y0}" x2="{xt:.1f}" y2="{y0 + plot_h}" stroke="#e2e2e2"/>'
                 f'<text x="{xt:.1f}" y="{y0 + plot_h + 14}" font-size="10.5" text-anchor="middle">{_label(t)}</text>')
    for i, (x, v) in enumerate(zip(copies, vals)):
        y = y0 + i * row
        color = "#8b0000" if x["identified"] else "#8899aa"
        label = x["label"] if len(x["label"]) <= 38 else x["label"][:36] + "…"
        s.append(f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end">{h(label)}</text>')
        s.append(f'<rect x="{left}" y="{y + 2}" width="{max(v * scale, 1):.1f}" height="{row - 6}" fill="{color}"/>')
        s.append(f'<text x="{left + max(v * scale, 1) + 4:.1f}" y="{y + 14}" font-size="10">{_label(v)}</text>')
    s.append(f'<line x1="{left}" y1="{y0}" x2="{left}" y2="{y0 + plot_h}" stroke="#333"/>'
             f'<line x1="{left}" y1="{y0 + plot_h}" x2="{left + width}" y2="{y0 + plot_h}" stroke="#333"/>')
    xb = left + bar * scale
    s.append(f'<line x1="{xb:.1f}" y1="{y0 - 6}" x2="{xb:.1f}" y2="{y0 + plot_h}" stroke="#d00000" '
             f'stroke-width="2" stroke-dasharray="5,3"/>')
    s.append(f'<text x="{xb + 3:.1f}" y="{y0 - 8}" font-size="10.5" fill="#d00000">bar: bound 1e-{bar:.0f}</text>')
    s.append(f'<text x="{left + width / 2:.1f}" y="{y0 + plot_h + 34}" font-size="11" text-anchor="middle">'
             'match strength: −log10(false-accusation bound)</text>')
    s.append("</svg>")
    s.append("<figcaption>Each bar is one listed copy; longer is a stronger match. Only a bar that reaches past "
             "the red line (a false-accusation bound at or below the bar) identifies a copy; a strength of 0 means "
             "any innocent copy could match as well.</figcaption></figure>")
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
    left, width, height, y0 = 60, 590, 150, 16
    top = max(counts)
    base = y0 + height

    def xs(v: float) -> float:
        return left + (v - lo) / (hi - lo) * width

    s = [f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 24}" height="{base + 40}" '
         f'viewBox="0 0 {left + width + 24} {base + 40}" role="img" aria-label="all copies scores" '
         'font-family="DejaVu Sans, sans-serif">',
         f"<title>Scores of all {len(scores)} copies; the red line is the score needed to clear the bar</title>"]
    for c in sorted({1, top}):
        yc = base - (height - 10) * (c ** 0.5) / (top ** 0.5)
        s.append(f'<line x1="{left - 3}" y1="{yc:.1f}" x2="{left + width}" y2="{yc:.1f}" stroke="#e2e2e2"/>'
                 f'<text x="{left - 6}" y="{yc + 4:.1f}" font-size="10.5" text-anchor="end">{c}</text>')
    for i, c in enumerate(counts):
        if not c:
            continue
        bh = max(2.0, (height - 10) * (c ** 0.5) / (top ** 0.5))  # square-root scale: lone copies stay visible
        x = left + i * width / bins
        s.append(f'<rect x="{x:.1f}" y="{base - bh:.1f}" width="{width / bins - 1:.1f}" height="{bh:.1f}" '
                 f'fill="#8899aa"><title>{c} copies</title></rect>')
    if bar is not None:
        xb = xs(bar)
        s.append(f'<line x1="{xb:.1f}" y1="{y0}" x2="{xb:.1f}" y2="{base}" stroke="#d00000" stroke-width="2" '
                 f'stroke-dasharray="5,3"/><text x="{xb - 3:.1f}" y="{y0 + 10}" font-size="10.5" fill="#d00000" '
                 'text-anchor="end">bar</text>')
    s.append(f'<line x1="{left}" y1="{base}" x2="{left + width}" y2="{base}" stroke="#333"/>'
             f'<line x1="{left}" y1="{y0}" x2="{left}" y2="{base}" stroke="#333"/>')
    step = _ticks(hi - lo)[1]
    for k in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        t = k * step
        s.append(f'<line x1="{xs(t):.1f}" y1="{base}" x2="{xs(t):.1f}" y2="{base + 4}" stroke="#333"/>'
                 f'<text x="{xs(t):.1f}" y="{base + 15}" font-size="10.5" text-anchor="middle">'
                 f'{_fixed(t, 0 if step >= 1 else 1)}</text>')
    s.append(f'<text x="{left + width / 2:.1f}" y="{base + 32}" font-size="11" text-anchor="middle">score of a copy'
             '</text>')
    s.append(f'<text x="12" y="{y0 + height / 2:.1f}" font-size="9.5" text-anchor="middle" '
             f'transform="rotate(-90 12 {y0 + height / 2:.1f})">copies</text>')
    s.append("</svg>")
    note = ("With the marks read, no score can clear the bar." if bar is None
            else "Copies right of the red line would be identified.")
    s.append(f"<figcaption>How all {len(scores)} issued copies scored: the height of a bar is the number of copies "
             f"in that score interval (square-root scale, so that a lone copy stays visible). {note}</figcaption>"
             "</figure>")
    return "".join(s)


def _timeline_svg(events: list, first_seen: str, seen_known: bool = True) -> str:
    """Distributions (squares), access events (circles) and communications (diamonds) on a time
    axis; the red line is the first-seen time, or where that is unknown when it was obtained."""
    def ts(t: str) -> float:
        return datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()

    t0 = min([ts(e["time"]) for e in events] + [ts(first_seen)])
    t1 = max([ts(e["time"]) for e in events] + [ts(first_seen)])
    span = max(t1 - t0, 3600.0)
    t0 -= span * 0.03
    t1 += span * 0.03
    left, width, height = 110, 550, 140
    lanes = {"distribution": 40, "access": 72, "communication": 104}

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * width

    s = [f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 24}" height="{height + 26}" '
         f'viewBox="0 0 {left + width + 24} {height + 26}" role="img" aria-label="timeline" '
         'font-family="DejaVu Sans, sans-serif">',
         "<title>Distribution, access events and communications against the "
         f"{'first-seen time' if seen_known else 'time it was obtained'}</title>",
         f'<line x1="{left}" y1="{height - 10}" x2="{left + width}" y2="{height - 10}" stroke="#444"/>']
    for name, y in (("distributed", 44), ("accessed", 76), ("communicated", 108)):
        s.append(f'<text x="{left - 8}" y="{y}" font-size="11" text-anchor="end">{name}</text>'
                 f'<line x1="{left}" y1="{y - 4}" x2="{left + width}" y2="{y - 4}" stroke="#eeeeee"/>')
    for e in events[:5000]:
        cls = event_class(e)
        cx, cy = x(ts(e["time"])), lanes[cls]
        color = {"distribution": "#2255aa", "access": "#dd7700", "communication": "#7a2a9a"}[cls] \
            if e["before_first_seen"] else "#bbbbbb"
        if cls == "distribution":
            s.append(f'<rect x="{cx - 3:.1f}" y="{cy - 3}" width="6" height="6" fill="{color}"/>')
        elif cls == "access":
            s.append(f'<circle cx="{cx:.1f}" cy="{cy}" r="3.5" fill="{color}" fill-opacity="0.8"/>')
        else:
            s.append(f'<path d="M{cx:.1f},{cy - 4} l4,4 l-4,4 l-4,-4 z" fill="{color}"/>')
    xf = x(ts(first_seen))
    s.append(f'<line x1="{xf:.1f}" y1="16" x2="{xf:.1f}" y2="{height - 6}" stroke="#d00000" stroke-width="2"/>')
    s.append(f'<text x="{min(max(xf, left + 60), left + width - 60):.1f}" y="12" font-size="10.5" fill="#d00000" '
             f'text-anchor="middle">{"first seen" if seen_known else "obtained"} '
             f'{h(first_seen[:16].replace("T", " "))}</text>')
    for k, t in enumerate(t0 + (t1 - t0) * k / 4 for k in range(5)):
        anchor = "start" if k == 0 else "end" if k == 4 else "middle"
        label = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M" if t1 - t0 < 4 * 86400 else "%Y-%m-%d")
        s.append(f'<line x1="{x(t):.1f}" y1="{height - 10}" x2="{x(t):.1f}" y2="{height - 6}" stroke="#444"/>'
                 f'<text x="{x(t):.1f}" y="{height + 5}" font-size="10" text-anchor="{anchor}">{h(label)}</text>')
    s.append(f'<text x="{left + width / 2:.1f}" y="{height + 20}" font-size="11" text-anchor="middle">time (UTC)'
             '</text>')
    s.append("</svg>")
    before = sum(1 for e in events if e["before_first_seen"])
    cut = ("the first-seen time (red line)" if seen_known
           else "the time it was obtained (red line; first seen in public: unknown)")
    s.append(f"<figcaption>Squares: copies distributed; circles: access events (view, download, print, export); "
             f"diamonds: communications (share, forward); grey: after {cut}. {before} of "
             f"{len(events)} entries came before it.</figcaption></figure>")
    return "".join(s)


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
        # "schema" first, as in every JSON leaktrace writes (`case show --json` versions the same data itself)
        doc = {"schema": REPORT_SCHEMA, **data}
        return (json.dumps(finite(doc), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    page = render_html(data)
    if fmt == "html":
        return page.encode("utf-8")
    return render_pdf(page)


def write_report(cases: Cases, case_id: str, fmt: str, out: str | os.PathLike | None = None, *,
                 overwrite: bool = False) -> dict:
    """Write the report, and for HTML and PDF its full lists as CSV files beside it (temporary
    files renamed at the end), and record them in the audit log."""
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    view = cases.view(case_id)
    path = Path(out) if out else Path(f"{view.case.id}-report.{fmt}")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    if path.exists() and not overwrite:
        raise ConflictError(f"{path} already exists; use --force to overwrite or choose another --out")
    extra = list_paths(path) if fmt != "json" else {}   # the JSON holds every list already
    data = build_report(view, {k: p.name for k, p in extra.items()})
    csvs = render_lists(data) if extra else {}
    for k, p in extra.items():
        # the same lists written beside report.html are no conflict for report.pdf
        if p.exists() and not overwrite and p.read_bytes() != csvs[k]:
            raise ConflictError(f"{p} already exists; use --force to overwrite or choose another --out")
    blobs = {path: render(data, fmt), **{p: csvs[k] for k, p in extra.items()}}
    shas = {p: hashlib.sha256(b).hexdigest() for p, b in blobs.items()}
    tmps: dict[Path, str] = {}
    try:
        for p, b in blobs.items():
            fd, tmps[p] = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(b)
        seq = cases.record("report", {"case": view.case.id, "format": fmt, "path": str(path), "sha256": shas[path],
                                      "bytes": len(blobs[path]), "verdict": data["verdict"],
                                      "revealed": [r.pseudonym for r in view.reveals],
                                      "lists": [{"path": str(p), "sha256": shas[p]} for p in extra.values()]})
        for p, t in tmps.items():
            os.replace(t, p)
    except BaseException:
        for t in tmps.values():
            Path(t).unlink(missing_ok=True)
        raise
    return {"case": view.case.id, "path": str(path), "format": fmt, "bytes": len(blobs[path]), "sha256": shas[path],
            "audit_seq": seq, "lists": {k: str(p) for k, p in extra.items()}}
