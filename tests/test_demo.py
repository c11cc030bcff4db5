"""`make demo` tells the story end to end: the retyped quote in the article is traced to the leaker;
the author accepts `suggest`'s alternatives and a retyped forum post of the new version is traced."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_traces_the_article_to_the_leaking_copy(tmp_path):
    env = dict(os.environ, LEAKTRACE_DEMO_DIR=str(tmp_path / "demo"))
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")], env=env,
                          capture_output=True, text=True, timeout=420)
    assert proc.returncode == 0, proc.stderr
    assert "Verdict: IDENTIFIED" in proc.stdout
    trace = json.loads((tmp_path / "demo" / "trace.json").read_text())
    assert trace["verdict"] == "identified"
    named = [c["recipient"] for c in trace["copies"] if c["identified"]]
    assert named == ["noor.sorensen"]
    assert trace["document"]["title"] == "Northern network renewal"
    demo = tmp_path / "demo"
    assert (demo / "C1-report.pdf").read_bytes().startswith(b"%PDF-")
    page = (demo / "C1-report.html").read_text()
    assert "Noor Sorensen" in page and "counsel asked for the interview list" in page
    assert "Ledger OK" in proc.stdout and "Recipient-" in proc.stdout
    # the Word briefing went out by e-mail, and a photo of one lead's printed page names that lead
    assert "the mail server accepted 12 messages" in proc.stdout
    photo = proc.stdout.split("$ leaktrace trace photo.jpg", 1)[1]
    assert "Verdict: IDENTIFIED" in photo and "isla.tiwari" in photo and "Read as image (ocr)" in photo
    # ... by the words its PDF copy moved half a point on the page, more than by its text marks
    marks = re.search(r"Marks read \(read/covered\): (.*)", photo).group(1)
    read = {ch: int(n) for ch, n in re.findall(r"(\w+) (\d+)/\d+", marks)}
    assert read["layout"] >= 50 and read["layout"] > read["lexical"] + read["declared"]
    # the paraphrasing blog is traced to the memo's section by source search
    blog = proc.stdout.split("$ leaktrace search examples/blog_post.txt", 1)[1]
    assert "Reuse: POSSIBLE PARAPHRASE" in blog and "3. Scope of the renewal programme" in blog
    # the field teams' copies had no budget section: the 79 of them are not among its holders
    assert "Copies that contained it: 121" in blog
    assert "--sections 'Preamble,1. Purpose of this memo," in proc.stdout
    # suggest: the author ticked the alternatives that keep the meaning, none that changes a detail,
    # and applying the review file made a new version of the memo, recorded with her name
    review = (demo / "review.md").read_text().splitlines()
    ticked = [line for line in review if line.startswith("- [x] P")]
    assert ticked and all(" · keeps-meaning · " in line for line in ticked)
    assert all(" · changes-detail · " in line for line in review if line.startswith("- [ ] P"))
    applied = re.search(r"^(D\d+) \(version 2 of D1\) registered with (\d+) accepted proposals", proc.stdout, re.M)
    assert applied and int(applied[2]) == len(ticked)
    assert "accepted by Helen Achterberg" in proc.stdout
    assert f"$ leaktrace mark {applied[1]} --to office.csv --out copies-v2" in proc.stdout
    # the forum post retypes a field technician's copy of the new version: identified, no innocent named
    forum = json.loads((demo / "forum-trace.json").read_text())
    assert forum["verdict"] == "identified" and forum["document"]["id"] == applied[1]
    named = [(r["document"]["id"], c["recipient"]) for r in [forum, *forum["other_sources"]]
             for c in r["copies"] if c["identified"]]
    assert named == [(applied[1], "elif.rahman")]
    assert forum["copies"][0]["false_accusation_bound"] <= 1e-6
    assert "(about 1% typos)" in proc.stdout
    forum_out = proc.stdout.split("$ leaktrace trace forum-post.txt", 1)[1]
    assert "Verdict: IDENTIFIED" in forum_out and "elif.rahman" in forum_out
