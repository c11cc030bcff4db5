"""What some tests need outside Python, and one-line refusals: a test that needs a missing
system package or optional extra is skipped on a developer's machine, and fails in CI
(`.ci/run` sets LEAKTRACE_REQUIRE_SYSTEM_DEPS), where everything must be installed."""

from __future__ import annotations

import os
import shutil

import pytest

from leaktrace.errors import InputError


def require(problem: str | None) -> None:
    if problem:
        if os.environ.get("LEAKTRACE_REQUIRE_SYSTEM_DEPS"):
            pytest.fail(problem)
        pytest.skip(problem)


def need_tesseract() -> None:
    require(None if shutil.which("tesseract") else "tesseract is not installed")


def refusal(reader, data: bytes, name: str) -> str:
    """The one-line message with which `reader` refuses `data`."""
    with pytest.raises(InputError) as e:
        reader(data, name)
    message = str(e.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return message
