"""Text of a leaked image (a screenshot, a photographed or scanned page) by OCR with Tesseract.

Images are opened with Pillow under a pixel limit, only in raster formats that Pillow decodes
itself (never EPS, which Pillow hands to Ghostscript), and verified before they are decoded.
OCR output is tidied into paragraphs: lines joined, line-end hyphenation undone.
"""

from __future__ import annotations

import io
import re
import warnings
from contextlib import suppress

from PIL import Image, ImageOps, ImageStat

from .. import budget
from ..errors import InputError
from ..models import Page, WordBox
from .base import Extracted, max_input_bytes

FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP")
DEFAULT_MAX_MPIX = budget.Budget.image_mpix
MIN_SIDE = 20         # pixels: less cannot hold a line of text
MIN_LONG_SIDE = 100   # pixels: less cannot hold a phrase worth tracing
UPSCALE_BELOW = 1500  # pixels wide: Tesseract reads small screen text better at twice the size
OCR_TIMEOUT_S = 120
OCR_NOTE = "read by OCR: invisible marks do not survive an image, and OCR errors can hide other marks"
INSTALL_TESSERACT = ("OCR needs Tesseract: install the Debian packages tesseract-ocr tesseract-ocr-eng "
                     "(scripts/system-deps.sh does it)")
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_LINE_END_HYPHEN = re.compile(r"[^\W\d_][-\u2010\u00ad]$")


def max_image_pixels() -> int:
    """The pixel limit of the budget in force (leaktrace.budget)."""
    return budget.current().image_pixels


def extract_image(data: bytes, name: str) -> Extracted:
    """The text of an image, read by OCR; refuses damaged, too small and too large images."""
    if len(data) > max_input_bytes():
        raise InputError(f"{name}: over the input limit of {max_input_bytes() / 1048576:.0f} MB")
    img = open_image(data, name)
    text, page = ocr_page(img, name)
    if not text:
        raise InputError(f"{name}: OCR found no text in the image")
    notes = [OCR_NOTE]
    frames = getattr(img, "n_frames", 1)
    if frames > 1:
        notes.append(f"only the first of its {frames} frames was read")
    return Extracted(text=text, format="image", name=name, notes=tuple(notes), readers=("ocr",), pages=(page,))


def open_image(data: bytes, name: str) -> Image.Image:
    """The decoded image (first frame), after checks on its format, size and integrity."""
    with warnings.catch_warnings():
        # Pillow warns about damaged metadata and large sizes; both are judged here instead
        warnings.simplefilter("ignore")
        img = _open_checked(data, name)
        try:
            img.load()
        except MemoryError:       # over the budget's memory: not a damaged file
            raise
        except Exception as e:  # noqa: BLE001 - any decoder failure on hostile bytes
            raise InputError(f"{name}: is a damaged image ({short_reason(e)})") from None
    return img


def _open_checked(data: bytes, name: str) -> Image.Image:
    """The image with only its header read, once its format, integrity and size pass."""
    try:
        Image.open(io.BytesIO(data), formats=FORMATS).verify()
        img = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.UnidentifiedImageError:
        if _has_image_signature(data):
            raise InputError(f"{name}: is a damaged image (its header cannot be read)") from None
        raise InputError(f"{name}: is not an image leaktrace reads ({', '.join(FORMATS)})") from None
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise _too_large(name, None) from None
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception as e:  # noqa: BLE001
        raise InputError(f"{name}: is a damaged image ({short_reason(e)})") from None
    width, height = img.size
    if width * height > max_image_pixels():
        raise _too_large(name, img.size)
    if min(width, height) < MIN_SIDE or max(width, height) < MIN_LONG_SIDE:
        raise InputError(f"{name}: at {width}×{height} pixels the image is too small to read")
    return img


def _has_image_signature(data: bytes) -> bool:
    """Whether the bytes start like a file in one of the formats read here."""
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _too_large(name: str, size: tuple[int, int] | None) -> InputError:
    dims = f"{size[0]}×{size[1]} pixels" if size else "its declared size"
    return InputError(f"{name}: at {dims} the image is over the limit of "
                      f"{max_image_pixels() / 1e6:g} megapixels (set LEAKTRACE_MAX_IMAGE_MPIX to change it)")


def short_reason(e: Exception) -> str:
    """The first line of an error's message, short enough for a one-line refusal."""
    return (str(e).splitlines() or [type(e).__name__])[0][:120]


def ocr_page(img: Image.Image, name: str, number: int = 1) -> tuple[str, Page]:
    """The text Tesseract reads in an image (paragraphs separated by blank lines), and the page:
    the image as read and every word's box, from the same Tesseract run."""
    import pytesseract

    prepared = prepare_for_ocr(img)
    low, high = prepared.getextrema()
    if low == high:         # a blank page: nothing for Tesseract to read
        return "", Page(number, prepared.width, prepared.height, (), prepared)
    # Tesseract gets what is left of the artifact's time (a page of noise keeps it busy for minutes)
    timeout = min(OCR_TIMEOUT_S, budget.remaining())
    budget.check(name)
    try:
        # one run, two outputs; Tesseract's default page segmentation is --psm 3
        raw, tsv = pytesseract.pytesseract.run_and_get_multiple_output(
            prepared, ["txt", "tsv"], lang="eng", timeout=max(1, timeout))
    except pytesseract.TesseractNotFoundError:
        raise InputError(f"{name}: {INSTALL_TESSERACT}") from None
    except MemoryError:       # over the budget's memory: not a damaged file
        raise
    except Exception as e:  # noqa: BLE001 - Tesseract's own failures, and pytesseract's timeout
        if "language" in str(e).lower():
            raise InputError(f"{name}: {INSTALL_TESSERACT}") from None
        if "timeout" in str(e).lower():
            if timeout < OCR_TIMEOUT_S:
                raise budget.current().out_of_time(name) from None
            raise InputError(f"{name}: OCR took longer than {OCR_TIMEOUT_S} s; "
                             "crop the image to the text and try again") from None
        raise InputError(f"{name}: OCR failed ({short_reason(e)})") from None
    page = Page(number, prepared.width, prepared.height, tuple(_word_boxes(tsv)), prepared)
    return tidy_ocr_text(raw), page


def _word_boxes(tsv: str):
    """Words of Tesseract's TSV output (level 5 rows), in reading order, each with the number of
    its line on the page (Tesseract's block, paragraph and line, counted in order)."""
    lines: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) != 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            left, top, width, height = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        line = lines.setdefault((cols[2], cols[3], cols[4]), len(lines))
        yield WordBox(cols[11].strip(), left, top, width, height, max(0.0, min(1.0, conf / 100)), line)


def prepare_for_ocr(img: Image.Image) -> Image.Image:
    """Upright, grayscale, dark text on light ground, large enough and stretched in contrast."""
    with suppress(Exception):  # a damaged orientation tag: read the image as stored
        img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        # transparent areas would turn black; put the image on white paper
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    img = img.convert("L")
    if ImageStat.Stat(img).mean[0] < 110:  # a dark-mode screenshot: light text on dark ground
        img = ImageOps.invert(img)
    img = straighten(img)
    if img.width < UPSCALE_BELOW and img.width * img.height * 4 <= max_image_pixels():
        img = img.resize((img.width * 2, img.height * 2), Image.Resampling.LANCZOS)
    return ImageOps.autocontrast(img, cutoff=1)


MAX_SKEW = 6.0        # degrees: a photo tilted further is not straightened


def straighten(img: Image.Image) -> Image.Image:
    """The page seen square on: a photographed page (lighter than the desk around it, all four
    corners in the picture) mapped to a rectangle, then any remaining tilt of the text lines
    turned level. Tesseract loses whole lines at a tilt of two degrees."""
    import cv2
    import numpy as np

    gray = np.asarray(img, dtype=np.uint8)
    gray, page = _unwarp_page(cv2, np, gray)
    angle = _skew(cv2, np, gray, page)
    if abs(angle) >= 0.05:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    return Image.fromarray(_even_light(cv2, np, gray))


def _even_light(cv2, np, gray):
    """The page as if evenly lit: each pixel divided by the paper's brightness around it (the
    local maximum, which text strokes are too thin to reach, smoothed). A shadow or a light
    falling off across a photo otherwise turns whole lines black when Tesseract binarizes."""
    k = max(15, (max(gray.shape) // 60) | 1)
    paper = cv2.GaussianBlur(cv2.dilate(gray, np.ones((k, k), np.uint8)), (k, k), 0)
    return cv2.divide(gray, np.maximum(paper, 1), scale=255)


def _unwarp_page(cv2, np, gray):
    """The page mapped to a rectangle where the picture shows a page on a darker ground with its
    four corners inside the picture; else the picture as it is, the ground around the page
    (if any) painted white. With it, the mask of the page where a ground was painted (None
    where the whole picture is page)."""
    h, w = gray.shape
    k = 800 / max(h, w)
    small = cv2.resize(gray, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    _, bright = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return gray, None
    page = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(page)
    if area < 0.3 * small.size or area > 0.97 * small.size:
        return gray, None    # no page on a ground: a scan, a screenshot, a crop inside the page
    quad = cv2.approxPolyDP(page, 0.02 * cv2.arcLength(page, True), True).reshape(-1, 2).astype(np.float32)
    sh, sw = small.shape
    inside = len(quad) == 4 and all(2 < x < sw - 3 and 2 < y < sh - 3 for x, y in quad)
    if not inside:
        # the page runs off the picture: keep the geometry, paint the ground white
        mask = np.zeros_like(small)
        cv2.drawContours(mask, [page], -1, 255, thickness=cv2.FILLED)
        mask = cv2.resize(mask, (w, h), interpolation=cv2.INTER_NEAREST)
        out = gray.copy()
        out[mask == 0] = 255
        return out, mask
    quad /= k
    s = quad.sum(axis=1)
    d = np.diff(quad, axis=1).ravel()
    tl, br, tr, bl = quad[np.argmin(s)], quad[np.argmax(s)], quad[np.argmin(d)], quad[np.argmax(d)]
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    if width < MIN_LONG_SIDE or height < MIN_SIDE:
        return gray, None
    m = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl], np.float32),
                                    np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                                             np.float32))
    return cv2.warpPerspective(gray, m, (width, height), flags=cv2.INTER_CUBIC, borderValue=255), None


def _skew(cv2, np, gray, page=None) -> float:
    """The angle (degrees) that levels the text lines: the rotation whose row profile of ink is
    the sharpest, searched coarsely and then finely. Only ink well inside the page counts (the
    page's own edges would pull the angle towards theirs)."""
    h, w = gray.shape
    k = min(1.0, 1000 / max(h, w))
    size = (max(1, round(w * k)), max(1, round(h * k)))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    if page is not None:
        inner = cv2.erode(cv2.resize(page, size, interpolation=cv2.INTER_NEAREST), np.ones((31, 31), np.uint8))
        ink[inner == 0] = 0
    if ink.sum() < 50:
        return 0.0
    sh, sw = ink.shape
    centre = (sw / 2, sh / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rows = cv2.warpAffine(ink, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5), key=sharpness)
    return float(max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05), key=sharpness))


def tidy_ocr_text(raw: str) -> str:
    """OCR output as paragraphs: the lines of a paragraph joined with spaces, or without the
    hyphen where a word was split at a line end, and paragraphs separated by blank lines."""
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", raw.replace("\f", "\n\n")):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        text = lines[0]
        for line in lines[1:]:
            if _LINE_END_HYPHEN.search(text) and line[0].islower():
                text = text[:-1] + line
            else:
                text = f"{text} {line}"
        paragraphs.append(" ".join(text.split()))
    return "\n\n".join(paragraphs)
