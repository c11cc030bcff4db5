"""What every benchmark records about its run: progress lines, the machine, the commit."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu or platform.processor(), "python": platform.python_version(),
            "platform": platform.platform()}


def git_commit() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return rev + (" with uncommitted changes in src/ (at the start of the run)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def save_and_render(args, data: dict | None, run, render, json_name: str, md_name: str) -> int:
    """The end of a benchmark script: the tallies (run() unless --report-from), saved as JSON
    unless --quick, rendered as a markdown section, printed, and written unless --quick."""
    import json

    here = Path(__file__).resolve().parent
    if args.report_from:
        data = json.loads(Path(args.report_from).read_text(encoding="utf-8"))
    else:
        data = run()
        json_path = Path(args.json) if args.json else (None if args.quick else here / json_name)
        if json_path:
            json_path.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n",
                                 encoding="utf-8")
            log(f"wrote {json_path}")
    md = render(data)
    print(md)
    out = Path(args.out) if args.out else (None if (args.quick or args.report_from) else here / md_name)
    if out:
        out.write_text(md + "\n", encoding="utf-8")
        log(f"wrote {out}")
    log(f"done in {data['meta']['elapsed_s'] / 60:.1f} min")
    return 0
