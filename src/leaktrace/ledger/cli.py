"""`leaktrace ledger ...`: a thin layer over `leaktrace.ledger.book.Ledger`.

Mounted by `leaktrace.cli` as a sub-app; user errors are LeaktraceError and are printed on
one line by the main entry point.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from ..cliutil import JsonOpt, Table, WorkspaceOpt, console, emit_json, safe, show, stacked

# The library is imported when a command runs, so that `leaktrace --help` stays quick.
FORMAT_NAMES = "m365-json, m365-csv, gws-drive-csv, cloudtrail, csv, jsonl"

app = typer.Typer(no_args_is_help=True, help="Distributions and access events: import, verify, export.")

out = console()

_emit, _safe = emit_json, safe


def _open(workspace: Optional[Path]):
    from ..workspace import Workspace  # late: leaktrace.workspace may import the ledger

    return Workspace.open(workspace)


def Ledger(ws):
    from .book import Ledger as _Ledger

    return _Ledger(ws)


@app.command("import")
def import_(file: Path = typer.Argument(..., help="Audit-log export to load."),
            fmt: str = typer.Option(..., "--format", "-f", help=f"One of: {FORMAT_NAMES}."),
            mapping: Optional[str] = typer.Option(None, "--map",
                                                  help="For csv/jsonl: time=COL,actor=COL,action=COL,document=COL"
                                                       "[,event_id=COL][,document_kind=file_id|path|name|sha256]"),
            skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                              help="Set malformed rows aside in a quarantine file instead of "
                                                   "stopping the import."),
            quarantine: Optional[Path] = typer.Option(None, "--quarantine",
                                                      help="Quarantine file (default: FILE.quarantine.jsonl)."),
            workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Load access events (view, download, print, share, forward, export) from an audit log. All or nothing."""
    with _open(workspace) as ws:
        led = Ledger(ws)
        err = Console(stderr=True)
        if err.is_terminal and not as_json:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TimeRemainingColumn,
            )

            with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                          TimeRemainingColumn(), console=err, transient=True) as bar:
                task = bar.add_task(f"importing {file.name}", total=None)
                res = led.import_file(file, fmt, mapping, skip_invalid, quarantine,
                                      progress=lambda done, total: bar.update(task, completed=done, total=total))
        else:
            res = led.import_file(file, fmt, mapping, skip_invalid, quarantine)
    if as_json:
        _emit(res.to_json())
        return
    msg = (f"Imported {res.added} access events from {_safe(file)} ({res.format}): "
           f"{res.duplicates} already in the ledger, {res.ignored} records of other operations ignored; "
           f"{res.mapped_documents} mapped to a document, {res.mapped_recipients} to a recipient.")
    out.print(msg)
    if res.rejected:
        out.print(f"{res.rejected} malformed rows set aside in {_safe(res.quarantine)}.")


def _print_report(rep, as_json: bool, what: str) -> None:
    if as_json:
        _emit(rep.to_json())
        if not rep.ok:
            raise typer.Exit(1)
        return
    for note in rep.notices:
        out.print(_safe(note))
    if rep.ok:
        out.print(f"{what} OK: {rep.entries} entries, head {rep.head_seq} ({rep.head_hash[:16]}…), "
                  f"signed up to entry {rep.signed_upto} by {rep.digests} digest(s); tree root "
                  f"{rep.root[:16]}…, {rep.heads} signed tree head(s) reproduced.")
        for p in rep.proofs:
            out.print(f"Consistency proof from the pinned head ({p['from_size']} entries) to the latest signed head "
                      f"({p['to_size']} entries): {len(p['proof'])} hash(es), "
                      f"{'verified' if p['verified'] else 'DOES NOT VERIFY'}.")
    else:
        out.print(f"[bold red]{what} TAMPERED[/]: {len(rep.problems)} problem(s) in {rep.entries} entries.")
        t = Table("entry", "problem", "details")
        for p in rep.problems:
            t.add_row(str(p.seq), p.kind, _safe(p.message))
        out.print(t)
    if not rep.ok:
        raise typer.Exit(1)


PinOpt = typer.Option(None, "--pin", help="A signed tree head you kept (`leaktrace ledger head --json`, or an "
                                           "earlier export): the ledger must still reproduce it.")


def _pins(pin: Optional[Path]) -> list:
    from ..errors import InputError
    from .book import read_head

    if pin is None:
        return []
    if not pin.is_file():
        raise InputError(f"{pin}: no such file")
    data = pin.read_bytes()
    try:
        json.loads(data)
    except ValueError:      # JSON Lines (an export, the head file): its first record
        data = data.lstrip().split(b"\n", 1)[0]
    return [read_head(data, str(pin))]


@app.command()
def verify(pin: Optional[Path] = PinOpt, workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Check the hash chain, the signed digests, the entries against the signed tree heads of the
    head file (and --pin), and the evidence tables; exit status 1 if anything was tampered with."""
    pins = _pins(pin)
    with _open(workspace) as ws:
        rep = Ledger(ws).verify(pins)
    _print_report(rep, as_json, "Ledger")


@app.command()
def head(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """The latest signed tree head (size, root, signature): keep it to check the ledger later with --pin."""
    with _open(workspace) as ws:
        d = Ledger(ws).latest_head()
    if as_json:
        _emit({"head": None if d is None else d.to_json()})
    elif d is None:
        out.print("The ledger has no signed tree head yet.")
    else:
        out.print(f"{d.upto_seq} entries, root {d.root}, signed at {d.signed_at} (keep `leaktrace ledger head "
                  "--json` to pin it).")


@app.command()
def prove(seq: int = typer.Argument(..., min=1, help="The entry (its seq)."),
          workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """An inclusion proof (RFC 9162) that an entry is in the latest signed tree head."""
    with _open(workspace) as ws:
        proof = Ledger(ws).prove(seq)
    if as_json:
        _emit(proof)
    else:
        out.print(f"Entry {seq} is leaf {proof['leaf_index']} of the tree head of {proof['tree_size']} entries "
                  f"(root {proof['root'][:16]}…): {len(proof['path'])} hash(es), verified.")


@app.command()
def sign(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Sign a digest of the current head (imports and mark do it themselves)."""
    with _open(workspace) as ws:
        d = Ledger(ws).sign_digest()
    if as_json:
        _emit({"signed": False} if d is None else {"signed": True, **d.to_json()})
    elif d is None:
        out.print("The ledger is empty; nothing to sign.")
    else:
        out.print(f"Signed entries up to {d.upto_seq} (head {d.head_hash[:16]}…) at {d.signed_at}.")


@app.command()
def export(file: Path = typer.Argument(..., help="JSON Lines file to write."),
           force: bool = typer.Option(False, "--force", help="Overwrite FILE."),
           workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Export the ledger (entries, signed digests, public key) for an auditor."""
    with _open(workspace) as ws:
        n = Ledger(ws).export(file, overwrite=force)
    if as_json:
        _emit({"file": str(file), "entries": n})
    else:
        out.print(f"Exported {n} entries to {_safe(file)}; check it with "
                  "`leaktrace ledger verify-export FILE --public-key KEY`.")


@app.command("verify-export")
def verify_export_(file: Path = typer.Argument(..., help="A ledger export."),
                   public_key: Path = typer.Option(..., "--public-key",
                                                   help="The ledger's public key (PEM or 64 hex digits)."),
                   pin: Optional[Path] = PinOpt, as_json: bool = JsonOpt) -> None:
    """Check an exported ledger with the public key alone (no workspace needed)."""
    from ..errors import InputError

    if not public_key.is_file():
        raise InputError(f"{public_key}: no such file")
    from .book import verify_export

    rep = verify_export(file, public_key.read_bytes(), _pins(pin))
    _print_report(rep, as_json, "Export")


@app.command("public-key")
def public_key(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Print the ledger's public signing key (PEM), to give to auditors."""
    with _open(workspace) as ws:
        led = Ledger(ws)
        pem, hx = led.public_key(), led.public_key_hex()
    if as_json:
        _emit({"public_key_pem": pem, "public_key_hex": hx})
    else:
        sys.stdout.write(pem)


TABLE_PAGE = 100   # entries a terminal table shows unless --limit says otherwise


@app.command()
def events(document: Optional[str] = typer.Option(None, "--document", help="Only this document, e.g. D1."),
           before: Optional[str] = typer.Option(None, "--before", help="Only before this time (ISO 8601)."),
           after: Optional[str] = typer.Option(None, "--after", help="Only at or after this time (ISO 8601)."),
           recipient: Optional[str] = typer.Option(None, "--recipient", help="Only this recipient id."),
           kind: Optional[str] = typer.Option(None, "--kind", help="distribution, access or audit."),
           limit: Optional[int] = typer.Option(None, "--limit", min=1,
                                               help="At most this many entries (default: 100 in a table, all "
                                                    "with --json)."),
           offset: int = typer.Option(0, "--offset", min=0, help="Skip this many entries first (the next page)."),
           workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Ledger entries in time order: who received or accessed what, and when."""
    with _open(workspace) as ws:
        rows = Ledger(ws).events(document=document, before=before, after=after, recipient=recipient, kind=kind)
    total = len(rows)
    page = rows[offset:offset + limit] if limit is not None else rows[offset:]
    if as_json:
        _emit([e.to_json() for e in page])
        return
    if limit is None:
        page = rows[offset:offset + TABLE_PAGE]
    rows = page
    t = Table("seq", "when", "kind", "action", "document", "recipient", "actor", "source")
    for e in rows:
        t.add_row(str(e.seq), e.occurred_at, e.kind, e.action, f"D{e.document}" if e.document else "",
                  _safe(e.recipient or ""), _safe(e.actor), _safe(e.source))
    # eight columns need some 140: narrower, two lines an event, who (recipient, account) and where
    # it was recorded (source) under when and what
    show(out, t, stacked(out, t, below=3))
    if len(rows) < total:
        first, last = offset + 1 if rows else offset, offset + len(rows)
        more = f"; --offset {last} for the next page" if last < total else ""
        out.print(f"Entries {first}–{last} of {total}{more}.")
    else:
        out.print(f"{total} entries.")


@app.command()
def alias(doc: str = typer.Argument(..., help="Document id, e.g. D1."),
          file_id: Optional[str] = typer.Option(None, "--file-id", help="The file's id in the audit source."),
          path: Optional[str] = typer.Option(None, "--path", help="Its path or URL (s3://bucket/key, https://...)."),
          name: Optional[str] = typer.Option(None, "--name", help="Its file name."),
          sha256: Optional[str] = typer.Option(None, "--sha256", help="The SHA-256 of a file that is this document."),
          workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Tell the ledger how audit logs name a document (applies to imports from now on)."""
    from ..errors import InputError

    given = [(k, v) for k, v in (("file_id", file_id), ("path", path), ("name", name), ("sha256", sha256))
             if v is not None]
    if not given:
        raise InputError("give at least one of --file-id, --path, --name, --sha256")
    with _open(workspace) as ws:
        led = Ledger(ws)
        for k, v in given:
            led.add_alias(doc, k, v)
        rows = led.aliases(doc)
    if as_json:
        _emit([{"document": d, "kind": k, "value": v} for d, k, v in rows])
    else:
        for d, k, v in rows:
            out.print(f"{d}\t{k}\t{_safe(v)}")
