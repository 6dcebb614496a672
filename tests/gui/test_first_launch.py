"""The data set in the app (issue 9): first launch creates it in the background with the
window usable; the Data menu generates again, imports, reloads and describes it; a set
replaced on disk by another program is noticed, and training waits for a reload."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from model import synth
from model.data import DataError, load_split

from .conftest import answer_when_shown, make_dataset, visible_child
from .test_draw import drag_strokes

SMALL = 26 * 20          # 520 samples: 346 train, 87 validate, 87 test; well under a second


def new_window(qtbot, weights_path):
    from gui.app import MainWindow

    w = MainWindow(weights=weights_path)
    w.ask_before_quit = False
    qtbot.addWidget(w)
    w.show()
    return w


def test_first_launch_keeps_the_window_usable_and_cancel_is_no_dead_end(
        qtbot, weights_path, tmp_path, monkeypatch, strokes_for):
    root = tmp_path / "letters"
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(root))
    w = new_window(qtbot, weights_path)                  # the full 60000-image set: slow enough to watch
    assert w.data_worker is not None and w.data_worker.isRunning()
    label = w.findChild(QLabel, "dataStatusLabel")
    bar = w.findChild(QProgressBar, "dataProgress")
    qtbot.waitUntil(lambda: "%" in label.text() and "left" in label.text(), timeout=20000)
    # Progress in the status bar, no modal dialog; where the data goes and how large it
    # will be in the status bar's tooltip and in the tabs that wait.
    assert bar.isVisible() and "letters" in label.toolTip() and "MiB" in label.toolTip()
    assert QApplication.activeModalWidget() is None
    # Train and Mistakes say they wait, with the progress; Draw works at once.
    assert not w.train_tab.start_button.isEnabled()
    for text in (w.train_tab.status_label.text(), w.mistakes_tab.summary.text()):
        assert "Waiting for the data set" in text and "%" in text and "MiB in" in text and "letters" in text
    w.tabs.setCurrentWidget(w.draw_tab)
    prediction = w.findChild(QLabel, "prediction")
    drag_strokes(qtbot, w.findChild(QWidget, "canvas"), strokes_for("T", "futural"))
    qtbot.waitUntil(lambda: prediction.text() != "", timeout=5000)
    assert w.data_worker is not None                       # still creating meanwhile

    qtbot.mouseClick(w.findChild(QPushButton, "dataCancel"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not w.is_busy(), timeout=60000)
    assert not synth.is_complete(root) and w.state.validation is None
    assert not bar.isVisible()
    message = w.statusBar().currentMessage()
    assert "cancelled" in message and "Data → Generate" in message and "Restart" not in message
    assert not w.train_tab.start_button.isEnabled()
    assert "Generate" in w.train_tab.status_label.text()

    # Data → Generate data set…: a smaller set, through the dialog's own widgets.
    def fill(dlg):
        dlg.findChild(QWidget, "generateCount").setValue(SMALL)
        assert str(root) in dlg.findChild(QLabel, "generateEstimate").text()
        dlg.accept()

    answer_when_shown(lambda: visible_child(w, QDialog, "generateDialog"), fill)
    w.data.update_actions()
    assert w.data.generate_action.isEnabled()
    w.data.generate_action.trigger()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=60000)
    assert synth.is_complete(root) and len(w.state.validation) == synth.split_sizes(SMALL)[1]
    assert w.train_tab.start_button.isEnabled()
    assert "Waiting" not in w.train_tab.status_label.text()
    w.close()


def test_first_launch_creates_the_data_set(qtbot, weights_path, tmp_path, monkeypatch):
    root = tmp_path / "letters"
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(root))
    monkeypatch.setattr(synth, "DEFAULT_COUNT", SMALL)      # small, same code path
    w = new_window(qtbot, weights_path)
    assert w.data_worker is not None and w.data_worker.isRunning()
    assert not w.train_tab.start_button.isEnabled()          # no data yet
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=60000)
    assert synth.is_complete(root)
    assert not w.findChild(QProgressBar, "dataProgress").isVisible()
    assert w.train_tab.start_button.isEnabled()
    val = load_split(root, "validate")
    np.testing.assert_array_equal(w.state.validation.y, val.y)
    assert len(w.mistakes_tab.evaluation.labels) == len(val)
    w.close()


@pytest.fixture
def own_set(tmp_path, monkeypatch) -> Path:
    """A small generated data set as the active one (the app may replace it)."""
    root = tmp_path / "letters"
    synth.generate(root, seed=1, count=SMALL)
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(root))
    return root


def test_a_set_replaced_on_disk_is_noticed_and_reloaded(qtbot, weights_path, own_set):
    w = new_window(qtbot, weights_path)
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=30000)
    old = w.state.validation.x.copy()
    assert w.train_tab.start_button.isEnabled()
    # Another program (`letterlab data generate --force`) replaces it.
    synth.generate(own_set, seed=2, count=SMALL)
    changed = w.findChild(QLabel, "dataChangedLabel")
    reload_button = w.findChild(QPushButton, "dataReload")
    qtbot.waitUntil(changed.isVisible, timeout=10000)         # the watch timer notices
    assert "changed on disk" in changed.text() and reload_button.isVisible()
    assert "changed on disk" in w.train_tab.status_label.text()
    assert not w.train_tab.start_button.isEnabled()           # never trains on one set, scoring another
    qtbot.mouseClick(reload_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not w.is_busy() and w.state.data_ready, timeout=30000)
    new = load_split(own_set, "validate")
    np.testing.assert_array_equal(w.state.validation.y, new.y)
    np.testing.assert_array_equal(w.state.validation.x, new.x)
    assert not np.array_equal(old, new.x)                    # seed 2's images, not seed 1's
    assert not changed.isVisible() and not reload_button.isVisible()
    assert w.train_tab.start_button.isEnabled()
    w.close()


def test_training_refuses_a_set_replaced_after_its_validation_was_loaded(own_set):
    from gui.jobs import TrainingJob
    from model.training import preset_config

    class Ctx:
        aborted = False

        def check(self):
            pass

        def report(self, done, total, check=True):
            pass

        def wait_turn(self):
            pass

    val = load_split(own_set, "validate")
    signature = synth.dataset_signature(own_set)
    synth.generate(own_set, seed=3, count=SMALL)
    assert synth.dataset_signature(own_set) != signature
    job = TrainingJob(preset_config("shallow", epochs=1), own_set, val, data_signature=signature)
    with pytest.raises(DataError, match="changed on disk"):
        list(job.run(Ctx()))
    # The same job against the set it was loaded from trains.
    job = TrainingJob(preset_config("shallow", epochs=1), own_set, load_split(own_set, "validate"),
                      data_signature=synth.dataset_signature(own_set))
    assert any(type(item).__name__ == "TrainingResult" for item in job.run(Ctx()))


def test_import_a_folder_through_the_data_menu(qtbot, weights_path, own_set, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    src = make_dataset(tmp_path / "tutorial", {"train": 4, "validate": 3, "test": 2}, seed=5)
    w = new_window(qtbot, weights_path)
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=30000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(src))
    seen = answer_when_shown(lambda: visible_child(w, QMessageBox, "importQuestion"),
                        lambda box: box.button(QMessageBox.Yes).click())
    w.data.import_folder_action.trigger()
    qtbot.waitUntil(lambda: not w.is_busy() and w.state.data_ready, timeout=30000)
    assert str(src) in seen[0]
    np.testing.assert_array_equal(w.state.validation.y, load_split(src, "validate").y)
    assert len(w.state.validation) == 26 * 3
    assert synth.dataset_info(own_set)["generator"] == "imported"
    assert not w.findChild(QLabel, "dataChangedLabel").isVisible()   # its own change is no surprise
    w.close()


def test_a_bad_archive_changes_nothing(qtbot, weights_path, own_set, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    bad = tmp_path / "data.tar.gz"
    bad.write_bytes(b"\x1f\x8b not really gzip" * 50)
    w = new_window(qtbot, weights_path)
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=30000)
    before = w.state.validation.y.copy(), synth.dataset_signature(own_set)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    answer_when_shown(lambda: visible_child(w, QMessageBox, "importQuestion"),
                 lambda box: box.button(QMessageBox.Yes).click())
    warned = answer_when_shown(lambda: next((b for b in w.findChildren(QMessageBox)
                                               if b.isVisible() and b.icon() == QMessageBox.Warning), None),
                          lambda box: box.button(QMessageBox.Ok).click())
    w.data.import_action.trigger()
    qtbot.waitUntil(lambda: not w.is_busy() and bool(warned), timeout=30000)
    assert "not changed" in warned[0] and "data.tar.gz" in warned[0]
    np.testing.assert_array_equal(w.state.validation.y, before[0])
    assert synth.dataset_signature(own_set) == before[1]
    assert w.state.data_ready and w.train_tab.start_button.isEnabled()
    assert not list(own_set.parent.glob(".letters.import-*"))
    w.close()


def test_data_set_details(qtbot, weights_path, own_set):
    w = new_window(qtbot, weights_path)
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=30000)
    seen = answer_when_shown(lambda: visible_child(w, QMessageBox, "dataInfo"),
                        lambda box: box.button(QMessageBox.Ok).click())
    w.data.info_action.trigger()
    text = seen[0]
    assert str(own_set) in text and "MiB" in text and "seed 1" in text
    n_tr, n_va, n_te = synth.split_sizes(SMALL)
    assert f"{n_tr} train, {n_va} validation, {n_te} test" in text
    w.close()
