"""What every command layer shares: the --workspace and --json options, JSON output, and
safe display of hostile text. Imports nothing from the library, so any CLI module may use it."""

from __future__ import annotations

import importlib
import json
import sys

import typer
from rich.markup import escape
from rich.table import Table as _RichTable

from .jsonutil import finite, versioned
from .text.display import visible

def _flags_shown_as_flags() -> None:
    """typer (0.2x) labels an on/off option `<bool>` in --help, as if it took a value; a flag
    takes none, so its type column is left empty (every flag, --help and --version included)."""
    shown = typer.core.TyperOption.display_type_rich

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    typer.core.TyperOption.display_type_rich = display_type_rich


if hasattr(getattr(typer.core, "TyperOption", None), "display_type_rich"):   # typers that have the label
    _flags_shown_as_flags()

WorkspaceOpt = typer.Option(None, "--workspace", "-w", envvar="LEAKTRACE_WORKSPACE",
                            help="Workspace folder (default: ./.leaktrace).", show_default=False)
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON.")


def emit_json(data, kind: str | None = None) -> None:
    """Print a command's --json output, versioned (jsonutil.versioned); its kind is the command's
    path ("doc list" -> "doc-list") unless given."""
    doc = versioned(kind or command_kind(), data)
    sys.stdout.write(json.dumps(finite(doc), indent=2, ensure_ascii=False, default=str) + "\n")


def command_kind() -> str:
    """The running command's words under `leaktrace`, joined by "-": "case trace" -> "case-trace"."""
    ctx, words = _current_context(), []
    while ctx is not None and ctx.parent is not None:
        words.append(ctx.info_name or "")
        ctx = ctx.parent
    if not words:
        raise RuntimeError("emit_json outside a command needs a kind")
    return "-".join(reversed(words))


def _current_context():
    """The running command's click context, from the click typer runs on (its own copy since 0.2x)."""
    core = next(c for c in typer.Context.__mro__ if c.__name__ == "Context" and c.__module__.endswith(".core"))
    return importlib.import_module(core.__module__.rsplit(".", 1)[0] + ".globals").get_current_context(silent=True)


def progress_bar(label: str, quiet: bool, *, counted: bool = True):
    """A progress display on stderr for work that takes more than a moment, gone when done.
    counted: a bar counting items ("12/300") with the time left; else a spinner with the time
    spent (work whose size is not known ahead). Shown only when stderr is a terminal, never with
    --json (quiet): a log or a pipe gets nothing, not even an empty line."""
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    err = Console(stderr=True)
    columns = ((TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) if counted
               else (SpinnerColumn(), TextColumn(label), TimeElapsedColumn()))
    return Progress(*columns, console=err, transient=True, disable=quiet or not err.is_terminal)


def safe(s) -> str:
    """Leaked and imported text is hostile: control characters shown, rich markup never interpreted."""
    return escape(visible(s))


class Table(_RichTable):
    """A terminal table that never cuts a value: at 80 columns a long name, bound, date or id
    wraps onto the next line instead of ending in "…" (evidence shown cut is evidence lost)."""

    def add_column(self, *args, **kwargs) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)
