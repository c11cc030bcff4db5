"""Smoke test of a plain install: every reader and every writer, through the library as a user
calls it. Run by scripts/plain-install.sh in a fresh virtual environment that has only
`pip install .` (the interpreter's own pip, no extras); exits non-zero on the first failure."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

MEMO = """# Smoke test memo

The depot team will start the new rota in March, and the stores will move to the east yard
before the summer. We don't expect any change to the night shift, but the managers' meeting
on Friday will confirm the details. It is important that nobody discusses the plan outside
the team until the announcement, which is planned for the first week of April.

The budget for the move is about 40 per cent lower than last year's, because the east yard
already has racking, lighting and a loading bay. Staff who need help with the new rota can
ask their line manager or the operations desk, and a short guide will be sent to everyone.
"""


def main() -> int:
    from leaktrace import Workspace

    root = Path(tempfile.mkdtemp(prefix="leaktrace-smoke-"))
    ws = Workspace.create(root / "ws", key=b"s" * 32)
    (root / "people.csv").write_text("id,name,email\n" + "".join(
        f"p{i},Person {i},p{i}@example.org\n" for i in range(5)), encoding="utf-8")
    ws.import_recipients(root / "people.csv")
    originals = {"md": root / "memo.md", "txt": root / "memo.txt", "html": root / "memo.html",
                 "docx": root / "memo.docx"}
    # one text per format (the same text twice would be one document)
    text = {fmt: MEMO + f"\nThis is the {fmt} edition of the memo, for the smoke test.\n" for fmt in originals}
    originals["md"].write_text(text["md"], encoding="utf-8")
    originals["txt"].write_text(text["txt"].replace("# ", ""), encoding="utf-8")
    paras = [p.strip() for p in text["html"].split("\n\n") if p.strip()]
    originals["html"].write_text("<html><head><title>Smoke</title></head><body>" + "".join(
        f"<p>{p}</p>" for p in paras) + "</body></html>", encoding="utf-8")
    import docx

    d = docx.Document()
    for p in text["docx"].split("\n\n"):
        if p.strip():
            d.add_paragraph(" ".join(p.strip().lstrip("# ").split()))
    d.save(originals["docx"])
    checks = 0
    md_doc = None
    for fmt, path in originals.items():
        doc = ws.add_document(path, title=f"Smoke {fmt}")
        md_doc = doc.id if fmt == "md" else md_doc
        outs = {"txt": ("txt", "pdf", "eml"), "md": ("md", "pdf", "eml"), "html": ("html", "pdf", "eml"),
                "docx": ("docx", "pdf", "eml")}[fmt]
        for out in outs:
            res = ws.mark(doc.id, to="p0,p1", out_dir=root / f"{fmt}-{out}", as_format=out,
                          sender="sender@example.org" if out == "eml" else None)
            for copy in res.copies:
                got = ws.trace_file(copy.path, audit=False)
                if got.document is None or got.document["id"] != doc.id:
                    print(f"smoke: a {out} copy of the {fmt} original traced to {got.document}", file=sys.stderr)
                    return 1
                checks += 1
    # a page image, read by OCR
    import pypdfium2 as pdfium

    pdf = next((root / "md-pdf").glob("*.pdf"))
    page = pdfium.PdfDocument(pdf.read_bytes())[0].render(scale=200 / 72).to_pil()
    page.save(root / "photo.png")
    got = ws.trace_file(root / "photo.png", audit=False)
    if got.document is None:
        print("smoke: the page image was not traced to its document", file=sys.stderr)
        return 1
    checks += 1
    # a leak saved on Windows: cp1252 curly quotes, read in its detected encoding
    import unicodedata

    pasted = "".join(ch for ch in (root / "md-md" / "p0.md").read_text(encoding="utf-8")
                     if unicodedata.category(ch) != "Cf").replace("'", "\u2019")
    (root / "windows.txt").write_bytes(pasted.encode("cp1252"))
    got = ws.trace_file(root / "windows.txt", audit=False)
    if got.document is None or got.document["id"] != md_doc:
        print(f"smoke: a cp1252 text of the md copy traced to {got.document}", file=sys.stderr)
        return 1
    checks += 1
    # the writers of an investigation: the case report as HTML, PDF and JSON (with its CSV lists), and
    # the ledger export read back with the public key alone
    import json

    from leaktrace.cases.book import Cases
    from leaktrace.cases.report import write_report
    from leaktrace.ledger.book import Ledger, verify_export

    cases = Cases(ws)
    case = cases.open("Smoke", "smoke test")
    cases.add_artifact(case.id, root / "windows.txt", obtained_from="smoke", obtained_at="2030-01-02T00:00:00Z")
    cases.trace(case.id)
    for fmt in ("html", "pdf", "json"):
        res = write_report(cases, case.id, fmt, root / f"report.{fmt}")
        data = (root / f"report.{fmt}").read_bytes()
        ok = {"html": data.startswith(b"<!DOCTYPE html>"), "pdf": data.startswith(b"%PDF-"),
              "json": fmt == "json" and json.loads(data).get("schema", "").startswith("leaktrace.")}[fmt]
        if not ok or (fmt != "json" and not all(Path(x).stat().st_size for x in res["lists"].values())):
            print(f"smoke: the {fmt} case report is not what it should be", file=sys.stderr)
            return 1
        checks += 1
    ledger = Ledger(ws)
    ledger.export(root / "ledger.jsonl")
    if not verify_export(root / "ledger.jsonl", ledger.public_key()).ok:
        print("smoke: the ledger export does not verify", file=sys.stderr)
        return 1
    checks += 1
    ws.close()
    print(f"smoke: {checks} checks passed: copies written and read back (txt, md, html, docx, pdf, eml), "
          "a page image (OCR), a cp1252 text, the case report (html, pdf, json, csv), the ledger export")
    return 0


if __name__ == "__main__":
    sys.exit(main())
