"""First launch: the default data set is created in a worker behind a cancellable
progress dialog; the window stays usable and nothing is left running."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from model import synth
from model.data import load_split


def test_first_launch_creates_the_data_set(qtbot, weights_path, tmp_path, monkeypatch):
    from gui.app import MainWindow

    root = tmp_path / "letters"
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(root))
    monkeypatch.setattr(synth, "DEFAULT_COUNT", 26 * 20)      # small, same code path
    w = MainWindow(weights=weights_path)
    qtbot.addWidget(w)
    w.show()
    assert w.data_worker is not None and w.data_worker.isRunning()
    qtbot.waitUntil(lambda: w._progress_dialog is not None and w._progress_dialog.isVisible(), timeout=5000)
    assert isinstance(w._progress_dialog, QProgressDialog)
    assert not w.train_tab.start_button.isEnabled()          # no data yet
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=60000)
    assert synth.is_complete(root)
    assert w._progress_dialog is None
    assert w.train_tab.start_button.isEnabled()
    val = load_split(root, "validate")
    np.testing.assert_array_equal(w.state.validation.y, val.y)
    assert len(w.mistakes_tab.evaluation.labels) == len(val)
    w.close()


def test_cancelling_creation_leaves_no_thread_and_no_data(qtbot, weights_path, tmp_path, monkeypatch):
    from gui.app import MainWindow

    root = tmp_path / "letters"
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(root))
    w = MainWindow(weights=weights_path)                     # the full 60000-image set
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w._progress_dialog is not None and w._progress_dialog.isVisible(), timeout=5000)
    cancel = w._progress_dialog.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: not w.is_busy(), timeout=60000)
    assert not synth.is_complete(root)
    assert w.state.validation is None
    assert "cancelled" in w.statusBar().currentMessage()
    assert not w.train_tab.start_button.isEnabled()
    # Draw still works with the shipped/test weights.
    assert w.state.network is not None
    w.close()
