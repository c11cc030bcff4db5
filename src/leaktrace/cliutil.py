"""What every command layer shares: the --workspace and --json options, JSON output, and
safe display of hostile text. Imports nothing from the library, so any CLI module may use it."""

from __future__ import annotations

import json
import sys

import typer
from rich.markup import escape
from rich.table import Table as _RichTable

from .jsonutil import finite
from .text.display import visible

WorkspaceOpt = typer.Option(None, "--workspace", "-w", envvar="LEAKTRACE_WORKSPACE",
                            help="Workspace folder (default: ./.leaktrace).", show_default=False)
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON.")


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(finite(data), indent=2, ensure_ascii=False, default=str) + "\n")


def safe(s) -> str:
    """Leaked and imported text is hostile: control characters shown, rich markup never interpreted."""
    return escape(visible(s))


class Table(_RichTable):
    """A terminal table that never cuts a value: at 80 columns a long name, bound, date or id
    wraps onto the next line instead of ending in "…" (evidence shown cut is evidence lost)."""

    def add_column(self, *args, **kwargs) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)
