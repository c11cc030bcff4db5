"""The head file: the ledger's signed tree heads, kept in the workspace folder beside the keys,
where someone who can only write to the database cannot rewrite them.

`ledger-heads.jsonl` is append-only, one signed tree head a line (size, chain hash, Merkle root,
time, signature, and the frontier that lets the next command extend the tree without reading
it again). A command appends its head only after its transaction has committed; one that dies
in between leaves the head in the database's digests, signed, and the next command copies it
here after checking it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkspaceError
from .chain import Digest
from .merkle import Frontier

HEAD_FILE = "ledger-heads.jsonl"
_TAIL = 64 * 1024       # bytes read from the end of the file for its last head


@dataclass(frozen=True)
class Head:
    """A signed tree head and the frontier of its tree."""

    digest: Digest
    frontier: Frontier

    @property
    def size(self) -> int:
        return self.digest.upto_seq

    def to_json(self) -> dict:
        return {**self.digest.to_json(), "frontier": self.frontier.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> Head:
        digest = Digest.from_json(d)
        if digest.root is None:
            raise ValueError("a tree head without a root")
        frontier = Frontier.from_json(digest.upto_seq, d.get("frontier") or [])
        if frontier.root().hex() != digest.root:
            raise ValueError("its frontier does not give its root")
        return cls(digest, frontier)


class HeadFile:
    def __init__(self, folder: Path):
        self.path = Path(folder) / HEAD_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def _parse(self, line: str, n: int | None) -> Head:
        try:
            return Head.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError) as e:
            where = f"{self.path}:{n}" if n else str(self.path)
            raise WorkspaceError(f"{where}: not a signed tree head ({e}); the ledger's head file was damaged: "
                                 "restore it from backup") from None

    def heads(self) -> list[Head]:
        """Every head, oldest first."""
        if not self.path.exists():
            return []
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise WorkspaceError(f"{self.path}: cannot read the ledger's head file ({e})") from None
        return [self._parse(x, n) for n, x in enumerate(lines, start=1) if x.strip()]

    def latest(self) -> Head | None:
        """The last head, read from the end of the file (a command needs no more)."""
        if not self.path.exists():
            return None
        try:
            with self.path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                end = f.tell()
                f.seek(max(0, end - _TAIL))
                tail = f.read()
        except OSError as e:
            raise WorkspaceError(f"{self.path}: cannot read the ledger's head file ({e.strerror})") from None
        lines = [x for x in tail.split(b"\n") if x.strip()]
        if not lines:
            return None
        try:
            return self._parse(lines[-1].decode("utf-8"), None)
        except UnicodeDecodeError:
            raise WorkspaceError(f"{self.path}: the ledger's head file was damaged: restore it from backup") from None

    def append(self, head: Head) -> bool:
        """Add a head after the last one, unless the file already has one as large (written by a
        command that committed after this one). True when written."""
        line = (json.dumps(head.to_json(), sort_keys=True) + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as e:
            raise WorkspaceError(f"{self.path}: cannot write the ledger's head file ({e.strerror})") from None
        try:
            _lock(fd)
            last = self.latest()
            if last is not None and last.size >= head.size:
                return False
            os.write(fd, line)
            os.fsync(fd)
            return True
        finally:
            os.close(fd)     # and the lock with it


def _lock(fd: int) -> None:
    """Commands append one at a time (a head is compared with the last one before it is written)."""
    try:
        import fcntl
    except ImportError:     # not on this platform: appends are single writes, and heads only grow
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
