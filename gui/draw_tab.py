"""Draw tab: draw a letter, see the network's input and its five best guesses live."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from model import LETTERS, SIDE
from model.preprocess import EmptyImageError, normalize

from .canvas import Canvas
from .state import AppState
from .widgets import error_text, guarded, ink_to_qimage, named, show_error

PREVIEW_SCALE = 8
TOP_K = 5
GUESS_HINT = "Esc or Delete clears the canvas; Ctrl+Z takes back the last stroke."


class ProbabilityBar(QWidget):
    """A horizontal bar with a percentage. Unlike QProgressBar (whose ``setValue`` repaints
    synchronously, ~0.7 ms each), it only schedules a repaint."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.value = 0.0
        self.setMinimumSize(120, 20)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def set_value(self, p: float) -> None:
        self.value = float(p)
        self.setToolTip(f"{100 * self.value:.1f} %" if self.value else "")
        self.update()

    def text(self) -> str:
        return f"{100 * self.value:.1f} %" if self.value else ""

    def paintEvent(self, e) -> None:
        p = QPainter(self)
        r = self.rect().adjusted(0, 2, -1, -3)
        p.setPen(QColor("#bbb"))
        p.setBrush(QColor("#f4f4f4"))
        p.drawRect(r)
        if self.value > 0:
            w = max(1, int(round(self.value * (r.width() - 1))))
            p.fillRect(r.x() + 1, r.y() + 1, w, r.height() - 1, QColor("#3b78c2"))
            p.setPen(QColor("#111") if self.value < 0.55 else QColor("white"))
            p.drawText(r.adjusted(6, 0, -6, 0), Qt.AlignVCenter | Qt.AlignLeft if self.value >= 0.55
                       else Qt.AlignVCenter | Qt.AlignRight, self.text())
        p.end()


class _LetterKeys(QObject):
    """Event filter: a plain letter key (no Ctrl/Alt) calls ``pick("R")`` and is consumed."""

    def __init__(self, pick) -> None:
        super().__init__()
        self._pick = pick

    def eventFilter(self, obj, e) -> bool:
        if e.type() == QEvent.KeyPress and not (e.modifiers() & (Qt.ControlModifier | Qt.AltModifier
                                                                 | Qt.MetaModifier)):
            t = e.text().upper()
            if len(t) == 1 and t in LETTERS:
                self._pick(t)
                return True
        return False


class DrawTab(QWidget):
    """Canvas on the left; the 17×17 input, the top letter and the top five on the right."""

    guessed = Signal()   # the guess shown was updated (or cleared)

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.canvas = Canvas()
        self.last_input: np.ndarray | None = None
        self.last_probabilities: np.ndarray | None = None

        self.pen_spin = QSpinBox()
        self.pen_spin.setRange(2, 80)
        self.pen_spin.setValue(round(self.canvas.pen_width))
        self.pen_spin.setSuffix(" px")
        self.pen_spin.setToolTip("Pen width. The default matches the stroke width of the training images.")
        self.pen_spin.valueChanged.connect(self.canvas.set_pen_width)
        self.canvas.set_pen_width(self.pen_spin.value())

        self.clear_button = named(QPushButton("Clear"), "clearButton")
        self.clear_button.setToolTip("Clear the canvas (Esc or Delete)")
        self.undo_button = named(QPushButton("Undo stroke"), "undoButton")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.save_button = named(QPushButton("Save PNG…"), "saveDrawingButton")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.save_button.clicked.connect(self._save_dialog)

        for seq in (Qt.Key_Escape, Qt.Key_Delete):
            sc = QShortcut(QKeySequence(seq), self, self.canvas.clear)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
        sc = QShortcut(QKeySequence.Undo, self, self.canvas.undo)
        sc.setContext(Qt.WidgetWithChildrenShortcut)

        # Right side: what the network sees and what it says.
        self.preview = named(QLabel(), "inputPreview")
        self.preview.setFixedSize(SIDE * PREVIEW_SCALE + 2, SIDE * PREVIEW_SCALE + 2)
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setStyleSheet("border: 1px solid #999; background: white;")
        self.preview.setToolTip("The 17×17 input exactly as the network receives it")

        self.prediction = named(QLabel(""), "prediction")
        f = QFont(self.prediction.font())
        f.setPointSize(48)
        f.setBold(True)
        self.prediction.setFont(f)
        self.prediction.setAlignment(Qt.AlignCenter)
        self.prediction.setFixedSize(120, 100)   # no relayout when the letter changes

        self.message = QLabel()
        # One line, fixed height, no word wrap: toggling a wrapped label's text made Qt
        # relayout the whole tab (2.7 ms on every first guess).
        self.message.setFixedHeight(24)
        self.message.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.message.setStyleSheet("color: #555;")

        bars = QGridLayout()
        self.bar_letters: list[QLabel] = []
        self.bars: list[ProbabilityBar] = []
        for i in range(TOP_K):
            lab = QLabel("")
            lab.setFixedSize(18, 20)   # fixed: a text change must not relayout the window
            bar = ProbabilityBar()
            bar.setObjectName(f"guessBar{i}")
            bars.addWidget(lab, i, 0)
            bars.addWidget(bar, i, 1)
            self.bar_letters.append(lab)
            self.bars.append(bar)

        guess_box = QGroupBox("Network's guess")
        gl = QVBoxLayout(guess_box)
        top = QHBoxLayout()
        pv = QVBoxLayout()
        pv.addWidget(QLabel("Input (17×17)"))
        pv.addWidget(self.preview)
        top.addLayout(pv)
        top.addStretch(1)
        top.addWidget(self.prediction)
        top.addStretch(1)
        gl.addLayout(top)
        gl.addWidget(QLabel("Top five"))
        gl.addLayout(bars)
        gl.addWidget(self.message)
        gl.addStretch(1)

        tools = QHBoxLayout()
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_spin)
        tools.addStretch(1)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.save_button)

        left = QVBoxLayout()
        left.addWidget(QLabel("Draw a capital letter:"))
        left.addWidget(self.canvas, 0, Qt.AlignLeft | Qt.AlignTop)
        left.addLayout(tools)
        left.addWidget(self._build_sample_row())
        left.addStretch(1)

        guess_box.setMaximumWidth(620)
        lay = QHBoxLayout(self)
        lay.addLayout(left)
        lay.addWidget(guess_box, 1)
        lay.addStretch(0)

        # Live guess while drawing: at most ~20 per second; at once when a stroke ends.
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(50)
        self._throttle.timeout.connect(self.update_guess)
        self.canvas.changed.connect(self._schedule)
        self.canvas.strokeFinished.connect(self.update_guess)
        self.canvas.cleared.connect(self.update_guess)
        state.modelChanged.connect(self.update_guess)
        self.update_guess()

    # -- my samples (issue 10): label the drawing and keep it -------------------------
    def _build_sample_row(self) -> QWidget:
        """Letter chooser (preset to the top guess; typing a letter picks it), "Add to my
        samples" (Enter) and how many of that letter you have. Works once a
        :class:`gui.samples_view.SamplesStore` is attached (:meth:`attach_samples`)."""
        self.samples = None
        self._letter_typed = False
        self.sample_letter = named(QComboBox(), "sampleLetter")
        self.sample_letter.addItems(list(LETTERS))
        self.sample_letter.setToolTip("The letter this drawing shows: preset to the network's guess; "
                                      "type a letter key to change it")
        self.sample_letter.activated.connect(self._letter_picked)
        self.sample_letter.currentIndexChanged.connect(self._update_sample_row)
        self.add_sample_button = named(QPushButton("Add to my samples"), "addSampleButton")
        self.add_sample_button.setToolTip("Keep this drawing with the chosen letter, for fine-tuning (Enter)")
        self.add_sample_button.clicked.connect(self.add_sample)
        self.sample_count = named(QLabel(""), "sampleCount")
        self.sample_count.setFixedWidth(170)
        for key in (Qt.Key_Return, Qt.Key_Enter):
            sc = QShortcut(QKeySequence(key), self, self.add_sample)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
        self._letter_keys = _LetterKeys(self._letter_key)
        self.installEventFilter(self._letter_keys)
        self.canvas.installEventFilter(self._letter_keys)
        self.guessed.connect(self._preset_sample_letter)
        self.canvas.cleared.connect(self._drawing_cleared)
        box = QGroupBox("Teach it your handwriting")
        row = QHBoxLayout(box)
        row.addWidget(QLabel("This is"))
        row.addWidget(self.sample_letter)
        row.addWidget(self.add_sample_button)
        row.addWidget(self.sample_count)
        row.addStretch(1)
        self._update_sample_row()
        return box

    def attach_samples(self, store) -> None:
        """Use ``store`` (a :class:`gui.samples_view.SamplesStore`) for "Add to my samples"."""
        self.samples = store
        store.changed.connect(self._update_sample_row)
        self._update_sample_row()

    def _letter_picked(self, *_) -> None:
        self._letter_typed = True

    def _letter_key(self, letter: str) -> None:
        self.sample_letter.setCurrentIndex(LETTERS.index(letter))
        self._letter_typed = True

    def _drawing_cleared(self) -> None:
        self._letter_typed = False

    def _preset_sample_letter(self) -> None:
        p = self.last_probabilities
        if p is not None and not self._letter_typed:
            self.sample_letter.setCurrentIndex(int(np.argmax(p)))
        self._update_sample_row()

    def _update_sample_row(self, *_) -> None:
        letter = self.sample_letter.currentText()
        ready = self.samples is not None and not self.canvas.is_empty()
        self.add_sample_button.setEnabled(ready)
        if self.samples is None:
            self.sample_count.setText("")
            return
        n = self.samples.counts().get(letter, 0)
        self.sample_count.setText(f"{n} {letter} in my samples")

    @guarded
    def add_sample(self) -> None:
        """Add the canvas as a sample of the chosen letter, then clear it for the next one."""
        if self.samples is None or self.canvas.is_empty():
            return
        letter = self.sample_letter.currentText()
        from model import LetterLabError

        try:
            self.samples.add(self.canvas.to_array(), letter)
        except (LetterLabError, OSError) as e:
            self.message.setText(f"Not added: {error_text(e)}")
            return
        self.canvas.clear()
        self.message.setText(f"Added as {letter}. Draw the next one.")
        self._update_sample_row()

    def _schedule(self) -> None:
        if not self._throttle.isActive():
            self._throttle.start()

    # -- the guess ----------------------------------------------------------------------
    def update_guess(self) -> None:
        """Normalise the canvas, run the active network, show input and top five."""
        self._throttle.stop()
        x = None
        if not self.canvas.is_empty():
            try:
                x = normalize(self.canvas.to_array())
            except EmptyImageError:
                x = None
        self.last_input = x
        if x is None:
            self.preview.clear()
        else:
            self.preview.setPixmap(QPixmap.fromImage(ink_to_qimage(x)).scaled(
                SIDE * PREVIEW_SCALE, SIDE * PREVIEW_SCALE, Qt.IgnoreAspectRatio, Qt.FastTransformation))
        net = self.state.network
        if x is None or net is None:
            self.last_probabilities = None
            self.prediction.setText("")
            for lab, bar in zip(self.bar_letters, self.bars):
                lab.setText("")
                bar.set_value(0.0)
            self.message.setText("No model loaded: open weights (Ctrl+O) or train one."
                                 if net is None else "Draw a capital letter A–Z.")
        else:
            p = net.predict_proba(x[None, :])[0]
            self.last_probabilities = p
            order = np.argsort(-p)[:TOP_K]
            self.prediction.setText(LETTERS[order[0]])
            for i, (lab, bar) in enumerate(zip(self.bar_letters, self.bars)):
                k = order[i]
                lab.setText(LETTERS[k])
                bar.set_value(float(p[k]))
            self.message.setText(GUESS_HINT)
        self.guessed.emit()

    @guarded
    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save drawing", "letter.png", "PNG images (*.png)")
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            self.canvas.save_png(path)
        except OSError as e:
            show_error(self, "Cannot save drawing", f"The drawing was not saved.\n\n{error_text(e)}")

    # -- settings (the window stores them; the tab knows its own) -----------------------
    def save_settings(self, s) -> None:
        s.setValue("draw/pen_width", self.pen_spin.value())

    def load_settings(self, s) -> None:
        try:
            pen = s.value("draw/pen_width")
            if pen is not None:
                self.pen_spin.setValue(int(float(pen)))
        except (TypeError, ValueError):
            pass
