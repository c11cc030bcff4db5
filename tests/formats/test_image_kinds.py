"""GIF and BMP leaks (a screenshot saved by an old tool) go to the image reader, by their name
or by their first bytes, never to the text reader."""

from __future__ import annotations

import io

import pytest
from clirunner import run
from PIL import Image, ImageDraw
from requires import need_tesseract

from leaktrace.formats import _sniff


def _picture(fmt: str) -> bytes:
    im = Image.new("RGB", (640, 90), "white")
    ImageDraw.Draw(im).text((10, 35), "The eastern quay closes for six weeks in April", fill="black")
    out = io.BytesIO()
    im.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_gif_and_bmp_are_images_by_name_and_by_content(fmt):
    data = _picture(fmt)
    for name in (f"leak.{fmt.lower()}", "leak", "leak.txt"):
        assert _sniff(data, name) == "image", name
    assert _sniff(b"BMW drivers say the quay closes in April.\n", "note.txt") == "txt"
    assert _sniff(b"GIF of the week: the quay.\n", "note") == "txt"


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_a_gif_or_bmp_leak_is_read_by_ocr(tmp_path, capsys, monkeypatch, fmt):
    need_tesseract()
    monkeypatch.setenv("LEAKTRACE_WORKSPACE", str(tmp_path / "ws"))
    assert run(capsys, "init").code == 0
    path = tmp_path / f"leak.{fmt.lower()}"
    path.write_bytes(_picture(fmt))
    r = run(capsys, "trace", path, "--json")
    assert r.code == 0, r.err
    assert r.json()["source"]["format"] == "image" and "ocr" in r.json()["source"]["readers"]
