"""Run the `leaktrace` command in-process, through the same entry point as the installed script."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from leaktrace import cli


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run(capsys, *args: str) -> Result:
    argv = sys.argv
    sys.argv = ["leaktrace", *map(str, args)]
    code = 0
    try:
        cli.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def one_line_error(r: Result) -> str:
    """Assert the command failed with exactly one line on stderr and no traceback; return it."""
    assert r.code != 0
    assert "Traceback" not in r.err and "Traceback" not in r.out
    lines = [ln for ln in r.err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    return lines[0]
