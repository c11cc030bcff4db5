"""The `leaktrace` command line: a thin layer over `leaktrace.Workspace`."""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console

from .cliutil import JsonOpt, Table, WorkspaceOpt, console, emit_json, safe, show, stacked
from .cliutil import progress_bar as _counting   # items counted on stderr, on a terminal only
from .errors import InputError, LeaktraceError
from .jsonutil import versioned
from .models import plain
from .cases.cli import app as case_app
from .cases.cli import audit as audit_command
from .cases.cli import protected_app
from .ledger.cli import app as ledger_app
from .workspace import Workspace, document_files, parse_channels, read_key_file

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Individually marked copies of sensitive documents, and tracing of leaks to the copy.")
doc_app = typer.Typer(no_args_is_help=True, help="Register and inspect original documents.")
rec_app = typer.Typer(no_args_is_help=True, help="Import and list recipients.")
app.add_typer(doc_app, name="doc")
app.add_typer(rec_app, name="recipients")
app.add_typer(ledger_app, name="ledger")
app.add_typer(case_app, name="case")
app.add_typer(protected_app, name="protected")
app.command("audit")(audit_command)

out = console()


def _version(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"leaktrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                       help="Print the version and exit."),
          workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", show_default=False,
                                                   help="Workspace folder for every command (default: "
                                                        "$LEAKTRACE_WORKSPACE, else ./.leaktrace).")) -> None:
    """Individually marked copies of sensitive documents, and tracing of leaks to the copy."""
    if workspace is not None:
        # given before the command (`leaktrace -w ws doc list`): every command reads its
        # --workspace from this variable when it is not given after the command
        os.environ["LEAKTRACE_WORKSPACE"] = str(workspace)

@app.command()
def init(key_file: Optional[Path] = typer.Option(None, "--key-file",
                                                help="Use this marking key (32 bytes or 64 hex digits), e.g. "
                                                     "restored from a backup, instead of a new random one."),
         database: Optional[str] = typer.Option(None, "--database", metavar="URL",
                                                help="Keep the data in this PostgreSQL database "
                                                     "(postgresql://user@host:5432/name) instead of the "
                                                     "embedded SQLite file."),
         workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Create a workspace: a database (embedded, or a PostgreSQL server) and a new secret marking key."""
    key = read_key_file(key_file) if key_file else None
    ws = Workspace.create(workspace, key=key, database_url=database)
    where = ws.database()
    if as_json:
        emit_json({"workspace": str(ws.path), "database": where})
    else:
        out.print(f"Created workspace {safe(str(ws.path))} (keep {safe(str(ws.path / 'key'))} secret and backed up)"
                  + (f"; database {safe(where)}." if database else "."))


@doc_app.command("add")
def doc_add(file: Path = typer.Argument(..., help="Original document (.txt, .md, .html, .docx or .pdf), or a "
                                                  "folder of them."),
            title: Optional[str] = typer.Option(None, "--title", help="Title (default: first line)."),
            channels: Optional[str] = typer.Option(None, "--channels",
                                                   help="Comma-separated channels to mark with (default: all): "
                                                        "invisible,typographic,lexical,declared."),
            version_of: Optional[str] = typer.Option(None, "--version-of", metavar="DOC",
                                                     help="Register as the next version of this document."),
            recursive: bool = typer.Option(False, "--recursive", "-r", help="With a folder: include its subfolders."),
            skip_existing: bool = typer.Option(False, "--skip-existing",
                                               help="With a folder: leave out texts already registered."),
            workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Register an original (or a folder of them, in one transaction); prints the document ids."""
    with Workspace.open(workspace) as ws:
        if file.is_dir():
            if title is not None or version_of is not None:
                raise InputError("--title and --version-of are for one file, not a folder")
            files = document_files(file, recursive)
            if not files:
                raise InputError(f"{file}: no .txt, .md, .html, .docx or .pdf files"
                                 f"{'' if recursive else ' (use --recursive for subfolders)'}")
            with _counting("registering", as_json) as bar:
                task = bar.add_task("", total=len(files))
                docs = ws.add_documents(({"path": f} for f in files), channels=channels,
                                        progress=lambda n: bar.update(task, completed=n),
                                        skip_existing=skip_existing)
            if as_json:
                emit_json([d.to_json() for d in docs])
            else:
                for d in docs:
                    enc = f"\tread as {d.encoding}" if d.encoding not in (None, "utf-8", "ascii") else ""
                    out.print(f"{d.id}\t{safe(d.title)}\t{d.words} words\t{safe(d.source_name)}{enc}")
                skipped = len(files) - len(docs)
                out.print(f"Registered {len(docs)} documents from {safe(str(file))}"
                          f"{f' ({skipped} already registered, left out)' if skipped else ''}.")
            return
        d = ws.add_document(file, title=title, channels=channels, version_of=version_of)
    if as_json:
        emit_json(d.to_json())
    else:
        version = f"\tversion {d.version} of {d.series}" if d.version > 1 else ""
        out.print(f"{d.id}\t{safe(d.title)}\t{d.words} words\tchannels: {', '.join(d.channels)}{version}")
        if d.encoding not in (None, "utf-8", "ascii"):
            out.print(f"Note: {safe(str(file))} was read as {d.encoding}, not UTF-8 (detected); check that "
                      "its title and text read as intended.")


@doc_app.command("sections")
def doc_sections(doc: str = typer.Argument(..., help="Document id, e.g. D1."),
                 workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """The document's named sections (its headings), for `mark --sections`."""
    with Workspace.open(workspace) as ws:
        secs = ws.sections(doc)
        base = ws.base_text(doc)
    if as_json:
        emit_json([s.to_json() for s in secs])
        return
    t = Table("#", "section", "words")
    for s in secs:
        t.add_row(str(s.index + 1), safe(s.name), str(len(base[s.start:s.end].split())))
    out.print(t)


@doc_app.command("versions")
def doc_versions(doc: str = typer.Argument(..., help="Document id, e.g. D1."),
                 workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Every version of a document."""
    with Workspace.open(workspace) as ws:
        docs = ws.versions(doc)
    if as_json:
        emit_json([d.to_json() for d in docs])
        return
    t = Table("version", "id", "title", "words", "registered")
    for d in docs:
        t.add_row(str(d.version), d.id, safe(d.title), str(d.words), d.created_at)
    out.print(t)


@doc_app.command("list")
def doc_list(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """List registered documents."""
    with Workspace.open(workspace) as ws:
        docs = ws.documents()
    if as_json:
        emit_json([d.to_json() for d in docs])
        return
    t = Table("id", "title", "version", "format", "words", "channels", "registered")
    for d in docs:
        title = safe(d.title) + (f" [dim](archived {d.archived_at[:10]})[/]" if d.archived_at else "")
        t.add_row(d.id, title, f"{d.version} of {d.series}" if d.version > 1 else "1", d.format,
                  str(d.words), ", ".join(d.channels), d.created_at[:16].replace("T", " "))
    out.print(t)


@doc_app.command("remove")
def doc_remove(doc: str = typer.Argument(..., help="Document id, e.g. D2."),
               force: bool = typer.Option(False, "--force", help="Archive it even though copies of it were issued."),
               workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Archive a document: no longer a source of leaks (its copies and the ledger stay)."""
    with Workspace.open(workspace) as ws:
        done = ws.remove_document(doc, force=force)
    if as_json:
        emit_json(done)
        return
    copies = (f"its {done['issued_copies']} issued copies stay recorded, but a leak from them is no longer "
              "traced to it" if done["issued_copies"] else "no copies of it were issued")
    out.print(f"{done['document']} “{safe(done['title'])}” archived: it is no longer a candidate source of leaks; "
              f"{copies}; nothing in the ledger is deleted (the archiving is in the audit log).")


@doc_app.command("capacity")
def doc_capacity(doc: str = typer.Argument(..., help="Document id, e.g. D1."),
                 workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """How many sites each channel has and how many recipients each leak type can separate."""
    with Workspace.open(workspace) as ws, _counting("measuring probe copies", as_json, counted=False) as bar:
        bar.add_task("", total=None)
        cap = ws.capacity(doc)
    if as_json:
        emit_json(cap.to_json())
        return
    out.print(f"{cap.document.id} “{safe(cap.document.title)}”: {cap.words} words, "
              f"{sum(cap.sites_by_channel.values())} sites")
    t = Table("channel", "sites")
    for ch, n in cap.sites_by_channel.items():
        t.add_row(ch, str(n))
    out.print(t)
    n = f"{cap.recipients:,}"
    t = Table("leak type", "marks read", "copies separable", f"words: 1 of {n}", "words: 1 of 1,000",
              title="Words of a leak that identify one copy (marks read and copies separable: the whole document)")
    for p in cap.profiles:
        x = p.separable_recipients
        sep = "unlimited" if math.isinf(x) else f"{x:.1e}" if x >= 1e6 else f"{x:,.0f}"
        t.add_row(p.leak_type, str(p.sites), sep,
                  "out of reach" if p.words_for_recipients is None else str(p.words_for_recipients),
                  "out of reach" if p.words_for_1000 is None else str(p.words_for_1000))
    out.print(t)
    out.print("Measured: probe copies put through each kind of leak, read and scored as tracing does; "
              "a paraphrase keeps only declared details, if it keeps them (best case).")
    if cap.layout_per_page is not None:
        pdf = next(p for p in cap.profiles if p.leak_type == "printed PDF copy")
        words = pdf.words_for_recipients if cap.recipients else pdf.words_for_1000
        per_page = cap.words / max(1, cap.pdf_pages or 1)
        share = (f"; about {words} words, {min(1.0, words / per_page):.0%} of a page, identify one copy among "
                 f"{cap.recipients or 1000:,}" if words is not None else "")
        out.print(f"Printed PDF copy: {cap.pdf_pages} page(s), a page carries about {cap.layout_per_page:.0f} "
                  f"layout marks (words moved half a point on the page, read from a scan or a photo){share}.")
    if cap.scenarios:
        among = f"{cap.scenarios[0].among:,}"
        now = cap.sites_by_channel.get("lexical", 0) + cap.sites_by_channel.get("declared", 0)
        cols = ["leak type", f"now ({now} in the words)"]
        cols += [f"{'automatic only' if x.name == 'automatic' else 'suggestions accepted'} ({x.wordlike} in the words)"
                 for x in cap.scenarios]
        t = Table(*cols, title=f"Words that identify one copy among {among}, now and otherwise")
        for p in cap.profiles:
            if p.leak_type == "printed PDF copy":
                continue    # the scenarios change the words, not the page
            now_words = p.words_for_recipients if cap.recipients else p.words_for_1000
            t.add_row(p.leak_type, *("out of reach" if w is None else str(w)
                                     for w in [now_words, *(x.words.get(p.leak_type) for x in cap.scenarios)]))
        out.print(t)
        out.print("In the words: lexical and declared sites, the marks that survive retyping.")
        for x in cap.scenarios:
            out.print(f"{'automatic only' if x.name == 'automatic' else 'suggestions accepted'}: {safe(x.description)}.")
    helps = {p.leak_type for x in cap.scenarios if x.name == "suggestions" for p in cap.profiles
             if p.words_for_recipients is None and x.words.get(p.leak_type) is not None}
    for p in cap.profiles:
        if p.words_for_recipients is None and cap.recipients:
            extra = (f" Accepting the suggestions would bring it within reach: `leaktrace suggest "
                     f"{cap.document.id} --out review.md`." if p.leak_type in helps else "")
            advice = p.advice if p.advice.endswith(".") else p.advice + "."
            out.print(f"{p.leak_type}: {safe(advice)}{extra}")


@rec_app.command("import")
def rec_import(file: Path = typer.Argument(..., help="CSV with columns id,name,email (more kept as attributes)."),
               update: bool = typer.Option(False, "--update", help="Replace recipients that already exist."),
               workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Import recipients from CSV (all or nothing)."""
    with Workspace.open(workspace) as ws:
        n = ws.import_recipients(file, update=update)
    if as_json:
        emit_json({"imported": n})
    else:
        out.print(f"Imported {n} recipients.")


@rec_app.command("list")
def rec_list(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """List recipients."""
    with Workspace.open(workspace) as ws:
        recs = ws.recipients()
    if as_json:
        emit_json([r.to_json() for r in recs])
        return
    t = Table("id", "name", "email")
    for r in recs:
        t.add_row(safe(r.id), safe(r.name), safe(r.email))
    out.print(t)


@app.command()
def mark(doc: str = typer.Argument(..., help="Document id, e.g. D1."),
         to: str = typer.Option("all", "--to", help="`all`, comma-separated recipient ids, or a CSV with an id column."),
         out_dir: Path = typer.Option(Path("copies"), "--out", help="Folder for the copies and manifest.json."),
         preview: Optional[str] = typer.Option(None, "--preview", metavar="RECIPIENT",
                                               help="Show what this recipient's copy changes; write nothing."),
         only: Optional[str] = typer.Option(None, "--only", metavar="CHANNELS",
                                            help="With --preview: show only these channels, e.g. lexical,declared."),
         force: bool = typer.Option(False, "--force", help="Overwrite existing copies in --out."),
         as_format: Optional[str] = typer.Option(None, "--as", metavar="FORMAT",
                                                 help="Write the copies as: the original's format (default), "
                                                      "pdf, or eml (one e-mail per recipient); a Markdown "
                                                      "original also docx, html or txt."),
         footer: bool = typer.Option(False, "--footer", help="PDF copies: print “Prepared for NAME” on every page."),
         sender: Optional[str] = typer.Option(None, "--from", metavar="ADDRESS", help="E-mail copies: the sender."),
         smtp: Optional[str] = typer.Option(None, "--smtp", metavar="HOST:PORT",
                                            help="E-mail copies: send them through this SMTP server."),
         starttls: bool = typer.Option(False, "--starttls", help="With --smtp: upgrade the connection with STARTTLS."),
         sections: Optional[str] = typer.Option(None, "--sections", metavar="NAMES",
                                                help="Only these sections (comma-separated names, see "
                                                     "`doc sections`) go into the copies."),
         limit: Optional[int] = typer.Option(None, "--limit", min=1,
                                             help="With --preview: at most this many changes (default 100 in a "
                                                  "table, all with --json)."),
         offset: int = typer.Option(0, "--offset", min=0, help="With --preview: skip this many changes first."),
         smtp_user: Optional[str] = typer.Option(None, "--smtp-user",
                                                 help="With --smtp: log in as this user (password from "
                                                      "LEAKTRACE_SMTP_PASSWORD)."),
         workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Write one marked copy per recipient and record the distribution; optionally e-mail them."""
    with Workspace.open(workspace) as ws:
        if preview is not None:
            changes = ws.preview(doc, preview)
            total = len(changes)
            if only is not None:
                keep = {c.value for c in parse_channels(only)}
                changes = [c for c in changes if c.channel in keep]
            if as_json:
                emit_json([c.__dict__ for c in (changes[offset:offset + limit] if limit else changes[offset:])])
                return
            t = Table("line", "channel", "kind", "original", "copy", "in context")
            page = changes[offset:offset + (limit or 100)]
            for c in page:
                t.add_row(str(c.line), c.channel, c.kind, safe(c.original), safe(c.copy), safe(c.context))
            show(out, t, stacked(out, t))    # narrower: the context under each change, over the whole width
            of = f" of {len(changes)}" + (f" ({total} in all channels)" if only is not None else "")
            more = (f"; --offset {offset + len(page)} for the next page"
                    if offset + len(page) < len(changes) else "")
            out.print(f"Changes {offset + 1 if page else offset}–{offset + len(page)}{of} in the copy for "
                      f"{safe(preview)}; invisible characters as <U+XXXX>{more}.")
            return
        server = None
        if smtp is not None:
            from .formats.mailcopy import SmtpServer

            server = SmtpServer.parse(smtp, starttls=starttls, user=smtp_user)
        with _counting("marking", as_json) as bar:
            task = bar.add_task("", total=None)
            res = ws.mark(doc, to=to, out_dir=out_dir, overwrite=force, as_format=as_format, footer=footer,
                          sender=sender, smtp=server, sections=sections,
                          progress=lambda k, n: bar.update(task, completed=k, total=n))
    if as_json:
        emit_json(res.to_json())
    else:
        sent = f" and sent them through {safe(smtp)}" if smtp else ""
        out.print(f"Wrote {len(res.copies)} marked copies of {res.document.id} ({res.sites} sites) "
                  f"to {safe(str(out_dir))}{sent}; manifest: {safe(res.manifest)}")


@app.command()
def trace(file: Path = typer.Argument(..., help="The leak: text, Markdown, HTML page, PDF, Word file, "
                                                    "e-mail (.eml) or image (.png/.jpg, read by OCR)."),
          sites: bool = typer.Option(False, "--sites", help="List every site read and how the top copy agreed."),
          workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Which document the leak comes from, which copy it matches, and how sure."""
    with Workspace.open(workspace) as ws:
        res = ws.trace_file(file)
    if as_json:
        emit_json(res.to_json())
        return
    style = {"identified": "bold red", "inconclusive": "bold yellow", "no_match": "bold green"}[res.verdict]
    outcome = res.outcome.replace("_", " ")
    out.print(f"[{style}]Verdict: {res.verdict.upper().replace('_', ' ')}[/] (outcome: {outcome})")
    out.print(safe(res.summary))
    src = res.source
    if src.get("format") not in (None, "text", "txt", "md"):
        out.print(f"Read as {safe(src['format'])} ({safe(', '.join(src.get('readers') or []))}).")
    for note in res.notes:
        out.print(f"Note: {safe(note)}")
    found = [f"{d['detector']} {d['marks_read']}" for d in res.detectors if d.get("ran") and "marks_read" in d]
    stamp = next((d for d in res.detectors if d["detector"] == "stamp"), None)
    if stamp and stamp["ran"]:
        found.insert(0, f"stamp {stamp['verified']}/{stamp['found']} verified")
    if found:
        out.print("Detectors: " + ", ".join(found))
    if res.document is None:
        if res.sources:
            _print_sources(res.sources, res.content_exposure)
        return
    _print_source_marks(res, sites)
    for other in res.other_sources:
        style = {"identified": "bold red", "inconclusive": "bold yellow"}.get(other.verdict, "bold")
        out.print(f"\nAlso derived from {safe(other.document['id'])} “{safe(other.document['title'])}”: "
                  f"[{style}]{other.verdict.upper()}[/]")
        out.print(safe(other.summary))
        _print_source_marks(other, sites)
    if res.sources:
        _print_sources(res.sources, res.content_exposure)


def _print_source_marks(res, sites: bool) -> None:
    """One source's part of a trace: what was aligned and read, and how its copies scored."""
    out.print(f"Leak: {res.leak_words} words, {res.aligned_words} aligned to {res.document['id']} "
              f"in {len(res.passages)} passage(s).")
    chans = ", ".join(f"{ch} {res.sites_read.get(ch, 0)}/{n}" for ch, n in res.sites_covered.items())
    out.print(f"Marks read (read/covered): {chans or 'none'}")
    if res.copies:
        of = (f" of {res.copies_issued} issued: the others lacked a section the leak reuses"
              if res.copies_issued > res.recipients_scored else "")
        out.print(f"Copies scored: {res.recipients_scored}{of} (identified at a false-accusation bound "
                  f"≤ {res.bar:.0e})")
        show(out, _copies_table(res.copies, names_apart=True), _copies_table(res.copies, names_apart=False))
    if sites and res.site_reads:
        t = Table("site", "line", "channel", "kind", "leak shows", "top copy has", "agrees", box=box.SIMPLE_HEAD)
        for r in res.site_reads:
            shows = safe(r.observed) if r.status == "read" else f"[dim]({r.status})[/]"
            agrees = ("yes" if r.agrees else "other") if r.status == "read" else "–"
            t.add_row(str(r.site), str(r.line), r.channel, r.kind, shows, safe(r.accused), agrees)
        show(out, t, stacked(out, t, below=3))      # narrower: what was read under where
        out.print("agrees: yes, the leak shows the top copy's variant; other, it shows another variant; –, "
                  "not read" + ("; (unreadable): the leak holds the site's place, but none of its variants, "
                                "or more than one, fits there." if any(r.status == "unreadable"
                                                                       for r in res.site_reads) else "."))
    if sites and res.sites_erased:
        erased = ", ".join(f"{ch} {n}" for ch, n in res.sites_erased.items())
        out.print(f"Not read, erased as whole groups (every site of a kind reads alike, as a sanitizer or "
                  f"retyping leaves them): {erased}.")


def _copies_table(copies, names_apart: bool) -> Table:
    """The scored copies, best first; without `names_apart` (narrower) each name under its recipient id."""
    who = ("recipient", "name") if names_apart else ("recipient\nname",)
    t = Table("rank", *who, "copy", "score", "bound", "agreed", "")
    for k, c in enumerate(copies, 1):
        names = (safe(c.recipient), safe(c.name)) if names_apart else (f"{safe(c.recipient)}\n{safe(c.name)}",)
        t.add_row(str(k), *names, c.copy, f"{c.score:.2f}", f"{c.false_accusation_bound:.1e}",
                  f"{c.agreed}/{c.read}", "[bold red]identified[/]" if c.identified else "")
    return t


@app.command()
def suggest(doc: str = typer.Argument(..., help="Document id, e.g. D1."),
            out_file: Optional[Path] = typer.Option(None, "--out", metavar="REVIEW.md",
                                                    help="Write the proposals as a review file to edit."),
            apply: Optional[Path] = typer.Option(None, "--apply", metavar="REVIEW.md",
                                                 help="Make the accepted proposals of an edited review file "
                                                      "declared sites of a new version of the document."),
            by: Optional[str] = typer.Option(None, "--by", metavar="NAME",
                                             help="With --apply: who accepted the proposals (recorded)."),
            no_check: bool = typer.Option(False, "--no-check", help="Skip the semantic check."),
            workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Alternatives the author may accept as declared sites: phrasings that keep the meaning, and details to vary."""
    if out_file is not None and apply is not None:
        raise InputError("give --out (write a review file) or --apply (read one back), not both")
    if by is not None and apply is None:
        raise InputError("--by goes with --apply")
    with Workspace.open(workspace) as ws:
        if apply is not None:
            if not by:
                raise InputError("say who accepts the proposals: --by NAME")
            done = ws.apply_suggestions(doc, apply, by=by)
            if as_json:
                emit_json(done.to_json())
                return
            v = done.version
            out.print(f"{v.id} (version {v.version} of {v.series}) registered with {len(done.accepted)} accepted "
                      f"proposals as declared sites ({done.declared_sites} declared sites in all), accepted by "
                      f"{safe(by)}; {done.declined} not accepted. Copies of {done.document.id} already issued "
                      f"keep their marks; mark {v.id} for new copies. Recorded in the audit log (entry "
                      f"{done.audit_seq}).")
            for note in done.notes:
                out.print(f"Note: {safe(note)}")
            return
        if out_file is not None:
            res = ws.write_suggestions(doc, out_file, semantic=False if no_check else None)
        else:
            res = ws.suggest(doc, semantic=False if no_check else None)
    if as_json:
        emit_json(res.to_json() | ({"review_file": str(out_file)} if out_file is not None else {}))
        return
    if out_file is None:
        t = Table("id", "line", "label", "kind", "original", "variants")
        for p in res.proposals:
            label = p.label if p.label == "keeps-meaning" else "[bold]CHANGES-DETAIL[/]"
            t.add_row(p.id, str(p.line), label, p.kind, safe(p.variants[0]), safe(" | ".join(p.variants[1:])))
        out.print(t)
    keeps = res.count("keeps-meaning")
    out.print(f"{res.document.id}: {len(res.proposals)} proposals in {res.words} words: {keeps} keep the meaning "
              f"({res.per_100_words():.1f} per 100 words), {len(res.proposals) - keeps} change a detail.")
    out.print(safe(res.check.describe()) + (f" Rejected {len(res.rejected)} alternatives" + (
        ": " + "; ".join(f"{r.proposal.id} “{safe(r.proposal.variants[0])}” → “{safe(r.variant)}” "
                         f"({r.cosine:.3f})" for r in res.rejected[:8]) + (" …" if len(res.rejected) > 8 else "")
        if res.rejected else "") + "." if res.check.ran else ""))
    if out_file is not None:
        out.print(f"Wrote {safe(str(out_file))}: tick the proposals to accept, then "
                  f"`leaktrace suggest {res.document.id} --apply {safe(str(out_file))} --by NAME`.")


semantic_app = typer.Typer(no_args_is_help=True, help="The optional semantic (sentence-embedding) index.")
app.add_typer(semantic_app, name="semantic")


@semantic_app.command("build")
def semantic_build(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Embed every registered document's passages; later documents are added as they come."""
    with Workspace.open(workspace) as ws:
        with _counting("embedding", as_json) as bar:
            task = bar.add_task("", total=None)
            added = ws.build_semantic_index(lambda k, n: bar.update(task, completed=k, total=n))
    if as_json:
        emit_json({"passages_added": added})
    else:
        out.print(f"Semantic index up to date ({added} passages added).")


@semantic_app.command("status")
def semantic_status(workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Whether semantic search can run here, and whether the index is built."""
    from .search import semantic

    with Workspace.open(workspace) as ws:
        problem = semantic.missing()
        built = semantic.SemanticIndex(ws.path, ws.engine).exists()
    if as_json:
        emit_json({"available": problem is None, "missing": problem, "index_built": built})
        return
    out.print(problem or ("Semantic search is available; the index is "
                          + ("built." if built else "not built yet: run `leaktrace semantic build`.")))


@app.command()
def search(file: Path = typer.Argument(..., help="Text to look up: any file `trace` reads."),
           workspace: Optional[Path] = WorkspaceOpt, as_json: bool = JsonOpt) -> None:
    """Which registered documents, versions and sections a text reuses, and who held that content."""
    from . import formats

    ex = formats.read_leak(file)
    with Workspace.open(workspace) as ws:
        res = ws.search(ex.text)
    if as_json:
        emit_json(res.to_json())
        return
    style = {"derived": "bold red", "possible_paraphrase": "bold yellow", "shared_quotation": "bold yellow",
             "topic_only": "bold green", "no_match": "bold green"}[res.verdict]
    out.print(f"[{style}]Reuse: {res.verdict.upper().replace('_', ' ')}[/]")
    out.print(safe(res.summary))
    for note in res.notes:
        out.print(f"Note: {safe(note)}")
    _print_sources([plain(m) for m in res.sources], res.exposure)


def _print_sources(sources: list[dict], exposure: list[dict]) -> None:
    """Every source with its passage pairs, versions, sections and content exposure."""
    for m in sources:
        d = m["document"]
        what = ("source" if m["derived"] else "possibly paraphrases"
                if any(p["kind"] == "possible_paraphrase" for p in m["passages"]) else "shares a quotation with")
        out.print(f"\n{what.capitalize()}: {d['id']} “{safe(d['title'])}” (version {d['version'] or 1}), "
                  f"{m['words']} words of the text")
        t = Table("leak", "source", "kind", "similarity", "section", "leak text")
        for p in m["passages"]:
            t.add_row(f"{p['leak_start']}-{p['leak_end']}", f"{p['doc_start']}-{p['doc_end']}",
                      p["kind"].replace("_", " "), f"{p['similarity']:.2f}", safe(p["section"] or ""),
                      safe(_clip(_printable(p["leak_text"]), 60)))
        show(out, t, stacked(out, t))    # narrower: the leak's text under its passage
        if len(m["versions"]) > 1:
            out.print("Versions that contain it: " + ", ".join(
                f"{v['id']} (v{v['version']})" for v in m["versions"] if v["contains"]) + "; not: " + (", ".join(
                f"{v['id']} (v{v['version']})" for v in m["versions"] if not v["contains"]) or "none"))
        if m["sections"]:
            out.print("Sections it requires: " + ", ".join(safe(x) for x in m["sections"]))
        holders = list(dict.fromkeys(e["recipient"] for e in m["exposure"]))   # a copy of each version
        out.print(f"Copies that contained it: {len(m['exposure'])}"
                  + (f", held by {len(holders)} recipients" if len(holders) < len(m["exposure"]) else "")
                  + (": " + ", ".join(safe(r) for r in holders[:12]) + (" …" if len(holders) > 12 else "")
                     if holders else ""))
    if len([m for m in sources if m["derived"]]) > 1:
        out.print(f"Recipients whose copies held all of it: {len(exposure)}" + (
            ": " + ", ".join(safe(e["recipient"]) for e in exposure[:12]) if exposure else ""))


def _printable(s: str) -> str:
    """Text for a summary table: invisible format characters left out (the JSON keeps them)."""
    import unicodedata

    return "".join(ch for ch in s if unicodedata.category(ch) != "Cf")


def _clip(s: str, n: int = 90) -> str:
    """The start of a long text for a table, cut between words (the JSON has all of it)."""
    s = " ".join(s.split())
    if len(s) <= n:
        return s
    cut = s[: n - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"


# A reader that stops reading (`leaktrace ... | head -1`) ends the command quietly with the status
# of a program killed by SIGPIPE, as the shell reports it (128 + 13): what `cat` or `grep` give.
SIGPIPE_EXIT = 141


def _stdout_identity() -> tuple[int, int] | None:
    try:
        st = os.fstat(1)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _stdout_closed(e: SystemExit, before: tuple[int, int] | None) -> bool:
    """Whether the command ended because stdout's reader went away: click and rich both exit 1
    then, click wrapping stdout so that nothing more is written, rich pointing it to /dev/null."""
    return e.code == 1 and (type(sys.stdout).__name__ == "PacifyFlushWrapper" or _stdout_identity() != before)


def _notices(err: Console, ok: bool) -> None:
    """What the library says once (an older ledger given its first signed tree head), on stderr."""
    from .ledger.book import NOTICES

    said, NOTICES[:] = list(NOTICES), []
    if ok:
        for note in said:
            err.print(f"note: {safe(note)}")


def main() -> None:
    """Entry point: usage errors exit 2 (typer), user errors exit 1 with one line, never a traceback."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not os.environ.get("LEAKTRACE_DEBUG"):
        # libraries that read hostile files (pypdf, trafilatura, Pillow) log their complaints;
        # the user gets leaktrace's one line instead
        logging.getLogger().addHandler(logging.NullHandler())
    as_json = "--json" in sys.argv[1:]
    stdout = _stdout_identity()
    try:
        app()
    except SystemExit as e:
        if _stdout_closed(e, stdout):
            sys.exit(SIGPIPE_EXIT)
        _notices(err, e.code in (0, None))
        raise
    except LeaktraceError as e:
        if as_json:     # a program reading --json output gets its errors as JSON too, same exit code
            sys.stderr.write(json.dumps(versioned("error", {"error": str(e), "code": 1,
                                                            "kind": type(e).__name__})) + "\n")
        else:
            err.print(f"[bold red]error:[/] {safe(str(e))}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:
        if os.environ.get("LEAKTRACE_DEBUG"):
            raise
        if as_json:
            sys.stderr.write(json.dumps(versioned("error", {"error": f"internal error: {type(e).__name__}: {e}",
                                                            "code": 70, "kind": "InternalError"})) + "\n")
        else:
            err.print(f"[bold red]internal error:[/] {safe(type(e).__name__)}: {safe(str(e))} "
                      "(set LEAKTRACE_DEBUG=1 for details)")
        sys.exit(70)


if __name__ == "__main__":
    main()
