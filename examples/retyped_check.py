"""How reliably the demo's retyped forum post (step 13) identifies its copy: not one lucky seed.

Run after the demo (`python examples/demo.py`, or `make demo`), on the workspace it left:
every recipient's copy of the new version (with the accepted suggestions) and of the first
version, the demo's passage retyped with several typo seeds, each traced as the demo does.

    python examples/retyped_check.py [--seeds 5]

Prints, per version, how many traces named exactly the copy that leaked, how many named an
innocent copy, and the leaking copy's false-accusation bound (median, worst).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo  # noqa: E402  (the demo's passage and folders)

from leaktrace import simulate  # noqa: E402
from leaktrace.workspace import Workspace  # noqa: E402


def check(ws: Workspace, version: str, folders: list[Path], seeds: int) -> str:
    named_right = named_innocent = trials = 0
    bounds = []
    for folder in folders:
        for path in sorted(folder.glob("*.md")):
            recipient = path.stem
            passage = demo.forum_passage(path.read_text(encoding="utf-8"))
            for seed in range(seeds):
                result = ws.trace(simulate.retype(passage, random.Random(seed)), audit=False)
                trials += 1
                results = [result, *result.other_sources]
                named = [(r.document["id"], c.recipient) for r in results for c in r.copies if c.identified]
                named_right += named == [(version, recipient)]
                named_innocent += any(who != recipient for _, who in named)
                mine = next(r for r in results if r.document and r.document["id"] == version)
                bounds.append(next(c.false_accusation_bound for c in mine.copies if c.recipient == recipient))
    words = len(passage.split())
    return (f"{version}: {words} words, copy identified in {named_right} of {trials} traces, "
            f"an innocent copy named in {named_innocent}; the leaking copy's bound: median "
            f"{statistics.median(bounds):.1e}, worst {max(bounds):.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="typo seeds per copy (default 5)")
    args = parser.parse_args()
    out = demo.OUT
    with Workspace.open(out / "workspace") as ws:
        new = ws.versions("D1")[-1].id   # the version with the accepted suggestions
        print(check(ws, new, [out / "copies-v2", out / "copies-v2-field"], args.seeds))
        print(check(ws, "D1", [out / "copies", out / "copies-field"], args.seeds))


if __name__ == "__main__":
    main()
