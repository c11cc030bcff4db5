"""An attacker who can write to the workspace database, but cannot read the signing key nor
rewrite the workspace folder, cannot launder the ledger: the signed tree heads kept in the head
file beside the keys catch a rewritten and re-hashed entry, deleted newest entries, a wiped
ledger, and edited evidence tables (copies and their holders, case traces); and an export states
its size and root, so an emptied or truncated one is refused (issue 18)."""

from __future__ import annotations

import json

import pytest
from clirunner import one_line_error, run
from sqlalchemy import text

from leaktrace.cases.book import Cases
from leaktrace.errors import LeaktraceError
from leaktrace.ledger.book import Ledger, verify_export
from leaktrace.ledger.chain import HASHED_FIELDS, entry_hash
from samples import people_rows

IDS = [r["id"] for r in people_rows(40)]
LEAKER, INNOCENT = IDS[5], IDS[9]
ALTERED = "altered since the last signed head"
FIRST_SEEN = "2030-06-01T06:00:00Z"


# ------------------------------------------------------------------ what the attacker does
def execute(ws, *statements) -> None:
    """Statements run on the workspace database directly (SQLite or PostgreSQL), as an attacker would."""
    ws.engine.dispose()
    with ws.engine.begin() as c:
        for s in statements:
            c.execute(text(s)) if isinstance(s, str) else c.execute(text(s[0]), s[1])


def ledger_rows(ws) -> dict[int, dict]:
    with ws.engine.begin() as c:
        return {r["seq"]: dict(r) for r in c.execute(text("SELECT * FROM ledger ORDER BY seq")).mappings()}


def rewrite_and_rehash(ws, seq: int, **change) -> None:
    """Change entry `seq`, then recompute every hash after it with the public algorithm."""
    rows = ledger_rows(ws)
    prev = rows[seq]["prev_hash"]
    for s in range(seq, max(rows) + 1):
        row = dict(rows[s], **(change if s == seq else {}))
        fields = {f: row[f] for f in HASHED_FIELDS}
        fields["details"] = json.loads(row["details"])
        h = entry_hash(prev, fields)
        execute(ws, ("UPDATE ledger SET recipient=:r, prev_hash=:p, hash=:h WHERE seq=:s",
                     {"r": row["recipient"], "p": prev, "h": h, "s": s}))
        prev = h


def problems(ws) -> list[tuple[str, int]]:
    rep = Ledger(ws).verify()
    assert not rep.ok
    return [(p.kind, p.seq) for p in rep.problems]


def leak_text(ws, doc) -> str:
    return "\n\n".join(ws.render_copy(doc.id, LEAKER).split("\n\n")[3:6])


# ------------------------------------------------------------------ the findings
def test_a_rewritten_and_rehashed_entry_is_not_signed_by_the_next_command(marked):
    """Rewrite one distribution entry's recipient, re-hash the chain after it, delete every signed
    digest: the next trace refuses to sign (it would have signed the forged head), and verify
    reports the ledger altered."""
    ws, doc = marked
    led = Ledger(ws)
    entry = next(e for e in led.events(kind="distribution") if e.recipient == LEAKER)
    n = led.count()
    rewrite_and_rehash(ws, entry.seq, recipient=INNOCENT)
    execute(ws, "DELETE FROM ledger_digests")
    with pytest.raises(LeaktraceError, match=ALTERED):
        ws.trace(leak_text(ws, doc))
    assert led.count() == n                         # nothing appended, nothing signed
    probs = problems(ws)
    assert ("digest_mismatch", n) in probs
    assert not [e for e in led.events(kind="audit") if e.action == "trace"]


def test_the_next_command_refuses_on_the_command_line(marked, tmp_path, capsys, monkeypatch):
    ws, doc = marked
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(ws.path))
    entry = next(e for e in Ledger(ws).events(kind="distribution") if e.recipient == LEAKER)
    rewrite_and_rehash(ws, entry.seq, recipient=INNOCENT)
    execute(ws, "DELETE FROM ledger_digests")
    (tmp_path / "leak.txt").write_text(leak_text(ws, doc), encoding="utf-8")
    ws.engine.dispose()
    err = one_line_error(run(capsys, "trace", tmp_path / "leak.txt"))
    assert ALTERED in err and "ledger verify" in err
    r = run(capsys, "ledger", "verify")
    assert r.code == 1 and "Ledger OK" not in r.out and "TAMPERED" in r.out


def test_deleting_the_newest_entries_with_their_digests(marked):
    ws, doc = marked
    led = Ledger(ws)
    ws.trace(leak_text(ws, doc))
    n = led.count()
    assert led.events(kind="audit")[-1].seq == n     # the trace's audit entry, signed
    execute(ws, f"DELETE FROM ledger WHERE seq = {n}", f"DELETE FROM ledger_digests WHERE upto_seq = {n}")
    assert problems(ws) == [("deleted", n)]
    with pytest.raises(LeaktraceError, match=ALTERED):
        ws.trace(leak_text(ws, doc))


def test_wiping_the_whole_ledger(marked):
    ws, doc = marked
    n = Ledger(ws).count()
    assert n == 40
    execute(ws, "DELETE FROM ledger", "DELETE FROM ledger_digests")
    rep = Ledger(ws).verify()
    assert not rep.ok and [(p.kind, p.seq) for p in rep.problems] == [("deleted", 1)]
    assert f"{n} entries" in rep.problems[0].message
    with pytest.raises(LeaktraceError, match=ALTERED):
        ws.trace(leak_text(ws, doc))


def test_editing_who_holds_which_copy(marked):
    ws, _ = marked
    assert Ledger(ws).verify().ok
    with ws.engine.begin() as c:
        a, b = (c.execute(text("SELECT copy_id FROM copies WHERE recipient = :r"), {"r": r}).scalar_one()
                for r in (LEAKER, INNOCENT))
    execute(ws, ("UPDATE copies SET copy_id = :c WHERE recipient = :r", {"c": b, "r": LEAKER}),
            ("UPDATE copies SET copy_id = :c WHERE recipient = :r", {"c": a, "r": INNOCENT}))
    rep = Ledger(ws).verify()
    assert not rep.ok and {p.kind for p in rep.problems} == {"evidence"}
    assert all("copies" in p.message for p in rep.problems) and len(rep.problems) == 2


def test_editing_a_holder(marked):
    ws, _ = marked
    execute(ws, ("UPDATE recipients SET name = 'Someone Else', email = 'someone@elsewhere.example' WHERE id = :r",
                 {"r": LEAKER}))
    rep = Ledger(ws).verify()
    assert not rep.ok and [p.kind for p in rep.problems] == ["evidence"]
    assert "recipients" in rep.problems[0].message and LEAKER in rep.problems[0].message


def test_deleting_a_copy_record(marked):
    ws, _ = marked
    execute(ws, ("DELETE FROM copies WHERE recipient = :r", {"r": LEAKER}))
    rep = Ledger(ws).verify()
    assert not rep.ok and [p.kind for p in rep.problems] == ["evidence"]


@pytest.fixture
def traced_case(marked, tmp_path):
    ws, doc = marked
    leak = tmp_path / "article.txt"
    leak.write_text(leak_text(ws, doc), encoding="utf-8")
    cs = Cases(ws)
    case = cs.open("Depot plan on a forum", "find the copy")
    cs.add_artifact(case.id, leak, obtained_from="a forum", obtained_at=FIRST_SEEN, first_seen=FIRST_SEEN)
    [finding] = cs.trace(case.id)
    assert [x.identified for x in finding.copies][:1] == [True]
    return ws, cs, case


def test_editing_a_stored_trace_result(traced_case):
    """Swap the leaker and an innocent in the stored result: case show and reveal would name the
    innocent while the trace's audit entry records the true copy. Verify catches it, and the case
    refuses to show the altered result."""
    ws, cs, case = traced_case
    with ws.engine.begin() as c:
        tid, result = c.execute(text("SELECT id, result FROM case_traces")).one()
    forged = result.replace(LEAKER, "\x00").replace(INNOCENT, LEAKER).replace("\x00", INNOCENT)
    assert forged != result
    execute(ws, ("UPDATE case_traces SET result = :r WHERE id = :i", {"r": forged, "i": tid}))
    rep = Ledger(ws).verify()
    assert not rep.ok and [p.kind for p in rep.problems] == ["evidence"]
    assert "case_traces" in rep.problems[0].message
    with pytest.raises(LeaktraceError, match="ledger verify"):
        cs.view(case.id)


def test_editing_a_reveal(traced_case):
    ws, cs, case = traced_case
    view = cs.view(case.id)
    top = view.findings[0].copies[0].subject.pseudonym
    cs.reveal(case.id, top, "interview")
    assert Ledger(ws).verify().ok
    execute(ws, ("UPDATE case_reveals SET subject = :s", {"s": INNOCENT}))
    rep = Ledger(ws).verify()
    assert not rep.ok and [p.kind for p in rep.problems] == ["evidence"]
    assert "case_reveals" in rep.problems[0].message


# ------------------------------------------------------------------ exports
@pytest.fixture
def export_of_three_digests(marked, tmp_path):
    """A ledger of 40 distributions and two traces, signed three times, exported."""
    ws, doc = marked
    led = Ledger(ws)
    ws.trace(leak_text(ws, doc))
    ws.trace(leak_text(ws, doc))
    out, pub = tmp_path / "ledger.jsonl", tmp_path / "ledger.pub"
    assert led.export(out) == 42
    pub.write_text(led.public_key())
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert sum(r.get("type") == "digest" for r in recs) == 3
    return out, pub, recs


def _write(path, recs) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))


def test_an_emptied_export_is_refused(export_of_three_digests, capsys):
    out, pub, recs = export_of_three_digests
    _write(out, recs[:1])
    rep = verify_export(out, pub.read_bytes())
    assert not rep.ok and ("deleted", 1) in [(p.kind, p.seq) for p in rep.problems]
    r = run(capsys, "ledger", "verify-export", out, "--public-key", pub)
    assert r.code == 1 and "Export OK" not in r.out


def test_a_truncated_export_is_refused(export_of_three_digests):
    out, pub, recs = export_of_three_digests
    # cut after entry 40, with the digests that covered what was cut
    kept = [r for r in recs if r.get("type") not in ("entry", "digest")
            or (r["type"] == "entry" and r["seq"] <= 40) or (r["type"] == "digest" and r["upto_seq"] <= 40)]
    _write(out, kept)
    rep = verify_export(out, pub.read_bytes())
    assert not rep.ok and ("deleted", 41) in [(p.kind, p.seq) for p in rep.problems]


# ------------------------------------------------------------------ what stays legitimate
def test_updating_a_holder_through_leaktrace_is_recorded(marked, tmp_path):
    ws, _ = marked
    (tmp_path / "update.csv").write_text(f"id,name,email\n{LEAKER},Renamed Person,renamed@example.org\n")
    ws.import_recipients(tmp_path / "update.csv", update=True)
    [e] = [e for e in Ledger(ws).events(kind="audit") if e.action == "recipients-update"]
    assert list(e.details["holders"]) == [LEAKER]
    assert Ledger(ws).verify().ok


def test_a_pinned_head_catches_what_the_key_holder_rewrote(export_of_three_digests, marked, tmp_path):
    """An auditor who kept a head: an export whose history was rewritten and signed again (by
    someone with the signing key) does not reproduce it."""
    from leaktrace.ledger import merkle, signing
    from leaktrace.ledger.book import read_head
    from leaktrace.ledger.chain import canonical

    out, pub, recs = export_of_three_digests
    ws, _ = marked
    pinned = read_head(json.dumps(recs[0]["head"]))
    assert verify_export(out, pub.read_bytes(), [pinned]).ok
    # rewrite entry 5, re-hash, and sign everything again with the workspace's own key
    key = signing.load_or_create(ws.path, create=False)
    rewrite_and_rehash(ws, 5, recipient=INNOCENT)
    rows = ledger_rows(ws)
    leaves = []
    for s in sorted(rows):
        fields = {f: rows[s][f] for f in HASHED_FIELDS}
        fields["details"] = json.loads(rows[s]["details"])
        leaves.append(merkle.leaf_hash(canonical(fields)))
    n = max(rows)
    d = signing.sign(key, n, rows[n]["hash"], "2031-01-01T00:00:00.000Z", merkle.root(leaves).hex())
    execute(ws, "DELETE FROM ledger_digests", ("INSERT INTO ledger_digests (upto_seq, head_hash, signed_at, signature, "
                                               "public_key, root) VALUES (:u, :h, :a, :s, :p, :r)",
                                               {"u": n, "h": d.head_hash, "a": d.signed_at, "s": d.signature,
                                                "p": d.public_key, "r": d.root}))
    (ws.path / "ledger-heads.jsonl").unlink()
    led = Ledger(ws)
    led.export(tmp_path / "rewritten.jsonl")
    assert verify_export(tmp_path / "rewritten.jsonl", pub.read_bytes()).ok     # self-consistent...
    rep = verify_export(tmp_path / "rewritten.jsonl", pub.read_bytes(), [pinned])
    assert not rep.ok and ("digest_mismatch", 42) in [(p.kind, p.seq) for p in rep.problems]
    assert signing.public_hex(key) == recs[0]["public_key"]


def _as_before_tree_heads(ws) -> None:
    """The workspace as leaktrace left it before signed tree heads: no head file, digests of the
    chain alone, schema 7."""
    from leaktrace.ledger import signing

    key = signing.load_or_create(ws.path, create=False)
    with ws.engine.begin() as c:
        rows = c.execute(text("SELECT id, upto_seq, head_hash, signed_at FROM ledger_digests")).all()
        for i, upto, h, at in rows:
            d = signing.sign(key, upto, h, at)
            c.execute(text("UPDATE ledger_digests SET root = NULL, signature = :s WHERE id = :i"),
                      {"s": d.signature, "i": i})
        c.execute(text("UPDATE meta SET value = '7' WHERE key = 'schema_version'"))
    (ws.path / "ledger-heads.jsonl").unlink()
    ws.engine.dispose()


@pytest.mark.sqlite_file
def test_an_older_ledger_gets_its_first_head_once(marked, capsys, monkeypatch):
    ws, _ = marked
    _as_before_tree_heads(ws)
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(ws.path))
    r = run(capsys, "ledger", "verify")
    assert r.code == 0 and "Ledger OK: 40 entries" in r.out and "first signed tree head (40 entries" in r.out
    assert (ws.path / "ledger-heads.jsonl").is_file()
    r = run(capsys, "ledger", "verify")
    assert r.code == 0 and "first signed tree head" not in r.out + r.err


@pytest.mark.sqlite_file
def test_an_older_tampered_ledger_gets_no_head(marked, capsys, monkeypatch):
    ws, doc = marked
    _as_before_tree_heads(ws)
    rewrite_and_rehash(ws, 3, recipient=INNOCENT)
    execute(ws, "DELETE FROM ledger_digests")
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(ws.path))
    assert run(capsys, "ledger", "verify").code == 1
    assert not (ws.path / "ledger-heads.jsonl").exists()
    with pytest.raises(LeaktraceError, match="does not verify"):
        ws.trace(leak_text(ws, doc))


def test_an_export_of_schema_1_still_verifies(export_of_three_digests, marked):
    from leaktrace.ledger import signing

    out, pub, recs = export_of_three_digests
    ws, _ = marked
    key = signing.load_or_create(ws.path, create=False)
    header = {k: v for k, v in recs[0].items() if k not in ("size", "root", "head")}
    header["schema"] = "leaktrace.ledger-export-file/1"
    old = [header]
    for r in recs[1:]:
        if r["type"] == "digest":
            d = signing.sign(key, r["upto_seq"], r["head_hash"], r["signed_at"])
            r = {"type": "digest", **{k: v for k, v in d.to_json().items() if k != "root"}}
        old.append(r)
    _write(out, old)
    assert verify_export(out, pub.read_bytes()).ok
    _write(out, old[:1])        # emptied: its header's counts say what is missing
    rep = verify_export(out, pub.read_bytes())
    assert not rep.ok and "states 42 entries and 3 digests" in rep.problems[0].message
