"""Codes stored by an earlier leaktrace trace exactly as before: site order and variants are
part of a stored code, and copies already issued must keep their identity whatever changes in
how sites are found or read. The fixture was written by leaktrace before the trace pipeline
(commit b99c18a): each document's stored sites, the digest of its keyed biases, the digest of
every issued copy's text, and leaks traced then with their results."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from leaktrace import Workspace
from leaktrace.marks.code import make_biases
from leaktrace.marks.sites import Site
from leaktrace.store import db

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "legacy_codes.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    """A workspace holding the documents, recipients and stored codes of the fixture, with the
    same copies issued."""
    root = tmp_path_factory.mktemp("legacy")
    key = bytes.fromhex(FIXTURE["key"])
    ws = Workspace.create(root / "ws", key=key)
    people = root / "people.csv"
    people.write_text("id,name,email\n" + "".join(f"{r['id']},{r['name']},{r['email']}\n"
                                                  for r in FIXTURE["recipients"]), encoding="utf-8")
    ws.import_recipients(people)
    for d in FIXTURE["documents"]:
        doc = ws.add_document(text=d["original"], title=d["title"], fmt=d["format"], name=d["name"])
        assert doc.id == d["id"]
        n = int(doc.id[1:])
        sites_blob = base64.b64decode(d["code"]["sites"])
        sites = [Site.from_json(s) for s in json.loads(zlib.decompress(sites_blob))]
        biases = make_biases(key, ws._doc_row(n).uid, [s.q for s in sites])
        assert hashlib.sha256(biases.astype(np.float64).tobytes()).hexdigest() == d["code"]["biases_sha256"]
        with ws.engine.begin() as conn:
            conn.execute(db.codes.insert().values(
                doc=n, version=1, sites=sites_blob, biases=zlib.compress(biases.astype(np.float64).tobytes()),
                tokens_digest=d["code"]["tokens_digest"], created_at="2026-11-30T00:00:00+00:00"))
        ws.mark(doc.id, to=sorted(d["copies"]), out_dir=root / f"copies-{doc.id}")
    yield ws
    ws.close()


@pytest.mark.parametrize("d", FIXTURE["documents"], ids=lambda d: d["id"])
def test_a_stored_code_is_used_as_stored(legacy, d):
    """How sites are found improves (protected text, new lexical families), but a document that
    was marked keeps the sites of its stored code, so its copies keep their identity."""
    stored = json.loads(zlib.decompress(base64.b64decode(d["code"]["sites"])))
    assert [s.to_json() for s in legacy.code(d["id"])[2]] == stored


@pytest.mark.parametrize("d", FIXTURE["documents"], ids=lambda d: d["id"])
def test_every_issued_copy_reads_exactly_as_before(legacy, d):
    for rid, digest in d["copies"].items():
        assert hashlib.sha256(legacy.render_copy(d["id"], rid).encode("utf-8")).hexdigest() == digest, rid


@pytest.mark.parametrize("leak", FIXTURE["leaks"], ids=lambda x: f"{x['kind']}-{x['recipient']}")
def test_leaks_trace_exactly_as_before(legacy, leak):
    res = legacy.trace(leak["text"], audit=False)
    assert res.verdict == leak["verdict"]
    assert (res.document or {}).get("id") == leak["document"]
    assert res.sites_read == leak["sites_read"]
    got = [[c.recipient, c.score, c.false_accusation_bound, c.agreed, c.read] for c in res.copies]
    assert [g[0] for g in got] == [e[0] for e in leak["copies"]]
    for g, e in zip(got, leak["copies"]):
        assert g[1] == pytest.approx(e[1], abs=1e-9) and g[3:] == e[3:]
        assert g[2] == pytest.approx(e[2], rel=1e-9, abs=1e-300)
    if leak["verdict"] == "identified":
        assert res.copies[0].recipient == leak["recipient"] and res.copies[0].identified
