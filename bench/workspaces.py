"""Benchmark workspaces: reproducible workspaces, recipients, documents and marked copies.

The workspace key is derived from the benchmark seed (``Workspace.create(key=...)``), and
``seeded_secrets(seed)`` makes anything else leaktrace draws from ``secrets`` (document
uids in older versions, or the key where ``create`` takes none) come from a seeded
generator while it is active, so that the codewords - and therefore every benchmark
number - are the same on every run.  This is for benchmarking only: a real workspace
key must come from ``secrets``.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import random
import secrets as _real_secrets
import time
from pathlib import Path

__all__ = ["seeded_secrets", "write_recipients", "recipient_ids", "make_workspace"]


class _SeededSecrets:
    """Stands in for the ``secrets`` module inside ``leaktrace.workspace``."""

    def __init__(self, seed: str):
        self._rng = random.Random(seed)

    def token_bytes(self, nbytes: int | None = None) -> bytes:
        return self._rng.randbytes(32 if nbytes is None else nbytes)

    def token_hex(self, nbytes: int | None = None) -> str:
        return self.token_bytes(nbytes).hex()

    def __getattr__(self, name: str):  # anything else: the real module
        return getattr(_real_secrets, name)


@contextlib.contextmanager
def seeded_secrets(seed: str):
    """Deterministic key and uids for workspaces created while active (see module doc)."""
    import leaktrace.workspace as wsmod

    if not hasattr(wsmod, "secrets"):
        yield False
        return
    saved = wsmod.secrets
    wsmod.secrets = _SeededSecrets(seed)
    try:
        yield True
    finally:
        wsmod.secrets = saved


def recipient_ids(n: int) -> list[str]:
    """Fictional recipient ids r00001 ... (all the same length, so peers can embed them)."""
    width = max(5, len(str(n)))
    return [f"r{i:0{width}d}" for i in range(1, n + 1)]


def write_recipients(path: Path, n: int) -> Path:
    """A recipients CSV (id,name,email) with n fictional people."""
    lines = ["id,name,email"]
    for rid in recipient_ids(n):
        lines.append(f"{rid},Recipient {rid[1:]},{rid}@example.org")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_workspace(root: Path, n_recipients: int, docs: dict[str, str], seed: str, log=print):
    """A workspace with ``n_recipients`` recipients and ``docs`` (key -> Markdown text) registered
    and marked for everyone.

    Returns ``(ws, doc_ids, timings)``; timings holds, per document key, the seconds spent
    finding sites and building the code (``code_s``) and in ``ws.mark`` (``mark_s``), the
    copies written and their total bytes.
    """
    from leaktrace import Workspace

    key_seed = f"{seed}:ws:{n_recipients}"
    with seeded_secrets(key_seed) as seeded:
        if "key" in inspect.signature(Workspace.create).parameters:
            ws = Workspace.create(root / "ws", key=hashlib.sha256(key_seed.encode("utf-8")).digest())
            seeded = True
        else:
            ws = Workspace.create(root / "ws")
        doc_ids = {}
        for key, text in docs.items():
            doc_ids[key] = ws.add_document(text=text, fmt="md", name=f"{key}.md").id
    if not seeded:
        log("warning: could not seed the workspace key; results are not reproducible")
    ws.import_recipients(write_recipients(root / "recipients.csv", n_recipients))
    timings = {}
    for key, doc_id in doc_ids.items():
        t0 = time.perf_counter()
        ws.code(doc_id)
        t1 = time.perf_counter()
        res = ws.mark(doc_id, to="all", out_dir=root / f"copies-{key}")
        t2 = time.perf_counter()
        size = sum(Path(c.path).stat().st_size for c in res.copies)
        timings[key] = {"code_s": t1 - t0, "mark_s": t2 - t1, "copies": len(res.copies), "bytes": size,
                        "sites": res.sites}
        log(f"  {n_recipients} recipients, {key} ({doc_id}): {res.sites} sites in {t1 - t0:.2f}s; "
            f"marked {len(res.copies)} copies in {t2 - t1:.2f}s ({len(res.copies) / (t2 - t1):.0f}/s)")
    return ws, doc_ids, timings
