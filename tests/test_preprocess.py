"""The one normalisation: invariances, polarity, emptiness, speed, canvas/generator match."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model import SIDE, LetterLabError
from model import synth_glyphs as sg
from model.preprocess import BOX, DEFAULT_PEN_FRACTION, EmptyImageError, ink_image, is_empty, normalize


def _a_strokes() -> list[np.ndarray]:
    """The hand 'A' skeleton in unit-height coordinates."""
    return sg._unit_strokes(sg._hand_forms()["A"][0])


def draw_letter(strokes, height: float, x0: float, y0: float, pen_fraction: float = DEFAULT_PEN_FRACTION,
                size: int = 280) -> np.ndarray:
    """Draw unit strokes like the canvas would: black pen on white, ``(size, size)`` uint8."""
    pix = [s * height + (x0, y0) for s in strokes]
    ink = sg.draw_strokes(pix, pen_fraction * height, size=size)
    return 255 - ink


def test_output_shape_range_and_box():
    x = normalize(draw_letter(_a_strokes(), 200, 60, 40))
    assert x.shape == (SIDE * SIDE,) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == pytest.approx(1.0)
    img = x.reshape(SIDE, SIDE)
    rows = np.flatnonzero(img.max(axis=1) > 0.25)
    # The letter is BOX px tall (its longer side), centred: 2 empty px above and below.
    assert BOX - 1 <= rows[-1] - rows[0] + 1 <= BOX + 1
    assert abs((rows[0] + rows[-1]) / 2 - (SIDE - 1) / 2) <= 0.5


def test_size_and_position_invariance():
    strokes = _a_strokes()
    ref = normalize(draw_letter(strokes, 200, 60, 40))
    for height, x0, y0 in [(120, 10, 10), (90, 150, 170), (250, 5, 15), (60, 200, 30)]:
        x = normalize(draw_letter(strokes, height, x0, y0))
        assert np.abs(x - ref).mean() < 0.03, (height, x0, y0)
        assert np.corrcoef(x, ref)[0, 1] > 0.95


def test_polarity_dtype_and_pil_invariance():
    img = draw_letter(_a_strokes(), 180, 50, 50)
    ref = normalize(img)
    np.testing.assert_array_equal(normalize(255 - img), ref)               # white on black
    np.testing.assert_allclose(normalize(img.astype(np.float32) / 255.0), ref, atol=1e-6)
    np.testing.assert_allclose(normalize(img.astype(np.float64)), ref, atol=1e-6)  # 0-255 floats
    np.testing.assert_array_equal(normalize(Image.fromarray(img)), ref)
    # Black ink on a transparent background (how a canvas may export) reads the same.
    rgba = np.zeros((*img.shape, 4), np.uint8)
    rgba[..., 3] = 255 - img
    np.testing.assert_array_equal(normalize(Image.fromarray(rgba, "RGBA")), ref)


def test_ink_image_convention_matches_reader():
    from model.data import ink_from_gray

    img = draw_letter(_a_strokes(), 100, 30, 30, size=160)
    np.testing.assert_allclose(ink_image(img), ink_from_gray(img), atol=1e-6)
    np.testing.assert_allclose(ink_image(255 - img), ink_from_gray(255 - img), atol=1e-6)


def test_faint_noise_is_ignored():
    img = draw_letter(_a_strokes(), 150, 60, 60)
    ref = normalize(img)
    noisy = img.copy()
    noisy[5:8, 5:8] = 235        # a faint grey speck far from the letter
    noisy[270, 270] = 220
    np.testing.assert_array_equal(normalize(noisy), ref)


def test_empty_images_raise():
    for blank in (np.full((280, 280), 255, np.uint8), np.zeros((50, 40), np.uint8),
                  np.full((17, 17), 250, np.uint8), np.zeros((0, 0), np.float32)):
        assert is_empty(blank)
        with pytest.raises(EmptyImageError):
            normalize(blank)
    assert issubclass(EmptyImageError, LetterLabError)
    assert not is_empty(draw_letter(_a_strokes(), 100, 10, 10))


def test_tiny_and_thin_drawings():
    dot = np.full((280, 280), 255, np.uint8)
    dot[100:104, 100:104] = 0
    x = normalize(dot).reshape(SIDE, SIDE)
    assert x.max() == 1.0 and x.sum() > 50          # a dot fills the box
    line = np.full((280, 280), 255, np.uint8)
    line[40:240, 139:141] = 0                       # a 2 px 'I'
    x = normalize(line).reshape(SIDE, SIDE)
    assert np.flatnonzero(x.max(axis=0) > 0.25).size <= 2
    assert np.flatnonzero(x.max(axis=1) > 0.25).size >= BOX - 1


def test_default_pen_fraction_is_the_generators_median():
    rng = np.random.default_rng(0)
    pens = [sg.sample_variation(rng, "hand").pen for _ in range(3000)]
    assert np.median(pens) == pytest.approx(DEFAULT_PEN_FRACTION, abs=0.004)


def test_canvas_drawing_looks_like_generated_data():
    """A letter drawn on a 280 px canvas with the default pen gives the same kind of input
    (size, position, stroke weight) as the generator's samples of that letter."""
    strokes = _a_strokes()
    canvas = normalize(draw_letter(strokes, 200, 40, 40))
    src = sg.Source("hand", "hand")
    gen = np.stack([sg.normalize(sg.render_sample(src, "A", np.random.default_rng([5, k]), hand_form=0))
                    for k in range(60)])
    mass = gen.sum(axis=1)
    assert np.percentile(mass, 10) <= canvas.sum() <= np.percentile(mass, 90)
    # Same place and size: the mean generated 'A' and the canvas 'A' overlap strongly.
    assert np.corrcoef(gen.mean(axis=0), canvas)[0, 1] > 0.75
    for x in (canvas, *gen[:10]):
        img = x.reshape(SIDE, SIDE)
        assert img[:2].max() < 0.25 and img[-2:].max() < 0.25   # margins stay empty
