"""A longer fuzz run of every reader: the properties of tests/test_fuzz.py (text in any encoding,
Markdown, HTML, DOCX, PDF, e-mail, images, recipient lists, each audit-log format) with many more
examples and a fresh seed each run. Prints a table and writes bench/fuzz.json.

    python bench/fuzz.py [--examples 500] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=500, help="examples per property (default 500)")
    ap.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: a random one)")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "fuzz.json")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    env = {**os.environ, "LEAKTRACE_FUZZ_EXAMPLES": str(args.examples)}
    report = ROOT / "bench" / ".fuzz-report.json"
    start = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--hypothesis-seed={seed}",
           "-o", "addopts=", "--import-mode=importlib", "-rA", str(ROOT / "tests" / "test_fuzz.py"),
           "--junitxml", str(report.with_suffix(".xml"))]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    rows = _outcomes(report.with_suffix(".xml"))
    report.with_suffix(".xml").unlink(missing_ok=True)
    print(f"{'property':40} {'result':8} {'seconds':>8}")
    for name, outcome, seconds in rows:
        print(f"{name:40} {outcome:8} {seconds:8.1f}")
    failed = [r for r in rows if r[1] != "passed"]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} properties held over {args.examples} examples each "
          f"(seed {seed}, {elapsed:.0f} s)")
    if failed:
        print(proc.stdout[-6000:])
    args.results.write_text(json.dumps({"examples": args.examples, "seed": seed, "seconds": round(elapsed),
                                        "properties": [{"name": n, "result": o, "seconds": round(s, 1)}
                                                       for n, o, s in rows]}, indent=2) + "\n")
    sys.exit(1 if failed or proc.returncode not in (0,) else 0)


def _outcomes(xml: Path) -> list[tuple[str, str, float]]:
    import xml.etree.ElementTree as ET

    if not xml.exists():
        return []
    out = []
    for case in ET.parse(xml).iter("testcase"):
        outcome = "failed" if case.find("failure") is not None or case.find("error") is not None else (
            "skipped" if case.find("skipped") is not None else "passed")
        out.append((case.get("name", ""), outcome, float(case.get("time", 0))))
    return out


if __name__ == "__main__":
    main()
