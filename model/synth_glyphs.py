"""Glyph sources and the rendering of one varied sample, for :mod:`model.synth`.

A *source* is one way of getting the shape of a capital letter:

- ``hand``: stroke skeletons written for LetterLab, with the alternate forms people use
  when they draw capitals with a mouse (``I`` with or without serifs, ``M`` with a middle
  down to the baseline, ``G`` with or without a spur, a one-stroke ``Y``...).
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
KIND_WEIGHTS = {"hand": 0.40, "hershey": 0.38, "font": 0.22}

_FONT_PX = 72  # outline fonts are rendered at this pixel size, then transformed


@dataclass(frozen=True)
class Source:
    """One glyph source. ``kind`` is ``hand``, ``hershey`` or ``font``; ``path`` is the
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
    hers = [Source(n, "hershey", weight=0.5 if n in _HERSHEY_SCRIPT else 1.0) for n in HERSHEY_FONTS]
    fonts: list[Source] = []
    try:
        if isinstance(ImageFont.load_default(_FONT_PX), ImageFont.FreeTypeFont):
            fonts.append(Source("pillow", "font", ""))
    except Exception:  # pragma: no cover - Pillow without FreeType
        pass
    names = {"hand", "pillow", *HERSHEY_FONTS}
    for stem, path in _dejavu_paths():
        fonts.append(Source(stem, "font", path))
        names.add(stem)
    if system_fonts:
        for stem, path in _system_font_paths():
            if stem not in names and _font_ok(path):
                fonts.append(Source(stem, "font", path))
                names.add(stem)
    out = []
    for kind, group in (("hand", srcs), ("hershey", hers), ("font", fonts)):
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
                  rigid: bool) -> list[np.ndarray]:
    """Apply wobble, elastic warp and the affine map to unit strokes; return canvas pixels."""
    field = _smooth_field(rng, v.elastic)
    out = []
    for s in strokes:
        p = _densify(s, 0.04)
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
    if src.kind == "hand":
        if not _hand_cache:
            _hand_cache.update({k: [_unit_strokes(f) for f in forms] for k, forms in _hand_forms().items()})
        forms = _hand_cache[letter]
        k = int(rng.integers(len(forms))) if hand_form is None else hand_form % len(forms)
        strokes, rigid = forms[k], False
    else:
        strokes, rigid = hershey_strokes(src.name, letter), src.name in _HERSHEY_MULTILINE
    pix = _vary_strokes(strokes, v, rng, rigid)
    return draw_strokes(pix, v.pen * v.height_px)


def sample_input(src: Source, letter: str, rng: np.random.Generator) -> np.ndarray:
    """One sample as the network sees it: ``(289,)`` float32 from :func:`normalize`."""
    return normalize(render_sample(src, letter, rng))
