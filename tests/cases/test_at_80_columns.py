"""At 80 columns a command's output cuts no name, bound, date or id in the middle (issue 17): every
word it shows is a word it shows on a wide terminal, and never a piece of one folded over lines."""

from __future__ import annotations

import re

import pytest
from casekit import GENERIC_MAP, LEAKER, write_access_log
from clirunner import run

from leaktrace import cli
from leaktrace.cases import cli as cases_cli
from leaktrace.ledger import cli as ledger_cli

CONSOLES = (cli.out, cases_cli.out, ledger_cli.out)


def words(text: str) -> set[str]:
    return {w for w in re.split(r"[\s│┃┏┓┗┛┡┩━─┳┻╇╈┼┌┐└┘├┤┬┴]+", text) if w}


def pieces(capsys, monkeypatch, *args) -> list[str]:
    """The words the command shows at 80 columns that it does not show at 400."""
    shown = {}
    for width in (400, 80):
        for console in CONSOLES:
            monkeypatch.setattr(console, "_width", width)
        r = run(capsys, *args)
        assert r.code == 0, (args, r.err)
        shown[width] = words(r.out)
    return sorted(shown[80] - shown[400])


@pytest.fixture
def workspace(env, capsys):
    """A case with one artifact whose first appearance is known and one whose is not, traced."""
    wsp, leak, tmp = env
    assert run(capsys, "ledger", "import", write_access_log(tmp / "dms.csv"), "--format", "csv",
               "--map", GENERIC_MAP).code == 0
    run(capsys, "case", "open", "Depot plan in the Gazette", "--purpose", "find the copy")
    assert run(capsys, "case", "add", "C1", leak, "--obtained-from", "Gazette website, saved by J. Doe",
               "--obtained-at", "2030-06-02T08:00:00Z", "--first-seen", "2030-06-01T06:00:00Z").code == 0
    post = tmp / "post.txt"
    post.write_text(leak.read_text(encoding="utf-8").split("\n\n")[2] + "\n", encoding="utf-8")
    assert run(capsys, "case", "add", "C1", post, "--obtained-from", "a forum",
               "--obtained-at", "2030-07-01T12:00:00Z").code == 0
    assert run(capsys, "case", "trace", "C1").code == 0
    assert run(capsys, "protected", "add", "ig.oversight.example", "--label", "inspector general").code == 0
    return env


def test_case_document_and_recipient_listings_cut_nothing_at_80_columns(workspace, capsys, monkeypatch):
    wsp, leak, tmp = workspace
    for args in (("case", "show", "C1"), ("case", "list"), ("protected", "list"), ("doc", "list"),
                 ("recipients", "list"), ("search", leak), ("doc", "sections", "D1"), ("doc", "capacity", "D1")):
        assert pieces(capsys, monkeypatch, *args) == [], args


# Tables wider than 80 columns take a narrower layout there instead of folding words: `trace` shows each
# name under its recipient id, `mark --preview` and `audit` the context and the details under each row,
# `ledger events` two lines an event (recipient, account and source under time, kind, action, document).
@pytest.mark.parametrize("args", [("trace", "LEAK"), ("trace", "LEAK", "--sites"),
                                  ("mark", "D1", "--preview", LEAKER["id"], "--limit", "20"),
                                  ("ledger", "events"), ("ledger", "events", "--kind", "access"), ("audit",)],
                         ids=["trace", "trace-sites", "mark-preview", "ledger-events", "access-events", "audit"])
def test_wide_tables_cut_nothing_at_80_columns(workspace, capsys, monkeypatch, args):
    wsp, leak, tmp = workspace
    args = tuple(str(leak) if a == "LEAK" else a for a in args)
    assert pieces(capsys, monkeypatch, *args) == []


def test_a_table_too_wide_for_any_layout_shows_one_block_a_row():
    """Where not even the narrower layout fits, each row is a block of "header value" lines, every word whole."""
    from rich.console import Console

    from leaktrace.cliutil import Table, show, stacked

    t = Table("seq", "when", "recipient", "actor", "details")
    t.add_row("7", "2030-05-01T09:00:00.000Z", "kai.ashby.001", "kai.ashby.001@example.org",
              "sha256: 6432765ef236fa716deb70231e0fbe2a, file: /tmp/dms.csv")
    console = Console(width=48, record=True)
    show(console, t, stacked(console, t))
    text = console.export_text()
    assert "┃" not in text and max(map(len, text.splitlines())) <= 48
    assert words(text) == {"seq", "when", "recipient", "actor", "details", "7", "2030-05-01T09:00:00.000Z",
                           "kai.ashby.001", "kai.ashby.001@example.org", "sha256:",
                           "6432765ef236fa716deb70231e0fbe2a,", "file:", "/tmp/dms.csv"}


def test_prose_wraps_between_words_on_a_terminal_and_stays_whole_in_a_pipe(monkeypatch):
    # A terminal wraps what is longer than its width wherever the width ends, mid-word: on a
    # terminal the commands' text is wrapped by rich, between words; a pipe gets whole lines.
    import io

    from leaktrace.cliutil import console

    class Tty(io.StringIO):
        def isatty(self):
            return True

    text = "out of reach: even the whole document leaked this way keeps about 15 marks, " * 3
    for stream, wrapped in ((Tty(), True), (io.StringIO(), False)):
        monkeypatch.setattr("sys.stdout", stream)
        c = console()
        c.width = 80
        c.print(text.strip())
        lines = stream.getvalue().splitlines()
        assert (len(lines) > 1) == wrapped
        assert " ".join(" ".join(lines).split()) == " ".join(text.split())
        assert all(len(line) <= 80 for line in lines) or not wrapped
