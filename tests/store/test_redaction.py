"""A database URL is shown without its password, wherever the URL carries it: after the user
name, or as a query parameter (postgresql://u@/db?host=...&password=...)."""

from __future__ import annotations

import pytest

from leaktrace.store.db import describe, redact


@pytest.mark.parametrize("url", [
    "postgresql://lt:hunter2@db.example/leaktrace",
    "postgresql://lt@/leaktrace?host=/run/pg&password=hunter2",
    "postgresql+psycopg://lt@/leaktrace?password=hunter2&host=/run/pg",
    "postgresql://lt@/leaktrace?sslpassword=hunter2&host=/run/pg",
])
def test_the_password_is_left_out_of_a_shown_url(url):
    shown = describe(url)
    assert "hunter2" not in shown and "***" in shown and "leaktrace" in shown
    assert redact(f'connection failed: bad password "hunter2" for {url}', url).count("hunter2") == 0
