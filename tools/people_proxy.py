"""A stand-in for capitals drawn by people: hand-designed strokes driven through the real canvas.

Every letter has several hand-writing styles (stroke counts and orders, J with or without a top
bar, R with a small bowl and a long leg, open bowls, G with or without a bar, M whose middle goes
down to the base or not, W as two Vs, Q with different tails, ...). Each sample picks a style and
its proportions at random, then draws it the way a hand does: a per-stroke offset (lines that
overshoot or do not meet), ends that run on or stop short, bowed lines, a slow wobble, rounded
corners, slant, rotation, a letter drawn small or large, a thin or thick pen, and now and then a
child's shaky, blocky letter. The strokes go to ``gui.canvas.Canvas`` as real mouse press / move /
release events sampled at 60-125 Hz with the pen slowing down at corners and stroke ends, and the
canvas's own image (what the Draw tab classifies) is saved as a PNG.

The shapes are designed here from how people write capitals; nothing comes from the training
data generator (``model/synth*.py``), so the set measures how networks read people's drawings.

    python tools/people_proxy.py --out /work/proxy_people --per-letter 20 --seed 0
    python tools/people_proxy.py --out /work/proxy_people --report weights/default.npz weights/deep.npz

Writes ``DIR/pic/X_NNN.png``, ``DIR/test.txt`` (``pic/X_NNN.png LABEL``, for
``letterlab evaluate --list DIR/test.txt``), ``DIR/styles.tsv`` (the style of every image) and
``DIR/sheet.png`` (a contact sheet of all images).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model import LETTERS  # noqa: E402

# --------------------------------------------------------------------------------------------
# Stroke pieces. A letter lives in a box of height 1 (y down, 0 = cap line, 1 = base line);
# x starts at 0 and the letter chooses its width. A stroke is a list of pieces drawn in order.
# --------------------------------------------------------------------------------------------


def L(a, b):
    """A straight line from point ``a`` to point ``b``."""
    return ("L", np.asarray(a, float), np.asarray(b, float))


def Arc(cx, cy, rx, ry, a0, a1):
    """An elliptic arc, angles in degrees: 0 = right, 90 = down (y down), from ``a0`` to ``a1``.

    Increasing angles turn clockwise on screen, decreasing ones anticlockwise."""
    return ("A", np.array([cx, cy], float), np.array([rx, ry], float), float(a0), float(a1))


def piece_points(piece, rng, bow: float, step: float = 0.004) -> np.ndarray:
    """Dense points along one piece; straight lines get a slight bow (a hand's line is not ruled)."""
    if piece[0] == "L":
        a, b = piece[1], piece[2]
        length = float(np.hypot(*(b - a)))
        n = max(2, int(length / step))
        t = np.linspace(0, 1, n)[:, None]
        pts = a + (b - a) * t
        if length > 1e-6:
            normal = np.array([-(b - a)[1], (b - a)[0]]) / length
            pts = pts + normal * np.sin(np.pi * t) * rng.normal(0, bow) * length
        return pts
    _, c, r, a0, a1 = piece
    n = max(3, int(abs(a1 - a0) / 360 * 2 * np.pi * max(r) / step))
    ang = np.radians(np.linspace(a0, a1, n))
    return c + r * np.stack([np.cos(ang), np.sin(ang)], axis=1)


def u(rng, a, b):
    return float(rng.uniform(a, b))


def chance(rng, p):
    return bool(rng.random() < p)


# --------------------------------------------------------------------------------------------
# The letters. Each returns (style name, list of strokes). Strokes are drawn in list order.
# --------------------------------------------------------------------------------------------


def _on(a, b, t):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a + (b - a) * t


def _bowl(x0, y0, y1, w, flat, to_x=0.0, clockwise=True):
    """A bowl (of B, D, P, R) from the stem at ``(x0, y0)`` round to ``(to_x, y1)``: a flat part
    then a half ellipse. ``flat`` is the fraction of ``w`` that is straight."""
    fx = x0 + flat * w
    rx, ry = (1 - flat) * w, (y1 - y0) / 2
    cy = (y0 + y1) / 2
    if clockwise:   # top to bottom, round the right side
        return [L((x0, y0), (fx, y0)), Arc(fx, cy, rx, ry, -90, 90), L((fx, y1), (to_x, y1))]
    return [L((x0, y1), (fx, y1)), Arc(fx, cy, rx, ry, 90, -90), L((fx, y0), (to_x, y0))]


def letter_A(r):
    w = u(r, 0.55, 0.9)
    apex = np.array([w / 2 + u(r, -0.06, 0.06), 0.0])
    bl, br = np.array([0.0, 1.0]), np.array([w, 1.0])
    hb = u(r, 0.5, 0.72)
    left, right = _on(bl, apex, 1 - hb), _on(br, apex, 1 - hb)
    # the crossbar reaches the legs, stops a little short, or just touches: never a big overshoot
    e0, e1 = u(r, -0.04, 0.015), u(r, -0.04, 0.015)
    d = (right - left) / np.hypot(*(right - left))
    bar = [L(left - d * e0, right + d * e1)]
    if chance(r, 0.15):   # the legs do not quite meet at the top
        gap = u(r, 0.02, 0.05)
        return "A open apex", [[L(bl, apex - (gap, 0))], [L(apex + (gap, 0), br)], bar]
    if chance(r, 0.55):
        return "A one-stroke legs + bar", [[L(bl, apex), L(apex, br)], bar]
    return "A three strokes", [[L(apex, bl)], [L(apex, br)], bar]


def letter_B(r):
    m = u(r, 0.4, 0.54)
    wt = u(r, 0.3, 0.48)
    wb = wt + u(r, 0.0, 0.16)
    gap = u(r, 0.0, 0.07) if chance(r, 0.35) else 0.0   # bowls that stop short of the stem
    top = _bowl(0, 0, m, wt, u(r, 0.0, 0.45), to_x=gap)
    bottom = _bowl(gap, m, 1, wb, u(r, 0.0, 0.45))
    stem = L((0, 0), (0, 1))
    style = r.integers(3)
    if style == 0:
        return "B stem + both bowls", [[stem], top + bottom]
    if style == 1:
        return "B one stroke (stem retraced)", [[stem, L((0, 1), (0.01, 0))] + top + bottom]
    return "B stem + two bowls", [[stem], top, bottom]


def letter_C(r):
    w = u(r, 0.55, 0.9)
    a0 = -u(r, 25, 60)
    a1 = -360 + u(r, 20, 55)
    return "C arc", [[Arc(w / 2, 0.5, w / 2, 0.5, a0, a1)]]


def letter_D(r):
    w = u(r, 0.55, 0.85)
    flat = u(r, 0.05, 0.45)
    stem = L((0, 0), (0, 1))
    style = r.integers(3)
    if style == 0:
        return "D stem + bowl", [[stem], _bowl(0, 0, 1, w, flat)]
    if style == 1:
        return "D one stroke (retrace)", [[stem, L((0, 1), (0.01, 0))] + _bowl(0, 0, 1, w, flat)]
    return "D down then round", [[stem] + _bowl(0, 0, 1, w, flat, clockwise=False)]


def letter_E(r):
    m = u(r, 0.42, 0.56)
    wt, wb = u(r, 0.45, 0.7), u(r, 0.45, 0.75)
    wm = wt * u(r, 0.6, 1.0)
    mid = [L((0, m), (wm, m))]
    style = r.integers(3)
    if style == 0:
        return "E one stroke + middle bar", [[L((wt, 0), (0, 0)), L((0, 0), (0, 1)), L((0, 1), (wb, 1))], mid]
    if style == 1:
        return "E stem + three bars", [[L((0, 0), (0, 1))], [L((0, 0), (wt, 0))], mid, [L((0, 1), (wb, 1))]]
    return "E L-shape + top + middle", [[L((0, 0), (0, 1)), L((0, 1), (wb, 1))], [L((0, 0), (wt, 0))], mid]


def letter_F(r):
    m = u(r, 0.4, 0.56)
    wt = u(r, 0.45, 0.72)
    mid = [L((0, m), (wt * u(r, 0.55, 0.95), m))]
    if chance(r, 0.5):
        return "F one stroke + bar", [[L((wt, 0), (0, 0)), L((0, 0), (0, 1))], mid]
    return "F stem + two bars", [[L((0, 0), (0, 1))], [L((0, 0), (wt, 0))], mid]


def letter_G(r):
    w = u(r, 0.65, 0.95)
    cx, rx = w / 2, w / 2
    a0 = -u(r, 25, 55)
    m = u(r, 0.5, 0.62)
    style = r.integers(3)
    if style == 0:   # arc, up the right side to the middle, then a bar inwards
        a1 = -360 + u(r, 20, 40)
        end = np.array([cx + rx * np.cos(np.radians(a1)), 0.5 + 0.5 * np.sin(np.radians(a1))])
        return "G one stroke, bar in", [[Arc(cx, 0.5, rx, 0.5, a0, a1), L(end, (w, m)),
                                         L((w, m), (w * u(r, 0.4, 0.62), m))]]
    if style == 1:   # arc, then a separate bar and spur down
        a1 = -360 + u(r, 25, 45)
        return "G arc + bar with spur", [[Arc(cx, 0.5, rx, 0.5, a0, a1)],
                                         [L((w * u(r, 0.45, 0.62), m), (w, m)), L((w, m), (w, u(r, 0.85, 1.0)))]]
    a1 = -360 + u(r, 55, 72)     # no bar: the arc stops low on the right and turns straight up
    end = np.array([cx + rx * np.cos(np.radians(a1)), 0.5 + 0.5 * np.sin(np.radians(a1))])
    top = (end[0] + u(r, 0.0, 0.05), u(r, 0.48, 0.56))
    if chance(r, 0.4):   # the spur as its own stroke, running down past the arc
        return "G arc + spur", [[Arc(cx, 0.5, rx, 0.5, a0, a1)], [L(top, (top[0], u(r, 1.0, 1.08)))]]
    return "G no bar, spur up", [[Arc(cx, 0.5, rx, 0.5, a0, a1), L(end, top)]]


def letter_H(r):
    w = u(r, 0.55, 0.85)
    m = u(r, 0.4, 0.6)
    o = u(r, -0.03, 0.05) if chance(r, 0.3) else 0.0   # a bar that runs past the stems
    strokes = [[L((0, 0), (0, 1))], [L((w, 0), (w, 1))], [L((-o, m), (w + o, m))]]
    if chance(r, 0.3):
        strokes = [strokes[0], strokes[2], strokes[1]]
        return "H left, bar, right", strokes
    return "H two stems + bar", strokes


def letter_I(r):
    if chance(r, 0.5):
        w = u(r, 0.25, 0.5)
        return "I with serifs", [[L((0, 0), (w, 0))], [L((w / 2, 0), (w / 2, 1))], [L((0, 1), (w, 1))]]
    return "I single line", [[L((0, 0), (0, 1))]]


def letter_J(r):
    w = u(r, 0.4, 0.65)
    h0 = u(r, 0.55, 0.8)
    rx = w * u(r, 0.35, 0.55)
    # how far the hook comes back up: its tip stays in the lower half (higher reads as U)
    end = u(r, 150, 180 + np.degrees(np.arcsin(min(1.0, (h0 - 0.55) / (1 - h0)))))
    stem = [L((w, 0), (w, h0)), Arc(w - rx, h0, rx, 1 - h0, 0, end)]
    if chance(r, 0.5):
        bl, br = u(r, 0.2, 0.45), u(r, 0.05, 0.3)
        if chance(r, 0.25):
            return "J top bar, one stroke", [[L((w - bl, 0), (w, 0))] + stem]
        return "J with top bar", [stem, [L((w - bl, 0), (w + br, 0))]]
    return "J hook only", [stem]


def letter_K(r):
    w = u(r, 0.5, 0.8)
    j = np.array([u(r, 0.0, 0.05), u(r, 0.42, 0.6)])
    top, foot = np.array([w, 0.0]), np.array([w * u(r, 0.9, 1.1), 1.0])
    stem = [L((0, 0), (0, 1))]
    if chance(r, 0.55):
        return "K stem + '<'", [stem, [L(top, j), L(j, foot)]]
    start = _on(j, top, u(r, 0.2, 0.45))
    return "K leg from the arm", [stem, [L(top, j)], [L(start, foot)]]


def letter_L(r):
    w = u(r, 0.4, 0.7)
    if chance(r, 0.8):
        return "L one stroke", [[L((0, 0), (0, 1)), L((0, 1), (w, 1))]]
    return "L two strokes", [[L((0, 0), (0, 1))], [L((0, 1), (w, 1))]]


def letter_M(r):
    w = u(r, 0.7, 1.0)
    s1, s2 = w * u(r, 0.0, 0.15), w * u(r, 0.0, 0.15)   # splayed or upright sides
    mv = u(r, 0.5, 1.0)                                 # how far down the middle goes
    mx = w / 2 + u(r, -0.05, 0.05)
    p = [np.array(q) for q in ((0, 1), (s1, 0), (mx, mv), (w - s2, 0), (w, 1))]
    depth = "to the base" if mv > 0.9 else "half way"
    style = r.integers(3)
    if style == 0:
        return f"M one stroke, middle {depth}", [[L(p[0], p[1]), L(p[1], p[2]), L(p[2], p[3]), L(p[3], p[4])]]
    if style == 1:
        return f"M stem + rest, middle {depth}", [[L(p[1], p[0])], [L(p[1], p[2]), L(p[2], p[3]), L(p[3], p[4])]]
    return f"M four strokes, middle {depth}", [[L(p[1], p[0])], [L(p[1], p[2])], [L(p[2], p[3])], [L(p[3], p[4])]]


def letter_N(r):
    w = u(r, 0.55, 0.85)
    p = [np.array(q) for q in ((0, 1), (0, 0), (w, 1), (w, 0))]
    if chance(r, 0.6):
        return "N one stroke", [[L(p[0], p[1]), L(p[1], p[2]), L(p[2], p[3])]]
    return "N three strokes", [[L(p[1], p[0])], [L(p[1], p[2])], [L(p[3], p[2])]]


def _oval(r, w, start=None, sweep=None):
    start = -90 + u(r, -35, 35) if start is None else start
    sweep = 360 + u(r, -15, 25) if sweep is None else sweep
    sign = -1 if chance(r, 0.8) else 1   # most people go anticlockwise
    return Arc(w / 2, 0.5, w / 2, 0.5, start, start + sign * sweep)


def letter_O(r):
    w = u(r, 0.65, 1.0)
    return "O oval", [[_oval(r, w)]]


def letter_P(r):
    m = u(r, 0.42, 0.6)
    w = u(r, 0.35, 0.6)
    gap = u(r, 0.02, 0.1) if chance(r, 0.3) else 0.0   # open bowl
    bowl = _bowl(0, 0, m, w, u(r, 0.0, 0.45), to_x=gap)
    stem = L((0, 0), (0, 1))
    style = r.integers(3)
    if style == 0:
        return "P stem + bowl", [[stem], bowl]
    if style == 1:
        return "P one stroke up the stem", [[L((0, 1), (0, 0))] + bowl]
    return "P one stroke (retrace)", [[stem, L((0, 1), (0.01, 0))] + bowl]


def letter_Q(r):
    w = u(r, 0.7, 1.0)
    style = r.integers(4)
    if style == 0:
        return "Q oval + short cross tail", [[_oval(r, w)], [L((0.62 * w, u(r, 0.68, 0.8)), (w * u(r, 1.0, 1.1), 1.08))]]
    if style == 1:
        return "Q oval + tail from the centre", [[_oval(r, w)], [L((0.5 * w, u(r, 0.5, 0.62)), (w * u(r, 0.95, 1.1), 1.1))]]
    if style == 2:
        y = u(r, 0.82, 0.9)
        return "Q oval + flat wavy tail", [[_oval(r, w)], [L((0.45 * w, y), (0.7 * w, y + 0.1)),
                                                            L((0.7 * w, y + 0.1), (w * u(r, 1.1, 1.25), y + 0.08))]]
    start = u(r, 30, 55)   # one stroke: round from the bottom right and out into the tail
    arc = Arc(w / 2, 0.5, w / 2, 0.5, start, start - 360 - u(r, 5, 20))
    end = np.array([w / 2 + w / 2 * np.cos(np.radians(arc[4])), 0.5 + 0.5 * np.sin(np.radians(arc[4]))])
    return "Q one stroke, loop into tail", [[arc, L(end, (w * u(r, 1.0, 1.12), 1.1))]]


def letter_R(r):
    m = u(r, 0.35, 0.55)               # often a small bowl ...
    w = u(r, 0.35, 0.55)
    leg_x = u(r, 0.5, 0.85)             # ... and a long leg
    stem = L((0, 0), (0, 1))
    jx = u(r, 0.0, 0.06) if chance(r, 0.6) else w * u(r, 0.2, 0.45)
    bowl = _bowl(0, 0, m, w, u(r, 0.0, 0.4), to_x=jx)
    leg = L((jx, m), (leg_x, 1))
    where = "from the stem" if jx < 0.1 else "from the bowl"
    style = r.integers(3)
    if style == 0:
        return f"R one stroke up the stem, leg {where}", [[L((0, 1), (0, 0))] + bowl + [leg]]
    if style == 1:
        return f"R stem + bowl and leg, leg {where}", [[stem], bowl + [leg]]
    return f"R stem + bowl + leg, leg {where}", [[stem], bowl, [leg]]


def letter_S(r):
    w = u(r, 0.45, 0.75)
    m = u(r, 0.44, 0.54)
    wt = w * u(r, 0.75, 1.0)
    top = Arc(w / 2, m / 2, wt / 2, m / 2, -u(r, 15, 45), -270)
    bottom = Arc(w / 2, (1 + m) / 2, w / 2, (1 - m) / 2, -90, u(r, 130, 165))
    return "S two arcs", [[top, bottom]]


def letter_T(r):
    w = u(r, 0.5, 0.85)
    x = w / 2 + u(r, -0.05, 0.05)
    bar, stem = [L((0, 0), (w, 0))], [L((x, 0), (x, 1))]
    if chance(r, 0.2):
        return "T stem first", [stem, bar]
    return "T bar + stem", [bar, stem]


def letter_U(r):
    w = u(r, 0.55, 0.85)
    ry = u(r, 0.25, 0.5)
    body = [L((0, 0), (0, 1 - ry)), Arc(w / 2, 1 - ry, w / 2, ry, 180, 0), L((w, 1 - ry), (w, 0))]
    if chance(r, 0.15):
        return "U with a right stem", [body, [L((w, 0), (w, 1))]]
    return "U one stroke", [body]


def letter_V(r):
    w = u(r, 0.55, 0.9)
    b = np.array([w / 2 + u(r, -0.05, 0.05), 1.0])
    if chance(r, 0.75):
        return "V one stroke", [[L((0, 0), b), L(b, (w, 0))]]
    return "V two strokes", [[L((0, 0), b)], [L((w, 0), b)]]


def letter_W(r):
    w = u(r, 0.8, 1.2)
    inset = u(r, 0.12, 0.25)
    if chance(r, 0.3):   # two Vs, crossing or touching in the middle
        o = w * u(r, 0.0, 0.08)
        return "W as two Vs", [[L((0, 0), (inset * w, 1)), L((inset * w, 1), (w / 2 + o, 0))],
                               [L((w / 2 - o, 0), ((1 - inset) * w, 1)), L(((1 - inset) * w, 1), (w, 0))]]
    mh = u(r, 0.0, 0.5)
    p = [np.array(q) for q in ((0, 0), (inset * w, 1), (w / 2, mh), ((1 - inset) * w, 1), (w, 0))]
    peak = "full-height middle" if mh < 0.12 else "low middle"
    return f"W one stroke, {peak}", [[L(p[0], p[1]), L(p[1], p[2]), L(p[2], p[3]), L(p[3], p[4])]]


def letter_X(r):
    w = u(r, 0.55, 0.85)
    a = [L((u(r, -0.05, 0.05), 0), (w + u(r, -0.05, 0.05), 1))]
    b = [L((w + u(r, -0.05, 0.05), 0), (u(r, -0.05, 0.05), 1))]
    return "X two lines", [a, b] if chance(r, 0.6) else [b, a]


def letter_Y(r):
    w = u(r, 0.55, 0.85)
    j = np.array([w / 2 + u(r, -0.04, 0.04), u(r, 0.4, 0.58)])
    tl, tr = np.array([0.0, 0.0]), np.array([w, 0.0])
    style = r.integers(3)
    if style == 0:
        return "Y three strokes", [[L(tl, j)], [L(tr, j)], [L(j, (j[0], 1))]]
    if style == 1:
        return "Y left arm + stem, right arm", [[L(tl, j), L(j, (j[0] + u(r, -0.03, 0.03), 1))], [L(tr, j)]]
    foot = (j[0] - w * u(r, 0.05, 0.2), 1.0)   # the right arm runs on, a little steeper, to the base
    return "Y right arm on to the base + left arm", [[L(tr, j), L(j, foot)], [L(tl, j)]]


def letter_Z(r):
    w = u(r, 0.55, 0.85)
    body = [L((0, 0), (w, 0)), L((w, 0), (0, 1)), L((0, 1), (w * u(r, 0.95, 1.15), 1))]
    if chance(r, 0.15):
        return "Z with a middle bar", [body, [L((w * 0.25, 0.5), (w * 0.75, 0.5))]]
    return "Z one stroke", [body]


LETTER_FUNCS = [globals()[f"letter_{c}"] for c in LETTERS]


# --------------------------------------------------------------------------------------------
# The hand: per-stroke sloppiness, then the whole letter's placement on the canvas.
# --------------------------------------------------------------------------------------------


def _smooth(pts: np.ndarray, sigma: float, spacing: float) -> np.ndarray:
    """Gaussian smoothing along the path (rounds corners); ``sigma`` in letter units."""
    k = int(3 * sigma / spacing)
    if k < 1 or len(pts) < 3:
        return pts
    x = np.arange(-k, k + 1) * spacing
    kern = np.exp(-0.5 * (x / sigma) ** 2)
    kern /= kern.sum()
    padded = np.concatenate([np.repeat(pts[:1], k, 0), pts, np.repeat(pts[-1:], k, 0)])
    return np.stack([np.convolve(padded[:, i], kern, mode="valid") for i in range(2)], axis=1)


def _resample(pts: np.ndarray, spacing: float) -> np.ndarray:
    d = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0], np.cumsum(d)])
    if s[-1] <= 0:
        return pts[:1]
    t = np.linspace(0, s[-1], max(2, int(s[-1] / spacing) + 1))
    return np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], axis=1)


def _extend(pts: np.ndarray, amount: float, at_end: bool) -> np.ndarray:
    """Run on past an end (``amount`` > 0) or stop short of it (< 0)."""
    if len(pts) < 4:
        return pts
    if amount >= 0:
        a, b = (pts[-4], pts[-1]) if at_end else (pts[3], pts[0])
        d = b - a
        n = np.hypot(*d)
        if n < 1e-9:
            return pts
        extra = b + d / n * amount
        return np.vstack([pts, extra]) if at_end else np.vstack([extra, pts])
    seg = np.hypot(*np.diff(pts, axis=0).T)
    cut = np.searchsorted(np.cumsum(seg[::-1] if at_end else seg), -amount)
    cut = min(cut, len(pts) // 3)
    return pts[:len(pts) - cut] if at_end else pts[cut:]


def hand_strokes(strokes, rng, style: dict) -> list[np.ndarray]:
    """The letter's strokes as a hand draws them, in letter units."""
    spacing = 0.004
    out = []
    for stroke in strokes:
        pts = np.vstack([piece_points(p, rng, style["bow"], spacing) for p in stroke])
        pts = _resample(pts, spacing)
        pts = _smooth(pts, style["round"] * u(rng, 0.5, 1.5), spacing)
        # a slow wobble along the path
        s = np.arange(len(pts)) * spacing
        for _ in range(2):
            lam = u(rng, 0.5, 1.5)
            amp = rng.normal(0, style["wobble"], 2)
            pts = pts + amp * np.sin(2 * np.pi * s / lam + rng.uniform(0, 2 * np.pi))[:, None]
        pts = pts + rng.normal(0, style["offset"], 2)   # lines that do not quite meet
        pts = _extend(pts, rng.normal(0.005, style["ends"]), at_end=False)
        pts = _extend(pts, rng.normal(0.005, style["ends"]), at_end=True)
        if chance(rng, 0.1):
            pts = pts[::-1]   # some strokes go the other way
        out.append(pts)
    return out


def warp(strokes, rng) -> list[np.ndarray]:
    """Uneven proportions: the middle of the letter drifts up or down (a B's bowls, an A's bar, a
    K's junction), and the top or the bottom half comes out wider than the other."""
    by = float(np.clip(rng.normal(0, 0.25), -0.45, 0.45))
    bx = float(np.clip(rng.normal(0, 0.12), -0.25, 0.25))
    allp = np.vstack(strokes)
    x0, x1 = allp[:, 0].min(), allp[:, 0].max()
    xc = (x0 + x1) / 2
    out = []
    for p in strokes:
        y = np.clip(p[:, 1], 0, 1)
        q = p.copy()
        q[:, 1] = p[:, 1] + by * y * (1 - y)
        q[:, 0] = xc + (p[:, 0] - xc) * (1 + bx * (y - 0.5))
        out.append(q)
    return out


def draw_style(rng) -> dict:
    """The hand and the pen of one sample."""
    child = chance(rng, 0.08)
    return {
        "child": child,
        "bow": 0.04 if child else 0.02,
        "round": u(rng, 0.0, 0.035) if not child else u(rng, 0.01, 0.05),
        "wobble": u(rng, 0.006, 0.012) if child else u(rng, 0.0, 0.008),
        "offset": 0.02 if child else u(rng, 0.005, 0.018),
        "ends": 0.035 if child else 0.018,
        "slant": float(np.clip(rng.normal(0.08, 0.1), -0.2, 0.3)),
        "rotate": np.radians(float(np.clip(rng.normal(0, 6 if child else 4), -12, 12))),
        "aspect": float(np.exp(np.clip(rng.normal(0, 0.18), -0.4, 0.4))),
        "height": u(rng, 0.55, 0.9) if child else u(rng, 0.25, 0.85),   # of the canvas side
        "speed": u(rng, 300, 700) if child else u(rng, 400, 1600),       # px/s
        "rate": u(rng, 60, 125),                                          # mouse events per second
    }


def to_canvas(strokes, style, rng, side: int) -> tuple[list[np.ndarray], float]:
    """Slant, rotate, scale and place the strokes on a ``side``-pixel canvas; returns the pen width."""
    pts = np.vstack(strokes)
    centre = (pts.min(0) + pts.max(0)) / 2
    c, s = np.cos(style["rotate"]), np.sin(style["rotate"])
    a = np.array([[c, -s], [s, c]]) @ np.array([[1, -style["slant"]], [0, 1]]) @ np.diag([style["aspect"], 1])
    moved = [(p - centre) @ a.T for p in strokes]
    allp = np.vstack(moved)
    ext = allp.max(0) - allp.min(0)
    h = style["height"] * side
    pen = 22.0 if chance(rng, 0.45) else float(rng.integers(8, 41))   # the Draw tab's default is 22 px
    pen = float(np.clip(pen, 0.035 * h, 0.2 * h))
    pen = float(round(pen)) if pen >= 2 else 2.0
    room = side - 2 * pen - 4
    scale = min(h, room / ext[0], room / ext[1])
    moved = [p * scale for p in moved]
    allp = np.vstack(moved)
    lo, hi = allp.min(0), allp.max(0)
    margin = pen / 2 + 2
    shift = np.array([u(rng, margin - lo[i], side - margin - hi[i]) for i in range(2)])
    return [p + shift for p in moved], pen


def mouse_samples(path: np.ndarray, style, rng) -> np.ndarray:
    """Integer mouse positions along a pixel path, as a mouse reports them at ``style['rate']``
    Hz: slow at the ends of the stroke and at corners, fast on straight runs."""
    path = _resample(path, 1.0)
    if len(path) < 2:
        return np.round(path).astype(int)
    d = np.diff(path, axis=0)
    heading = np.unwrap(np.arctan2(d[:, 1], d[:, 0]))
    turn = np.abs(np.gradient(heading)) if len(heading) > 2 else np.zeros(len(heading))
    turn = np.convolve(turn, np.ones(15) / 15, mode="same")           # radians per px, smoothed
    s = np.arange(len(d)) + 0.5
    ramp = np.minimum(1, 0.25 + np.minimum(s, s[-1] + 0.5 - s) / 40)  # accelerate, brake
    v = style["speed"] * u(rng, 0.8, 1.2) * ramp / (1 + 25 * turn)
    t = np.concatenate([[0], np.cumsum(1.0 / v)])
    dt = 1.0 / style["rate"]
    times = [0.0]
    while times[-1] + dt < t[-1]:
        times.append(times[-1] + dt * float(np.clip(rng.normal(1, 0.15), 0.5, 1.6)))
    times.append(t[-1])
    xs = np.interp(times, t, path[:, 0])
    ys = np.interp(times, t, path[:, 1])
    pts = np.round(np.stack([xs, ys], axis=1)).astype(int)
    keep = np.concatenate([[True], np.any(np.diff(pts, axis=0) != 0, axis=1)])
    keep[-1] = True
    return pts[keep]


def sample(letter_index: int, i: int, seed: int, side: int):
    """One drawing: (style name, hand style, mouse paths in canvas pixels, pen width)."""
    rng = np.random.default_rng([seed, letter_index, i])
    name, strokes = LETTER_FUNCS[letter_index](rng)
    style = draw_style(rng)
    hand = warp(hand_strokes(strokes, rng, style), rng)
    placed, pen = to_canvas(hand, style, rng, side)
    return name, style, [mouse_samples(p, style, rng) for p in placed], pen


# --------------------------------------------------------------------------------------------
# Driving the canvas, writing the set, the contact sheet and the report
# --------------------------------------------------------------------------------------------


def draw_on_canvas(canvas, paths, pen: float) -> int:
    """Real mouse drags on the canvas widget. Returns the number of mouse events sent."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    canvas.clear()
    canvas.set_pen_width(pen)
    events = 0
    for path in paths:
        pts = [QPoint(int(x), int(y)) for x, y in path]
        QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, pts[0])
        for p in pts[1:]:
            QTest.mouseMove(canvas, p)
        QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, pts[-1])
        events += len(pts) + 1
    if canvas.stroke_count != len(paths):
        raise RuntimeError(f"the canvas took {canvas.stroke_count} strokes of {len(paths)}")
    return events


def generate(out: Path, per_letter: int, seed: int, letters: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from gui.canvas import CANVAS_SIDE, Canvas
    from model.data import atomic_write_bytes

    app = QApplication.instance() or QApplication([])
    canvas = Canvas()
    canvas.show()
    app.processEvents()
    (out / "pic").mkdir(parents=True, exist_ok=True)
    lines, styles = [], ["file\tletter\tstyle\tstrokes\tpen_px\tchild\tmouse_events"]
    t0 = time.perf_counter()
    events = 0
    for c in letters:
        k = LETTERS.index(c)
        for i in range(per_letter):
            name, style, paths, pen = sample(k, i, seed, CANVAS_SIDE)
            n = draw_on_canvas(canvas, paths, pen)
            events += n
            rel = f"pic/{c}_{i:03d}.png"
            canvas.save_png(out / rel)
            lines.append(f"{rel} {k}")
            styles.append(f"{rel}\t{c}\t{name}\t{len(paths)}\t{pen:g}\t{int(style['child'])}\t{n}")
        print(f"{c}: {per_letter} drawn, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    dt = time.perf_counter() - t0
    atomic_write_bytes(out / "test.txt", lambda f: f.write(("\n".join(lines) + "\n").encode()))
    atomic_write_bytes(out / "styles.tsv", lambda f: f.write(("\n".join(styles) + "\n").encode()))
    print(f"{len(lines)} drawings, {events} mouse events in {dt:.1f} s ({1000 * dt / len(lines):.0f} ms each)",
          file=sys.stderr)
    canvas.close()


def _framed(im):
    """The drawing cropped to its ink, square, with a margin (so small letters are legible)."""
    from PIL import ImageOps

    a = np.asarray(im)
    ys, xs = np.nonzero(a < 128)
    if len(xs) == 0:
        return im
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    half = int(max(xs.max() - xs.min(), ys.max() - ys.min()) * 0.6 + 4)
    padded = ImageOps.expand(im, border=half, fill=255)
    return padded.crop((int(cx), int(cy), int(cx) + 2 * half, int(cy) + 2 * half))


def contact_sheet(out: Path, thumb: int = 64, marks: dict | None = None) -> Path:
    """All drawings as thumbnails with their letter (and, given ``marks``, a wrong guess in red)."""
    from PIL import Image, ImageDraw, ImageFont

    from model.data import atomic_write_bytes

    rows = [ln.split() for ln in (out / "test.txt").read_text().splitlines() if ln.strip()]
    by_letter: dict[int, list[str]] = {}
    for rel, lab in rows:
        by_letter.setdefault(int(lab), []).append(rel)
    cols = max(len(v) for v in by_letter.values())
    pad = 14
    sheet = Image.new("RGB", (cols * (thumb + 2) + 4, len(by_letter) * (thumb + pad + 2) + 4), "white")
    d = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(11)
    for r, lab in enumerate(sorted(by_letter)):
        for col, rel in enumerate(by_letter[lab]):
            im = _framed(Image.open(out / rel, formats=["PNG"]).convert("L")).resize((thumb, thumb), Image.BOX)
            x, y = 2 + col * (thumb + 2), 2 + r * (thumb + pad + 2)
            sheet.paste(im, (x, y))
            d.rectangle([x, y, x + thumb - 1, y + thumb - 1], outline=(180, 180, 180))
            text = f"{LETTERS[lab]} {Path(rel).stem[2:]}"
            d.text((x + 2, y + thumb), text, fill="black", font=font)
            if marks and rel in marks:
                d.text((x + thumb - 14, y + thumb), marks[rel], fill="red", font=font)
    name = "sheet.png" if not marks else "sheet_mistakes.png"
    path = out / name

    def write(f):
        sheet.save(f, format="PNG")

    atomic_write_bytes(path, write)
    return path


def report(out: Path, weights: list[str]) -> None:
    """Accuracy, per-letter accuracy and the commonest confusions of each weights file."""
    from model.data import read_list
    from model.evaluation import evaluate
    from model.preprocess import normalize
    from model.weights import load_weights

    ds = read_list(out / "test.txt", normalize=normalize)
    rels = [ln.split()[0] for ln in (out / "test.txt").read_text().splitlines() if ln.strip()]
    per_rows = {}
    for w in weights:
        net, _ = load_weights(w)
        ev = evaluate(net, ds.x, ds.y)
        name = Path(w).name
        per_rows[name] = ev.per_letter
        conf = Counter()
        for t, p in zip(ev.labels, ev.predictions):
            if t != p:
                conf[f"{LETTERS[t]}->{LETTERS[p]}"] += 1
        print(f"{name}: {100 * ev.accuracy:.1f} % ({int((ev.predictions == ev.labels).sum())}/{len(ev.labels)})")
        print("  commonest confusions: " + ", ".join(f"{k} {v}" for k, v in conf.most_common(12)))
        marks = {rels[i]: LETTERS[ev.predictions[i]] for i in ev.wrong}
        if w == weights[0]:
            print(f"  mistakes sheet: {contact_sheet(out, marks=marks)}")
    names = list(per_rows)
    print("\n| letter | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k, c in enumerate(LETTERS):
        print(f"| {c} | " + " | ".join(f"{100 * per_rows[n][k]:.0f}" for n in names) + " |")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="/work/proxy_people", help="folder for the set (default /work/proxy_people)")
    p.add_argument("--per-letter", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--letters", default=LETTERS, help="only these letters (for looking at styles)")
    p.add_argument("--report", nargs="+", metavar="WEIGHTS", help="evaluate weights files on an existing set")
    args = p.parse_args(argv)
    out = Path(args.out)
    if args.report:
        report(out, args.report)
        return 0
    if not 1 <= args.per_letter <= 1000 or args.seed < 0 or not set(args.letters) <= set(LETTERS):
        print("people_proxy: error: --per-letter 1-1000, --seed >= 0, --letters from A-Z", file=sys.stderr)
        return 2
    generate(out, args.per_letter, args.seed, args.letters)
    print(f"sheet: {contact_sheet(out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
