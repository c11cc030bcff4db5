"""Tampering with the database file directly: verify says what was done and where.
Signed digests and exports: an auditor checks the chain with the public key alone."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
from ledgerkit import JSONL_MAP, assert_import_audit, write_jsonl_events

from leaktrace.errors import ConflictError, InputError, WorkspaceError
from leaktrace.ledger import signing
from leaktrace.ledger.book import verify_export
from leaktrace.ledger.chain import GENESIS, HASHED_FIELDS, entry_hash


N_EVENTS = 10


@pytest.fixture
def ten(led, tmp_path):
    """A ledger of 10 access events (entries 1-10) and the import's audit entry (11), signed up to 11."""
    r = led.import_file(write_jsonl_events(tmp_path / "log.jsonl", N_EVENTS), "jsonl", JSONL_MAP)
    assert led.verify().ok
    assert [e.seq for e in led.events(kind="access")] == list(range(1, N_EVENTS + 1)) == access_seqs(led)
    [audit] = led.events(kind="audit")
    assert_import_audit(audit, r, events=N_EVENTS, added=N_EVENTS, duplicates=0)
    assert audit.seq == head(led) == N_EVENTS + 1
    led.ws.engine.dispose()
    return led


def access_seqs(led) -> list[int]:
    """Positions of the access events (the entries most of these tests tamper with)."""
    return sorted(e.seq for e in led.events(kind="access"))


def last_access(led) -> int:
    return access_seqs(led)[-1]


def head(led) -> int:
    """The last entry's seq: the import's audit entry, which the digest signs."""
    return max(e.seq for e in led.events())


def sql(led, *statements):
    led.ws.engine.dispose()
    con = sqlite3.connect(led.ws.path / "leaktrace.db")
    with con:
        for s in statements:
            con.execute(s) if isinstance(s, str) else con.execute(*s)
    con.close()


def rows(led) -> dict[int, dict]:
    con = sqlite3.connect(led.ws.path / "leaktrace.db")
    con.row_factory = sqlite3.Row
    out = {r["seq"]: dict(r) for r in con.execute("SELECT * FROM ledger ORDER BY seq")}
    con.close()
    return out


def rehash(row: dict, prev_hash: str | None = None) -> dict:
    """What an attacker who knows the algorithm computes for a forged row."""
    row = dict(row)
    if prev_hash is not None:
        row["prev_hash"] = prev_hash
    fields = {f: row[f] for f in HASHED_FIELDS}
    fields["details"] = json.loads(row["details"])
    row["hash"] = entry_hash(row["prev_hash"], fields)
    return row


def put(led, row: dict, where_seq: int | None = None):
    cols = list(row)
    if where_seq is None:
        sql(led, (f"INSERT INTO ledger ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", [row[c] for c in cols]))
    else:
        sql(led, (f"UPDATE ledger SET {','.join(c + '=?' for c in cols)} WHERE seq=?", [row[c] for c in cols] + [where_seq]))


def found(led):
    rep = led.verify()
    assert not rep.ok
    return [(p.kind, p.seq) for p in rep.problems]


@pytest.mark.sqlite_file
def test_a_clean_chain(ten):
    rep = ten.verify()
    n = N_EVENTS + 1  # the events and the import's audit entry
    assert rep.ok and rep.entries == n and rep.head_seq == n and rep.signed_upto == n and rep.digests == 1
    r = rows(ten)
    assert r[1]["prev_hash"] == GENESIS and all(r[i]["prev_hash"] == r[i - 1]["hash"] for i in range(2, n + 1))
    assert [r[i]["kind"] for i in range(1, n + 1)] == ["access"] * N_EVENTS + ["audit"]
    assert (r[n]["action"], json.loads(r[n]["details"])["added"]) == ("import", N_EVENTS)


@pytest.mark.sqlite_file
def test_edited(ten):
    sql(ten, "UPDATE ledger SET actor='mallory@elsewhere.example' WHERE seq=5")
    assert found(ten) == [("edited", 5)]


@pytest.mark.sqlite_file
def test_edited_details_and_unreadable_json(ten):
    sql(ten, "UPDATE ledger SET details='{\"operation\": \"view\"' WHERE seq=3")
    sql(ten, "UPDATE ledger SET occurred_at='2024-04-30T00:00:00.000Z' WHERE seq=7")
    assert found(ten) == [("edited", 3), ("edited", 7)]


@pytest.mark.sqlite_file
def test_edited_and_rehashed(ten):
    r = rows(ten)[5]
    r["recipient"] = None
    put(ten, rehash(r), where_seq=5)
    assert found(ten) == [("edited", 5)]


@pytest.mark.sqlite_file
def test_the_whole_tail_rewritten_is_caught_by_the_digest(ten):
    r = rows(ten)
    end = head(ten)
    assert r[3]["kind"] == "access"
    prev = r[2]["hash"]
    for seq in range(3, end + 1):  # the audit entry at the head rewritten too
        row = dict(r[seq])
        if seq == 3:
            row["action"] = "view"
        row = rehash(row, prev)
        prev = row["hash"]
        put(ten, row, where_seq=seq)
    assert found(ten) == [("digest_mismatch", end)]


@pytest.mark.sqlite_file
def test_deleted(ten):
    sql(ten, "DELETE FROM ledger WHERE seq=5")
    assert found(ten) == [("deleted", 5)]
    sql(ten, "DELETE FROM ledger WHERE seq IN (7, 8)")
    rep = ten.verify()
    assert [(p.kind, p.seq) for p in rep.problems] == [("deleted", 5), ("deleted", 7)]
    assert "entries 7-8 are missing" in rep.problems[1].message


@pytest.mark.sqlite_file
def test_deleted_and_renumbered(ten):
    end = head(ten)
    sql(ten, "DELETE FROM ledger WHERE seq=4", *[f"UPDATE ledger SET seq={s - 1} WHERE seq={s}" for s in range(5, end + 1)])
    probs = found(ten)
    assert ("deleted", 4) in probs and ("deleted", end) in probs  # the head was signed and is gone
    assert {k for k, _ in probs} == {"deleted"}


@pytest.mark.sqlite_file
def test_deleted_at_the_end(ten):
    end, last = head(ten), last_access(ten)
    sql(ten, f"DELETE FROM ledger WHERE seq={end}")  # the import's audit entry: the signed head
    assert found(ten) == [("deleted", end)]
    sql(ten, f"DELETE FROM ledger WHERE seq={last}")  # and the last access event before it
    assert last == end - 1 and found(ten) == [("deleted", last)]


@pytest.mark.sqlite_file
def test_inserted_at_the_end(ten):
    end = head(ten)
    row = dict(rows(ten)[last_access(ten)], seq=end + 1, source_ref="forged-0", hash="f" * 64, prev_hash="e" * 64)
    put(ten, row)  # a forged access event after the head
    assert ("inserted", end + 1) in found(ten)


@pytest.mark.sqlite_file
def test_inserted_at_the_end_by_someone_who_knows_the_algorithm(ten):
    r, end = rows(ten), head(ten)
    row = rehash(dict(r[last_access(ten)], seq=end + 1, source_ref="forged-1", actor="mallory@elsewhere.example"),
                 r[end]["hash"])  # a forged access event, linked to the head
    put(ten, row)
    rep = ten.verify()
    assert [(p.kind, p.seq) for p in rep.problems] == [("inserted", end + 1)]
    assert "not covered by any signed digest" in rep.problems[0].message


@pytest.mark.sqlite_file
def test_inserted_in_the_middle(ten):
    r = rows(ten)
    sql(ten, *[f"UPDATE ledger SET seq={s + 1} WHERE seq={s}" for s in range(head(ten), 4, -1)])
    put(ten, dict(r[5], seq=5, source_ref="forged-2", hash="a" * 64))
    probs = found(ten)
    assert ("inserted", 5) in probs and {k for k, _ in probs} <= {"inserted", "digest_mismatch"}


@pytest.mark.sqlite_file
def test_inserted_in_the_middle_with_valid_hashes(ten):
    r = rows(ten)
    sql(ten, *[f"UPDATE ledger SET seq={s + 1} WHERE seq={s}" for s in range(head(ten), 4, -1)])
    put(ten, rehash(dict(r[5], seq=5, source_ref="forged-3", actor="mallory@elsewhere.example"), r[4]["hash"]))
    probs = found(ten)
    assert ("inserted", 5) in probs and {k for k, _ in probs} <= {"inserted", "digest_mismatch"}


@pytest.mark.sqlite_file
@pytest.mark.parametrize("a,b", [(4, 5), (3, 7)])
def test_reordered(ten, a, b):
    sql(ten, f"UPDATE ledger SET seq=-1 WHERE seq={a}", f"UPDATE ledger SET seq={a} WHERE seq={b}",
        f"UPDATE ledger SET seq={b} WHERE seq=-1")
    probs = found(ten)
    assert ("reordered", a) in probs and ("reordered", b) in probs
    assert {k for k, _ in probs} == {"reordered"}


@pytest.mark.sqlite_file
def test_digest_signature_tampering(ten):
    sig = ten.digests()[0].signature
    flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
    sql(ten, f"UPDATE ledger_digests SET signature='{flipped}'")
    rep = ten.verify()
    assert [(p.kind, p.seq) for p in rep.problems] == [("bad_signature", head(ten))]
    assert "signature is invalid" in rep.problems[0].message


@pytest.mark.sqlite_file
def test_a_digest_signed_with_another_key(ten):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    d = ten.digests()[0]
    forged = signing.sign(Ed25519PrivateKey.generate(), d.upto_seq, d.head_hash, d.signed_at)
    sql(ten, ("UPDATE ledger_digests SET signature=?, public_key=?", [forged.signature, forged.public_key]))
    assert d.upto_seq == head(ten) and found(ten) == [("bad_signature", head(ten))]


@pytest.mark.sqlite_file
def test_deleting_the_digests_leaves_the_entries_unsigned(ten):
    sql(ten, "DELETE FROM ledger_digests")
    assert found(ten) == [("inserted", 1)]


def test_signing_key_file(ten):
    key_file = ten.ws.path / signing.KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_bytes() != (ten.ws.path / "key").read_bytes()
    assert ten.public_key().startswith("-----BEGIN PUBLIC KEY-----")
    assert len(ten.public_key_hex()) == 64
    assert ten.sign_digest() == ten.digests()[-1] and len(ten.digests()) == 1  # head already signed
    key_file.unlink()
    with pytest.raises(WorkspaceError, match="ledger signing key .* is missing"):
        ten.verify()
    with pytest.raises(WorkspaceError, match="restore it from backup"):  # not silently replaced
        ten.public_key()
    assert not key_file.exists()


# ------------------------------------------------------------------ exports
@pytest.fixture
def exported(ten, tmp_path):
    out = tmp_path / "ledger-export.jsonl"
    assert ten.export(out) == N_EVENTS + 1  # the events and the import's audit entry
    # the export itself is then recorded in the audit trail, after what it exported
    last = ten.events(kind="audit")[-1]
    assert head(ten) == N_EVENTS + 2 and last.action == "export" and last.details["entries"] == N_EVENTS + 1
    pub = tmp_path / "ledger.pub"
    pub.write_text(ten.public_key())
    return out, pub


def _export_lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def _write(path, recs):
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))


def test_export_verifies_with_the_public_key_alone(ten, exported, tmp_path):
    out, pub = exported
    ten.ws.close()
    os.rename(ten.ws.path, tmp_path / "gone")  # no workspace, no database, no secret
    rep = verify_export(out, pub.read_bytes())
    assert rep.ok and rep.entries == N_EVENTS + 1 and rep.signed_upto == N_EVENTS + 1
    assert [r["kind"] for r in _export_lines(out) if r["type"] == "entry"][-1] == "audit"
    hexkey = json.loads(out.read_text().splitlines()[0])["public_key"]
    assert verify_export(out, hexkey).ok


def test_export_with_a_wrong_key(exported):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out, _ = exported
    other = signing.public_hex(Ed25519PrivateKey.generate())
    rep = verify_export(out, other)
    assert not rep.ok and [(p.kind, p.seq) for p in rep.problems] == [("bad_signature", N_EVENTS + 1)]
    assert "another key" in rep.problems[0].message


def test_an_edited_export(exported):
    out, pub = exported
    recs = _export_lines(out)
    entry = next(r for r in recs if r.get("seq") == 6)
    assert entry["kind"] == "access"
    entry["actor"] = "mallory@elsewhere.example"
    _write(out, recs)
    rep = verify_export(out, pub.read_bytes())
    assert [(p.kind, p.seq) for p in rep.problems] == [("edited", 6)]


def test_an_export_with_a_line_removed_or_the_digest_forged(exported):
    out, pub = exported
    recs = _export_lines(out)
    end = max(r["seq"] for r in recs if r["type"] == "entry")  # the import's audit entry
    last = max(r["seq"] for r in recs if r["type"] == "entry" and r["kind"] == "access")
    _write(out, [r for r in recs if r.get("seq") != end])
    assert [(p.kind, p.seq) for p in verify_export(out, pub.read_bytes()).problems] == [("deleted", end)]
    _write(out, [r for r in recs if r.get("seq") != last])
    assert [(p.kind, p.seq) for p in verify_export(out, pub.read_bytes()).problems] == [("deleted", last)]
    digest = next(r for r in recs if r["type"] == "digest")
    assert digest["upto_seq"] == end
    digest["upto_seq"] = end - 1
    _write(out, recs)
    assert [(p.kind, p.seq) for p in verify_export(out, pub.read_bytes()).problems] == [("bad_signature", end - 1)]


def test_export_lines_in_another_order_are_the_same_ledger_but_swapped_seqs_are_not(exported):
    out, pub = exported
    recs = _export_lines(out)
    _write(out, recs[:2] + list(reversed(recs[2:])))
    assert verify_export(out, pub.read_bytes()).ok
    by_seq = {r["seq"]: r for r in recs if r["type"] == "entry"}
    by_seq[2]["seq"], by_seq[3]["seq"] = 3, 2
    _write(out, recs)
    probs = [(p.kind, p.seq) for p in verify_export(out, pub.read_bytes()).problems]
    assert probs == [("reordered", 2), ("reordered", 3)]


def test_export_refuses_to_overwrite_and_bad_files(ten, exported, tmp_path):
    out, pub = exported
    with pytest.raises(ConflictError, match="already exists"):
        ten.export(out)
    assert ten.export(out, overwrite=True) == N_EVENTS + 2  # now with the first export's audit entry
    assert verify_export(out, pub.read_bytes()).ok
    (tmp_path / "not.jsonl").write_text('{"hello": 1}\n')
    with pytest.raises(InputError, match="not a leaktrace ledger export"):
        verify_export(tmp_path / "not.jsonl", pub.read_bytes())
    with pytest.raises(InputError, match="not an Ed25519 public key"):
        verify_export(out, b"not a key")
