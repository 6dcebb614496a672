"""tools/people_proxy.py: its drawings are reproducible and go through the real canvas."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6")

TOOL = Path(__file__).resolve().parents[1] / "tools" / "people_proxy.py"


@pytest.fixture(scope="module")
def proxy():
    spec = importlib.util.spec_from_file_location("people_proxy", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_same_seed_same_drawing_other_seed_other_drawing(proxy):
    a = proxy.sample(17, 3, seed=0, side=400)
    b = proxy.sample(17, 3, seed=0, side=400)
    c = proxy.sample(17, 3, seed=1, side=400)
    assert a[0] == b[0] and a[3] == b[3]
    assert all(np.array_equal(p, q) for p, q in zip(a[2], b[2]))
    assert len(a[2]) != len(c[2]) or not all(np.array_equal(p, q) for p, q in zip(a[2], c[2]))


def test_every_letter_is_drawn_on_the_canvas_inside_it(proxy, qtbot):
    from gui.canvas import Canvas
    from model.preprocess import normalize

    canvas = Canvas()
    qtbot.addWidget(canvas)
    canvas.show()
    for k in range(26):
        name, _style, paths, pen = proxy.sample(k, 0, seed=0, side=canvas.width())
        for p in paths:   # every mouse position is on the canvas, so nothing is clipped
            assert p.min() >= 0 and p.max() < canvas.width()
        proxy.draw_on_canvas(canvas, paths, pen)
        assert canvas.stroke_count == len(paths), name
        img = canvas.to_array()
        assert (img < 128).sum() > 200, name   # real ink from the mouse drags
        assert normalize(img).shape == (289,)
