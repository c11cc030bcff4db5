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


# Still cut at 80 columns, and left for now: `trace`'s and `mark --preview`'s tables (src/leaktrace/cli.py)
# fold names and scores ("Gra|nt", "332.|95") and runs of invisible characters; `ledger events` has eight
# columns whose longest words alone are wider than 80 (times, e-mail addresses, actions); `audit` folds
# times and the 64-digit SHA-256 values in its details. Strict: a fix makes these fail until the mark goes.
@pytest.mark.xfail(strict=True, reason="issue 17, left: these tables fold words at 80 columns")
@pytest.mark.parametrize("args", [("trace", "LEAK"), ("mark", "D1", "--preview", LEAKER["id"], "--limit", "20"),
                                  ("ledger", "events"), ("audit",)], ids=["trace", "mark-preview", "ledger-events",
                                                                          "audit"])
def test_tables_still_cut_at_80_columns(workspace, capsys, monkeypatch, args):
    wsp, leak, tmp = workspace
    args = tuple(str(leak) if a == "LEAK" else a for a in args)
    assert pieces(capsys, monkeypatch, *args) == []
