"""One resource budget for every artifact and every imported audit log.

Leaks and audit logs are hostile files: a reader must never hang or take the machine's memory.
Every limit lives here, read from the environment (`LEAKTRACE_*`), else from the workspace
settings' "budget" object, else the defaults below:

    seconds        wall time to read one artifact                     LEAKTRACE_BUDGET_SECONDS     60
    memory_mb      memory the reading of one artifact may add          LEAKTRACE_BUDGET_MEMORY_MB   2048
    input_mb       size of an input file                               LEAKTRACE_MAX_INPUT_MB       10
    words          words of text read from one artifact                LEAKTRACE_MAX_WORDS          500000
    pages          pages of a PDF                                      LEAKTRACE_MAX_PAGES          500
    ocr_pages      pages of a PDF read by OCR                          LEAKTRACE_MAX_OCR_PAGES      50
    image_mpix     pixels of an image or a rendered page               LEAKTRACE_MAX_IMAGE_MPIX     50
    header_kb      one e-mail header                                   LEAKTRACE_MAX_HEADER_KB      64
    json_depth     nesting of a JSON record                            LEAKTRACE_MAX_JSON_DEPTH     64
    record_mb      one audit-log record (a JSON item, a line, a row)   LEAKTRACE_MAX_RECORD_MB      16

The size limits are checked by the readers themselves, so that nothing grows with the input
beyond them (a reader streams or caps). Time and memory are enforced around the reading of an
artifact (`bounded`): the reader runs in a child process with its address space limited by
setrlimit and is killed at the deadline. That covers what no cap can: the C parsers (lxml,
pdfium, Pillow) that leaktrace does not control. Audit logs are read record by record with
every record capped, so an import takes time in proportion to the file and constant memory.
"""

from __future__ import annotations

import contextvars
import os
import pickle
import re
import resource
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

from .errors import InputError, LeaktraceError

T = TypeVar("T")


class BudgetExceeded(InputError):
    """An artifact or a record needs more than the budget allows; the message names the limit and
    how to raise it."""


@dataclass(frozen=True)
class Budget:
    seconds: float = 60
    memory_mb: float = 2048
    input_mb: float = 10
    words: int = 500_000
    pages: int = 500
    ocr_pages: int = 50
    image_mpix: float = 50
    header_kb: float = 64
    json_depth: int = 64
    record_mb: float = 16

    @classmethod
    def load(cls, settings: Mapping | None = None) -> Budget:
        """The defaults, overridden by a workspace's settings ("budget": {"seconds": 120, ...}),
        overridden by the environment."""
        values: dict[str, float] = {}
        for f in fields(cls):
            raw, where = None, None
            if settings and f.name in settings:
                raw, where = settings[f.name], f'the workspace setting budget.{f.name}'
            env = ENV[f.name]
            if os.environ.get(env, "").strip():
                raw, where = os.environ[env], env
            if raw is None:
                continue
            try:
                value = float(raw)
            except (TypeError, ValueError):
                value = 0.0
            if not value > 0 or value != value or value == float("inf"):
                raise InputError(f"{where} must be a positive number, not {raw!r}")
            values[f.name] = int(value) if f.type in ("int", int) else value
        return cls(**values)

    # sizes in the units the readers compare
    @property
    def input_bytes(self) -> int:
        return int(self.input_mb * 1024 * 1024)

    @property
    def image_pixels(self) -> int:
        return int(self.image_mpix * 1_000_000)

    @property
    def header_chars(self) -> int:
        return int(self.header_kb * 1024)

    @property
    def record_bytes(self) -> int:
        return int(self.record_mb * 1024 * 1024)

    def exceeded(self, limit: str, what: str, over: str = ", over") -> BudgetExceeded:
        """The error for `what` ("report.pdf: has 900 pages") going over `limit` (a field name)."""
        return BudgetExceeded(f"{what}{over} the limit of {self.describe(limit)} "
                              f"(set {ENV[limit]} to raise it)")

    def out_of_time(self, what: str) -> BudgetExceeded:
        return self.exceeded("seconds", f"{what}: reading it took longer than", over="")

    def out_of_memory(self, what: str) -> BudgetExceeded:
        return self.exceeded("memory_mb", f"{what}: reading it needs more memory than", over="")

    def describe(self, limit: str) -> str:
        value = getattr(self, limit)
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
        return f"{shown} {UNITS[limit]}".rstrip()


ENV = {"seconds": "LEAKTRACE_BUDGET_SECONDS", "memory_mb": "LEAKTRACE_BUDGET_MEMORY_MB",
       "input_mb": "LEAKTRACE_MAX_INPUT_MB", "words": "LEAKTRACE_MAX_WORDS", "pages": "LEAKTRACE_MAX_PAGES",
       "ocr_pages": "LEAKTRACE_MAX_OCR_PAGES", "image_mpix": "LEAKTRACE_MAX_IMAGE_MPIX",
       "header_kb": "LEAKTRACE_MAX_HEADER_KB", "json_depth": "LEAKTRACE_MAX_JSON_DEPTH",
       "record_mb": "LEAKTRACE_MAX_RECORD_MB"}
UNITS = {"seconds": "s", "memory_mb": "MB", "input_mb": "MB", "words": "words", "pages": "pages",
         "ocr_pages": "pages", "image_mpix": "megapixels", "header_kb": "KB", "json_depth": "levels",
         "record_mb": "MB"}

_workspace_settings: Mapping | None = None     # the "budget" settings of the workspace last opened
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("leaktrace_budget_deadline",
                                                                        default=None)


def current() -> Budget:
    """The budget in force: the environment over the settings of the workspace in use."""
    return Budget.load(_workspace_settings)


def use_settings(values: Mapping | None, where: str = "settings.json") -> None:
    """A workspace's "budget" settings, for what it reads from now on (checked here, so that a
    bad value is reported when the workspace opens)."""
    global _workspace_settings
    _workspace_settings = None
    if values is not None and not isinstance(values, Mapping):
        raise InputError(f'{where}: "budget" must be an object such as {{"seconds": 120}}')
    unknown = sorted(set(values or {}) - set(ENV))
    if unknown:
        raise InputError(f'{where}: unknown budget setting {unknown[0]!r}; the settings are {", ".join(ENV)}')
    Budget.load(values)
    _workspace_settings = dict(values) if values else None


def check(what: str) -> None:
    """Between steps of a long reading (pages, parts): stop once the artifact's time is spent,
    also where no child process enforces it."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        b = current()
        raise b.out_of_time(what)


def remaining() -> float:
    """Seconds left of the artifact's time (all of it outside a bounded reading)."""
    deadline = _deadline.get()
    if deadline is None:
        return current().seconds
    return max(0.0, deadline - time.monotonic())


def check_words(text: str, name: str) -> None:
    """Refuses text of more words than the budget allows: every later stage (tokens, alignment,
    source search) takes time and memory in proportion to them. Counted without a list."""
    b = current()
    if (len(text) + 1) // 2 <= b.words:     # a word and its space are two characters at least
        return
    words = sum(1 for _ in _WORD.finditer(text))
    if words > b.words:
        raise b.exceeded("words", f"{name}: has {words:,} words")


_WORD = re.compile(r"\S+")


# ------------------------------------------------------------------ the child process

def bounded(fn: Callable[..., T], *args, what: str) -> T:
    """fn(*args) within the budget's wall time and memory: in a child process with its address
    space limited and killed at the deadline, where the platform can fork; else in this process,
    with the cooperative deadline only. `what` names the artifact in the error."""
    b = current()
    if _deadline.get() is not None or not _can_fork():
        return _cooperative(fn, args, b)        # already inside a bounded reading, or no fork
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, b, fn, args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(b.seconds + 1):     # the child's own check speaks first
            raise b.out_of_time(what)
        try:
            kind, payload = receive.recv()
        except (EOFError, OSError):
            kind, payload = "died", None
    finally:
        receive.close()
        _kill_group(child.pid)     # the child, and any program it started (Tesseract)
        if child.is_alive():
            child.kill()
        child.join()
    if kind == "ok":
        return payload
    if kind == "memory":
        raise b.out_of_memory(what)
    if kind == "error":
        raise payload
    if kind == "died":
        # a C library that cannot allocate under the limit aborts instead of raising MemoryError
        raise b.exceeded("memory_mb", f"{what}: its reader stopped (exit status {child.exitcode}), as it does "
                         "when it needs more memory than", over="")
    raise RuntimeError(payload)    # an internal error of the reader, as it would be in this process


def _kill_group(pid: int | None) -> None:
    import signal

    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _cooperative(fn, args, b: Budget):
    if _deadline.get() is not None:
        return fn(*args)
    token = _deadline.set(time.monotonic() + b.seconds)
    try:
        return fn(*args)
    finally:
        _deadline.reset(token)


def _can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux") and not os.environ.get("LEAKTRACE_NO_FORK")


def _child(send, b: Budget, fn, args) -> None:
    os.setpgid(0, 0)       # a group of its own, so that the parent can stop it with what it started
    _limit_memory(b.memory_mb)
    _deadline.set(time.monotonic() + b.seconds)
    try:
        message = ("ok", fn(*args))
    except MemoryError:
        message = ("memory", None)
    except LeaktraceError as e:
        message = ("error", e)
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which raises it there
        message = ("internal", f"{type(e).__name__}: {e}")
    try:
        send.send(message)
    except MemoryError:
        send.send(("memory", None))
    except (pickle.PicklingError, TypeError, AttributeError) as e:
        send.send(("internal", f"the reader's result cannot be returned ({e})"))
    finally:
        send.close()


def _limit_memory(memory_mb: float) -> None:
    """Address space: what the child already maps (inherited from the parent) plus the budget."""
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    limit = mapped + int(memory_mb * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

