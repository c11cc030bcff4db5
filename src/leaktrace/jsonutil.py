"""JSON output that stays valid JSON."""

from __future__ import annotations

import math


def finite(o):
    """JSON has no Infinity or NaN: such floats become strings ("inf")."""
    if isinstance(o, float) and not math.isfinite(o):
        return str(o)
    if isinstance(o, dict):
        return {k: finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [finite(v) for v in o]
    return o
