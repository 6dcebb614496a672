"""Mistakes tab: lists exactly the validation images the active model gets wrong."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView, QTableView

from model import LETTERS
from model.data import load_split
from model.training import Trainer, preset_config
from model.weights import load_weights, save_weights


def gallery_indices(gallery: QListView) -> list[int]:
    m = gallery.model()
    return [m.data(m.index(r, 0), m.IndexRole) for r in range(m.rowCount())]


def test_gallery_lists_exactly_the_misclassified(window, qtbot, weights_path, data_dir):
    net, meta = load_weights(weights_path)
    val = load_split(data_dir, "validate")
    pred = net.predict(val.x)
    wrong = np.flatnonzero(pred != val.y)
    assert 0 < len(wrong) < len(val)          # the comparison means something
    gallery = window.findChild(QListView, "mistakesGallery")
    assert gallery is not None and gallery.accessibleName() == "mistakesGallery"
    assert sorted(gallery_indices(gallery)) == wrong.tolist()
    tab = window.mistakes_tab
    acc = 100 * np.mean(pred == val.y)
    assert f"{acc:.2f} %" in tab.summary.text()
    assert f"{len(wrong)} of {len(val)}" in tab.summary.text()
    # Most confidently wrong first (the default sort).
    probs = net.predict_proba(val.x)
    conf = probs[wrong, pred[wrong]]
    shown = gallery_indices(gallery)
    np.testing.assert_array_equal(probs[shown, pred[shown]], np.sort(conf)[::-1])
    # Captions: true → predicted (probability); thumbnails are 17x17 enlarged.
    m = gallery.model()
    i = shown[0]
    p = probs[i]
    cap = m.data(m.index(0, 0), Qt.DisplayRole)
    assert cap == f"{LETTERS[val.y[i]]} → {LETTERS[pred[i]]} ({100 * p[pred[i]]:.0f} %)"
    pm = m.data(m.index(0, 0), Qt.DecorationRole)
    assert pm.width() == pm.height() == 68
    # Nearest-neighbour: every 4x4 block of the thumbnail is one pixel of the image.
    img = pm.toImage().convertToFormat(pm.toImage().Format.Format_Grayscale8)
    arr = np.array([[img.pixelColor(x, y).red() for x in range(68)] for y in range(68)])
    np.testing.assert_array_equal(arr, np.kron(arr[::4, ::4], np.ones((4, 4), int)))


def test_confusion_cell_click_filters_gallery(window, qtbot, weights_path, data_dir):
    net, _ = load_weights(weights_path)
    val = load_split(data_dir, "validate")
    pred = net.predict(val.x)
    conf = np.zeros((26, 26), int)
    np.add.at(conf, (val.y, pred), 1)
    off = conf.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(np.argmax(off), off.shape)
    assert off[t, p] > 0
    matrix = window.findChild(QTableView, "confusionMatrix")
    assert matrix.accessibleName() == "confusionMatrix"
    model = matrix.model()
    shown = np.array([[int(model.m[r, c]) for c in range(26)] for r in range(26)])
    np.testing.assert_array_equal(shown, conf)
    rect = matrix.visualRect(model.index(int(t), int(p)))
    qtbot.mouseClick(matrix.viewport(), Qt.LeftButton, pos=rect.center())
    gallery = window.mistakes_tab.gallery
    idx = gallery_indices(gallery)
    assert len(idx) == off[t, p]
    assert all(val.y[i] == t and pred[i] == p for i in idx)
    assert window.mistakes_tab.true_combo.currentData() == t
    assert window.mistakes_tab.pred_combo.currentData() == p
    # Filter by true letter only.
    window.mistakes_tab.pred_combo.setCurrentIndex(0)
    idx = gallery_indices(gallery)
    assert sorted(idx) == np.flatnonzero((val.y == t) & (pred != val.y)).tolist()
    # Predicted letter only.
    window.mistakes_tab.set_filter(-1, int(p))
    assert sorted(gallery_indices(gallery)) == np.flatnonzero((pred == p) & (pred != val.y)).tolist()


def test_updates_when_active_weights_change(window, qtbot, data_dir, tmp_path):
    train, val = load_split(data_dir, "train"), load_split(data_dir, "validate")
    trainer = Trainer(preset_config("shallow", epochs=2), train.x, train.y, val.x, val.y)
    for _ in trainer.run():
        pass
    path = save_weights(trainer.network, tmp_path / "weak.npz", **trainer.metadata())
    assert window.load_weights_file(path)
    assert "weak.npz" in window.model_label.text()
    expected = np.flatnonzero(trainer.network.predict(val.x) != val.y)
    qtbot.waitUntil(lambda: not window.mistakes_tab.is_busy(), timeout=10000)
    assert sorted(gallery_indices(window.mistakes_tab.gallery)) == expected.tolist()


def test_bad_weights_file_keeps_current_model_and_its_evaluation(window, qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: not window.mistakes_tab.is_busy(), timeout=10000)
    evaluation = window.mistakes_tab.evaluation
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    before = window.state.network
    assert not window.load_weights_file(bad)
    assert window.state.network is before
    qtbot.waitUntil(lambda: any(b.isVisible() for b in window.findChildren(QMessageBox, "errorDialog")),
                    timeout=5000)
    box = next(b for b in window.findChildren(QMessageBox, "errorDialog") if b.isVisible())
    assert "bad.npz" in box.text()
    box.accept()
    assert not window.mistakes_tab.is_busy() and window.mistakes_tab.evaluation is evaluation


def test_a_list_file_is_read_in_the_background_and_can_be_abandoned(window, qtbot, data_dir):
    mt = window.mistakes_tab
    window.tabs.setCurrentWidget(mt)
    mt.study_list(data_dir / "train.txt")                 # returns at once: a worker reads it
    assert mt.summary.text().startswith("Reading train.txt")
    assert mt.set_combo.currentData() == "file"
    # The person changes their mind before it is read: back to the validation split.
    mt.set_combo.setCurrentIndex(mt.set_combo.findData("validation"))
    mt.set_combo.activated.emit(mt.set_combo.currentIndex())
    qtbot.waitUntil(lambda: not mt.is_busy(), timeout=20000)
    assert mt.study_data() is window.state.validation
    assert mt.summary.text().startswith("Validation accuracy")
    # Read to the end, it is studied.
    mt.study_list(data_dir / "train.txt")
    qtbot.waitUntil(lambda: not mt.is_busy() and mt.summary.text().startswith("train.txt:"), timeout=20000)
    assert len(mt.evaluation.labels) == len(load_split(data_dir, "train"))
