"""PDF marking throughput (issue 14: ≥ 50 copies/s for a 10-page document on this 2-core machine).

The document is real prose: pages of the 18F handbook (public domain; ``../shared/corpora/
18f-handbook``, read in place, never copied into the repository), loaded as bench/real.py loads
them and joined in path order until WeasyPrint sets them on at least ``--pages`` A4 pages. It is
registered as Markdown with every channel, and ``ws.mark --as pdf`` writes one copy per
recipient (files, manifest, database records, ledger entries: the whole command). Measured:

- ``mark``: copies per second of the whole run, the one layout of the document included;
- the layout alone (``CopyWriter.lay_out``) and the copies after it;
- for comparison, copies laid out one by one by WeasyPrint (the way every PDF copy was written
  before, and still is where the layout cannot be used), on a few copies.

Prints a markdown table and writes it to ``bench/PDFSPEED.md`` (``--results`` elsewhere). Timings
are wall-clock and depend on what else the machine runs; the table records its load average.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(HERE), str(ROOT / "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from real import CORPUS, corpus_pages  # noqa: E402
from report import md_table  # noqa: E402
from runinfo import git_commit, log, machine  # noqa: E402


def handbook_document(corpus: Path, pages: int) -> tuple[str, list[str]]:
    """Handbook pages joined in path order, cut after the paragraph that fills `pages` PDF pages
    (and the pages it draws on)."""
    from pypdf import PdfReader

    from leaktrace.formats import pdfwrite

    def count(paras: list[str]) -> int:
        pdf = pdfwrite.render(pdfwrite.page(pdfwrite.markdown_html("\n\n".join(paras)), "handbook"))
        return len(PdfReader(io.BytesIO(pdf)).pages)

    all_pages, texts, _ = corpus_pages(corpus)
    chosen: list[str] = []
    for page in all_pages:
        chosen.append(page.path)
        if len(" ".join(texts[p] for p in chosen).split()) >= 400 * pages:
            break
    paras = [p for path in chosen for p in texts[path].split("\n\n")]
    if count(paras) < pages:
        raise SystemExit(f"the corpus at {corpus} is too short for {pages} pages")
    lo, hi = 1, len(paras)          # the fewest paragraphs that fill the pages
    while lo < hi:
        mid = (lo + hi) // 2
        if count(paras[:mid]) >= pages:
            hi = mid
        else:
            lo = mid + 1
    return "\n\n".join(paras[:lo]) + "\n", chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(CORPUS), help="the 18F handbook folder (with MANIFEST.tsv)")
    ap.add_argument("--pages", type=int, default=10, help="pages of the document (default 10)")
    ap.add_argument("--copies", type=int, default=300, help="recipients marked (default 300)")
    ap.add_argument("--results", default=str(HERE / "PDFSPEED.md"), help="where to write the table")
    args = ap.parse_args(argv)

    from pypdf import PdfReader

    from leaktrace import Workspace
    from leaktrace.formats.copies import CopyWriter
    from leaktrace.marks import layout
    from leaktrace.marks.channels import carried
    from leaktrace.marks.embed import Renderer

    corpus = Path(args.corpus)
    if not (corpus / "MANIFEST.tsv").is_file():
        raise SystemExit(f"no 18F handbook at {corpus} (--corpus DIR)")
    tmp = Path(tempfile.mkdtemp(prefix="leaktrace-pdfspeed-"))
    try:
        log(f"joining handbook pages until {args.pages} PDF pages")
        text, paths = handbook_document(corpus, args.pages)
        (tmp / "handbook.md").write_text(text, encoding="utf-8")
        ws = Workspace.create(tmp / "ws", key=b"leaktrace-bench-pdfspeed-key-v1!")
        doc = ws.add_document(tmp / "handbook.md")
        (tmp / "people.csv").write_text("id,name,email\n" + "".join(
            f"r{i:05d},Person {i},p{i}@example.org\n" for i in range(args.copies)), encoding="utf-8")
        ws.import_recipients(tmp / "people.csv")
        _, base, sites, code = ws.code(doc.id)     # sites found once, as a first `mark` would

        log("one copy at a time, laid out by WeasyPrint (before)")
        writer = CopyWriter("md", "pdf", doc.title, None)
        renderer = Renderer(base, layout.for_pdf(sites))
        n_before = 5
        t = time.perf_counter()
        for i in range(n_before):
            cw = carried(sites, code.codeword(f"r{i:05d}"), "pdf")
            pdf = writer.write(renderer.render(cw), (), stamp="lt1.CAAAAAAAA.00000000000000000000")
        before_s = (time.perf_counter() - t) / n_before
        pages = len(PdfReader(io.BytesIO(pdf)).pages)

        log("the layout alone")
        t = time.perf_counter()
        laid = CopyWriter("md", "pdf", doc.title, None)
        ok = laid.lay_out(base, sites)
        layout_s = time.perf_counter() - t
        if not ok:
            raise SystemExit(f"the layout cannot be used for this document: {laid.unavailable}")

        log(f"mark --as pdf, {args.copies} recipients")
        load = os.getloadavg()[0]
        t = time.perf_counter()
        res = ws.mark(doc.id, out_dir=tmp / "copies", as_format="pdf")
        mark_s = time.perf_counter() - t
        size = sum(os.path.getsize(c.path) for c in res.copies) / len(res.copies)
        ws.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(res.copies)
    after = n / max(1e-9, mark_s - layout_s)
    rows = [
        ["copies laid out one by one (WeasyPrint, before)", f"{1 / before_s:,.2f} copies/s",
         f"{before_s:.2f} s a copy, {n_before} copies"],
        ["the document laid out once (`CopyWriter.lay_out`)", f"{layout_s:.1f} s", "once per `mark` run"],
        [f"`mark --as pdf`, {n:,} recipients, whole run", f"**{n / mark_s:,.1f} copies/s**",
         f"{mark_s:.1f} s with the layout; files, manifest, records, ledger"],
        ["`mark --as pdf`, copies after the layout", f"{after:,.1f} copies/s",
         f"{size / 1024:,.0f} KB a copy"],
    ]
    out = ["## PDF marking throughput", "",
           f"A {pages}-page document: {len(paths)} pages of the 18F handbook joined in path order, cut at a paragraph "
           f"({len(text.split()):,} words; read in place from `{corpus.name}`), {len(sites):,} sites. "
           f"Target: ≥ 50 copies/s for a 10-page document on a 2-core machine.", "",
           md_table(["measure", "result", "notes"], rows), "",
           f"Machine: {machine()['nproc']} cores ({machine()['cpu']}), load average {load:.1f} when `mark` "
           f"started; commit {git_commit()}.", ""]
    report = "\n".join(out)
    print(report)
    Path(args.results).write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
