"""The leaktrace story, end to end, on an embedded workspace (run by `make demo`).

1. An owner registers a memo and 200 recipients and marks one copy per recipient; the field
   and customer-service teams get every section but the budget (section 3).
2. A news site publishes three paragraphs of one copy, retyped, inside an article.
3. The investigator traces the article and gets the copy and its false-accusation bound,
   then runs a case: access log, exposure set, an audited reveal, HTML and PDF reports.
4. A Word briefing is e-mailed to twelve leads through a mail server; a phone photo of one
   lead's printed page is traced through OCR.
5. A blog paraphrases a section of the memo without copying a phrase: source search names
   the document and the section as a possible paraphrase (a lead, not evidence) and
   everyone who held that section: the field teams' copies did not have it.
6. Before the next round of copies the owner runs `suggest`, accepts the alternatives that
   keep the meaning in the review file, and issues copies of the new version; a forum post
   retypes the end of one technician's copy (about 570 words), which tracing identifies.
It drives the real `leaktrace` command, exactly as a user would type it.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get("LEAKTRACE_DEMO_DIR", HERE.parent / "demo-out"))
LEAKTRACE = Path(sys.executable).with_name("leaktrace")
LEAKER = "noor.sorensen"  # whose copy the news site got (the demo knows; the investigator does not)
LEAD = "isla.tiwari"       # the depot lead whose printed briefing is photographed
RETYPIST = "elif.rahman"   # the field technician whose copy of the new version a forum post retypes
AUTHOR = "Helen Achterberg"  # who accepts the suggestions in the review file


def step(title: str) -> None:
    print(f"\n=== {title}")


def sh(*args: str, quiet: bool = False, columns: int = 120) -> str:
    shown = " ".join(shlex.quote(str(a).replace(str(OUT) + "/", "").replace(str(HERE) + "/", "examples/"))
                     for a in args)
    print(f"$ leaktrace {shown}")
    env = dict(os.environ, LEAKTRACE_WORKSPACE=str(OUT / "workspace"), COLUMNS=str(columns))
    proc = subprocess.run([str(LEAKTRACE), *map(str, args)], env=env, capture_output=True, text=True)
    if not quiet:
        print(proc.stdout, end="")
    if proc.returncode != 0:
        print(proc.stderr, end="", file=sys.stderr)
        sys.exit(f"demo step failed: leaktrace {shown}")
    return proc.stdout


FIELD_SECTIONS = ("Preamble", "1. Purpose of this memo", "2. Why the network needs renewal",
                  "4. Restructuring field operations", "5. Customers and communications",
                  "6. Timeline and key dates", "7. What we need from you")


def split_recipients(people: Path, inside: Path, outside: Path, departments: set[str]) -> int:
    """Write the ids of the people in these departments to `inside`, the others to `outside`."""
    import csv

    with people.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    chosen = [r["id"] for r in rows if r["department"] in departments]
    inside.write_text("id\n" + "".join(f"{i}\n" for i in chosen), encoding="utf-8")
    outside.write_text("id\n" + "".join(f"{r['id']}\n" for r in rows if r["id"] not in chosen), encoding="utf-8")
    return len(chosen)


def retyped(copy: str, section: int, count: int, rng: random.Random) -> str:
    """What a journalist's quote looks like: `count` paragraphs of a section, retyped
    (sanitized, ASCII only, straight quotes, about 1% typos)."""
    from leaktrace import simulate

    blocks = copy.split("\n\n")
    heading = next(i for i, b in enumerate(blocks) if b.startswith(f"## {section}."))
    paragraphs = [b for b in blocks[heading + 1:] if len(b.split()) > 40 and not b.startswith('"')][:count]
    return simulate.retype("\n\n".join(paragraphs), rng)


def section_paragraphs(copy: str, section: int) -> list[str]:
    """The paragraphs (list blocks included) of one numbered section of a copy, heading left out."""
    blocks = copy.split("\n\n")
    heading = next(i for i, b in enumerate(blocks) if b.startswith(f"## {section}."))
    end = next((i for i in range(heading + 1, len(blocks)) if blocks[i].startswith("## ")), len(blocks))
    return blocks[heading + 1:end]


def review_items(review: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(box, id, label, family, [original, variants...]) of every proposal in a review file."""
    items = []
    for line in review.splitlines():
        if m := re.match(r"- \[([ xX])\] (P\d+) · ([a-z-]+) · ([a-z-]+) · ", line):
            items.append((m[1], m[2], m[3], m[4], []))
        elif items and (m := re.match(r"\s+- (?:original|variant): (.*)$", line)):
            items[-1][4].append(m[1])
    return items


def as_html(quote: str) -> str:
    return "\n".join(f"        <p>{html.escape(p)}</p>" for p in quote.split("\n\n"))


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    step("1. The owner creates a workspace, registers the memo and the recipients, and marks copies")
    # The demo's key is public (examples/demo.key) so the story is the same on every machine;
    # a real workspace gets a new random key from `leaktrace init`.
    sh("init", "--key-file", HERE / "demo.key")
    sh("doc", "add", HERE / "memo.md", "--title", "Northern network renewal")
    sh("recipients", "import", HERE / "people.csv")
    sh("doc", "capacity", "D1")
    sh("doc", "sections", "D1")
    field = split_recipients(HERE / "people.csv", OUT / "field-teams.csv", OUT / "office.csv",
                             {"Field Operations", "Customer Services"})
    print(f"(the {field} people of the field and customer-service teams get every section but the budget)")
    sh("mark", "D1", "--to", OUT / "office.csv", "--out", OUT / "copies")
    sh("mark", "D1", "--to", OUT / "field-teams.csv", "--out", OUT / "copies-field", "--sections",
       ",".join(FIELD_SECTIONS))
    print(f"(each copy reads exactly like the original; the visible-character changes in {LEAKER}'s copy:)")
    sh("mark", "D1", "--preview", LEAKER, "--only", "lexical,declared")

    step("2. Months later, a news site quotes three paragraphs, and more further down, retyped")
    copy = (OUT / "copies" / f"{LEAKER}.md").read_text(encoding="utf-8")
    rng = random.Random(2025)
    quote, quote2, quote3 = retyped(copy, 4, 3, rng), retyped(copy, 2, 3, rng), retyped(copy, 5, 2, rng)
    article = ((HERE / "article_template.html").read_text(encoding="utf-8")
               .replace("{{LEAKED_EXCERPT}}", as_html(quote)).replace("{{LEAKED_EXCERPT_2}}", as_html(quote2))
               .replace("{{LEAKED_EXCERPT_3}}", as_html(quote3)))
    (OUT / "article.html").write_text(article, encoding="utf-8")
    words = len(quote.split()) + len(quote2.split()) + len(quote3.split())
    print(f"Wrote {OUT.name}/article.html ({words} quoted words inside the article). The first quote begins:")
    print("    " + quote[:300].replace("\n\n", "\n    ") + " ...")

    step("3. The investigator traces the article")
    sh("trace", OUT / "article.html")

    step("4. The unmarked original, leaked, names nobody")
    sh("trace", HERE / "memo.md")

    step("5. The ledger recorded every distribution, hash-chained and signed")
    events = json.loads(sh("ledger", "events", "--document", "D1", "--json", quiet=True))["items"]
    print(f"({len(events)} distribution entries for D1: recipient, copy id, SHA-256 of the copy, path)")

    step("6. The investigator opens a case, with the document system's access log")
    marked_at = datetime.fromisoformat(events[0]["occurred_at"].replace("Z", "+00:00"))
    first_seen = marked_at + timedelta(days=30)
    write_access_log(OUT / "access-log.csv", marked_at, first_seen)
    sh("protected", "add", "oversight.example", "--label", "inspector general")
    sh("ledger", "import", OUT / "access-log.csv", "--format", "csv",
       "--map", "time=when,actor=who,action=what,document=file,event_id=ref")
    sh("case", "open", "Memo quoted in the Courier", "--purpose", "Find which copy the article quotes")
    sh("case", "add", "C1", OUT / "article.html", "--obtained-from", "harrowvalleycourier.example, saved by the investigator",
       "--obtained-at", iso(first_seen + timedelta(hours=5)), "--first-seen", iso(first_seen),
       "--url", "https://harrowvalleycourier.example/news/pipe-overhaul")
    sh("case", "trace", "C1")
    sh("case", "show", "C1")

    step("7. Counsel asks for the name behind the matching copy; the reason is recorded")
    view = json.loads(sh("case", "show", "C1", "--json", quiet=True))
    pseudonym = matching_pseudonym(view)
    sh("case", "reveal", "C1", pseudonym, "--reason", "counsel asked for the interview list")
    sh("case", "report", "C1", "--format", "html", "--out", OUT / "C1-report.html")
    sh("case", "report", "C1", "--format", "pdf", "--out", OUT / "C1-report.pdf")
    sh("ledger", "verify")
    sh("audit", "--case", "C1")

    step("8. Evidence for counsel: the machine-readable trace")
    env = dict(os.environ, LEAKTRACE_WORKSPACE=str(OUT / "workspace"))
    proc = subprocess.run([str(LEAKTRACE), "trace", str(OUT / "article.html"), "--json"],
                          env=env, capture_output=True, text=True, check=True)
    (OUT / "trace.json").write_text(proc.stdout, encoding="utf-8")
    print(f"Saved {OUT.name}/trace.json, {OUT.name}/C1-report.html and {OUT.name}/C1-report.pdf.")

    step("9. Word files by e-mail: a briefing goes to twelve depot leads through the mail server")
    briefing_docx(HERE / "briefing.md", OUT / "briefing.docx")
    leads = [line.split(",")[0] for line in (HERE / "people.csv").read_text().splitlines()[1:13]]
    (OUT / "leads.csv").write_text("id\n" + "\n".join(leads) + "\n")
    sh("doc", "add", OUT / "briefing.docx")
    with local_mail_server() as (port, mailbox):
        sh("mark", "D2", "--to", OUT / "leads.csv", "--as", "eml", "--from", "ops-planning@example.org",
           "--smtp", f"127.0.0.1:{port}", "--out", OUT / "mail")
    print(f"(the mail server accepted {len(mailbox)} messages, each with its recipient's marked .docx attached)")

    step("10. A lead prints the briefing; a phone photo of the first page reaches a journalist; the words\n"
         "    its PDF copy moved half a point on the page name the copy")
    sh("mark", "D2", "--to", LEAD, "--as", "pdf", "--footer", "--out", OUT / "print", quiet=True)
    photograph(OUT / "print" / f"{LEAD}.pdf", OUT / "photo.jpg")
    print(f"Wrote {OUT.name}/photo.jpg: page 1 at 300 dpi, tilted, blurred, noisy, JPEG-compressed.")
    sh("trace", OUT / "photo.jpg")

    step("11. A blog retells part of the memo in its own words: no mark survives, the source is a lead")
    print("(examples/blog_post.txt paraphrases the memo's budget and phasing without copying a phrase:\n"
          " words alone cannot prove that, so search reports a possible paraphrase and who held that section;\n"
          " the field teams' copies had no budget section, so they are not among them)")
    sh("search", HERE / "blog_post.txt")

    forum_post_of_new_version(suggest_and_issue_new_version())


def suggest_and_issue_new_version() -> str:
    """Returns the id of the new version."""
    step("12. Before the next round of copies, the owner runs `suggest`")
    print("(a retyped leak keeps only lexical, declared and dash-spacing marks; declared\n"
          " alternatives that the author approves add marks that survive retyping)")
    sh("suggest", "D1", "--out", OUT / "review.md", columns=80)
    review = (OUT / "review.md").read_text(encoding="utf-8")
    # The author reads the review file and ticks every proposal that keeps the meaning; the
    # details (a budget figure, a number of days) stay as they are: every copy must state them alike.
    reviewed = re.sub(r"^- \[ \] (P\d+ · keeps-meaning)", r"- [x] \1", review, flags=re.M)
    (OUT / "review.md").write_text(reviewed, encoding="utf-8")
    items = review_items(reviewed)
    print(f"({AUTHOR}, the author, ticks in review.md the {sum(i[0] == 'x' for i in items)} proposals "
          f"that keep the\n meaning and leaves the {sum(i[0] == ' ' for i in items)} that would change "
          "a detail:)")
    for box, pid, label, family, words in items:
        kind = family if label == "keeps-meaning" else f"{family.upper()} (detail)"
        print(f"  [{box}] {pid:<4}{kind:<18}{words[0]} → {' / '.join(words[1:])}"[:80])
    applied = sh("suggest", "D1", "--apply", OUT / "review.md", "--by", AUTHOR, columns=80)
    new = re.match(r"(D\d+) \(version 2 of D1\)", applied)
    if not new:
        sys.exit("demo: suggest --apply registered no new version")
    v2 = new[1]
    sh("mark", v2, "--to", OUT / "office.csv", "--out", OUT / "copies-v2")
    sh("mark", v2, "--to", OUT / "field-teams.csv", "--out", OUT / "copies-v2-field", "--sections",
       ",".join(FIELD_SECTIONS), quiet=True)
    print(f"(the field teams' copies of {v2}, again without the budget, in copies-v2-field)")
    before, after = retyped_words(sh("doc", "capacity", "D1", "--json", quiet=True)), \
        retyped_words(sh("doc", "capacity", v2, "--json", quiet=True))
    print(f"(doc capacity: a retyped leak needs about {after} words to single out one copy\n"
          f" among 200 in the new version, {before} in the first)")
    return v2


def retyped_words(capacity_json: str) -> int:
    profiles = json.loads(capacity_json)["profiles"]
    return next(p["words_for_recipients"] for p in profiles if p["leak_type"] == "retyped")


def forum_passage(copy: str) -> str:
    """What the forum post quotes: from "The change does not mean redundancies" (section 4) to the
    end: staffing, customers, the key dates, the managers' call. About 570 words, the length that
    identified the copy in every trial of examples/retyped_check.py (every recipient, 5 seeds)."""
    return "\n\n".join(section_paragraphs(copy, 4)[2:] + section_paragraphs(copy, 5)
                       + section_paragraphs(copy, 6) + section_paragraphs(copy, 7))


def source(trace: dict, doc: str) -> dict:
    """The part of a `trace --json` result about one document (a leak can derive from several)."""
    return next(r for r in [trace, *trace["other_sources"]] if r["document"]["id"] == doc)


def forum_post_of_new_version(v2: str) -> None:
    from leaktrace import simulate

    step("13. A forum post retypes the end of a technician's copy of the new memo")
    copy = (OUT / "copies-v2-field" / f"{RETYPIST}.md").read_text(encoding="utf-8")
    post = simulate.retype(forum_passage(copy), random.Random(13))
    (OUT / "forum-post.txt").write_text(post, encoding="utf-8")
    print(f"Wrote {OUT.name}/forum-post.txt: {len(post.split())} words, retyped (about 1% typos). "
          "It begins:")
    print(textwrap.fill(post[:230].rsplit(" ", 1)[0] + " ...", 76, initial_indent="    ",
                        subsequent_indent="    "))
    shown = sh("trace", OUT / "forum-post.txt", columns=80, quiet=True)
    print(shown.split("\n┏", 1)[0])
    env = dict(os.environ, LEAKTRACE_WORKSPACE=str(OUT / "workspace"))
    proc = subprocess.run([str(LEAKTRACE), "trace", str(OUT / "forum-post.txt"), "--json"],
                          env=env, capture_output=True, text=True, check=True)
    (OUT / "forum-trace.json").write_text(proc.stdout, encoding="utf-8")
    trace = json.loads(proc.stdout)
    print("(the output goes on with the ranking table, the same trace against the first\n"
          " version's copies, and the passages; in short, from `trace --json`:)")
    for result in [trace, *trace["other_sources"]]:
        named = [c for c in result["copies"] if c["identified"]]
        best = next(c for c in result["copies"] if not c["identified"])
        print(f"  {result['document']['id']}, {result['recipients_scored']} copies scored: {result['verdict'].upper()}"
              + "".join(f", {c['recipient']} at bound {c['false_accusation_bound']:.1e}" for c in named))
        print(f"      {'next' if named else 'best'}: {best['recipient']}, bound {best['false_accusation_bound']:.1e} "
              f"({best['agreed']}/{best['read']} marks agree), not named")
    # The same passage, retyped alike, from the technician's copy of the first version: what the
    # accepted suggestions changed for this leak (examples/retyped_check.py: for every copy).
    print("(had the post retyped the technician's copy of the first version instead:)")
    first = (OUT / "copies-field" / f"{RETYPIST}.md").read_text(encoding="utf-8")
    (OUT / "forum-post-v1.txt").write_text(simulate.retype(forum_passage(first), random.Random(13)),
                                           encoding="utf-8")
    then = source(json.loads(sh("trace", OUT / "forum-post-v1.txt", "--json", quiet=True)), "D1")
    was = next(c for c in then["copies"] if c["recipient"] == RETYPIST)
    now = next(c for c in source(trace, v2)["copies"] if c["recipient"] == RETYPIST)
    verdict = ("IDENTIFIED as well" if was["identified"]
               else "INCONCLUSIVE: only the accepted suggestions make this passage enough")
    print(f"({verdict}, from {was['read']} marks instead of {now['read']}: bound "
          f"{was['false_accusation_bound']:.1e} instead of\n {now['false_accusation_bound']:.1e}; "
          "examples/retyped_check.py repeats both for every recipient's copy\n and five typo seeds)")


def briefing_docx(md: Path, out: Path) -> None:
    """The briefing as the Word file an owner would have: headings by style, body paragraphs."""
    import docx

    d = docx.Document()
    for block in md.read_text(encoding="utf-8").strip().split("\n\n"):
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            d.add_heading(block.lstrip("#").strip(), level=0 if level == 1 else level - 1)
        else:
            d.add_paragraph(block)
    d.sections[0].header.paragraphs[0].text = "Depot leads only"
    d.save(out)


class local_mail_server:
    """An SMTP server on this machine (aiosmtpd) that keeps what it receives."""

    def __enter__(self):
        import socket

        from aiosmtpd.controller import Controller

        mailbox: list[bytes] = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                mailbox.append(envelope.content)
                return "250 OK"

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        return port, mailbox

    def __exit__(self, *exc):
        self.controller.stop()


def photograph(pdf: Path, out: Path) -> None:
    """A phone photo of a printed page: 300 dpi, a slight tilt, blur, sensor noise, JPEG."""
    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter

    page = pypdfium2.PdfDocument(str(pdf))[0].render(scale=300 / 72).to_pil().convert("L")
    page = page.rotate(0.8, resample=Image.BICUBIC, expand=True, fillcolor=235)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    rng = np.random.default_rng(7)
    pixels = np.asarray(page, dtype=np.float32) * 0.92 + 12 + rng.normal(0, 6, (page.height, page.width))
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, quality=80)


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_access_log(path: Path, marked_at: datetime, first_seen: datetime) -> None:
    """A simulated export of the document system's audit log (generic CSV): who opened,
    printed or shared the memo after it was distributed. One share goes to the inspector
    general (a protected channel, never evidence); one view comes after publication."""
    rows = [
        (1, "isla.tiwari@harrowvalley.example", "Opened"),
        (2, f"{LEAKER}@harrowvalley.example", "Opened"),
        (3, f"{LEAKER}@harrowvalley.example", "Printed"),
        (4, "greta.holloway@harrowvalley.example", "Downloaded"),
        (6, "gianni.okafor@harrowvalley.example", "Opened"),
        (9, "tips@oversight.example", "Opened"),
        (12, "isla.tiwari@harrowvalley.example", "Printed"),
        (35, "gianni.fairweather@harrowvalley.example", "Opened"),
    ]
    with path.open("w", encoding="utf-8") as f:
        f.write("when,who,what,file,ref\n")
        for k, (day, who, what) in enumerate(rows, 1):
            f.write(f"{iso(marked_at + timedelta(days=day))},{who},{what},memo.md,dms-{k:04d}\n")
    del first_seen  # the last row falls after it on purpose


def matching_pseudonym(view: dict) -> str:
    """The pseudonym of the copy the marks identified, read from `case show --json`."""
    def walk(o):
        if isinstance(o, dict):
            if o.get("identified") is True:
                for key in ("pseudonym", "label", "subject"):
                    v = o.get(key)
                    if isinstance(v, str) and v.startswith("Recipient-"):
                        return v
                    if isinstance(v, dict):
                        for vv in v.values():
                            if isinstance(vv, str) and vv.startswith("Recipient-"):
                                return vv
            for v in o.values():
                found = walk(v)
                if found:
                    return found
        if isinstance(o, list):
            for v in o:
                found = walk(v)
                if found:
                    return found
        return None

    found = walk(view)
    if not found:
        sys.exit("demo: the trace identified no copy")
    return found


if __name__ == "__main__":
    main()
