"""Fixtures for the GUI tests: a small letter data set and real weights, a temporary
settings location, a main window, and a guard that fails any test leaving a thread behind.

The data set is drawn from Hershey stroke fonts with a round pen of the shipped pen
fraction and passed through the shared ``normalize`` — the same path a drawing on the
canvas takes — so a network trained on it reads letters drawn with the mouse.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from model import LETTERS
from model.data import write_split

TEST_FONTS = ("futural", "futuram", "rowmans", "rowmand", "timesr", "timesrb")
REPO = Path(__file__).resolve().parents[2]
SHIPPED_WEIGHTS = REPO / "weights" / "default.npz"


def letter_strokes(letter: str, font: str = "futural") -> list[np.ndarray]:
    """The glyph's strokes as ``(k, 2)`` arrays in cap-height units (y down, centred)."""
    from HersheyFonts import HersheyFonts

    f = HersheyFonts()
    f.load_default_font(font)
    strokes = [np.asarray(s, float) for s in f.all_glyphs[letter].strokes if len(s)]
    pts = np.concatenate(strokes)
    centre = (pts.min(0) + pts.max(0)) / 2
    height = 21.0   # cap line -12 to base line 9
    return [(s - centre) / height for s in strokes]


def render_strokes(strokes, size: int = 96, height: float = 0.6, pen_fraction: float | None = None,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """Draw strokes black-on-white with a round pen; optional random jitter. ``(size, size)`` uint8."""
    from model.preprocess import DEFAULT_PEN_FRACTION

    pen_fraction = DEFAULT_PEN_FRACTION if pen_fraction is None else pen_fraction
    a = np.eye(2)
    shift = np.zeros(2)
    h = height * size
    if rng is not None:
        ang = rng.normal(0, 0.08)
        shear = rng.normal(0, 0.1)
        a = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]]) @ np.array([[1, shear], [0, 1]])
        a = a * np.array([rng.uniform(0.8, 1.15), 1.0])
        h *= rng.uniform(0.8, 1.1)
        shift = rng.normal(0, 0.05 * size, 2)
    width = max(1, int(round(pen_fraction * h)))
    img = Image.new("L", (size, size), 255)
    d = ImageDraw.Draw(img)
    for s in strokes:
        p = (s @ a.T) * h + size / 2 + shift
        pts = [tuple(q) for q in p]
        if len(pts) > 1:
            d.line(pts, fill=0, width=width, joint="curve")
        for x, y in (pts[0], pts[-1]):
            d.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=0)
    return np.asarray(img)


def make_dataset(root: Path, per_letter: dict[str, int], seed: int = 0) -> Path:
    """Write a small data set in the tutorial's format (train/validate/test)."""
    from model.preprocess import normalize

    rng = np.random.default_rng(seed)
    glyphs = {(c, f): letter_strokes(c, f) for c in LETTERS for f in TEST_FONTS}
    for split, n in per_letter.items():
        names, rows, labels = [], [], []
        for k, c in enumerate(LETTERS):
            for i in range(n):
                font = TEST_FONTS[i % len(TEST_FONTS)]
                img = render_strokes(glyphs[c, font], rng=rng)
                rows.append(normalize(img))
                names.append(f"{split}_{c}_{i:03d}")
                # A few validation images carry a wrong label, so even a perfect model
                # has mistakes for the Mistakes tab to list.
                wrong = split == "validate" and i == n - 1 and k % 3 == 0
                labels.append((k + 1) % 26 if wrong else k)
        write_split(root, split, names, rows, labels)
    return root


def answer_when_shown(find_box, act) -> list:
    """Answer the modal dialog ``find_box()`` returns with ``act(box)`` once it shows (polled
    from the event loop: the window's ``exec()`` blocks the test meanwhile); returns a list
    that receives the dialog's text."""
    from PySide6.QtCore import QTimer

    seen = []

    def poll():
        box = find_box()
        if box is None or not box.isVisible():
            QTimer.singleShot(20, poll)
            return
        seen.append(box.text() if hasattr(box, "text") else box.objectName())
        act(box)

    QTimer.singleShot(0, poll)
    return seen


def visible_child(window, cls, name):
    """The visible child of ``window`` of class ``cls`` named ``name``, or None."""
    return next((w for w in window.findChildren(cls, name) if w.isVisible()), None)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("letters")
    make_dataset(root, {"train": 48, "validate": 12, "test": 4})
    return root


@pytest.fixture(scope="session")
def weights_path(data_dir, tmp_path_factory) -> Path:
    """The shipped weights if they exist (or ``$LETTERLAB_TEST_WEIGHTS``), else a network
    trained here on the test data."""
    override = os.environ.get("LETTERLAB_TEST_WEIGHTS")
    if override:
        return Path(override)
    if SHIPPED_WEIGHTS.is_file():
        return SHIPPED_WEIGHTS
    from model.data import load_split
    from model.training import Trainer, preset_config
    from model.weights import save_weights

    train, val = load_split(data_dir, "train"), load_split(data_dir, "validate")
    cfg = preset_config("default", hidden=(128,), epochs=25, batch_size=32)
    trainer = Trainer(cfg, train.x, train.y, val.x, val.y, blas_threads=1)
    for _ in trainer.run():
        pass
    path = tmp_path_factory.mktemp("weights") / "test.npz"
    save_weights(trainer.network, path, **trainer.metadata())
    return path


@pytest.fixture(scope="session", autouse=True)
def _isolated_environment(tmp_path_factory, data_dir):
    """Settings in a temp folder; the default data set is the small one above."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path_factory.mktemp("settings")))
    old = os.environ.get("LETTERLAB_DATA_DIR")
    os.environ["LETTERLAB_DATA_DIR"] = str(data_dir)
    yield
    if old is None:
        os.environ.pop("LETTERLAB_DATA_DIR", None)
    else:
        os.environ["LETTERLAB_DATA_DIR"] = old


@pytest.fixture(scope="session", autouse=True)
def _english_plurals(qapp):
    """As ``main()`` does for English: the app's English plural forms ("1 run", "2 runs")."""
    from gui import i18n

    i18n.install(qapp, "en")
    yield


@pytest.fixture(autouse=True)
def session_folder(tmp_path_factory, monkeypatch) -> Path:
    """Every test has its own empty session folder (gui.session): no test reads or writes
    the user's, and a window starts with no runs from an earlier test."""
    folder = tmp_path_factory.mktemp("session")
    monkeypatch.setenv("LETTERLAB_SESSION_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def fresh_settings():
    """Every test starts from empty settings (a test of persistence writes them)."""
    from PySide6.QtCore import QSettings

    QSettings("LetterLab", "LetterLab").clear()
    yield


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail any test that leaves a worker thread running (after joining it, so the
    interpreter never sees 'QThread destroyed while running')."""
    yield
    from gui.worker import running_workers

    left = running_workers()
    if left:
        names = [w.objectName() for w in left]
        for w in left:
            w.stop_and_wait(30000)
        pytest.fail(f"test left worker threads running: {names}")


@pytest.fixture
def window(qtbot, weights_path):
    """The main window with real weights and data, after its start-up work is done."""
    from gui.app import MainWindow

    w = MainWindow(weights=weights_path)
    w.ask_before_quit = False      # unsaved runs are the test's own (a quit test turns it on)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=20000)
    yield w
    w.ask_before_quit = False
    w.close()


@pytest.fixture(scope="session")
def strokes_for():
    return letter_strokes


@pytest.fixture(scope="session")
def render():
    return render_strokes
