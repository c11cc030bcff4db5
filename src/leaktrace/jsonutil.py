"""JSON output that stays valid JSON, and says what it is: every document a command prints
with --json names its kind and the version of its shape ("schema": "leaktrace.trace/1")."""

from __future__ import annotations

import math

SCHEMA_VERSION = 1
# A kind's version goes up when its shape changes in a way a reader would notice (a key
# removed, renamed or retyped); keys added keep the version. Kinds not listed are at 1.
SCHEMA_VERSIONS: dict[str, int] = {}


def schema(kind: str) -> str:
    """The schema name of one kind of JSON output, e.g. "leaktrace.doc-list/1"."""
    return f"leaktrace.{kind}/{SCHEMA_VERSIONS.get(kind, SCHEMA_VERSION)}"


def versioned(kind: str, data) -> dict:
    """One JSON object with "schema" first: an object's own keys follow it; a list goes under
    "items" (a bare list has nowhere to say what it is)."""
    if isinstance(data, dict):
        if "schema" in data:
            raise ValueError(f"{kind}: 'schema' is reserved for the output's schema name")
        return {"schema": schema(kind), **data}
    if isinstance(data, (list, tuple)):
        return {"schema": schema(kind), "items": list(data)}
    raise TypeError(f"{kind}: JSON output is an object or a list, not {type(data).__name__}")


def finite(o):
    """JSON has no Infinity or NaN: such floats become strings ("inf")."""
    if isinstance(o, float) and not math.isfinite(o):
        return str(o)
    if isinstance(o, dict):
        return {k: finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [finite(v) for v in o]
    return o
