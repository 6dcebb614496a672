"""Draw tab: draw a letter, see the network's input and its five best guesses live."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeySequence, QPainter, QPalette, QPixmap, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSpinBox, QVBoxLayout,
                               QWidget)

from model import LETTERS, SIDE, LetterLabError
from model.preprocess import EmptyImageError, normalize

from .canvas import Canvas, SquareHolder
from .state import AppState
from .widgets import (error_text, guarded, ink_to_qimage, named, remember_folder, show_error,
                      start_folder)

PREVIEW_SCALE = 8
TOP_K = 5
GUESS_HINT = "Esc clears; Ctrl+Z undoes, Ctrl+Shift+Z redoes; drop or paste (Ctrl+V) an image."


def guess_hint() -> str:
    """:data:`GUESS_HINT` in the interface's language."""
    return QCoreApplication.translate(
        "DrawTab", "Esc clears; Ctrl+Z undoes, Ctrl+Shift+Z redoes; drop or paste (Ctrl+V) an image.")

#: Below this probability of its best guess the tab says "not sure" and greys the letter.
#: Measured with the shipped conv net (label smoothing 0.1) — see the README, "Not sure":
#: on the generated validation split (10,000 images) 0.6 % of the correctly read letters
#: fall below 0.6 and 80 % of the misread ones do; on the 520 mouse-drawn letters of
#: tools/people_proxy.py 0.4 % of the (all correct) letters do; of random scribbles drawn
#: on a 400 px canvas 82 % do (median 0.34), of random straight lines 57 %. 0.7 would flag
#: 1.5 % of correct letters for 9 % more scribbles. Dots (read as O at ~94 %) and slanted
#: lines are caught by the ink's shape instead (:func:`ink_shape`).
NOT_SURE_BELOW = 0.6


_AXIS = np.arange(SIDE, dtype=np.float64)


def ink_shape(x: np.ndarray) -> str | None:
    """``"dot"`` or ``"line"`` if the 17×17 input ``x`` is a blob or a straight slanted
    line, things no letter looks like; else None.

    From the ink's second moments: the ratio of the minor to the major axis, and the
    major axis' direction. A line is thin (ratio < 0.25), straight (every row and column
    holds one run of ink) and more than ~37° off vertical (a vertical line is an I). A dot
    is a filled round blob: ratio > 0.6, > 70 % of its box inked, one run per row and
    column. On the 10,000 validation images and the 520 mouse drawings neither fires;
    it catches every dot and 83 % of random slanted lines (tests/gui/test_details.py)."""
    a = np.asarray(x, np.float64).reshape(SIDE, SIDE)
    ink_y, ink_x = a.sum(1), a.sum(0)      # the ink per row and per column
    w = ink_y.sum()
    if w <= 0:
        return None
    dy, dx = _AXIS - (ink_y @ _AXIS) / w, _AXIS - (ink_x @ _AXIS) / w
    sxy = dy @ a @ dx
    cov = np.array([[ink_y @ (dy * dy), sxy], [sxy, ink_x @ (dx * dx)]]) / w
    ev, vec = np.linalg.eigh(cov)
    if ev[1] <= 0:
        return "dot"
    ratio = float(np.sqrt(max(ev[0], 0.0) / ev[1]))
    steep = abs(float(vec[0, 1]))          # |dy| of the major axis: 1 vertical, 0 level
    if not (ratio > 0.6 or (ratio < 0.25 and steep < 0.8)):
        return None                        # most letters end here, before the run counts
    m = a > 0.5
    if not m.any():
        return None
    mi = m.astype(np.int8)
    starts = ((np.diff(mi, axis=1, prepend=0) == 1).sum(1), (np.diff(mi, axis=0, prepend=0) == 1).sum(0))
    if max(starts[0].max(), starts[1].max()) > 1:    # a row or column with two runs of ink
        return None
    rows, cols = np.flatnonzero(m.any(1)), np.flatnonzero(m.any(0))
    fill = m.sum() / ((rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1))
    if ratio > 0.6 and fill > 0.7:
        return "dot"
    if ratio < 0.25 and steep < 0.8:
        return "line"
    return None


def doubt(x: np.ndarray, p: np.ndarray) -> str | None:
    """Why the guess for input ``x`` with probabilities ``p`` should not be trusted, or None."""
    shape = ink_shape(x)
    if shape is not None:
        translate = QCoreApplication.translate
        return (translate("DrawTab", "it looks like a dot") if shape == "dot"
                else translate("DrawTab", "it looks like a line"))
    top = float(np.max(p))
    if top < NOT_SURE_BELOW:
        return QCoreApplication.translate("DrawTab", "the best guess has only {percent} %").format(
            percent=f"{100 * top:.0f}")
    return None


def paper_from_pil(im) -> np.ndarray:
    """A PIL image as dark ink on white paper, ``(h, w)`` uint8, whatever its polarity:
    transparency counts as paper, and an image whose ink is only in its alpha channel
    (a white letter on a transparent background) is read from the alpha."""
    from model.data import gray_array
    from model.preprocess import ink_image, is_empty

    gray = gray_array(im)
    if is_empty(gray) and ("A" in im.getbands() or "transparency" in im.info):
        gray = 255 - np.asarray(im.convert("RGBA"))[..., 3]
    ink = ink_image(gray)
    return np.round(255.0 * (1.0 - np.clip(ink, 0.0, 1.0))).astype(np.uint8)


def qimage_to_pil(img: QImage):
    """A QImage (e.g. from the clipboard) as an RGBA PIL image (a copy). Refuses images
    above the data reader's pixel limit, like :func:`model.data.open_image`."""
    from PIL import Image

    from model.data import MAX_IMAGE_PIXELS, DataError

    w, h = img.width(), img.height()
    if w <= 0 or h <= 0:
        raise DataError(QCoreApplication.translate("DrawTab", "the clipboard's image is empty"))
    if w * h > MAX_IMAGE_PIXELS:
        raise DataError(QCoreApplication.translate("DrawTab", "the image is {w}x{h} pixels; the limit is {limit} "
                                                   "pixels").format(w=w, h=h, limit=MAX_IMAGE_PIXELS))
    img = img.convertToFormat(QImage.Format_RGBA8888)
    bpl = img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=bpl * h).reshape(h, bpl)
    return Image.fromarray(np.ascontiguousarray(buf[:, :4 * w].reshape(h, w, 4)), "RGBA")


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
    statusMessage = Signal(str, int)   # text, milliseconds (the window's status bar)

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.canvas = Canvas()
        self.last_input: np.ndarray | None = None
        self.last_probabilities: np.ndarray | None = None

        self.pen_spin = QSpinBox()
        self.pen_spin.setRange(2, 80)
        self.pen_spin.setValue(round(self.canvas.pen_width))
        self.pen_spin.setSuffix(self.tr(" px"))
        self.pen_spin.setToolTip(self.tr("Pen width (on a 400 px canvas; it scales with the canvas). "
                                         "The default matches the stroke width of the training images."))
        self.pen_spin.valueChanged.connect(self.canvas.set_pen_width)
        self.canvas.set_pen_width(self.pen_spin.value())

        self.clear_button = named(QPushButton(self.tr("Clear")), "clearButton")
        self.clear_button.setToolTip(self.tr("Clear the canvas (Esc or Delete)"))
        self.undo_button = named(QPushButton(self.tr("Undo")), "undoButton")
        self.undo_button.setToolTip(self.tr("Take back the last stroke, clear or pasted image (Ctrl+Z)"))
        self.save_button = named(QPushButton(self.tr("Save PNG…")), "saveDrawingButton")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.save_button.clicked.connect(self._save_dialog)

        for seq in (Qt.Key_Escape, Qt.Key_Delete):
            sc = QShortcut(QKeySequence(seq), self, self.canvas.clear)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
        sc = QShortcut(QKeySequence.Undo, self, self.canvas.undo)
        sc.setContext(Qt.WidgetWithChildrenShortcut)
        self._build_details()

        # Right side: what the network sees and what it says.
        self.preview = named(QLabel(), "inputPreview")
        self.preview.setFixedSize(SIDE * PREVIEW_SCALE + 2, SIDE * PREVIEW_SCALE + 2)
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setStyleSheet("border: 1px solid #999; background: white;")
        self.preview.setToolTip(self.tr("The 17×17 input exactly as the network receives it"))

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

        guess_box = QGroupBox(self.tr("Network's guess"))
        gl = QVBoxLayout(guess_box)
        top = QHBoxLayout()
        pv = QVBoxLayout()
        pv.addWidget(QLabel(self.tr("Input (17×17)")))
        pv.addWidget(self.preview)
        top.addLayout(pv)
        top.addStretch(1)
        top.addWidget(self.prediction)
        top.addStretch(1)
        gl.addLayout(top)
        gl.addWidget(QLabel(self.tr("Top five")))
        gl.addLayout(bars)
        gl.addWidget(self.message)
        gl.addStretch(1)

        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Pen")))
        tools.addWidget(self.pen_spin)
        tools.addStretch(1)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.redo_button)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.save_button)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Draw a capital letter:")))
        left.addWidget(SquareHolder(self.canvas), 1)     # grows with the window, square
        left.addLayout(tools)
        left.addWidget(self._build_sample_row())

        guess_box.setMaximumWidth(560)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 1)
        lay.addWidget(guess_box, 1)

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

    # -- details (issue 12): redo, drop/paste, not sure ----------------------------------
    def _build_details(self) -> None:
        """Redo (button, Ctrl+Shift+Z and Ctrl+Y), paste (Ctrl+V), drops onto the canvas."""
        self.redo_button = named(QPushButton(self.tr("Redo")), "redoButton")
        self.redo_button.setToolTip(self.tr("Do again what Undo took back (Ctrl+Shift+Z or Ctrl+Y)"))
        self.redo_button.clicked.connect(self.canvas.redo)
        for seq in (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")):
            sc = QShortcut(seq, self, self.canvas.redo)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
        sc = QShortcut(QKeySequence.Paste, self, self.paste)
        sc.setContext(Qt.WidgetWithChildrenShortcut)
        self.canvas.setAcceptDrops(True)
        self.canvas.mimeDropped.connect(self.load_mime)
        self.canvas.historyChanged.connect(self._history_changed)
        self.state.drawRequested.connect(self.show_input)
        self.not_sure = False          # the big letter is greyed (it starts in the normal colour)
        self._history_changed()

    def _history_changed(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())

    @guarded
    def paste(self) -> None:
        """Classify the clipboard's image (or image file)."""
        self.load_mime(QApplication.clipboard().mimeData())

    @guarded
    def load_mime(self, mime) -> None:
        """Put the image in ``mime`` (a dropped or pasted file or image) on the canvas."""
        from model.data import open_image

        try:
            files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []
            if files:
                with open_image(files[0]) as im:
                    paper = paper_from_pil(im)
                what = Path(files[0]).name
            elif mime.hasImage():
                paper = paper_from_pil(qimage_to_pil(QImage(mime.imageData())))
                what = self.tr("the pasted image")
            else:
                self.message.setText(self.tr("Nothing to use: drop or paste an image (PNG or JPEG)."))
                return
            if paper.min() > 255 * 0.75:
                raise EmptyImageError(self.tr("{what} has no ink: it looks blank").format(what=what))
        except (LetterLabError, OSError, ValueError) as e:
            show_error(self, self.tr("Cannot use this image"),
                       self.tr("The canvas is unchanged.") + "\n\n" + error_text(e))
            return
        self.canvas.set_image(paper)
        self.canvas.setFocus()          # so Ctrl+Z takes the drop back at once
        self.statusMessage.emit(self.tr("Classifying {what} (Ctrl+Z takes it back)").format(what=what), 5000)

    def show_input(self, x) -> None:
        """Put a 17×17 input (e.g. a misread image from the Mistakes tab) on the canvas, to
        edit with the pen (undoable)."""
        ink = np.clip(np.asarray(x, np.float32).reshape(SIDE, SIDE), 0.0, 1.0)
        self.canvas.set_image(np.round(255.0 * (1.0 - ink)).astype(np.uint8))

    def _show_doubt(self, reason: str | None) -> None:
        """Grey the big letter and say why when the guess should not be trusted."""
        grey = reason is not None
        if grey != self.not_sure:
            pal = self.prediction.palette()         # a new palette re-polishes: only on a change
            pal.setColor(QPalette.WindowText, QColor("#b4b4b4") if grey else
                         self.palette().color(QPalette.WindowText))
            self.prediction.setPalette(pal)
        self.not_sure = grey
        self.prediction.setToolTip(self.tr("Not sure: {reason}").format(reason=reason) if reason else "")
        if reason:
            self.message.setText(self.tr("Not sure — is it a letter? ({reason})").format(reason=reason))

    # -- my samples (issue 10): label the drawing and keep it -------------------------
    def _build_sample_row(self) -> QWidget:
        """Letter chooser (preset to the top guess; typing a letter picks it), "Add to my
        samples" (Enter) and how many of that letter you have. Works once a
        :class:`gui.samples_view.SamplesStore` is attached (:meth:`attach_samples`)."""
        self.samples = None
        self._letter_typed = False
        self.sample_letter = named(QComboBox(), "sampleLetter")
        self.sample_letter.addItems(list(LETTERS))
        self.sample_letter.setToolTip(self.tr("The letter this drawing shows: preset to the network's guess; "
                                              "type a letter key to change it"))
        self.sample_letter.activated.connect(self._letter_picked)
        self.sample_letter.currentIndexChanged.connect(self._update_sample_row)
        self.add_sample_button = named(QPushButton(self.tr("Add to my samples")), "addSampleButton")
        self.add_sample_button.setToolTip(self.tr("Keep this drawing with the chosen letter, for fine-tuning (Enter)"))
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
        box = QGroupBox(self.tr("Teach it your handwriting"))
        row = QHBoxLayout(box)
        row.addWidget(QLabel(self.tr("This is")))
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
        self.sample_count.setText(self.tr("{n} {letter} in my samples").format(n=n, letter=letter))

    @guarded
    def add_sample(self) -> None:
        """Add the canvas as a sample of the chosen letter, then clear it for the next one."""
        if self.samples is None or self.canvas.is_empty():
            return
        letter = self.sample_letter.currentText()
        try:
            self.samples.add(self.canvas.to_array(), letter)
        except (LetterLabError, OSError) as e:
            self.message.setText(self.tr("Not added: {error}").format(error=error_text(e)))
            return
        self.canvas.clear()
        self.message.setText(self.tr("Added as {letter}. Draw the next one.").format(letter=letter))
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
            self.message.setText(self.tr("No model loaded: open weights (Ctrl+O) or train one.")
                                 if net is None else self.tr("Draw a capital letter A–Z."))
        else:
            p = net.predict_proba(x[None, :])[0]
            self.last_probabilities = p
            order = np.argsort(-p)[:TOP_K]
            self.prediction.setText(LETTERS[order[0]])
            for i, (lab, bar) in enumerate(zip(self.bar_letters, self.bars)):
                k = order[i]
                lab.setText(LETTERS[k])
                bar.set_value(float(p[k]))
            self.message.setText(guess_hint())
        self._show_doubt(None if x is None or self.last_probabilities is None
                         else doubt(x, self.last_probabilities))
        self.guessed.emit()

    @guarded
    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save drawing"), str(self.suggested_png()),
                                              self.tr("PNG images (*.png)"))
        if path:
            self.save_png_to(path)

    def suggested_png(self) -> Path:
        """Where Save PNG proposes to save: the last folder used (else the user's documents),
        a name from the guess and the time, e.g. ``letter-R-20240131-154502.png``."""
        guess = self.prediction.text() if self.prediction.text() and not self.not_sure else "unsure"
        name = f"letter-{guess}-{time.strftime('%Y%m%d-%H%M%S')}.png"
        return Path(start_folder("draw/save_dir")) / name

    def save_png_to(self, path) -> bool:
        """Save the canvas as ``path`` (``.png`` added), remember its folder, confirm in the
        status bar; a failure is a dialog. True if saved."""
        path = str(path)
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            self.canvas.save_png(path)
        except OSError as e:
            show_error(self, self.tr("Cannot save drawing"),
                       self.tr("The drawing was not saved.") + "\n\n" + error_text(e))
            return False
        remember_folder("draw/save_dir", path)
        self.statusMessage.emit(self.tr("Saved the drawing as {path}").format(path=path), 8000)
        return True

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
