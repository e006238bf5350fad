"""Demo pictures for visible signatures, drawn with Pillow: an officer's blue handwriting-like signature
and an organisation's red round seal.

A real deployment stores the officer's scanned signature (``OfficerCredential.signature_image``) and
the seal registered with the police (Nghị định 99/2016); these drawings only stand in for them in the
demo, so that a rendered document looks like an issued one. Plain library code: no Django.
"""

from __future__ import annotations

import functools
import io
import math
import random
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = ["signature_png", "seal_png", "SIGNATURE_BLUE", "SEAL_RED"]

SIGNATURE_BLUE = (18, 45, 160, 255)
SEAL_RED = (215, 20, 30, 235)

_SCRIPT_FONTS = (
    "/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
)
_SEAL_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
)


def _font(paths: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in paths:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _plain(text: str) -> str:
    """``text`` without diacritics (a signature is a scribble; the script font has no Vietnamese marks)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=256)
def signature_png(name: str) -> bytes:
    """A blue, slanted, handwriting-like signature for ``name`` on a transparent background (600x240 px).

    Deterministic: the same name always gives the same picture.
    """
    words = _plain(name).split() or ["Ky"]
    given = words[-1]
    initials = "".join(w[0] for w in words[:-1])
    text = f"{initials}.{given}" if initials else given
    rng = random.Random(name)
    width, height = 600, 240
    image = Image.new("RGBA", (width * 2, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    font = _font(_SCRIPT_FONTS, 132)
    draw.text((40, 20), text, font=font, fill=SIGNATURE_BLUE)
    left, top, right, bottom = draw.textbbox((40, 20), text, font=font)
    # A flourish under the name: a wave from the first letter to beyond the last.
    points = []
    start, end = left - 10, min(width * 2 - 20, right + 90)
    base = bottom + 4
    for i in range(41):
        x = start + (end - start) * i / 40
        y = base + 10 * math.sin(i / 40 * math.pi * 2.2 + rng.random()) - i * 0.6
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=5, joint="curve")
    crop = image.crop((max(0, left - 20), 0, min(width * 2, end + 20), height))
    crop = crop.transform(crop.size, Image.Transform.AFFINE, (1, 0.18, -20, 0, 1, 0), Image.Resampling.BICUBIC)
    bbox = crop.getbbox()
    if bbox:
        crop = crop.crop((max(0, bbox[0] - 8), max(0, bbox[1] - 8), bbox[2] + 8, bbox[3] + 8))
    crop.thumbnail((width, height), Image.Resampling.LANCZOS)
    return _png(crop)


def _arc_text(image: Image.Image, text: str, *, centre: float, radius: float, font, fill, limit: float) -> None:
    """``text`` around the top of a circle, clockwise, centred at the top, letters upright to the centre,
    spread over at most ``limit`` degrees."""
    widths = [font.getlength(ch) * 1.08 for ch in text]
    total = sum(widths)
    span = min(total / radius, math.radians(limit))
    scale = span / (total / radius) if total else 1.0
    angle = -math.pi / 2 - span / 2
    for ch, w in zip(text, widths, strict=True):
        step = w / radius * scale
        mid = angle + step / 2
        size = int(font.size * 1.8)
        glyph = Image.new("RGBA", (size, size), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=fill, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(mid) - size / 2
        y = centre + radius * math.sin(mid) - size / 2
        image.alpha_composite(glyph, (int(round(x)), int(round(y))))
        angle += step


@functools.lru_cache(maxsize=256)
def seal_png(organisation: str, place: str = "") -> bytes:
    """A red round seal (600x600 px, transparent background): two rings, the organisation's name in
    capitals around the top, ``place`` (e.g. the province) straight across the bottom, a star in the
    middle. Deterministic and cached per name."""
    size = 600
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), outline=SEAL_RED, width=16)
    draw.ellipse((150, 150, size - 150, size - 150), outline=SEAL_RED, width=6)
    name = " ".join(organisation.upper().split())
    font_size = 58 if len(name) <= 28 else max(34, int(58 * 28 / len(name)))
    _arc_text(
        image,
        name,
        centre=c,
        radius=c - 70,
        font=_font(_SEAL_FONTS, font_size),
        fill=SEAL_RED,
        limit=230 if place else 320,
    )
    if place:
        small = _font(_SEAL_FONTS, 40)
        draw.text((c, size - 95), " ".join(place.upper().split()), font=small, fill=SEAL_RED, anchor="mm")
    # A five-pointed star in the middle.
    outer, inner = 95, 38
    star = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=SEAL_RED)
    return _png(image)
