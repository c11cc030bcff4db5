"""What every command layer shares: the --workspace and --json options, JSON output, and
safe display of hostile text. Imports nothing from the library, so any CLI module may use it."""

from __future__ import annotations

import importlib
import json
import sys

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.measure import Measurement
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


def console() -> Console:
    """A command's text output. On a terminal, prose wraps between words at its width; in a pipe
    or a file each line stays whole (a log or grep sees one line a sentence)."""
    return Console(highlight=False, soft_wrap=not sys.stdout.isatty())


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
    wraps onto the next line instead of ending in "…" (evidence shown cut is evidence lost).
    `show` prints one so that no word is folded either."""

    def add_column(self, *args, **kwargs) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


# At 80 columns rich fits a wide table by folding its words over lines ("Gra|nt", "332.|95"): a
# name, bound or date read as two. `show` prints a table only where every column can be as wide as
# its longest word, and otherwise a narrower layout of the same cells: `stacked` (the last columns on
# a line of their own under each row) or, as a last resort, one block of "header value" lines a row.

def show(console: Console, table: Table, *narrower: Table | None) -> None:
    """Print the first of `table` and its `narrower` layouts (widest first) whose words all fit the
    console, its columns sized to fit; when none does, `table`'s rows one block each."""
    for t in (table, *narrower):
        if t is not None and fit(console, t):
            console.print(t)
            return
    console.print(records(table))


def fit(console: Console, table: Table, width: int | None = None) -> bool:
    """Size `table`'s columns for `width` (the console's): every value on one line where there is
    room, else no column narrower than its longest word (its whole value where it does not wrap).
    False, and the table left alone, when even the longest words do not fit side by side."""
    widths = _widths(console, table, console.width if width is None else width)
    if widths is None:
        return False
    for column, w in zip(table.columns, widths):
        column.width = w
    return True


def stacked(console: Console, table: Table, below: int = 1) -> Table | None:
    """`table` with its last `below` columns on a line of their own under each row, as wide as the
    console: a long free text (details, a context) or a second group of values gets the whole width
    instead of a sliver of it. None when the values do not fit even so."""
    columns = table.columns
    if len(columns) < below + 2:
        return None
    rows = list(zip(*(list(c.cells) for c in columns)))
    parts = (range(1, len(columns) - below), range(len(columns) - below, len(columns)))
    outer = Table(box=table.box, show_header=table.show_header)
    outer.add_column(Group(columns[0].header, ""), no_wrap=True)     # on the first of the header's lines
    outer.add_column("")
    room = console.width - _chrome(outer) - _range(console, columns[0])[0]
    widths = []
    for part in parts:
        # each row's line is a grid of its own, all grids with the widths that fit every row
        probe = _grid([columns[k] for k in part])
        for row in [[c.header for c in columns], *rows]:
            probe.add_row(*(row[k] for k in part))
        w = _widths(console, probe, room)
        if w is None:
            return None
        widths.append(w)

    def cell(row) -> Group:
        lines = []
        for part, w in zip(parts, widths):
            if len(part) == 1:       # a single text wraps over the whole width
                lines.append(row[part[0]])
                continue
            g = _grid([columns[k] for k in part], w)
            g.add_row(*(row[k] for k in part))
            lines.append(g)
        return Group(*lines)

    outer.columns[1].header = cell([c.header for c in columns])
    for row in rows:
        outer.add_row(row[0], cell(row))
    return outer


def records(table: Table) -> Group:
    """Each row of `table` as a block of "header value" lines: the layout for a console too narrow
    for any table."""
    blocks = []
    for row in zip(*(list(c.cells) for c in table.columns)):
        g = Table.grid(padding=(0, 2, 0, 0))
        g.add_column(style="bold", no_wrap=True)
        g.add_column()
        for column, cell in zip(table.columns, row):
            g.add_row(column.header, cell)
        blocks += [g, ""]
    return Group(*blocks[:-1])


def _grid(columns, widths=None) -> Table:
    g = Table.grid(padding=(0, 2, 0, 0))
    for k, c in enumerate(columns):
        g.add_column(no_wrap=c.no_wrap, justify=c.justify, width=None if widths is None else widths[k])
    return g


def _range(console: Console, column) -> tuple[int, int]:
    """A column's narrowest width that cuts no word (its widest value where it does not wrap), and
    the width that shows every value on one line."""
    if column.width is not None:
        return column.width, column.width
    opts = console.options.update_width(1 << 20)        # measured, not clamped to the console
    lo = hi = column.min_width or 0
    for cell in (column.header, *column.cells):
        m = Measurement.get(console, opts, cell)
        lo, hi = max(lo, m.maximum if column.no_wrap else m.minimum), max(hi, m.maximum)
    return lo, hi


def _chrome(table: Table) -> int:
    """The columns a table's rules and padding take."""
    _, right, _, left = table.padding
    n = len(table.columns)
    pads = n * (left + right) - (0 if table.pad_edge or not n else left + right)
    return pads + ((n - 1 + (2 if table.show_edge else 0)) if table.box and n else 0)


def _widths(console: Console, table: Table, width: int) -> list[int] | None:
    """Content widths for `table`'s columns within `width`: each value on one line if there is room,
    else each column its longest word and the room left shared by what each lacks; None if even the
    longest words do not fit."""
    ranges = [_range(console, c) for c in table.columns]
    room = width - _chrome(table)
    lo, hi = [a for a, _ in ranges], [b for _, b in ranges]
    if sum(hi) <= room:
        return hi
    if sum(lo) > room:
        return None
    spare, lack = room - sum(lo), [b - a for a, b in ranges]
    widths = [a + spare * n // sum(lack) for a, n in zip(lo, lack)]
    for k in sorted(range(len(widths)), key=lambda k: widths[k] - hi[k])[:room - sum(widths)]:
        widths[k] += 1          # what the division left, to the columns that lack most
    return widths
