"""Teach it your handwriting (issue 10), through the real widgets: letters drawn on the
canvas in a tilted style become samples (chooser + Enter / button), the Train tab
fine-tunes the shipped weights on them (two check boxes and Start), and the network then
reads other tilted drawings better while the generated validation accuracy holds."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QWidget

from model import LETTERS
from model.data import Dataset
from model.evaluation import evaluate as evaluate_arrays
from model.preprocess import normalize

from .test_draw import drag_strokes

TILT = np.radians(35)
ROT = np.array([[np.cos(TILT), -np.sin(TILT)], [np.sin(TILT), np.cos(TILT)]])
# (rowmans/rowmand/timesrb have the same capitals as futural/futuram/rowmant.)
DRAWN_FONTS = ("futural", "futuram", "timesr")                   # drawn on the canvas
HELD_OUT_FONTS = ("timesrb", "timesi", "timesib", "futural")     # other drawings (jittered)


def tilted(strokes_for, letter, font):
    return [s @ ROT.T for s in strokes_for(letter, font)]


def find(window, cls, name):
    w = window.findChild(cls, name)
    assert w is not None, name
    assert w.accessibleName() == name
    return w


@pytest.fixture
def samples_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERLAB_SAMPLES_DIR", str(tmp_path / "samples"))
    return tmp_path / "samples"


@pytest.fixture
def samples_window(samples_dir, window):
    """conftest's main window, built with an empty sample set of its own."""
    return window


def evaluate(net, data: Dataset):
    return evaluate_arrays(net, data.x, data.y)


def held_out_style(strokes_for, render) -> Dataset:
    """Tilted letters in other fonts, jittered: the same style, drawings it never saw."""
    rng = np.random.default_rng(7)
    x, y = [], []
    for k, c in enumerate(LETTERS):
        for font in HELD_OUT_FONTS:
            x.append(normalize(render(tilted(strokes_for, c, font), size=200, rng=rng)))
            y.append(k)
    return Dataset(np.asarray(x, np.float32), np.asarray(y), [], None)


def test_draw_add_finetune_reads_the_style_better(samples_window, qtbot, strokes_for, render):
    w = samples_window
    w.tabs.setCurrentWidget(w.draw_tab)
    canvas = find(w, QWidget, "canvas")
    chooser = find(w, QComboBox, "sampleLetter")
    add = find(w, QPushButton, "addSampleButton")
    counter = find(w, QLabel, "sampleCount")
    prediction = find(w, QLabel, "prediction")
    shipped = w.state.active
    held_out = held_out_style(strokes_for, render)
    before = evaluate(shipped.network, held_out).accuracy
    val_before = evaluate(shipped.network, w.state.validation).accuracy
    assert not add.isEnabled()                     # nothing drawn yet

    preset_checked = 0
    for c in LETTERS:
        for i, font in enumerate(DRAWN_FONTS):
            drag_strokes(qtbot, canvas, tilted(strokes_for, c, font))
            qtbot.waitUntil(lambda: prediction.text() != "", timeout=2000)
            assert add.isEnabled()
            # The chooser starts at the network's guess (often wrong for this style) ...
            assert chooser.currentText() == prediction.text()
            preset_checked += 1
            # ... and a letter key typed on the canvas picks the right one.
            qtbot.keyClick(canvas, c.lower())
            assert chooser.currentText() == c
            if i % 2:
                qtbot.mouseClick(add, Qt.LeftButton)
            else:
                qtbot.keyClick(canvas, Qt.Key_Return)
            assert canvas.is_empty()                 # cleared for the next one
            assert counter.text() == f"{i + 1} {c} in my samples"
    assert preset_checked == 78
    assert w.samples.counts() == dict.fromkeys(LETTERS, 3)
    view = find(w, QWidget, "samplesView")
    view.refresh()
    assert len(view.shown_names()) == 78 and view.prompt.text() == ""

    # Fine-tune: "Include my samples" is on (we have samples), tick "Continue from the active
    # model", then Start. (6 epochs: the test data set is 1248 images, not 8000.)
    tab = w.train_tab
    w.tabs.setCurrentWidget(tab)
    include, tune = find(w, QCheckBox, "includeSamples"), find(w, QCheckBox, "fineTune")
    assert include.isChecked()
    qtbot.mouseClick(tune, Qt.LeftButton)
    assert tune.isChecked() and not tab.form.hidden_edit.isEnabled()
    assert tab.form.config().spec.to_dict() == shipped.network.spec.to_dict()
    tab.form.epochs_spin.setValue(6)
    qtbot.mouseClick(find(w, QPushButton, "startButton"), Qt.LeftButton)
    run = tab.run
    qtbot.waitUntil(lambda: not tab.is_running(), timeout=120000)

    assert run.state == "finished", run.message
    epochs, acc = run.series["samples_accuracy"].data()
    assert list(epochs) == list(range(7)) and acc[-1] > acc[0]     # epoch 0 (the shipped model) to 6
    assert "samples_accuracy" in tab.plots.curves[run.id]     # drawn beside validation
    assert "trained on them" in tab.plots.accuracy_plot.getPlotItem().titleLabel.text
    tuned = run.network
    after = evaluate(tuned, held_out).accuracy
    val_after = evaluate(tuned, w.state.validation).accuracy
    print(f"held-out tilted drawings {100 * before:.1f} -> {100 * after:.1f} %; "
          f"validation {100 * val_before:.1f} -> {100 * val_after:.1f} %")
    assert after >= before + 0.05
    assert abs(val_after - val_before) <= 0.01
    # It reads the samples better and kept validation: it became active, Undo goes back.
    assert w.state.active is run and run.metadata["fine_tuned_from"] == shipped.name
    assert tab._undo is not None
    # Untick: the form gets its own settings back and is editable again.
    qtbot.mouseClick(tune, Qt.LeftButton)
    assert tab.form.hidden_edit.isEnabled()


def test_samples_view_delete_undo_export_import_and_mistakes(samples_window, qtbot, strokes_for,
                                                              tmp_path):
    w = samples_window
    w.tabs.setCurrentWidget(w.draw_tab)
    canvas = w.draw_tab.canvas
    for c in "LT":
        drag_strokes(qtbot, canvas, strokes_for(c, "futural"))
        qtbot.keyClick(canvas, c.lower())
        qtbot.keyClick(canvas, Qt.Key_Return)
    view = find(w, QWidget, "samplesView")
    w.tabs.setCurrentWidget(view)
    assert view.count_buttons["L"].text() == "L\n1" and "None yet of: A B C" in view.prompt.text()
    assert not find(w, QPushButton, "addSampleButton").isEnabled()    # the canvas was cleared

    # Delete the L, undo.
    view.show_letter("L")
    assert len(view.shown_names()) == 1
    view.gallery.item(0).setSelected(True)
    qtbot.mouseClick(view.delete_button, Qt.LeftButton)
    assert w.samples.counts()["L"] == 0 and view.shown_names() == []
    qtbot.mouseClick(view.undo_button, Qt.LeftButton)
    assert w.samples.counts()["L"] == 1 and len(view.shown_names()) == 1

    # Export, then import into an emptied set: all back, nothing twice.
    archive = tmp_path / "mine.tar.gz"
    assert view.export_to(archive) and archive.is_file()
    w.samples.remove([e.name for e in w.samples.set.entries()])
    assert w.samples.total() == 0
    assert view.import_from(archive) and w.samples.total() == 2
    assert view.import_from(archive) and w.samples.total() == 2
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not an archive")
    assert not view.import_from(bad) and w.samples.total() == 2
    find(w, QWidget, "errorDialog").close()

    # Mistakes: study my samples, then a list file, then a bad list file.
    mt = w.mistakes_tab
    assert mt.study_samples()
    qtbot.waitUntil(lambda: mt.evaluation is not None and len(mt.evaluation.labels) == 2 and not mt.is_busy(),
                    timeout=10000)
    assert mt.summary.text().startswith("Your 2 samples: accuracy")
    mt.study_list(w.state.data_root / "test.txt")          # read in the background
    qtbot.waitUntil(lambda: mt.evaluation is not None and len(mt.evaluation.labels) == 26 * 4
                    and not mt.is_busy(), timeout=10000)
    assert mt.summary.text().startswith("test.txt: accuracy")
    hostile = tmp_path / "list.txt"
    hostile.write_text("../../etc/passwd 3\n")
    mt.study_list(hostile)
    qtbot.waitUntil(lambda: not mt.is_busy() and w.findChild(QWidget, "errorDialog") is not None, timeout=10000)
    assert mt.study_data() is w.state.validation
    find(w, QWidget, "errorDialog").close()


def test_sample_counts_follow_changes_made_outside_the_app(qtbot, tmp_path):
    """The Draw tab asks for the counts after every stroke; they are cached, but a sample
    added meanwhile by `letterlab samples add` (another SampleSet on the folder) shows."""
    from gui.samples_view import SamplesStore
    from model.samples import SampleSet

    store = SamplesStore(tmp_path / "samples")
    assert store.counts()["A"] == 0
    ink = np.full((60, 60), 255, np.uint8)
    ink[10:50, 28:32] = 0
    store.add(ink, "I")
    assert store.counts()["I"] == 1
    other = SampleSet(tmp_path / "samples")
    other.add(np.rot90(ink).copy(), "H")
    assert store.counts()["H"] == 1 and store.counts()["I"] == 1
    other.remove([e.name for e in other.entries() if e.letter == "I"])
    assert store.counts()["I"] == 0 and store.total() == 1
