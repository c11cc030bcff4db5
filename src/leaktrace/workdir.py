"""A command's temporary folder inside the folder it writes to (so that its files are moved in
place with a rename), and the removal of those a killed command left behind.

A live command holds a lock on its folder; a folder whose lock nobody holds was left by a
command that died (killed, or a power cut), and the next command writing there removes it."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:             # Windows: leftovers are not cleaned, never a live folder removed
    fcntl = None

PREFIX = ".leaktrace-"
_LOCK = ".lock"
_GRACE_S = 600      # a folder without a lock file (an older version's) counts as left over after this


def make(out: Path) -> tuple[Path, int | None]:
    """A new temporary folder in `out`, locked while this process lives: (folder, lock)."""
    tmp = Path(tempfile.mkdtemp(prefix=PREFIX, dir=out))
    if fcntl is None:
        return tmp, None
    fd = os.open(tmp / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return tmp, fd


def remove(tmp: Path, lock: int | None) -> None:
    shutil.rmtree(tmp, ignore_errors=True)
    if lock is not None:
        os.close(lock)


def clean(out: Path) -> list[Path]:
    """Remove the temporary folders in `out` that no live command holds; the folders removed."""
    if fcntl is None:
        return []
    removed = []
    for d in out.glob(PREFIX + "*"):
        if not d.is_dir() or d.is_symlink():
            continue
        try:
            fd = os.open(d / _LOCK, os.O_RDWR)
        except FileNotFoundError:
            try:
                stale = time.time() - d.stat().st_mtime > _GRACE_S
            except OSError:
                continue
            if stale:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:             # held: a command writing now
            os.close(fd)
            continue
        shutil.rmtree(d, ignore_errors=True)
        os.close(fd)
        removed.append(d)
    return removed
