"""Network tab: templates and filters of the active weights, activations of what is drawn
on the Draw tab's canvas, a saliency map for the letter whose bar is clicked, and the
weights of a run followed live while it trains."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QWidget

from gui.network_view import mosaic, weight_tiles
from model import LETTERS, SIDE
from model.inspect import inspect, layer_images
from model.network import Network
from model.training import PRESETS
from model.weights import SHIPPED_DIR, save_weights

from .test_draw import drag_strokes


def view_of(window):
    v = window.findChild(QWidget, "networkView")
    assert v is not None and v is window.network_view
    for name in ("weightTemplates", "saliencyView", "activationsView", "outputBars"):
        assert v.findChild(QWidget, name) is not None, name
    return v


def show(window, qtbot):
    window.tabs.setCurrentWidget(window.network_view)
    qtbot.waitUntil(window.network_view.isVisible, timeout=2000)


def draw(window, qtbot, strokes):
    """Draw on the Draw tab's canvas with real mouse drags, as a user does."""
    window.tabs.setCurrentWidget(window.draw_tab)
    window.draw_tab.canvas.clear()
    drag_strokes(qtbot, window.draw_tab.canvas, strokes)
    qtbot.waitUntil(lambda: window.draw_tab.last_input is not None, timeout=2000)


@pytest.fixture
def conv_weights(tmp_path):
    net = Network(PRESETS["conv"].spec, np.random.default_rng(0))
    return save_weights(net, tmp_path / "conv.npz", preset="conv")


@pytest.mark.skipif(not (SHIPPED_DIR / "shallow.npz").is_file(), reason="no shipped shallow weights")
def test_shallow_weights_show_26_labelled_letter_templates(window, qtbot):
    assert window.load_weights_file(SHIPPED_DIR / "shallow.npz")
    view = view_of(window)
    show(window, qtbot)
    pic = view.templates
    assert view.layer_combo.currentText() == "fc0"
    assert [t.toPlainText() for t in pic.labels] == list(LETTERS)
    assert "26 templates" in pic.title.text
    # Each labelled tile is that letter's 289 incoming weights, as a 17×17 image.
    w = window.state.network.state_dict()["fc0.weight"]
    cols = weight_tiles(layer_images(window.state.network, "fc0"))[1]
    for k in (0, 7, 25):
        r, c = divmod(k, cols)
        x, y = pic.labels[k].pos().x(), pic.labels[k].pos().y()
        assert (x, y) == (c * (SIDE + 1), r * (SIDE + 1))
        tile = pic.values[int(y):int(y) + SIDE, int(x):int(x) + SIDE]
        np.testing.assert_array_equal(tile, w[k].reshape(SIDE, SIDE))
    # One shared, symmetric scale with a legend: zero in the middle.
    assert pic.scale == pytest.approx(float(np.abs(w).max()))
    assert pic.legend.levels() == pytest.approx((-pic.scale, pic.scale))
    assert not view.activations_box.isVisible()       # no hidden layer to show


def test_conv_weights_show_filters_and_feature_maps(window, qtbot, conv_weights, strokes_for):
    assert window.load_weights_file(conv_weights)
    view = view_of(window)
    draw(window, qtbot, strokes_for("L"))
    show(window, qtbot)
    net = window.state.network
    assert view.layer_combo.currentText() == "conv0"
    assert "32×1 filters 3×3" in view.templates.title.text
    f = net.state_dict()["conv0.weight"]               # (32, 1, 3, 3)
    np.testing.assert_array_equal(view.templates.values, mosaic(f[:, 0], weight_tiles(f)[1]))
    assert view.templates.labels == []
    view.layer_combo.setCurrentText("conv1")
    assert view.templates.values.shape == (32 * 4 - 1, 32 * 4 - 1)   # 32×32 filters, 1-pixel gaps
    assert [p.title.text.split(":")[0] for p in view.stages] == ["conv0", "conv1", "pool0", "conv2", "pool1", "fc0"]
    assert "32 maps 17×17" in view.stages[0].title.text
    # What is drawn: the network's own numbers for the Draw tab's input.
    seen = inspect(net.copy(), window.draw_tab.last_input)
    np.testing.assert_allclose(np.nanmax(view.stages[0].values), seen.stages[0].values.max(), rtol=1e-5)


def test_drawing_changes_the_activations(window, qtbot, strokes_for):
    view = view_of(window)
    show(window, qtbot)
    assert view.inspection is None                     # nothing drawn yet
    draw(window, qtbot, strokes_for("L"))
    show(window, qtbot)
    first = view.inspection
    assert first is not None
    before = [p.values.copy() for p in view.stages]
    bars_before = view.bars.opts["height"].copy()
    draw(window, qtbot, strokes_for("O"))
    show(window, qtbot)
    after = view.inspection
    assert not np.array_equal(after.outputs, first.outputs)
    assert not np.allclose(view.bars.opts["height"], bars_before)
    assert all(not np.array_equal(a, b, equal_nan=True) for a, b in zip(before, [p.values for p in view.stages]))
    np.testing.assert_allclose(view.bars.opts["height"], np.clip(after.outputs, 0, 1))


def test_live_while_the_tab_is_open(window, qtbot, strokes_for):
    """With the Network tab showing, each canvas change redraws it (no tab switch)."""
    view = view_of(window)
    show(window, qtbot)
    canvas = window.draw_tab.canvas
    drag_strokes(qtbot, canvas, strokes_for("I"))      # the canvas is hidden, its signals are not
    qtbot.waitUntil(lambda: view.inspection is not None, timeout=2000)
    np.testing.assert_array_equal(view.inspection.outputs,
                                  inspect(window.state.network.copy(), window.draw_tab.last_input).outputs)


def click_bar(qtbot, view, k):
    w = view.bars_widget
    vb = w.getPlotItem().vb
    pos = w.mapFromScene(vb.mapViewToScene(QPointF(k, 0.05)))
    qtbot.mouseClick(w.viewport(), Qt.LeftButton, pos=pos)


def test_clicking_an_output_bar_changes_the_saliency_map(window, qtbot, strokes_for):
    view = view_of(window)
    draw(window, qtbot, strokes_for("T"))
    show(window, qtbot)
    top = view.inspection.cls
    assert top == int(np.argmax(view.inspection.logits))
    before = view.saliency.values.copy()
    other = (top + 5) % 26
    click_bar(qtbot, view, other)
    qtbot.waitUntil(lambda: view.inspection.cls == other, timeout=2000)
    assert not np.allclose(view.saliency.values, before)
    expected = inspect(window.state.network.copy(), window.draw_tab.last_input, other).saliency
    np.testing.assert_allclose(view.saliency.values.reshape(-1), expected, rtol=1e-5, atol=1e-7)
    assert f"makes it {LETTERS[other]}" in view.saliency.title.text
    # Each map uses the whole colour range (its strongest pixel is ±1), and the legend,
    # -1…1, stays as it is from letter to letter.
    assert view.saliency.scale == pytest.approx(float(np.max(np.abs(expected))))
    assert tuple(view.saliency.legend.levels()) == (-1.0, 1.0)
    # The chosen letter's bar is the highlighted one, at that letter's height.
    assert view.selected_bar.isVisible() and list(view.selected_bar.opts["x"]) == [other]
    assert view.selected_bar.opts["height"][0] == pytest.approx(view.bars.opts["height"][other])
    assert view.selected_bar.opts["brush"] != view.bars.opts["brush"]
    click_bar(qtbot, view, top)                        # the top guess's bar: back to following it
    qtbot.waitUntil(lambda: view.chosen is None, timeout=2000)
    np.testing.assert_allclose(view.saliency.values, before)


def test_templates_follow_a_training_run_live(window, qtbot, strokes_for):
    view = view_of(window)
    draw(window, qtbot, strokes_for("L"))
    tab = window.train_tab
    tab.form.apply_preset("shallow")
    tab.form.epochs_spin.setValue(2000)
    tab.form.batch_spin.setValue(16)
    show(window, qtbot)
    tab.start()
    run = tab.run
    qtbot.waitUntil(lambda: view.live_run is run and view.live_timer.isActive(), timeout=20000)
    assert view.layer_combo.currentText() == "fc0" and "Training" in view.source.text()
    first = view.templates.values.copy()
    qtbot.waitUntil(lambda: not np.array_equal(view.templates.values, first, equal_nan=True), timeout=10000)
    qtbot.waitUntil(lambda: len(view.grad_bars.opts["x"]) == 1, timeout=10000)   # one layer: fc0
    tab.stop()
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=10000)
    assert view.live_run is None and not view.live_timer.isActive()
    assert run.live_network is None                   # no reference to the trainer's network kept
    assert "Training" not in view.source.text()


def test_a_collapsed_part_is_drawn_when_its_splitter_opens_it(window, qtbot, conv_weights, strokes_for):
    """Activations collapsed by their splitter are not drawn at each canvas change (the
    rest of the view is); dragging the splitter open draws them for what is on the canvas."""
    assert window.load_weights_file(conv_weights)
    view = view_of(window)
    draw(window, qtbot, strokes_for("L"))
    show(window, qtbot)
    split = view.right_split
    split.setSizes([sum(split.sizes()), 0])
    assert split.sizes()[1] == 0
    before = [p.values.copy() for p in view.stages]
    drag_strokes(qtbot, window.draw_tab.canvas, strokes_for("O"))   # drawn with the tab showing
    qtbot.waitUntil(lambda: not np.allclose(view.saliency.values, view.saliency.values[0, 0], equal_nan=True)
                    and view.inspection is not None
                    and np.array_equal(view.inspection.outputs,
                                       inspect(window.state.network.copy(), window.draw_tab.last_input).outputs),
                    timeout=2000)
    assert all(np.array_equal(a, p.values, equal_nan=True) for a, p in zip(before, view.stages))
    # A real drag of the splitter's handle upwards opens the activations again.
    handle = split.handle(1)
    start = handle.rect().center()
    qtbot.mousePress(handle, Qt.LeftButton, pos=start)
    for dy in (-20, -60, -120, -200):
        qtbot.mouseMove(handle, start + QPoint(0, dy))
    qtbot.mouseRelease(handle, Qt.LeftButton, pos=start + QPoint(0, -200))
    qtbot.waitUntil(lambda: split.sizes()[1] > 0, timeout=2000)
    seen = inspect(window.state.network.copy(), window.draw_tab.last_input)
    np.testing.assert_allclose(np.nanmax(view.stages[0].values), seen.stages[0].values.max(), rtol=1e-5)
    assert not np.array_equal(before[0], view.stages[0].values, equal_nan=True)
