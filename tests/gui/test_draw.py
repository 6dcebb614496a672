"""Draw tab: letters drawn with real mouse drags on the canvas are recognised."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from gui.canvas import TYPICAL_LETTER_FRACTION
from model.preprocess import normalize


def stroke_paths(canvas, strokes, step: float = 4.0) -> list[list[QPoint]]:
    """``strokes`` (cap-height units, centred) as canvas pixel paths, a point every ``step`` px."""
    side = canvas.width()
    h = TYPICAL_LETTER_FRACTION * side
    paths = []
    for s in strokes:
        pts = s * h + side / 2
        path = [pts[0]]
        for a, b in zip(pts[:-1], pts[1:]):
            n = max(1, int(np.hypot(*(b - a)) / step))
            path.extend(a + (b - a) * t for t in np.linspace(0, 1, n + 1)[1:])
        paths.append([QPoint(int(round(x)), int(round(y))) for x, y in path])
    return paths


def drag_strokes(qtbot, canvas, strokes, step: float = 4.0) -> None:
    """Draw ``strokes`` (cap-height units, centred) on ``canvas`` with mouse drags."""
    for qp in stroke_paths(canvas, strokes, step):
        qtbot.mousePress(canvas, Qt.LeftButton, pos=qp[0])
        for p in qp[1:]:
            qtbot.mouseMove(canvas, p)
        qtbot.mouseRelease(canvas, Qt.LeftButton, pos=qp[-1])


def find(window, cls, name):
    w = window.findChild(cls, name)
    assert w is not None, name
    assert w.accessibleName() == name
    return w


@pytest.mark.parametrize("letter", ["L", "T", "O", "X"])
def test_drawn_letter_is_recognised(window, qtbot, strokes_for, letter):
    window.tabs.setCurrentWidget(window.draw_tab)
    canvas = find(window, QWidget, "canvas")
    prediction = find(window, QLabel, "prediction")
    assert prediction.text() == ""
    drag_strokes(qtbot, canvas, strokes_for(letter, "futural"))
    qtbot.waitUntil(lambda: prediction.text() != "", timeout=2000)
    assert prediction.text() == letter
    probs = window.draw_tab.last_probabilities
    assert probs is not None and abs(float(probs.sum()) - 1.0) < 1e-4
    # The preview shows exactly what the network received: the shared normalize of the canvas.
    x = normalize(canvas.to_array())
    np.testing.assert_array_equal(window.draw_tab.last_input, x)
    assert not find(window, QLabel, "inputPreview").pixmap().isNull()


def test_undo_and_clear(window, qtbot, strokes_for):
    window.tabs.setCurrentWidget(window.draw_tab)
    canvas = find(window, QWidget, "canvas")
    prediction = find(window, QLabel, "prediction")
    strokes = strokes_for("T", "futural")
    drag_strokes(qtbot, canvas, strokes)
    assert canvas.stroke_count == len(strokes) == 2
    assert prediction.text() == "T"
    full = canvas.to_array()
    # Undo removes exactly the last stroke: the image equals the first stroke alone.
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    assert canvas.stroke_count == 1
    after_undo = canvas.to_array()
    assert (after_undo < 128).sum() < (full < 128).sum()
    canvas.clear()
    drag_strokes(qtbot, canvas, strokes[:1])
    np.testing.assert_array_equal(canvas.to_array(), after_undo)
    # Esc clears; an empty canvas shows no guess.
    qtbot.keyClick(canvas, Qt.Key_Escape)
    assert canvas.is_empty() and (canvas.to_array() == 255).all()
    assert prediction.text() == ""
    assert window.draw_tab.last_input is None
    # The Clear button too.
    drag_strokes(qtbot, canvas, strokes)
    assert prediction.text() == "T"
    qtbot.mouseClick(find(window.draw_tab, QPushButton, "clearButton"), Qt.LeftButton)
    assert canvas.is_empty() and prediction.text() == ""


def test_canvas_matches_generated_letter(window, qtbot, strokes_for):
    """A letter drawn on the canvas (default pen) and the same strokes drawn by the data
    generator's own renderer give the same kind of 17x17 input: position, size, stroke width."""
    from model.preprocess import DEFAULT_PEN_FRACTION
    from model.synth_glyphs import draw_strokes, hershey_strokes

    canvas = window.draw_tab.canvas
    for letter in "EHOW":
        canvas.clear()
        drag_strokes(qtbot, canvas, strokes_for(letter, "futural"))
        drawn = normalize(canvas.to_array()).reshape(17, 17)
        unit = hershey_strokes("futural", letter)           # height 1, x from 0
        size, h = 112, 70.0
        width = max(p[:, 0].max() for p in unit) * h
        px = [np.column_stack([p[:, 0] * h + (size - width) / 2, p[:, 1] * h + (size - h) / 2]) for p in unit]
        made = normalize(draw_strokes(px, DEFAULT_PEN_FRACTION * h, size)).reshape(17, 17)
        assert np.abs(drawn - made).mean() < 0.06, letter
        assert abs(drawn.sum() - made.sum()) / made.sum() < 0.15, letter      # stroke width
        ys, xs = np.nonzero(drawn > 0.25)
        yg, xg = np.nonzero(made > 0.25)
        assert abs(ys.mean() - yg.mean()) < 0.5 and abs(xs.mean() - xg.mean()) < 0.5, letter   # position
        assert np.ptp(ys) == np.ptp(yg) and abs(np.ptp(xs) - np.ptp(xg)) <= 1, letter          # size


def test_save_png(window, qtbot, strokes_for, tmp_path):
    from PIL import Image

    canvas = window.draw_tab.canvas
    drag_strokes(qtbot, canvas, strokes_for("A", "futural"))
    path = tmp_path / "a.png"
    canvas.save_png(path)
    img = np.asarray(Image.open(path).convert("L"))
    np.testing.assert_array_equal(img, canvas.to_array())


def test_no_model_shows_no_guess(qtbot, tmp_path, strokes_for):
    from gui.app import MainWindow

    w = MainWindow(weights=tmp_path / "missing.npz")
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: not w.is_busy(), timeout=20000)
    assert "No model" in w.model_label.text()
    drag_strokes(qtbot, w.draw_tab.canvas, strokes_for("L"))
    assert w.draw_tab.prediction.text() == ""
    assert w.draw_tab.last_input is not None       # the input is still shown
    w.close()


def test_tablet_pen_draws_like_the_mouse(window, qtbot, strokes_for):
    """Tablet events (pen) draw the same strokes as mouse drags and update the guess."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    canvas = window.draw_tab.canvas
    strokes = strokes_for("L", "futural")
    drag_strokes(qtbot, canvas, strokes)
    by_mouse = canvas.to_array()
    canvas.clear()
    pen = QPointingDevice("test pen", 1, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)

    def send(kind, p, buttons):
        ev = QTabletEvent(kind, pen, QPointF(p), QPointF(p), 0.5, 0.0, 0.0, 0.0, 0.0, 0.0,
                          Qt.NoModifier, Qt.LeftButton, buttons)
        QApplication.sendEvent(canvas, ev)
        assert ev.isAccepted()

    for qp in stroke_paths(canvas, strokes):
        send(QEvent.TabletPress, qp[0], Qt.LeftButton)
        for p in qp[1:]:
            send(QEvent.TabletMove, p, Qt.LeftButton)
        send(QEvent.TabletRelease, qp[-1], Qt.NoButton)
    assert canvas.stroke_count == len(strokes)
    np.testing.assert_array_equal(canvas.to_array(), by_mouse)
    assert window.draw_tab.prediction.text() == "L"


def test_save_png_failure_is_reported_and_leaves_the_old_file(window, qtbot, strokes_for, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    canvas = window.draw_tab.canvas
    drag_strokes(qtbot, canvas, strokes_for("A", "futural"))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = blocker / "letter.png"                     # its folder is a file: cannot be written
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(window.draw_tab.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox, "errorDialog")),
                    timeout=5000)
    box = next(b for b in window.findChildren(QMessageBox, "errorDialog") if b.isVisible())
    assert "not saved" in box.text()
    box.accept()
    # An existing file is replaced whole or not at all: no temp file is left beside it.
    good = tmp_path / "b.png"
    good.write_bytes(b"old")
    canvas.save_png(good)
    assert good.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "b.png"]
