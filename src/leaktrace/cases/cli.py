"""`leaktrace case ...`, `leaktrace protected ...` and `leaktrace audit`: a thin layer over
`leaktrace.cases.book.Cases` and `leaktrace.cases.report`.

Mounted by `leaktrace.cli`; user errors are LeaktraceError, printed on one line by the main
entry point. Every name is shown through its pseudonym unless revealed in the case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..cliutil import JsonOpt, Table, WorkspaceOpt, console, emit_json, progress_bar, safe, show, stacked

app = typer.Typer(no_args_is_help=True, help="Investigations: artifacts, traces, exposure sets, reveals, reports.")
protected_app = typer.Typer(no_args_is_help=True,
                            help="Protected channels (inspector general, ombudsman, regulator, counsel): "
                                 "never presented as evidence of leaking.")

out = console()

_emit, _safe = emit_json, safe


def _cases(workspace: Optional[Path]):
    from ..workspace import Workspace
    from .book import Cases

    ws = Workspace.open(workspace)
    return ws, Cases(ws)


@app.command("open")
def case_open(title: str = typer.Argument(..., help="What the case is about."),
              purpose: str = typer.Option(..., "--purpose", help="Why it is opened (recorded in the audit log)."),
              workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Open a case; prints its id (C1)."""
    ws, cs = _cases(workspace)
    with ws:
        c = cs.open(title, purpose)
    if as_json:
        _emit(c.to_json())
    else:
        out.print(f"{c.id}\t{_safe(c.title)}")


@app.command("list")
def case_list(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """List cases."""
    ws, cs = _cases(workspace)
    with ws:
        items = cs.list()
    if as_json:
        _emit([c.to_json() for c in items])
        return
    t = Table("id", "title", "status", "artifacts", "traces", "opened")
    t.columns[2].no_wrap = True
    for c in items:
        status = "open" if c.status == "open" else f"closed: {c.disposition} ({c.closed_at[:10]})"
        t.add_row(c.id, _safe(c.title), status, str(c.artifacts), str(c.traces), c.opened_at[:10])
    out.print(t)


@app.command("close")
def case_close(case: str = typer.Argument(..., help="Case id, e.g. C1."),
               disposition: str = typer.Option(..., "--disposition",
                                               help="no-finding, inconclusive, referred, personnel-action or other."),
               reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit log)."),
               names: Optional[str] = typer.Option(None, "--names", metavar="PSEUDONYMS",
                                                   help="Comma-separated pseudonyms the disposition names; each "
                                                        "needs copy evidence over the bar in this case."),
               workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Close a case with a disposition and a reason; its evidence no longer changes."""
    ws, cs = _cases(workspace)
    with ws:
        c = cs.close(case, disposition, reason, tuple((names or "").split(",")))
    if as_json:
        _emit(c.to_json())
        return
    named = f", naming {', '.join(c.names)} on copy evidence over the bar" if c.names else ""
    out.print(f"{c.id} closed: {c.disposition}{named}. The disposition and its reason are in the audit log.")


@app.command("add")
def case_add(case: str = typer.Argument(..., help="Case id, e.g. C1."),
             file: Path = typer.Argument(..., help="The artifact: a text file or an HTML page as obtained."),
             obtained_from: str = typer.Option(..., "--obtained-from", help="Where or from whom it was obtained."),
             obtained_at: str = typer.Option(..., "--obtained-at", help="When it was obtained (ISO 8601)."),
             first_seen: Optional[str] = typer.Option(None, "--first-seen",
                                                      help="When the content was first seen in public (ISO "
                                                           "8601), or `unknown` (the default): then everyone "
                                                           "who could have seen it before it was obtained."),
             url: Optional[str] = typer.Option(None, "--url", help="Where it was published."),
             workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Attach an artifact with its chain of custody (SHA-256, size, where and when obtained)."""
    ws, cs = _cases(workspace)
    with ws:
        a = cs.add_artifact(case, file, obtained_from=obtained_from, obtained_at=obtained_at,
                            first_seen=first_seen, url=url)
    if as_json:
        _emit(a.to_json())
    else:
        out.print(f"{a.id}\t{_safe(a.original_name)}\t{a.size} bytes\tSHA-256 {a.sha256}")
        if not a.first_seen_known:
            out.print(f"First seen: {a.first_seen_text}.")
        for w in a.warnings:
            out.print(f"[bold yellow]Warning:[/] {_safe(w)} (recorded with the artifact's custody)")


@app.command("trace")
def case_trace(case: str = typer.Argument(..., help="Case id, e.g. C1."),
               artifact: Optional[str] = typer.Argument(None, help="Artifact id (default: every artifact)."),
               workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Trace the case's artifacts: source passages, copies, and the exposure set."""
    from .report import finding_json

    ws, cs = _cases(workspace)
    with ws:
        findings = cs.trace(case, artifact)
    if as_json:
        _emit([finding_json(f) for f in findings])
        return
    for f in findings:
        out.print(f"{f.artifact.id}: [bold]{f.verdict.upper().replace('_', ' ')}[/]")
        out.print(_safe(f.verdict_text))
        if not f.artifact.first_seen_known:
            out.print(f"First seen: {f.artifact.first_seen_text}.")


@app.command("joint")
def case_joint(case: str = typer.Argument(..., help="Case id, e.g. C1."),
               workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Evidence across a series of leaks: each copy scored over every artifact that derives from
    the same document, as if they came from one copy (trace the artifacts first)."""
    ws, cs = _cases(workspace)
    with ws:
        found = cs.joint(case)
    if as_json:
        _emit([j.to_json() for j in found])
        return
    if not found:
        out.print("No document is reused by two or more traced artifacts of this case "
                  "(trace them first: `leaktrace case trace CASE`).")
        return
    for j in found:
        out.print(f"[bold]{_safe(j.document['id'])} “{_safe(j.document['title'])}”[/]: artifacts "
                  f"{', '.join(j.artifacts)}, {j.marks_read} marks read at {j.sites_read} sites, "
                  f"{j.candidates} copies scored")
        out.print(_safe(j.statement))
        # a copy id is shown only for a revealed holder (cases.pseudonyms): the column only when one is
        with_copy = any(c.copy for c in j.copies)
        t = Table("#", "holder", *(["copy"] if with_copy else []), "score", "bound", "agreed", "")
        for column in t.columns:       # at 80 columns nothing is cut: a cut pseudonym is useless
            column.no_wrap = True
        for k, c in enumerate(j.copies, 1):
            t.add_row(str(k), _safe(c.subject.label), *([c.copy or ""] if with_copy else []), f"{c.score:.1f}",
                      f"{c.false_accusation_bound:.1e}", f"{c.agreed}/{c.read}",
                      "[bold red]identified[/]" if c.identified else "")
        show(out, t, stacked(out, t, 4))


@app.command("show")
def case_show(case: str = typer.Argument(..., help="Case id, e.g. C1."),
              workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """The case: artifacts, and for each trace the three evidence columns, under pseudonyms."""
    from .report import build_report

    ws, cs = _cases(workspace)
    with ws:
        view = cs.view(case)
        data = build_report(view)
    if as_json:
        _emit(data)
        return
    c = view.case
    out.print(f"[bold]{c.id} {_safe(c.title)}[/] — purpose: {_safe(c.purpose)} (opened {c.opened_at} "
              f"by {_safe(c.opened_by)})")
    # at 80 columns nothing is cut mid-number: times break only between date and time, and the
    # SHA-256 (64 digits, wider than any column there) has a line of its own under the table
    t = Table("artifact", "name", "bytes", "obtained from", "obtained (UTC)", "first seen (UTC)")
    for a in view.artifacts:
        t.add_row(a.id, _safe(a.original_name), str(a.size), _safe(a.obtained_from), _time(a.obtained_at),
                  _time(a.first_seen) if a.first_seen_known else "unknown")
    out.print(t)
    for a in view.artifacts:
        out.print(f"{a.id} SHA-256 {a.sha256}")
    if not view.findings:
        out.print(f"Not traced yet: run `leaktrace case trace {c.id}`.")
    for f in data["findings"]:
        out.print(f"\n[bold]{f['artifact']['id']}: {f['verdict'].upper().replace('_', ' ')}[/]")
        out.print(_safe(f["verdict_text"]))
        if f["exposure"] or f["protected_holders"]:
            before = (f["first_seen"] if f["artifact"].get("first_seen_known", True) else
                      f"it was obtained, {f['first_seen']} (first seen: unknown)")
            out.print(f"Exposure set: {len(f['exposure'])} before {before} (evidence in separate columns; "
                      "there is no combined score)")
            t = Table("who", "copy evidence", "content exposure",
                      "access events before " + ("first seen" if f["first_seen_known"] else "it was obtained"))
            t.columns[2].min_width = len("content exposure")      # the evidence kinds' names stay whole
            # people with copy evidence or access events first; those who only held a copy are counted
            ranked = sorted(f["exposure"], key=_evidence_order)
            shown = [r for r in ranked if r["copy_evidence"] is not None or r["access_events"]]
            for r in shown:
                t.add_row(_safe(r["label"]), _copy_cell(r["copy_evidence"]), _content_cell(r["content_exposure"]),
                          _access_cell(r["access_events"]))
            # a pseudonym is one word of 26 characters: where the four columns do not fit, the
            # evidence goes under each name
            show(out, t, stacked(out, t, 2), stacked(out, t, 3))
            if len(shown) < len(ranked):
                out.print(f"  and {len(ranked) - len(shown)} more who held a copy, with no copy evidence listed and "
                          "no access events (all are in --json and in the report)")
            for r in f["protected_holders"]:
                out.print(f"  {_safe(r['label'])}: protected channel ({_safe(r['protected_channel'])}); "
                          "held a copy, never evidence of leaking")
    if view.reveals:
        out.print("\nRevealed in this case:")
        for r in view.reveals:
            out.print(f"  {r.pseudonym} → {_safe(r.subject)} (by {_safe(r.revealed_by)} at {r.revealed_at}: "
                      f"{_safe(r.reason)})")


def _evidence_order(r: dict) -> tuple:
    ev = r["copy_evidence"]
    bound = float(ev["false_accusation_bound"]) if ev is not None else 2.0
    return (not (ev and ev.get("identified")), bound, -len(r["access_events"]), r["label"])


def _copy_cell(ev) -> str:
    if ev is None:
        return "not among the best-scoring copies"
    verdict = "IDENTIFIED" if ev["identified"] else "below the bar"
    return f"{verdict}: bound {ev['false_accusation_bound']:.1e}, {ev['agreed']}/{ev['read']} marks agree"


def _time(t: str) -> str:
    """A time in a table cell, to the second: "2030-06-01 06:00:00" breaks only at its space."""
    return (t or "")[:19].replace("T", " ")


def _content_cell(ce) -> str:
    if not ce["held_copy"]:
        return "no copy issued"
    copy = f"copy {ce['copy']}" if ce["copy"] else "a copy"     # its id only for a revealed holder
    return f"held {copy} (issued {_time(ce['distributed_at'])})"


def _access_cell(events) -> str:
    if not events:
        return "none"
    from collections import Counter

    counts = Counter(e["action"] for e in events)
    return ", ".join(f"{a} ×{n}" for a, n in counts.items()) + f" (first {_time(events[0]['time'])})"


@app.command("reveal")
def case_reveal(case: str = typer.Argument(..., help="Case id, e.g. C1."),
                pseudonym: str = typer.Argument(..., help="The pseudonym to reveal, e.g. Recipient-7QX2KM."),
                reason: str = typer.Option(..., "--reason", help="Why the name is needed (recorded in the audit log)."),
                workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Show the name behind a pseudonym in this case from now on; the reason is audited."""
    ws, cs = _cases(workspace)
    with ws:
        r = cs.reveal(case, pseudonym, reason)
    if as_json:
        _emit(r.to_json())
    else:
        out.print(f"{r.pseudonym} is {_safe(r.subject)} ({r.kind}); revealed in {r.case}, audit entry #{r.audit_seq}.")
    if not r.copy_evidence and not as_json:
        out.print(f"[bold yellow]Warning:[/] no copy held by {r.pseudonym} clears the bar in {r.case}: this "
                  "name was revealed without copy evidence, and the audit log and the report say so.")


@app.command("report")
def case_report(case: str = typer.Argument(..., help="Case id, e.g. C1."),
                fmt: str = typer.Option("html", "--format", "-f", help="html, pdf or json."),
                out_path: Optional[Path] = typer.Option(None, "--out", "-o",
                                                        help="Output file (default: C1-report.<format>)."),
                force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
                workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Write the evidence report that counsel can read (self-contained HTML, PDF, or JSON); with HTML
    and PDF, the full exposure sets, timelines and sites read as CSV files beside it."""
    from .report import write_report

    ws, cs = _cases(workspace)
    with ws, progress_bar(f"writing the {fmt} report", as_json, counted=False) as bar:
        bar.add_task("", total=None)
        res = write_report(cs, case, fmt, out_path, overwrite=force)
    if as_json:
        _emit(res)
    else:
        out.print(f"Wrote {_safe(res['path'])} ({res['format']}, {res['bytes']} bytes, SHA-256 {res['sha256']}).")
        if res["lists"]:
            out.print("The full lists, most relevant first, as CSV beside it: "
                      + ", ".join(f"{_safe(p)} ({k})" for k, p in res["lists"].items()) + ".")


@protected_app.command("add")
def protected_add(channel: str = typer.Argument(..., help="An e-mail address or a domain."),
                  label: str = typer.Option(..., "--label", help="What it is, e.g. \"inspector general\"."),
                  workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Protect an address or a domain: communications with it are never evidence."""
    ws, cs = _cases(workspace)
    with ws:
        p = cs.protect(channel, label)
    if as_json:
        _emit(p.to_json())
    else:
        out.print(f"Protected {p.kind} {_safe(p.value)} ({_safe(p.label)}).")


@protected_app.command("remove")
def protected_remove(channel: str = typer.Argument(..., help="An e-mail address or a domain."),
                     workspace: Optional[Path] = WorkspaceOpt) -> None:
    """Stop protecting an address or a domain (audited)."""
    ws, cs = _cases(workspace)
    with ws:
        cs.unprotect(channel)
    out.print(f"{_safe(channel)} is no longer protected.")


@protected_app.command("list")
def protected_list(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """List protected channels."""
    ws, cs = _cases(workspace)
    with ws:
        items = cs.protected()
    if as_json:
        _emit([p.to_json() for p in items])
        return
    t = Table("channel", "kind", "label", "added")
    for p in items:
        t.add_row(_safe(p.value), p.kind, _safe(p.label), p.added_at)
    out.print(t)


def audit(case: Optional[str] = typer.Option(None, "--case", help="Only the entries about this case."),
          workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """The audit log: every trace, reveal, import and export, from the tamper-evident ledger."""
    ws, cs = _cases(workspace)
    with ws:
        entries = cs.audit(case)
    if as_json:
        _emit([e.to_json() for e in entries])
        return
    t = Table("#", "when", "who", "action", "details")
    for e in entries:
        d = e.details if isinstance(e.details, dict) else {"unreadable": e.details}
        # "key: value", not "key=value": a SHA-256 and its key would be one word wider than 80 columns
        t.add_row(str(e.seq), e.occurred_at, _safe(e.actor), e.action,
                  _safe(", ".join(f"{k}: {v}" for k, v in d.items() if v not in (None, "", []))))
    show(out, t, stacked(out, t))       # narrower: the details under each entry, over the whole width
