"""Glyph sources and the rendering of one varied sample, for :mod:`model.synth`.

A *source* is one way of getting the shape of a capital letter:

- ``hand``: stroke skeletons written for LetterLab, with the alternate forms people use
  when they draw capitals with a mouse (``I`` with or without serifs, ``M`` with a middle
  down to the baseline, ``G`` with or without a spur, a one-stroke ``Y``...).
- ``freehand``: skeletons built afresh for every sample with people's forms and uneven
  proportions (``J`` with or without a top bar, ``R`` with a small bowl and its leg from
  the stem or the bowl's end, open bowls, ``Q``'s tail styles...), drawn as a finger or a
  mouse draws (corners rounded or overshot, lines bowed). See :func:`freehand_strokes`.
- Hershey stroke fonts (``futural``, ``rowmans``, ``timesi``, ``scripts``...), from the
  ``hershey-fonts`` package: centre lines, drawn here with a round pen like a mouse draws.
- Outline fonts: Pillow's built-in scalable font (``pillow``), the DejaVu fonts if they are
  on disk (``DejaVuSans``, ``DejaVuSerif-Bold``...), and optionally the fonts found on the
  machine (``system_fonts=True``). Rendered filled, then warped as an image.

Every sample is drawn on a :data:`CANVAS` x :data:`CANVAS` canvas at a random size and
position, with random pen width, rotation, shear, stretch, smooth elastic warp and
per-stroke wobble, then passed through :func:`model.preprocess.normalize` -- the same
function the drawing canvas uses.

Strokes are ``(k, 2)`` float arrays of ``(x, y)`` points, y pointing down, in units of the
letter's height (the top of a capital at y=0, the baseline at y=1).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from . import LETTERS
from .preprocess import DEFAULT_PEN_FRACTION, normalize

#: Side of the square canvas each sample is drawn on before normalisation, in pixels.
CANVAS = 112
#: Pen width as a fraction of the letter's height: (low, high) of the log-normal's clip.
PEN_FRACTION_RANGE = (0.045, 0.2)
#: Log-normal spread of the pen fraction around :data:`DEFAULT_PEN_FRACTION`.
PEN_FRACTION_SIGMA = 0.3

HERSHEY_FONTS = ("futural", "futuram", "rowmans", "rowmand", "rowmant", "timesr", "timesrb",
                 "timesi", "timesib", "cursive", "scripts", "scriptc")
#: Hershey fonts whose strokes are doubled or tripled lines (a bold look): strokes keep
#: their relative positions (no per-stroke shift) so the parallel lines stay together.
_HERSHEY_MULTILINE = {"futuram", "rowmand", "rowmant", "timesrb", "timesib", "scriptc"}
#: Script capitals look least like mouse-drawn block capitals: drawn half as often.
_HERSHEY_SCRIPT = {"cursive", "scripts", "scriptc"}

DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
               "/usr/share/fonts/TTF", "/usr/local/share/fonts", "/Library/Fonts",
               os.path.expanduser("~/.local/share/fonts"), os.path.expanduser("~/Library/Fonts"))
DEJAVU_FILES = ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-ExtraLight",
                "DejaVuSansCondensed", "DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSerif",
                "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerifCondensed")

#: Share of the samples drawn from each kind of source (renormalised over those present).
#: The freehand forms are the closest thing to people's drawings: the largest share.
KIND_WEIGHTS = {"hand": 0.15, "freehand": 0.35, "hershey": 0.30, "font": 0.20}

_FONT_PX = 72  # outline fonts are rendered at this pixel size, then transformed


@dataclass(frozen=True)
class Source:
    """One glyph source. ``kind`` is ``hand``, ``freehand``, ``hershey`` or ``font``; ``path`` is the
    font file for ``font`` sources (``""`` for Pillow's built-in font)."""

    name: str
    kind: str
    path: str = ""
    weight: float = 1.0


# --------------------------------------------------------------------------- hand skeletons

def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 0) -> np.ndarray:
    """Points on an elliptical arc, angles in degrees measured the maths way (y up):
    0 is right, 90 is the top. Returns ``(n, 2)`` in y-down coordinates."""
    if n <= 0:
        n = max(4, int(abs(a1 - a0) / 12) + 1)
    a = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(a), cy - ry * np.sin(a)], axis=1)


def _p(*pts) -> np.ndarray:
    return np.asarray(pts, dtype=np.float64)


def _cat(*parts) -> np.ndarray:
    return np.concatenate([np.atleast_2d(np.asarray(p, dtype=np.float64)) for p in parts], axis=0)


def _bowl(x0: float, y0: float, y1: float, reach: float) -> np.ndarray:
    """A B/P/R/D bowl from the stem at (0, y0) to the stem at (0, y1), bulging right."""
    r = (y1 - y0) / 2.0
    return _cat(_p((0, y0), (x0, y0)), _arc(x0, y0 + r, reach, r, 90, -90), _p((x0, y1), (0, y1)))


def _hand_forms() -> dict[str, list[list[np.ndarray]]]:
    """Skeletons of each capital: letter -> list of forms, each a list of strokes."""
    f: dict[str, list[list[np.ndarray]]] = {}
    f["A"] = [[_p((0, 1), (0.4, 0), (0.8, 1)), _p((0.17, 0.6), (0.63, 0.6))],
              [_p((0, 1), (0.4, 0)), _p((0.4, 0), (0.8, 1)), _p((0.2, 0.68), (0.62, 0.68))],
              [_p((0, 1), (0.32, 0), (0.48, 0), (0.8, 1)), _p((0.15, 0.58), (0.65, 0.58))]]
    f["B"] = [[_p((0, 0), (0, 1)), _bowl(0.3, 0, 0.47, 0.25), _bowl(0.35, 0.47, 1, 0.3)],
              [_cat(_p((0, 1), (0, 0)), _bowl(0.28, 0, 0.48, 0.25)[1:], _bowl(0.33, 0.48, 1, 0.32)[1:])]]
    f["C"] = [[_arc(0.45, 0.5, 0.45, 0.5, 50, 310)],
              [_arc(0.42, 0.5, 0.42, 0.5, 35, 320)]]
    f["D"] = [[_p((0, 0), (0, 1)), _bowl(0.25, 0, 1, 0.45)],
              [_cat(_p((0, 1), (0, 0)), _arc(0.05, 0.5, 0.65, 0.5, 90, -90), _p((0, 1)))]]
    f["E"] = [[_p((0, 0), (0, 1)), _p((0, 0), (0.62, 0)), _p((0, 0.5), (0.5, 0.5)), _p((0, 1), (0.65, 1))],
              [_p((0.62, 0), (0, 0), (0, 1), (0.65, 1)), _p((0, 0.48), (0.48, 0.48))]]
    f["F"] = [[_p((0, 0), (0, 1)), _p((0, 0), (0.62, 0)), _p((0, 0.48), (0.5, 0.48))],
              [_p((0.62, 0), (0, 0), (0, 1)), _p((0, 0.5), (0.45, 0.5))]]
    f["G"] = [[_cat(_arc(0.5, 0.5, 0.5, 0.5, 45, 360), _p((1.0, 0.55), (0.55, 0.55)))],
              [_cat(_arc(0.5, 0.5, 0.5, 0.5, 45, 330), _p((0.93, 0.55))), _p((0.6, 0.55), (0.98, 0.55))],
              [_cat(_arc(0.5, 0.5, 0.5, 0.5, 45, 335), _p((0.93, 0.55), (0.58, 0.55)))]]
    f["H"] = [[_p((0, 0), (0, 1)), _p((0.7, 0), (0.7, 1)), _p((0, 0.5), (0.7, 0.5))]]
    f["I"] = [[_p((0, 0), (0, 1))],
              [_p((0, 0), (0, 1)), _p((-0.22, 0), (0.22, 0)), _p((-0.22, 1), (0.22, 1))]]
    f["J"] = [[_cat(_p((0.55, 0), (0.55, 0.68)), _arc(0.3, 0.68, 0.25, 0.32, 0, -170))],
              [_cat(_p((0.55, 0), (0.55, 0.7)), _arc(0.3, 0.7, 0.25, 0.3, 0, -180)), _p((0.25, 0), (0.85, 0))]]
    f["K"] = [[_p((0, 0), (0, 1)), _p((0.62, 0), (0, 0.56)), _p((0.2, 0.4), (0.66, 1))],
              [_p((0, 0), (0, 1)), _p((0.62, 0), (0.02, 0.52), (0.66, 1))]]
    f["L"] = [[_p((0, 0), (0, 1), (0.6, 1))]]
    f["M"] = [[_p((0, 1), (0, 0), (0.4, 0.62), (0.8, 0), (0.8, 1))],
              [_p((0, 1), (0.14, 0), (0.45, 0.75), (0.76, 0), (0.9, 1))],
              [_p((0, 1), (0, 0), (0.4, 1), (0.8, 0), (0.8, 1))]]
    f["N"] = [[_p((0, 1), (0, 0), (0.7, 1), (0.7, 0))],
              [_p((0, 0), (0, 1)), _p((0, 0), (0.7, 1)), _p((0.7, 1), (0.7, 0))]]
    f["O"] = [[_arc(0.42, 0.5, 0.42, 0.5, 100, 460)],
              [_arc(0.4, 0.5, 0.4, 0.5, 80, -270)]]
    f["P"] = [[_p((0, 0), (0, 1)), _bowl(0.3, 0, 0.52, 0.3)],
              [_cat(_p((0, 1), (0, 0)), _bowl(0.3, 0, 0.55, 0.3)[1:])]]
    f["Q"] = [[_arc(0.42, 0.5, 0.42, 0.5, 100, 460), _p((0.52, 0.72), (0.9, 1.05))],
              [_arc(0.42, 0.5, 0.42, 0.5, 100, 460), _p((0.6, 0.88), (0.88, 1.08))]]
    f["R"] = [[_p((0, 0), (0, 1)), _bowl(0.3, 0, 0.52, 0.3), _p((0.28, 0.52), (0.68, 1))],
              [_cat(_p((0, 1), (0, 0)), _bowl(0.3, 0, 0.52, 0.3)[1:], _p((0.68, 1)))],
              [_p((0, 0), (0, 1)), _bowl(0.3, 0, 0.52, 0.3), _p((0.02, 0.52), (0.66, 1))]]
    f["S"] = [[_cat(_arc(0.36, 0.26, 0.34, 0.26, 25, 270), _arc(0.36, 0.75, 0.36, 0.25, 90, -155))]]
    f["T"] = [[_p((0, 0), (0.7, 0)), _p((0.35, 0), (0.35, 1))]]
    f["U"] = [[_cat(_p((0, 0), (0, 0.62)), _arc(0.35, 0.62, 0.35, 0.38, 180, 360), _p((0.7, 0)))],
              [_cat(_p((0, 0), (0, 0.62)), _arc(0.33, 0.62, 0.33, 0.38, 180, 360), _p((0.66, 0))),
               _p((0.66, 0), (0.66, 1))]]
    f["V"] = [[_p((0, 0), (0.35, 1), (0.7, 0))]]
    f["W"] = [[_p((0, 0), (0.22, 1), (0.45, 0.3), (0.68, 1), (0.9, 0))],
              [_p((0, 0), (0.22, 1), (0.45, 0), (0.68, 1), (0.9, 0))]]
    f["X"] = [[_p((0, 0), (0.7, 1)), _p((0.7, 0), (0, 1))]]
    f["Y"] = [[_p((0, 0), (0.35, 0.5), (0.7, 0)), _p((0.35, 0.5), (0.35, 1))],
              [_p((0, 0), (0.35, 0.48)), _p((0.7, 0), (0.05, 1))]]
    f["Z"] = [[_p((0, 0), (0.7, 0), (0, 1), (0.72, 1))],
              [_p((0, 0), (0.7, 0), (0, 1), (0.72, 1)), _p((0.14, 0.5), (0.56, 0.5))]]
    assert set(f) == set(LETTERS)
    return f


# --------------------------------------------------------------------------- freehand forms
#
# The ``freehand`` source: each sample builds a fresh skeleton with the proportions and the
# alternate forms people use when they draw capitals with a finger or a mouse (bowls and
# bars rarely where a font puts them), then draws it as a hand does: corners rounded or
# overshot, long lines slightly bowed. Every builder returns
# ``(tags, strokes)``; the tags name the form's features (``"bar"``, ``"leg-stem"``...)
# so tests and contact sheets can check that each variant is produced.


class _Dice:
    """Small helpers over one sample's random generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def u(self, lo: float, hi: float) -> float:
        """Uniform in [lo, hi)."""
        return lo + (hi - lo) * self.rng.random()

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: dict[str, float]) -> str:
        """One key of ``options``, chosen with the values as (unnormalised) weights."""
        x = self.rng.random() * sum(options.values())
        for k, w in options.items():
            x -= w
            if x < 0:
                return k
        return k


def _qbez(a, c, b, n: int = 9) -> np.ndarray:
    """Quadratic Bezier curve from ``a`` to ``b`` pulled towards ``c``, ``(n, 2)``."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    a, c, b = (np.asarray(v, dtype=np.float64) for v in (a, c, b))
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * c + t ** 2 * b


def _bent(a, b, bow: float, n: int = 9) -> np.ndarray:
    """A line from ``a`` to ``b`` bowed sideways by ``bow`` (letter heights; the sign picks
    the side: positive bulges to the left of the direction of travel on screen)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    d = b - a
    normal = np.array([d[1], -d[0]]) / max(np.hypot(*d), 1e-9)
    return _qbez(a, (a + b) / 2 + 2 * bow * normal, b, n)


def _joint(d: _Dice) -> tuple[str, float]:
    """How the end of a bowl meets the stem: closed, open (stops short) or over (crosses)."""
    x = d.rng.random()
    if x < 0.25:
        return "open", d.u(0.04, 0.1)
    if x < 0.42:
        return "over", -d.u(0.03, 0.08)
    return "closed", d.u(-0.01, 0.015)


def _fh_bowl(d: _Dice, y0: float, y1: float, w: float, x0: float = 0.0, x1: float = 0.0) -> np.ndarray:
    """A D-shaped bowl from ``(x0, y0)`` out to the right (width ``w`` from the stem) and
    back to ``(x1, y1)``; its straight top is anything from none to half its width."""
    flat = d.u(0.0, 0.5) * w
    ry = (y1 - y0) / 2.0
    return _cat(_p((x0, y0)), _arc(flat, y0 + ry, w - flat, ry, 90, -90), _p((x1, y1)))


def _chain(d: _Dice, parts: list[np.ndarray], p_join: float) -> list[np.ndarray]:
    """Strokes from ``parts``: a part that starts where the previous one ends is drawn
    without lifting the pen with probability ``p_join``."""
    out = [parts[0]]
    for q in parts[1:]:
        if np.hypot(*(out[-1][-1] - q[0])) < 0.03 and d.chance(p_join):
            out[-1] = _cat(out[-1], q[1:])
        else:
            out.append(q)
    return out


def _fh_A(d):
    apex = d.pick({"pointed": 0.55, "flat": 0.25, "gap": 0.2})
    wl, wr = d.u(0.28, 0.5), d.u(0.28, 0.5)
    top = d.u(0.08, 0.22) if apex == "flat" else 0.0
    xl, xr = 0.0, wl + wr + top
    ax = wl                                     # apex (left end of a flat top)
    yb = d.u(0.5, 0.74)                         # bar height
    f = 1 - yb                                  # bar ends' position up the legs
    bl = np.array((xl + (ax - xl) * f, yb))
    br = np.array((xr - (xr - ax - top) * f, yb))
    ext = d.u(-0.05, 0.08)                      # bar past the legs (+) or short of them
    bar = _p(bl - (ext, 0), br + (d.u(-0.05, 0.08), 0))
    if apex == "gap":
        g = d.u(0.03, 0.06)
        parts = [_p((xl, 1), (ax - g, g * 1.5)), _p((ax + g, g * 1.5), (xr, 1)), bar]
    else:
        parts = [_p((xl, 1), (ax, 0), (ax + top, 0), (xr, 1)) if top else _p((xl, 1), (ax, 0), (xr, 1)), bar]
        if d.chance(0.25):                      # two strokes for the legs
            k = 3 if top else 2
            parts = [parts[0][:k], parts[0][k - 1:], bar]
    return ["apex-" + apex, "bar-low" if yb > 0.64 else "bar-mid"], parts


def _fh_B(d):
    ym = d.u(0.38, 0.55)
    w1 = d.u(0.26, 0.52)
    w2 = min(0.75, w1 * d.u(1.0, 1.45))
    joint, gap = _joint(d)
    # The middle may miss the stem, but not by much: a B without a stem reads as 8.
    xm = d.u(-0.01, 0.08) if joint != "closed" else d.u(-0.01, 0.03)
    x0 = d.u(-0.03, 0.02)
    stem = _p((0, 0), (0, 1))
    top = _fh_bowl(d, 0, ym, w1, x0, xm)
    bottom = _fh_bowl(d, ym, 1, w2, xm, gap)
    if d.chance(0.3):                           # stem up, then both bowls in one go
        parts = [_cat(_p((0, 1), (0, 0)), top[1:], bottom[1:])]
    else:
        parts = _chain(d, [stem, top, bottom], 0.0) if d.chance(0.25) else [stem, _cat(top, bottom[1:])]
    return ["bowls-" + joint, "top-small" if w2 > 1.15 * w1 else "bowls-even"], parts


def _fh_C(d):
    a0, a1 = d.u(25, 70), d.u(290, 335)
    rx = d.u(0.36, 0.52)
    if d.chance(0.3):
        return ["reversed"], [_arc(rx, 0.5, rx, 0.5, a1, a0)]
    return ["c"], [_arc(rx, 0.5, rx, 0.5, a0, a1)]


def _fh_D(d):
    w = d.u(0.5, 0.82)
    joint, gap = _joint(d)
    bowl = _fh_bowl(d, 0, 1, w, d.u(-0.05, 0.02), gap)
    if d.chance(0.35):
        return ["one-stroke", "bowl-" + joint], [_cat(_p((0, 1), (0, 0)), bowl[1:])]
    return ["bowl-" + joint], [_p((0, 0), (0, 1)), bowl]


def _bars(d, mid_lo: float, mid_hi: float):
    ym = d.u(mid_lo, mid_hi)
    wt = d.u(0.38, 0.7)
    return ym, wt, wt * d.u(0.55, 1.05)


def _fh_E(d):
    ym, wt, wm = _bars(d, 0.38, 0.6)
    wb = wt * d.u(0.9, 1.2)
    mid = _p((d.u(-0.03, 0.03), ym), (wm, ym + d.u(-0.04, 0.04)))
    if d.chance(0.55):
        return ["one-stroke"], [_p((wt, 0), (0, 0), (0, 1), (wb, 1)), mid]
    return ["four-strokes"], [_p((0, 0), (0, 1)), _p((0, 0), (wt, 0)), mid, _p((0, 1), (wb, 1))]


def _fh_F(d):
    ym, wt, wm = _bars(d, 0.36, 0.6)
    mid = _p((d.u(-0.03, 0.03), ym), (wm, ym + d.u(-0.04, 0.04)))
    if d.chance(0.5):
        return ["one-stroke"], [_p((wt, 0), (0, 0), (0, 1)), mid]
    return ["three-strokes"], [_p((0, 0), (0, 1)), _p((0, 0), (wt, 0)), mid]


def _fh_G(d):
    rx = d.u(0.38, 0.52)
    cx = rx
    a0 = d.u(22, 70)                            # where the top end stops: small = almost closed
    style = d.pick({"bar": 0.38, "bar-spur": 0.27, "no-bar": 0.12, "bar-cross": 0.23})
    yb = d.u(0.5, 0.62)                         # bar height
    right = cx + rx * d.u(0.9, 1.0)
    inner = cx + rx * d.u(-0.1, 0.45)           # the bar's inner end
    tags = ["open" if a0 > 45 else "almost-closed", style]
    if style == "no-bar":                       # C whose lower end turns up
        a0 = max(a0, d.u(55, 75))
        tags[0] = "open"
        arc = _arc(cx, 0.5, rx, 0.5, a0, d.u(318, 338))
        return tags, [_cat(arc, _p((arc[-1][0] + d.u(0.0, 0.04), d.u(0.5, 0.58))))]
    if style == "bar":
        arc = _arc(cx, 0.5, rx, 0.5, a0, d.u(340, 358))
        if d.chance(0.6):
            return tags, [_cat(arc, _p((right, yb), (inner, yb)))]
        return tags, [arc, _p((inner, yb), (right + d.u(0.0, 0.05), yb))]
    if style == "bar-spur":
        arc = _arc(cx, 0.5, rx, 0.5, a0, d.u(330, 345))
        return tags, [arc, _p((inner, yb), (right, yb), (right, d.u(0.85, 1.0)))]
    arc = _arc(cx, 0.5, rx, 0.5, a0, d.u(345, 360))
    return tags, [arc, _p((inner, yb), (cx + rx + d.u(0.08, 0.18), yb))]


def _fh_H(d):
    w = d.u(0.5, 0.8)
    yb = d.u(0.35, 0.62)
    s = d.u(-0.06, 0.06)                        # legs lean in (+) or out
    return ["h"], [_p((s, 0), (0, 1)), _p((w - s, 0), (w, 1)),
                   _p((d.u(-0.06, 0.02), yb), (w + d.u(-0.02, 0.06), yb + d.u(-0.04, 0.04)))]


def _fh_I(d):
    if d.chance(0.55):
        return ["plain"], [_p((0, 0), (0, 1))]
    a, b = d.u(0.15, 0.3), d.u(0.15, 0.3)
    return ["serifs"], [_p((0, 0), (0, 1)), _p((-a, 0), (b, 0)), _p((-b, 1), (a, 1))]


def _fh_J(d):
    bar = d.pick({"no-bar": 0.5, "bar": 0.5})
    depth = d.pick({"hook-shallow": 0.25, "hook-medium": 0.45, "hook-deep": 0.3})
    # A J with a top bar and a small hook reads as T: its hook is always wide and curls.
    rx = d.u(0.17, 0.27) if bar == "bar" else d.u(0.14, 0.27)
    a1 = {"hook-shallow": (-135, -155), "hook-medium": (-160, -185), "hook-deep": (-185, -205)}[depth]
    if bar == "bar" and depth == "hook-shallow":
        a1 = (-145, -160)
    # where the stem turns into the hook; deep hooks turn low, or the J becomes a U
    hy = d.u(0.62, 0.76) if depth == "hook-deep" else d.u(0.5, 0.74)
    ry = 1.0 - hy
    sx = 0.5                                    # stem x
    stem = _cat(_bent((sx, 0), (sx, hy), d.u(-0.03, 0.03), 5),
                _arc(sx - rx, hy, rx, ry, 0, d.u(*a1)))
    if bar == "no-bar":
        return [bar, depth], [stem]
    left = d.u(0.2, 0.38)
    right = d.u(0.12, 0.32) if d.chance(0.6) else d.u(0.0, 0.06)
    if right < 0.07 and d.chance(0.5):          # bar drawn right-to-left, then down and hook
        return [bar, depth, "one-stroke"], [_cat(_p((sx - left, 0)), stem)]
    return [bar, depth], [_p((sx - left, 0), (sx + right, d.u(-0.03, 0.03))), stem]


def _fh_K(d):
    kj = d.u(0.4, 0.62)                         # where the arm meets the stem
    ax, lx = d.u(0.45, 0.72), d.u(0.48, 0.8)
    style = d.pick({"stem": 0.45, "arm": 0.3, "one-stroke": 0.25})
    arm = _p((ax, 0), (d.u(0.0, 0.04), kj))
    if style == "one-stroke":
        return [style], [_p((0, 0), (0, 1)), _cat(arm, _p((lx, 1)))]
    if style == "arm":                          # the leg starts on the arm
        t = d.u(0.2, 0.45)
        start = arm[1] + t * (arm[0] - arm[1])
        return [style], [_p((0, 0), (0, 1)), arm, _p(start, (lx, 1))]
    return [style], [_p((0, 0), (0, 1)), arm, _p((d.u(0.0, 0.04), kj + d.u(-0.08, 0.04)), (lx, 1))]


def _fh_L(d):
    return ["l"], [_p((0, 0), (0, 1), (d.u(0.35, 0.7), 1 + d.u(-0.04, 0.03)))]


def _fh_M(d):
    sides = d.pick({"straight": 0.5, "slanted": 0.5})
    middle = d.pick({"to-baseline": 0.5, "half-way": 0.5})
    w = d.u(0.6, 0.95)
    s = d.u(0.08, 0.2) if sides == "slanted" else d.u(-0.02, 0.03)
    vy = d.u(0.88, 1.0) if middle == "to-baseline" else d.u(0.42, 0.7)
    vx = w / 2 + d.u(-0.05, 0.05)
    pts = _p((-s, 1), (0, 0), (vx, vy), (w, 0), (w + s, 1))
    if d.chance(0.3):
        return [sides, middle], [pts[:2], pts[1:]]
    return [sides, middle], [pts]


def _fh_N(d):
    w = d.u(0.55, 0.8)
    s = d.u(-0.04, 0.08)
    pts = _p((0, 1), (s, 0), (w, 1), (w + s, 0))
    if d.chance(0.3):
        return ["three-strokes"], [pts[:2], pts[1:3], pts[2:]]
    return ["one-stroke"], [pts]


def _fh_O(d):
    rx = d.u(0.34, 0.5)
    a0 = d.u(60, 130)
    span = 360 + d.u(-25, 30)                   # open or overlapping
    sign = 1 if d.chance(0.75) else -1          # anticlockwise (as most people) or not
    return ["o"], [_arc(rx, 0.5, rx, 0.5, a0, a0 + sign * span)]


def _fh_P(d):
    yb = d.u(0.4, 0.66)
    w = d.u(0.3, 0.64)
    joint, gap = _joint(d)
    bowl = _fh_bowl(d, 0, yb, w, d.u(-0.05, 0.02), gap)
    tags = ["bowl-small" if yb < 0.52 else "bowl-large", "bowl-" + joint]
    if d.chance(0.35):
        return tags + ["one-stroke"], [_cat(_p((0, 1), (0, 0)), bowl[1:])]
    return tags, [_p((0, 0), (0, 1)), bowl]


def _fh_Q(d):
    rx = d.u(0.36, 0.5)
    a0 = d.u(70, 120)
    ring = _arc(rx, 0.5, rx, 0.5, a0, a0 + 360 + d.u(-15, 20))
    tail = d.pick({"crossing": 0.45, "detached": 0.2, "straight": 0.2, "curved": 0.15})
    edge = np.array((rx + rx * 0.7, 0.5 + 0.5 * 0.7))       # the ring at 45 degrees, bottom right
    if tail == "crossing":
        t = _p(edge - d.u(0.1, 0.22) * np.array((1, 1)), edge + d.u(0.12, 0.24) * np.array((1, 1.1)))
    elif tail == "detached":
        a = edge + d.u(0.05, 0.08)
        t = _p(a, a + d.u(0.12, 0.2) * np.array((1, 1.1)))
    elif tail == "straight":                    # a flat tail across the bottom
        t = _p((rx + d.u(-0.1, 0.1), 1 - d.u(0.0, 0.12)), (2 * rx + d.u(0.05, 0.2), 1 + d.u(0.0, 0.08)))
    else:                                       # a wave under the right side
        a = np.array((rx + d.u(-0.05, 0.1), 0.88))
        t = _cat(_qbez(a, a + (0.12, 0.2), a + (0.25, 0.12), 6), _p(a + (0.38, 0.2)))
    return [tail], [ring, t]


def _fh_R(d):
    yb = d.u(0.34, 0.6)                         # the bowl's bottom: people's bowls are often small
    w = d.u(0.28, 0.6)
    leg = d.pick({"leg-junction": 0.4, "leg-bowl-end": 0.3, "leg-stem": 0.3})
    curve = d.pick({"straight": 0.55, "curved": 0.3, "kick": 0.15})
    joint, gap = _joint(d)
    x0 = d.u(-0.05, 0.02)
    lx = max(0.45, w * d.u(0.95, 1.4))          # the leg's foot
    if leg == "leg-bowl-end":                   # the bowl turns into the leg before the stem
        xe = w * d.u(0.12, 0.4)
        bowl = _fh_bowl(d, 0, yb, w, x0, xe)
        start = np.array((xe, yb))
    elif leg == "leg-stem":                     # the leg starts on the stem below the bowl
        bowl = _fh_bowl(d, 0, yb, w, x0, gap)
        start = np.array((0.0, yb + d.u(0.04, 0.16)))
    else:
        bowl = _fh_bowl(d, 0, yb, w, x0, gap)
        start = bowl[-1].copy()
    foot = np.array((lx, 1.0))
    if curve == "curved":
        legs = _bent(start, foot, d.u(0.05, 0.1) * (1 if d.chance(0.5) else -1), 7)
    elif curve == "kick":                       # the foot flicks out to the right
        legs = _p(start, foot - (0.1, 0.08), foot + (d.u(0.04, 0.1), 0))
    else:
        legs = _p(start, foot)
    tags = ["bowl-small" if yb < 0.46 else "bowl-large", leg, "leg-" + curve]
    if leg != "leg-stem" and d.chance(0.3):
        return tags + ["one-stroke"], [_cat(_p((0, 1), (0, 0)), bowl[1:], legs[1:])]
    return tags, _chain(d, [_p((0, 0), (0, 1)), bowl, legs], 0.7)


def _fh_S(d):
    rt = d.u(0.2, 0.28)                         # the top curve's half height
    rb = 0.5 - rt                               # the bottom curve's half height
    wt, wb = d.u(0.26, 0.38), d.u(0.3, 0.42)
    top = _arc(wb, rt, wt, rt, d.u(15, 45), 270)
    bottom = _arc(wb, 1 - rb, wb, rb, 90, d.u(-170, -140))
    return ["s"], [_cat(top, bottom[1:])]


def _fh_T(d):
    w = d.u(0.5, 0.9)
    sx = w * d.u(0.38, 0.62)
    return ["t"], [_p((0, d.u(-0.03, 0.03)), (w, d.u(-0.03, 0.03))),
                   _bent((sx, 0), (sx + d.u(-0.04, 0.04), 1), d.u(-0.025, 0.025), 5)]


def _fh_U(d):
    w = d.u(0.5, 0.8)
    yc = d.u(0.5, 0.72)                         # where the sides turn into the bottom
    r = w / 2
    body = _cat(_p((0, 0)), _arc(r, yc, r, 1 - yc, 180, 360), _p((w, 0)))
    if d.chance(0.3):
        return ["tail"], [body, _p((w, 0), (w + d.u(0.0, 0.04), 1))]
    return ["u"], [body]


def _fh_V(d):
    wl, wr = d.u(0.25, 0.45), d.u(0.25, 0.45)
    return ["v"], [_p((0, 0), (wl, 1), (wl + wr, 0))]


def _fh_W(d):
    sides = d.pick({"slanted": 0.6, "straight": 0.25, "crossed": 0.15})
    middle = d.pick({"to-top": 0.5, "half-way": 0.5})
    w = d.u(0.75, 1.05)
    my = d.u(0.0, 0.12) if middle == "to-top" else d.u(0.3, 0.55)
    if sides == "crossed":                      # two overlapping Vs
        a = w * d.u(0.55, 0.65)
        return [sides], [_p((0, 0), (a * 0.3, 1), (a * 0.65, 0)), _p((w - a * 0.65, 0), (w - a * 0.3, 1), (w, 0))]
    s = d.u(0.12, 0.22) if sides == "slanted" else d.u(-0.02, 0.03)
    pts = _p((0, 0), (s, 1), (w / 2 + d.u(-0.05, 0.05), my), (w - s, 1), (w, 0))
    return [sides, middle], [pts]


def _fh_X(d):
    w = d.u(0.55, 0.8)
    dy = d.u(-0.1, 0.1)                         # the crossing moves up or down
    return ["x"], [_p((0, 0), (w, 1 + dy * 0.2)), _p((w + d.u(-0.05, 0.05), 0), (d.u(-0.05, 0.05), 1))]


def _fh_Y(d):
    w = d.u(0.55, 0.8)
    yj = d.u(0.4, 0.62)
    jx = w / 2 + d.u(-0.05, 0.05)
    style = d.pick({"three-strokes": 0.45, "two-strokes": 0.35, "long-right": 0.2})
    if style == "long-right":
        # One straight stroke from the top right through the junction to the baseline.
        return [style], [_p((0, 0), (jx, yj)), _p((w, 0), (w + (jx - w) / yj, 1))]
    stem = _p((jx, yj), (jx + d.u(-0.04, 0.04), 1))
    if style == "two-strokes":
        return [style], [_cat(_p((0, 0)), stem), _p((w, 0), (jx, yj))]
    return [style], [_p((0, 0), (jx, yj)), _p((w, 0), (jx, yj)), stem]


def _fh_Z(d):
    wt, wb = d.u(0.5, 0.8), d.u(0.55, 0.85)
    pts = _p((0, 0), (wt, 0), (d.u(-0.04, 0.04), 1), (wb, 1))
    if d.chance(0.25):
        return ["bar"], [pts, _p((wt * 0.25, 0.5), (wt * 0.8, 0.5))]
    return ["plain"], [pts]


_FREEHAND = {name[-1]: fn for name, fn in globals().items() if name.startswith("_fh_") and len(name) == 5}
assert set(_FREEHAND) == set(LETTERS)


def _draw_like_a_hand(strokes: list[np.ndarray], d: _Dice) -> list[np.ndarray]:
    """Round or overshoot the corners and bow the long straight lines, as a finger or a
    mouse draws; returns dense polylines. (The wobble of every stroke source is added
    later, by :func:`_vary_strokes`.)"""
    corner = d.pick({"round": 0.45, "overshoot": 0.2, "sharp": 0.35})
    size = d.u(0.03, 0.09) if corner == "round" else d.u(0.02, 0.05)
    bow_sd = d.u(0.0, 0.035)
    if corner != "sharp":
        strokes = [_corners(s, corner, size) if len(s) > 2 else s for s in strokes]
    return _bow_and_densify(strokes, bow_sd, d.rng)


def _corners(s: np.ndarray, style: str, size: float) -> np.ndarray:
    """Replace each sharp corner (a turn over 40 degrees) of a polyline by a small round
    curve (``round``) or by a short spike past it (``overshoot``)."""
    seg = np.diff(s, axis=0)
    length = np.hypot(seg[:, 0], seg[:, 1])
    ang = np.arctan2(seg[:, 1], seg[:, 0])
    turn = np.abs((np.diff(ang) + np.pi) % (2 * np.pi) - np.pi)
    turn[(length[:-1] < 1e-6) | (length[1:] < 1e-6)] = 0.0
    sharp = np.flatnonzero(turn > 0.7) + 1
    if sharp.size == 0:
        return s
    pieces, last = [], 0
    for i in sharp:
        a, c, b = s[i - 1], s[i], s[i + 1]
        la, lb = length[i - 1], length[i]
        pieces.append(s[last:i])
        if style == "round":
            r = min(size, 0.45 * la, 0.45 * lb)
            pieces.append(_qbez(c + (a - c) * (r / la), c, c + (b - c) * (r / lb), 5))
        else:
            pieces.append(_p(c + (c - a) * (size / la), c))
        last = i + 1
    pieces.append(s[last:])
    return np.concatenate(pieces, axis=0)


def _bow_and_densify(strokes: list[np.ndarray], bow_sd: float, rng: np.random.Generator,
                     step: float = 0.04) -> list[np.ndarray]:
    """Resample polylines every ``step`` and bow each long segment (over 0.15 letter
    heights) sideways by a random fraction of its length (sd ``bow_sd``, at most 0.06).

    All strokes in one go: the "segment" from one stroke's end to the next stroke's start
    keeps only its first point (the stroke's end) and is not bowed.
    """
    s = np.concatenate(strokes, axis=0)
    ends = np.cumsum([len(p) for p in strokes])[:-1] - 1     # each stroke's last point but the final one's
    seg = s[1:] - s[:-1]
    length = np.hypot(seg[:, 0], seg[:, 1])
    n = np.maximum(1, np.ceil(length / step).astype(np.int64))
    n[ends] = 1
    idx = np.repeat(np.arange(len(seg)), n)
    first = np.cumsum(n)
    t = (np.arange(idx.size) - (first - n)[idx]) / n[idx]
    pts = s[idx] + seg[idx] * t[:, None]
    bow = np.clip(rng.normal(0.0, bow_sd, len(seg)), -0.06, 0.06) * (length > 0.15)
    bow[ends] = 0.0
    normal = np.stack([seg[:, 1], -seg[:, 0]], axis=1)          # length-scaled normals
    pts += normal[idx] * (bow[idx] * np.sin(np.pi * t))[:, None]
    return np.split(np.vstack([pts, s[-1:]]), first[ends])


def freehand_strokes(letter: str, rng: np.random.Generator) -> tuple[list[str], list[np.ndarray]]:
    """One freehand form of ``letter``: its feature tags and its unit-height strokes,
    already drawn "by hand" (rounded or overshot corners, bowed lines) and resampled
    every 0.04 letter heights."""
    d = _Dice(rng)
    tags, strokes = _FREEHAND[letter](d)
    return tags, _unit_strokes(_draw_like_a_hand(strokes, d))


# --------------------------------------------------------------------------- source loading

_hershey_cache: dict[tuple[str, str], list[np.ndarray]] = {}
_font_cache: dict[tuple[str, str], np.ndarray] = {}
_hand_cache: dict[str, list[list[np.ndarray]]] = {}


def _unit_strokes(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Scale and shift strokes so their points span y in [0, 1] and start at x = 0."""
    pts = np.concatenate(strokes, axis=0)
    y0, y1 = pts[:, 1].min(), pts[:, 1].max()
    x0 = pts[:, 0].min()
    h = max(y1 - y0, 1e-6)
    return [np.column_stack([(s[:, 0] - x0) / h, (s[:, 1] - y0) / h]) for s in strokes]


def hershey_strokes(font: str, letter: str) -> list[np.ndarray]:
    """The unit-height strokes of ``letter`` in Hershey font ``font`` (cached)."""
    key = (font, letter)
    if key not in _hershey_cache:
        from HersheyFonts import HersheyFonts

        hf = HersheyFonts()
        hf.load_default_font(font)
        for ch in LETTERS:
            strokes = [np.asarray(s, dtype=np.float64) for s in hf.all_glyphs[ch].strokes if len(s) >= 1]
            _hershey_cache[(font, ch)] = _unit_strokes(strokes)
    return _hershey_cache[key]


def _load_font(src: Source) -> ImageFont.FreeTypeFont:
    if src.path:
        return ImageFont.truetype(src.path, _FONT_PX)
    return ImageFont.load_default(_FONT_PX)


def font_glyph(src: Source, letter: str) -> np.ndarray:
    """The filled glyph of ``letter`` in an outline font, cropped, uint8 ink 255 (cached)."""
    key = (src.name, letter)
    if key not in _font_cache:
        font = _load_font(src)
        size = 2 * _FONT_PX
        im = Image.new("L", (size, size), 0)
        ImageDraw.Draw(im).text((size // 4, size // 4), letter, fill=255, font=font)
        a = np.asarray(im)
        rows = np.flatnonzero(a.max(axis=1) > 64)
        cols = np.flatnonzero(a.max(axis=0) > 64)
        if rows.size == 0:
            raise ValueError(f"font {src.name} has no glyph for {letter}")
        _font_cache[key] = a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()
    return _font_cache[key]


def _font_ok(path: str) -> bool:
    """Whether an outline font has distinct, non-empty Latin capitals (not a symbol font)."""
    try:
        font = ImageFont.truetype(path, 32)
        seen = set()
        for ch in "ABOQRW":
            im = Image.new("L", (64, 64), 0)
            ImageDraw.Draw(im).text((8, 8), ch, fill=255, font=font)
            b = im.tobytes()
            if max(b) < 128:
                return False
            seen.add(b)
        # Latin capitals: a narrow I and a wide W (symbol fonts put pictures there).
        wi = font.getbbox("I")[2] - font.getbbox("I")[0]
        ww = font.getbbox("W")[2] - font.getbbox("W")[0]
        return len(seen) == 6 and ww > 1.15 * wi
    except Exception:
        return False


def _dejavu_paths() -> list[tuple[str, str]]:
    found = []
    for stem in DEJAVU_FILES:
        for d in DEJAVU_DIRS:
            p = Path(d) / f"{stem}.ttf"
            if p.is_file():
                found.append((stem, str(p)))
                break
    return found


def _system_font_paths() -> list[tuple[str, str]]:
    dirs = ["/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
            os.path.expanduser("~/.local/share/fonts"), "/Library/Fonts", "/System/Library/Fonts",
            os.path.expanduser("~/Library/Fonts")]
    if sys.platform == "win32":
        dirs.append(os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"))
    skip = ("symbol", "math", "emoji", "wingding", "webding", "dingbat", "icon", "awesome",
            "d050000l")  # URW's Dingbats
    out: dict[str, str] = {}
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for root, _, files in os.walk(d):
            for fn in sorted(files):
                stem, ext = os.path.splitext(fn)
                if ext.lower() not in (".ttf", ".otf") or any(s in stem.lower() for s in skip):
                    continue
                out.setdefault(stem, os.path.join(root, fn))
    return sorted(out.items())


def available_sources(system_fonts: bool = False) -> list[Source]:
    """All glyph sources on this machine, in a fixed order, with their sampling weights.

    Weights: each kind (hand, Hershey, outline font) gets its share of
    :data:`KIND_WEIGHTS`, split evenly over its sources (script Hershey fonts count half).
    """
    srcs: list[Source] = [Source("hand", "hand")]
    free = [Source("freehand", "freehand")]
    hers = [Source(n, "hershey", weight=0.5 if n in _HERSHEY_SCRIPT else 1.0) for n in HERSHEY_FONTS]
    fonts: list[Source] = []
    try:
        if isinstance(ImageFont.load_default(_FONT_PX), ImageFont.FreeTypeFont):
            fonts.append(Source("pillow", "font", ""))
    except Exception:  # pragma: no cover - Pillow without FreeType
        pass
    names = {"hand", "freehand", "pillow", *HERSHEY_FONTS}
    for stem, path in _dejavu_paths():
        fonts.append(Source(stem, "font", path))
        names.add(stem)
    if system_fonts:
        for stem, path in _system_font_paths():
            if stem not in names and _font_ok(path):
                fonts.append(Source(stem, "font", path))
                names.add(stem)
    out = []
    for kind, group in (("hand", srcs), ("freehand", free), ("hershey", hers), ("font", fonts)):
        total = sum(s.weight for s in group)
        for s in group:
            out.append(Source(s.name, s.kind, s.path, KIND_WEIGHTS[kind] * s.weight / total))
    return out


# --------------------------------------------------------------------------- variation

def _densify(stroke: np.ndarray, step: float) -> np.ndarray:
    """Resample a polyline so consecutive points are at most ``step`` apart (keeps corners)."""
    if len(stroke) < 2:
        return stroke
    seg = stroke[1:] - stroke[:-1]
    n = np.maximum(1, np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step).astype(np.int64))
    idx = np.repeat(np.arange(len(seg)), n)
    first = np.cumsum(n) - n                                   # index of each segment's start
    t = (np.arange(idx.size) - first[idx]) / n[idx]            # 0 <= t < 1 within a segment
    pts = stroke[idx] + seg[idx] * t[:, None]
    return np.vstack([pts, stroke[-1:]])


def _extend_ends(p: np.ndarray, delta: tuple[float, float]) -> np.ndarray:
    """Move a polyline's two ends along their own direction by ``delta`` (start, end):
    positive overshoots a join, negative stops short of it (an ``O`` left open)."""
    if len(p) < 2:
        return p
    p = p.copy()
    for end, nxt, d in ((0, 1, delta[0]), (-1, -2, delta[1])):
        tx, ty = p[end, 0] - p[nxt, 0], p[end, 1] - p[nxt, 1]
        n = (tx * tx + ty * ty) ** 0.5
        if n > 1e-9:
            k = max(d, -0.9 * n) / n
            p[end, 0] += tx * k
            p[end, 1] += ty * k
    return p


def _smooth_field(rng: np.random.Generator, amp: float, n_waves: int = 3):
    """A smooth random displacement field ``d(p)`` (sum of plane waves), amplitude ~amp."""
    k = rng.uniform(0.5, 1.6, n_waves) * 2 * np.pi          # spatial frequency, per height
    theta = rng.uniform(0, 2 * np.pi, n_waves)
    dirs = np.stack([np.cos(theta), np.sin(theta)], axis=1)  # wave directions
    phase = rng.uniform(0, 2 * np.pi, (n_waves, 2))
    a = rng.normal(0, amp / np.sqrt(n_waves), (n_waves, 2))

    def field(p: np.ndarray) -> np.ndarray:
        """``(m, 2)`` points -> ``(m, 2)`` displacements."""
        waves = np.sin((p @ dirs.T * k)[:, :, None] + phase[None])   # (m, n_waves, 2)
        return np.einsum("mwc,wc->mc", waves, a)

    return field


@dataclass
class Variation:
    """The random choices for one sample (all lengths in letter heights unless noted)."""

    stretch: float      # x scale
    shear: float        # x += shear * (centre_y - y): positive leans right
    rotation: float     # radians, positive clockwise on screen
    elastic: float      # amplitude of the smooth warp
    wobble: float       # amplitude of each stroke's own wobble
    shift: float        # std of each stroke's own displacement
    overshoot: float    # std of how far stroke ends over- or undershoot
    pen: float          # pen width / letter height
    height_px: float    # letter height on the canvas
    cx: float           # letter centre on the canvas, pixels
    cy: float


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else float(x)


def sample_variation(rng: np.random.Generator, kind: str) -> Variation:
    """Draw one sample's variation; ranges were chosen by looking at contact sheets.

    Pen fraction: log-normal around :data:`DEFAULT_PEN_FRACTION` (its median), clipped to
    :data:`PEN_FRACTION_RANGE`. Stretch: log-normal, sd 0.14, in [0.72, 1.35]. Shear: mean
    0.04 (people lean slightly right), sd 0.13, in [-0.3, 0.4]. Rotation: sd 5 degrees,
    at most 14. Elastic warp up to 0.045 letter heights; per-stroke wobble up to 0.025,
    shift up to 0.025 and end over/undershoot up to 0.04 (strokes only).
    """
    z = rng.normal(size=4)                      # pen, stretch, shear, rotation
    u = rng.random(9)
    lo, hi = PEN_FRACTION_RANGE
    m = CANVAS * 0.12
    return Variation(
        stretch=_clip(np.exp(0.14 * z[1]), 0.72, 1.35),
        shear=_clip(0.04 + 0.13 * z[2], -0.3, 0.4),
        rotation=float(np.radians(_clip(5.0 * z[3], -14.0, 14.0))),
        elastic=0.045 * u[0],
        wobble=0.025 * u[1] if kind != "font" else 0.0,
        shift=0.025 * u[2],
        overshoot=0.04 * u[3],
        pen=_clip(DEFAULT_PEN_FRACTION * np.exp(PEN_FRACTION_SIGMA * z[0]), lo, hi),
        height_px=float((0.45 + 0.27 * u[4]) * CANVAS),
        cx=float(CANVAS / 2 - m + 2 * m * u[5]), cy=float(CANVAS / 2 - m + 2 * m * u[6]),
    )


def _affine(v: Variation) -> np.ndarray:
    """2x2 matrix: stretch, then shear, then rotation (acting on column vectors)."""
    c, s = np.cos(v.rotation), np.sin(v.rotation)
    rot = np.array([[c, -s], [s, c]])
    shear = np.array([[1.0, -v.shear], [0.0, 1.0]])
    return rot @ shear @ np.diag([v.stretch, 1.0])


def _vary_strokes(strokes: list[np.ndarray], v: Variation, rng: np.random.Generator,
                  rigid: bool, dense: bool = False) -> list[np.ndarray]:
    """Apply wobble, elastic warp and the affine map to unit strokes; return canvas pixels.
    ``dense``: the strokes already have a point every 0.04 letter heights."""
    field = _smooth_field(rng, v.elastic)
    out = []
    for s in strokes:
        p = s if dense else _densify(s, 0.04)
        z = rng.normal(size=4)                  # two end extensions, shift x, shift y
        if not rigid:
            p = _extend_ends(p, (_clip(v.overshoot * z[0], -0.035, 0.07),
                                 _clip(v.overshoot * z[1], -0.035, 0.07)))
            p = p + v.shift * z[2:]
            if v.wobble > 0 and len(p) > 2:
                d = p[1:] - p[:-1]
                arc = np.empty(len(p))
                arc[0] = 0.0
                np.cumsum(np.hypot(d[:, 0], d[:, 1]), out=arc[1:])
                u = rng.random(3)                   # frequency, two phases
                f = 0.6 + 1.6 * u[0]
                p = p + v.wobble * np.sin(2 * np.pi * f * arc[:, None] + 2 * np.pi * u[None, 1:])
        else:
            p = p + 0.15 * v.shift * z[2:]
        out.append(p)
    pts = np.concatenate(out)
    centre = (pts.min(axis=0) + pts.max(axis=0)) / 2.0
    q = (pts + field(pts) - centre) @ _affine(v).T * v.height_px
    q = _fit_on_canvas(q, v.pen * v.height_px / 2.0 + 2.0) + (v.cx, v.cy)
    return np.split(q, np.cumsum([len(p) for p in out])[:-1])


def _fit_on_canvas(q: np.ndarray, margin: float) -> np.ndarray:
    """Shrink points centred on (0, 0) if needed, and shift them, so that placing their
    centre at any (cx, cy) chosen by :func:`sample_variation` keeps them on the canvas.

    Only the position and size change, which :func:`normalize` removes anyway; without
    this a wide, stretched ``M`` would be cut off at the canvas edge.
    """
    lo, hi = q.min(axis=0), q.max(axis=0)
    q = q - (lo + hi) / 2.0
    half = (hi - lo).max() / 2.0 + margin
    room = CANVAS / 2.0 - 0.12 * CANVAS          # the centre moves at most 12 % off-centre
    if half > room:
        q = q * ((room - margin) / (half - margin))
    return q


def draw_strokes(strokes: list[np.ndarray], pen_px: float, size: int = CANVAS) -> np.ndarray:
    """Draw polylines (pixel coordinates) with a round pen; ``(size, size)`` uint8, ink 255."""
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    w = max(1, int(round(pen_px)))
    r = w / 2.0
    for s in strokes:
        if len(s) >= 2:
            d.line(s.ravel().tolist(), fill=255, width=w)
        # Round caps at the ends and round joins at corners (sharp turns only).
        ends = [s[0], s[-1]]
        if len(s) > 2:
            seg = np.diff(s, axis=0)
            ang = np.arctan2(seg[:, 1], seg[:, 0])
            turn = np.abs((np.diff(ang) + np.pi) % (2 * np.pi) - np.pi)
            ends += list(s[1:-1][turn > 0.25])
        for x, y in ends:
            d.ellipse((x - r + 0.5, y - r + 0.5, x + r - 0.5, y + r - 0.5), fill=255)
    return np.asarray(im)


def _render_font(src: Source, letter: str, v: Variation, rng: np.random.Generator) -> np.ndarray:
    """A filled glyph warped onto the canvas with one QUAD transform (affine + corner jitter)."""
    g, gh = _font_image(src, letter)
    # Stroke weight: sometimes thicker, sometimes thinner than the font.
    r = rng.random()
    if r < 0.25:
        g = g.filter(ImageFilter.MaxFilter(5 if gh > 40 else 3))
    elif r < 0.45 and "Bold" in src.name:
        g = g.filter(ImageFilter.MinFilter(3))
    m = _affine(v) * (v.height_px / gh)      # glyph pixels -> canvas pixels
    gc = np.array([g.width / 2.0, g.height / 2.0])
    # Keep the whole glyph on the canvas (see _fit_on_canvas).
    hw = np.array([[-1, -1], [-1, 1], [1, 1], [1, -1]]) * ((g.width - 16) / 2.0, (g.height - 16) / 2.0)
    placed = hw @ m.T
    fitted = _fit_on_canvas(placed, 6.0)
    m = m * (np.ptp(fitted[:, 1]) / max(np.ptp(placed[:, 1]), 1e-9))
    minv = np.linalg.inv(m)
    # One QUAD transform: the canvas square maps to the affine image of the square in the
    # glyph, with each corner moved at random -- a smooth (bilinear) warp that stands in
    # for the elastic warp of the stroke sources at a fraction of a MESH transform's cost.
    corners = np.array([[0, 0], [0, CANVAS], [CANVAS, CANVAS], [CANVAS, 0]], float)  # NW SW SE NE
    srcp = (corners - (v.cx, v.cy)) @ minv.T + gc
    srcp += rng.normal(0, 2.5 * v.elastic * gh, (4, 2))
    out = g.transform((CANVAS, CANVAS), Image.Transform.QUAD, tuple(srcp.ravel().tolist()),
                      Image.Resampling.BILINEAR)
    return np.asarray(out)


_font_images: dict[tuple[str, str], tuple[Image.Image, int]] = {}


def _font_image(src: Source, letter: str) -> tuple[Image.Image, int]:
    """The padded glyph as a PIL image and its ink height in pixels (cached)."""
    key = (src.name, letter)
    if key not in _font_images:
        glyph = font_glyph(src, letter)
        _font_images[key] = (Image.fromarray(np.pad(glyph, 8)), glyph.shape[0])
    return _font_images[key]


def render_sample(src: Source, letter: str, rng: np.random.Generator,
                  hand_form: int | None = None) -> np.ndarray:
    """Draw one varied sample of ``letter`` from ``src`` on the canvas.

    Returns:
        ``(CANVAS, CANVAS)`` uint8, ink 255 on 0 -- the kind of image the drawing canvas
        holds (before :func:`model.preprocess.normalize`).
    """
    v = sample_variation(rng, src.kind)
    if src.kind == "font":
        return _render_font(src, letter, v, rng)
    dense = False
    if src.kind == "hand":
        if not _hand_cache:
            _hand_cache.update({k: [_unit_strokes(f) for f in forms] for k, forms in _hand_forms().items()})
        forms = _hand_cache[letter]
        k = int(rng.integers(len(forms))) if hand_form is None else hand_form % len(forms)
        strokes, rigid = forms[k], False
    elif src.kind == "freehand":
        strokes, rigid, dense = freehand_strokes(letter, rng)[1], False, True
    else:
        strokes, rigid = hershey_strokes(src.name, letter), src.name in _HERSHEY_MULTILINE
    pix = _vary_strokes(strokes, v, rng, rigid, dense)
    return draw_strokes(pix, v.pen * v.height_px)


def sample_input(src: Source, letter: str, rng: np.random.Generator) -> np.ndarray:
    """One sample as the network sees it: ``(289,)`` float32 from :func:`normalize`."""
    return normalize(render_sample(src, letter, rng))
