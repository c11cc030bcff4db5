"""How many alternatives `leaktrace suggest` proposes on real prose, and what its semantic check
rejects (issue 13, part 3): pages of the 18F handbook (read in place, see bench/real.py), each
page's proposals clear of its automatic sites, keeps-meaning proposals per 100 words, and the
alternatives the cosine check turned down.

    python bench/suggest.py [--pages 12] [--corpus DIR] [--no-check]

Prints a table and writes bench/suggest.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _p in (str(HERE), str(HERE.parent / "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from real import CORPUS, choose_pages, corpus_pages  # noqa: E402
from runinfo import git_commit, log, machine  # noqa: E402

from leaktrace.suggest import propose_for_text  # noqa: E402
from leaktrace.suggest.check import run_check  # noqa: E402
from leaktrace.suggest.propose import DETAIL, KEEPS  # noqa: E402


def measure(text: str, semantic: bool) -> dict:
    base, proposals = propose_for_text(text, fmt="md")
    kept, rejected, how = run_check(base, proposals, run=None if semantic else False)
    words = len(base.split())
    keeps_before = [p for p in proposals if p.label == KEEPS]
    keeps_after = [p for p in kept if p.label == KEEPS]
    return {"words": words,
            "keeps_proposed": len(keeps_before),
            "keeps_kept": len(keeps_after),
            "keeps_per_100": round(100 * len(keeps_after) / max(words, 1), 2),
            "details": sum(p.label == DETAIL for p in kept),
            "alternatives_checked": sum(len(p.variants) - 1 for p in keeps_before) if how.ran else 0,
            "alternatives_rejected": len(rejected),
            "proposals_dropped": len(keeps_before) - len(keeps_after),
            "by_kind": dict(Counter(p.kind for p in kept)),
            "rejected": [r.to_json() for r in rejected],
            "check": how.to_json()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--no-check", action="store_true", help="skip the semantic check")
    args = ap.parse_args()
    pages, texts, source = corpus_pages(args.corpus)
    chosen, _ = choose_pages(pages, args.pages)
    rows = {}
    for k, page in enumerate(chosen, 1):
        log(f"{k}/{len(chosen)} {page.path}")
        rows[page.path] = measure(texts[page.path], not args.no_check)
    words = sum(r["words"] for r in rows.values())
    total = {key: sum(r[key] for r in rows.values())
             for key in ("keeps_proposed", "keeps_kept", "details", "alternatives_checked",
                         "alternatives_rejected", "proposals_dropped")}
    kinds = Counter()
    for r in rows.values():
        kinds.update(r["by_kind"])
    summary = {"pages": len(rows), "words": words, **total,
               "keeps_per_100_words_median": round(statistics.median(r["keeps_per_100"] for r in rows.values()), 2),
               "keeps_per_100_words_all": round(100 * total["keeps_kept"] / max(words, 1), 2),
               "by_kind": dict(kinds.most_common())}
    print("| page | words | keeps-meaning | per 100 words | changes-detail | alternatives rejected / checked |")
    print("|---|---:|---:|---:|---:|---:|")
    for path, r in rows.items():
        print(f"| {path} | {r['words']} | {r['keeps_kept']} | {r['keeps_per_100']:.1f} | {r['details']} | "
              f"{r['alternatives_rejected']} / {r['alternatives_checked']} |")
    print(f"| **all {len(rows)} pages** | {words} | {total['keeps_kept']} | {summary['keeps_per_100_words_all']:.1f} "
          f"(median {summary['keeps_per_100_words_median']:.1f}) | {total['details']} | "
          f"{total['alternatives_rejected']} / {total['alternatives_checked']} |")
    print("\nkept proposals by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(f"proposals left with no alternative after the check (dropped): {total['proposals_dropped']}")
    out = {"summary": summary, "pages": rows, "corpus": source, "commit": git_commit(), "machine": machine()}
    (HERE / "suggest.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
