"""mark's manifest.json says what it is, as every JSON leaktrace writes does (issue 17)."""

import json

from samples import MEMO, write_people

from leaktrace import Workspace
from leaktrace.distribution import MANIFEST_SCHEMA


def test_the_manifest_names_its_schema_first(tmp_path):
    (tmp_path / "memo.md").write_text(MEMO, encoding="utf-8")
    with Workspace.create(tmp_path / "ws") as ws:
        doc = ws.add_document(tmp_path / "memo.md", title="Depot plan")
        ws.import_recipients(write_people(tmp_path / "people.csv", 3))
        res = ws.mark(doc.id, to="all", out_dir=tmp_path / "copies")
    manifest = json.loads((tmp_path / "copies" / "manifest.json").read_text(encoding="utf-8"))
    assert MANIFEST_SCHEMA == "leaktrace.mark-manifest/1"
    assert list(manifest)[0] == "schema" and manifest["schema"] == MANIFEST_SCHEMA
    # the rest as before: the document, its copies and their SHA-256
    assert manifest["document"]["id"] == doc.id and manifest["sites"] == res.sites
    assert [(c["recipient"], c["copy"], c["sha256"]) for c in manifest["copies"]] == [
        (c.recipient, c.copy, c.sha256) for c in res.copies]
