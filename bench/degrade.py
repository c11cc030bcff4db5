"""Simulated scans and phone photographs of a printed page (for bench/photo.py).

``photograph(page, region, condition, rng)`` takes a rasterized page (a white Pillow image
with dark text, at the print resolution), "prints" it on slightly tinted paper, and returns
the encoded image (JPEG bytes) of the region ``(left, top, right, bottom)`` as a scanner or a
phone camera would capture it:

* geometry: the whole page is laid on a desk and seen through one projective map - a small
  rotation plus a perspective tilt (each corner moved by a few percent of the page size);
  ``Image.transform(..., PERSPECTIVE, coeffs)`` with coefficients solved from the four
  corner correspondences (``perspective_coeffs``);
* light: a linear illumination gradient in a random direction, a vignette and (hard) a soft
  shadow;
* optics and sensor: Gaussian blur (``GaussianBlur(radius=sigma)``, sigma in pixels of the
  image), Gaussian noise in gray levels (per colour channel, plus a shared luminance part);
* the file: JPEG at the condition's quality.

The region is cut out *after* the photograph, as the bounding box of where its corners
went (a leaker cropping the photo to the part they want to show), so the crop is as tilted
and unevenly lit as the rest of the photo.  Every random choice comes from ``rng``.

Conditions (``CONDITIONS``): ``clean`` (a flatbed scan: grayscale, a fraction of a degree
of skew, barely any blur or noise, JPEG 92), ``photo-mild`` and ``photo-hard`` (colour phone
photographs; parameters in the table below and in bench/PHOTO.md).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

__all__ = ["CONDITIONS", "Condition", "describe", "perspective_coeffs", "photograph"]


@dataclass(frozen=True)
class Condition:
    name: str
    blur: tuple[float, float]          # Gaussian blur sigma, pixels (uniform range)
    noise: tuple[float, float]         # Gaussian noise sigma, gray levels
    rotation: float                    # degrees, uniform in [-rotation, +rotation]
    perspective: float                 # each corner moves up to this fraction of the page size
    light: tuple[float, float]         # darkening at the dark end of the gradient
    jpeg: tuple[int, int]              # JPEG quality range
    colour: bool                       # a colour photo (else a grayscale scan)
    desk: bool                         # the page lies on a desk (else a white scanner lid)
    shadow: bool = False               # a soft shadow across part of the page


CONDITIONS: dict[str, Condition] = {
    "clean": Condition("clean", blur=(0.3, 0.5), noise=(1.5, 2.5), rotation=0.3, perspective=0.0,
                       light=(0.0, 0.03), jpeg=(92, 92), colour=False, desk=False),
    "photo-mild": Condition("photo-mild", blur=(0.6, 1.0), noise=(4.0, 8.0), rotation=2.0, perspective=0.03,
                            light=(0.10, 0.22), jpeg=(70, 85), colour=True, desk=True),
    "photo-hard": Condition("photo-hard", blur=(1.4, 1.6), noise=(11.0, 13.0), rotation=4.0, perspective=0.06,
                            light=(0.25, 0.40), jpeg=(50, 50), colour=True, desk=True, shadow=True),
}


SCREENSHOT = "screenshot"


def describe(name: str) -> str:
    """One line saying what a condition does."""
    if name == SCREENSHOT:
        return ("a screenshot of a PDF viewer: the page as the viewer draws it at the zoom (96 dpi at 100%), "
                "cropped, kept as PNG")
    c = CONDITIONS[name]

    def rng_(a, b, unit=""):
        return f"{a:g}{unit}" if a == b else f"{a:g}–{b:g}{unit}"

    parts = [("colour photo of the page on a desk" if c.desk else "grayscale scan"),
             f"blur σ {rng_(*c.blur)} px", f"noise σ {rng_(*c.noise)} gray levels",
             f"rotation ±{c.rotation:g}°"]
    if c.perspective:
        parts.append(f"perspective: corners moved up to {100 * c.perspective:g}% of the page")
    parts.append(f"illumination falls off by {rng_(100 * c.light[0], 100 * c.light[1], '%')}"
                 + (" plus a soft shadow" if c.shadow else ""))
    parts.append(f"JPEG quality {rng_(*c.jpeg)}")
    return ", ".join(parts)


def perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """The 8 coefficients of ``Image.transform(size, Image.PERSPECTIVE, coeffs)`` that send
    output pixel ``dst[i]`` to input pixel ``src[i]`` (four corner pairs).

    Pillow maps an output pixel (x, y) to the input pixel
    ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)).
    """
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64)).tolist()


def _invert(coeffs: list[float]) -> np.ndarray:
    a, b, c, d, e, f, g, h = coeffs
    return np.linalg.inv(np.array([[a, b, c], [d, e, f], [g, h, 1.0]]))


def photograph(page: Image.Image, region: tuple[int, int, int, int], condition: str,
               rng: random.Random) -> tuple[bytes, dict]:
    """The JPEG of ``region`` of ``page`` captured under ``condition``, and the parameters drawn.

    Only the part of the photo that the crop keeps is computed (the map, the light and the
    noise are the same as for the whole photo; only the pixels outside the crop are skipped).
    """
    if condition == SCREENSHOT:
        buf = io.BytesIO()
        page.crop(region).save(buf, "PNG")
        return buf.getvalue(), {"condition": condition, "size": list(page.crop(region).size)}
    c = CONDITIONS[condition]
    gray = page.convert("L")
    w, h = gray.size
    p: dict = {"condition": condition}

    # --- paper: ink is not pure black, paper not pure white
    paper = [rng.uniform(238, 248), rng.uniform(234, 245), rng.uniform(222, 238)] if c.colour \
        else [rng.uniform(246, 252)] * 3
    ink = rng.uniform(18, 35)
    desk = [rng.uniform(70, 120), rng.uniform(60, 105), rng.uniform(45, 90)] if c.desk else [250.0] * 3

    # --- geometry: rotation + perspective as one projective map of the page corners
    margin = round(0.05 * max(w, h)) if c.desk else round(0.01 * max(w, h))
    out_w, out_h = w + 2 * margin, h + 2 * margin
    theta = math.radians(rng.uniform(-c.rotation, c.rotation))
    cx, cy = w / 2, h / 2
    corners = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    moved = []
    for x, y in corners:
        dx, dy = x - cx, y - cy
        rx = cx + dx * math.cos(theta) - dy * math.sin(theta) + margin
        ry = cy + dx * math.sin(theta) + dy * math.cos(theta) + margin
        rx += rng.uniform(-c.perspective, c.perspective) * w
        ry += rng.uniform(-c.perspective, c.perspective) * h
        moved.append((rx, ry))
    # keep the page inside the frame: shrink about the frame centre if a corner left it
    s = min(1.0, min((out_w / 2 - 2) / max(1e-6, abs(x - out_w / 2)) for x, _ in moved),
            min((out_h / 2 - 2) / max(1e-6, abs(y - out_h / 2)) for _, y in moved))
    moved = [(out_w / 2 + (x - out_w / 2) * s, out_h / 2 + (y - out_h / 2) * s) for x, y in moved]
    coeffs = perspective_coeffs(moved, corners)   # photo pixel -> page pixel
    p.update(rotation_deg=round(math.degrees(theta), 2),
             corner_shift_px=[round(max(abs(m[0] - (x + margin)), abs(m[1] - (y + margin))))
                              for m, (x, y) in zip(moved, corners)])

    # --- the leaker's crop: the bounding box of where the region's corners went
    inv = _invert(coeffs)   # page -> photo
    l, tp, r, b = region
    pts = []
    for x, y in ((l, tp), (r, tp), (r, b), (l, b)):
        v = inv @ np.array([x, y, 1.0])
        pts.append((v[0] / v[2], v[1] / v[2]))
    pad = margin if tuple(region) == (0, 0, w, h) else 6
    bx0 = max(0, math.floor(min(q[0] for q in pts)) - pad)
    by0 = max(0, math.floor(min(q[1] for q in pts)) - pad)
    bx1 = min(out_w, math.ceil(max(q[0] for q in pts)) + pad)
    by1 = min(out_h, math.ceil(max(q[1] for q in pts)) + pad)
    bw, bh = bx1 - bx0, by1 - by0
    box_coeffs = perspective_coeffs([(x - bx0, y - by0) for x, y in moved], corners)

    # the page as ink coverage (0 = paper, 1 = ink) and the page mask, both warped into the crop
    cover = Image.fromarray(255 - np.asarray(gray))
    warped = np.asarray(cover.transform((bw, bh), Image.Transform.PERSPECTIVE, box_coeffs,
                                        Image.Resampling.BICUBIC, fillcolor=0), dtype=np.float32)
    warped *= np.float32(1 / 255)
    mask = np.asarray(Image.new("L", (w, h), 255).transform((bw, bh), Image.Transform.PERSPECTIVE, box_coeffs,
                                                             Image.Resampling.BILINEAR, fillcolor=0),
                      dtype=np.float32)
    mask *= np.float32(1 / 255)

    # --- light: gradient in a random direction, vignette, optional shadow, over the whole
    # frame; smooth, so computed on a grid 8 times coarser and scaled up
    lw, lh = max(2, out_w // 8), max(2, out_h // 8)
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    xx *= out_w / lw
    yy *= out_h / lh
    phi = rng.uniform(0, 2 * math.pi)
    t = (xx - out_w / 2) * math.cos(phi) + (yy - out_h / 2) * math.sin(phi)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))            # 0 .. 1 across the frame
    fall = rng.uniform(*c.light)
    light = 1 - fall * t
    if c.desk:
        r2 = ((xx - out_w / 2) / (out_w / 2)) ** 2 + ((yy - out_h / 2) / (out_h / 2)) ** 2
        light *= 1 - 0.08 * r2
    if c.shadow:
        # a soft-edged shadow (a hand or the phone) over one side of the page
        sx, sy = rng.uniform(0, out_w), rng.uniform(0, out_h)
        rad = rng.uniform(0.3, 0.5) * max(out_w, out_h)
        d = np.sqrt((xx - sx) ** 2 + (yy - sy) ** 2)
        inside = np.clip((rad - d) / (0.15 * rad), 0, 1)
        light *= 1 - rng.uniform(0.15, 0.25) * inside
        p["shadow"] = True
    light_img = Image.fromarray(light.astype(np.float32), "F")
    light = np.asarray(light_img.resize((bw, bh), Image.Resampling.BILINEAR,
                                        box=(bx0 * lw / out_w, by0 * lh / out_h, bx1 * lw / out_w, by1 * lh / out_h)))
    p.update(light_falloff=round(fall, 3))

    # --- compose: paper and ink on the page, desk around it, times the light
    layers = []
    for k in (range(3) if c.colour else range(1)):
        pk, dk = np.float32(paper[k]), np.float32(desk[k])
        layer = warped * (np.float32(ink) - pk)
        layer += pk - dk
        layer *= mask
        layer += dk
        layer *= light
        layers.append(np.clip(layer, 0, 255, out=layer).astype(np.uint8))
    pil = Image.fromarray(np.dstack(layers), "RGB") if c.colour else Image.fromarray(layers[0], "L")

    # --- optics: blur
    sigma = rng.uniform(*c.blur)
    pil = pil.filter(ImageFilter.GaussianBlur(radius=sigma))
    # --- sensor: noise (a shared luminance part, plus a per-channel part in colour)
    noise = rng.uniform(*c.noise)
    nrng = np.random.default_rng(rng.getrandbits(64))
    arr = np.asarray(pil, dtype=np.float32)
    lum = nrng.standard_normal((bh, bw), dtype=np.float32)
    if c.colour:
        lum *= np.float32(0.8 * noise)
        out = []
        for k in range(3):
            ch = nrng.standard_normal((bh, bw), dtype=np.float32)
            ch *= np.float32(0.6 * noise)
            ch += lum
            ch += arr[..., k]
            ch += np.float32(0.5)
            out.append(np.clip(ch, 0, 255, out=ch).astype(np.uint8))
        pil = Image.fromarray(np.dstack(out), "RGB")
    else:
        lum *= np.float32(noise)
        lum += arr
        lum += np.float32(0.5)
        pil = Image.fromarray(np.clip(lum, 0, 255, out=lum).astype(np.uint8), "L")
    p.update(blur_sigma=round(sigma, 2), noise_sigma=round(noise, 2))

    # --- the file
    q = rng.randint(*c.jpeg)
    buf = io.BytesIO()
    pil.save(buf, "JPEG", quality=q)
    p.update(jpeg_quality=q, size=list(pil.size), crop=[bx0, by0, bx1, by1])
    return buf.getvalue(), p


if __name__ == "__main__":  # a quick look: python bench/degrade.py page.png out-prefix
    import sys

    src = Image.open(sys.argv[1])
    for name in CONDITIONS:
        data, params = photograph(src, (0, 0, *src.size), name, random.Random(1))
        Path = __import__("pathlib").Path
        Path(f"{sys.argv[2]}-{name}.jpg").write_bytes(data)
        print(name, params)
