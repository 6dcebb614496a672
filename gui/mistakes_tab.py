"""Mistakes tab: the active network on the validation split — accuracy, a clickable
26×26 confusion matrix with each letter's accuracy beside it, and a gallery of every
misread image (sorted most confidently wrong first, or by letter; double-click for a larger
view and "Open in Draw"). The arrow keys move over the matrix and the gallery follows."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PySide6.QtCore import (QAbstractListModel, QAbstractTableModel, QCoreApplication, QEvent, QModelIndex,
                            QSize, Qt, Signal)
from PySide6.QtGui import QColor, QFont, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QListView, QPushButton, QSizePolicy, QTableView, QVBoxLayout, QWidget)

from model import LETTERS, LetterLabError
from model.data import Dataset
from model.evaluation import Evaluation, evaluate

from .state import AppState
from .widgets import error_text, guarded, ink_to_qimage, named, show_error
from .worker import Worker

THUMB = 68        # 17 × 4, nearest-neighbour
CELL = 18         # the smallest matrix cell; it grows with the window (MistakesTab._fit_matrix)
ACC_COLUMN = 26   # the matrix's last column: the row letter's accuracy
GRID = QSize(THUMB + 70, THUMB + 30)
SORTS = (("surest first", "confidence"), ("true letter", "letter"), ("predicted letter", "predicted"))


def sort_labels() -> dict[str, str]:
    """The sort choices' labels (:data:`SORTS`' keys) in the interface's language."""
    translate = QCoreApplication.translate
    return {"confidence": translate("MistakesTab", "surest first"),
            "letter": translate("MistakesTab", "true letter"),
            "predicted": translate("MistakesTab", "predicted letter")}


def list_job(ctx, path: Path) -> Iterator[Dataset]:
    """Read any list file (untrusted: the one list reader, with its checks and progress)."""
    from model.data import read_list
    from model.preprocess import normalize

    yield read_list(path, progress=ctx.report, normalize=normalize)


def evaluation_job(ctx, network, data) -> Iterator[Evaluation]:
    """The one evaluation (:func:`model.evaluation.evaluate`), with progress. (BLAS has one
    thread in the whole app: :func:`gui.app.single_blas_thread`.)"""
    ctx.check()
    yield evaluate(network, data.x, data.y, progress=ctx.report)


class ConfusionModel(QAbstractTableModel):
    """Rows: true letter; columns: predicted letter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.m = np.zeros((26, 26), np.int64)
        self._off_max = 1

    def set_matrix(self, m: np.ndarray | None) -> None:
        self.beginResetModel()
        self.m = np.zeros((26, 26), np.int64) if m is None else m
        off = self.m.copy()
        np.fill_diagonal(off, 0)
        self._off_max = max(1, int(off.max()))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 26

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 27

    def accuracy_data(self, r: int, role):
        """The last column: letter ``r``'s accuracy (red when poor, so a letter the network
        never predicts is seen at a glance)."""
        total = int(self.m[r].sum())
        acc = self.m[r, r] / total if total else float("nan")
        if role == Qt.DisplayRole:
            return "" if not total else f"{100 * acc:.0f}" if acc < 0.995 else "✓"
        if role == Qt.BackgroundRole:
            if not total:
                return QColor(245, 245, 245)
            bad = min(1.0, (1.0 - acc) / 0.5)         # 50 % or worse: full red
            return QColor.fromRgbF(1.0 - 0.1 * bad, 1.0 - 0.6 * bad, 1.0 - 0.6 * bad) if bad > 0.01 \
                else QColor(232, 245, 232)
        if role == Qt.ForegroundRole:
            return QColor(0, 0, 0)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.ToolTipRole:
            if not total:
                return self.tr("no {letter} in this set").format(letter=LETTERS[r])
            return self.tr("{letter}: {percent} % read correctly ({right} of {total})").format(
                letter=LETTERS[r], percent=f"{100 * acc:.1f}", right=int(self.m[r, r]), total=total)
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if c == ACC_COLUMN:
            return self.accuracy_data(r, role)
        n = int(self.m[r, c])
        if role == Qt.DisplayRole:
            return str(n) if n and r != c else ""
        if role == Qt.BackgroundRole:
            if r == c:
                total = max(1, int(self.m[r].sum()))
                t = n / total
                return QColor.fromRgbF(1 - 0.55 * t, 1 - 0.2 * t, 1 - 0.55 * t)
            if n == 0:
                return QColor(255, 255, 255)
            t = 0.15 + 0.85 * np.sqrt(n / self._off_max)
            return QColor.fromRgbF(1.0, 1 - 0.75 * t, 1 - 0.75 * t)
        if role == Qt.ForegroundRole:
            return QColor(0, 0, 0)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.ToolTipRole:
            if r == c:
                return self.tr("{letter} read correctly: {n} of {total}").format(
                    letter=LETTERS[r], n=n, total=int(self.m[r].sum()))
            return self.tr("true {true} → predicted {predicted}: %n image(s)", "", n).format(
                true=LETTERS[r], predicted=LETTERS[c])
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and section == ACC_COLUMN:
            if role == Qt.DisplayRole:
                return "%"
            if role == Qt.ToolTipRole:
                return self.tr("each true letter's accuracy (✓: 99.5 % or better)")
            return None
        if role == Qt.DisplayRole:
            return LETTERS[section]
        if role == Qt.ToolTipRole:
            if orientation == Qt.Horizontal:
                return self.tr("predicted {letter}: click to see every image predicted as {letter}").format(
                    letter=LETTERS[section])
            return self.tr("true {letter}: click to see every misread {letter}").format(letter=LETTERS[section])
        return None


class MistakesModel(QAbstractListModel):
    """The misread images (after filtering), as thumbnails captioned ``true → predicted (p)``."""

    IndexRole = Qt.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows = np.zeros(0, np.int64)
        self.x: np.ndarray | None = None
        self.ev: Evaluation | None = None
        self.paths: list[str] = []
        self._pixmaps: dict[int, QPixmap] = {}

    def set_data(self, x: np.ndarray | None, paths: list[str], ev: Evaluation | None, rows: np.ndarray) -> None:
        self.beginResetModel()
        if ev is not self.ev:
            self._pixmaps.clear()
        self.x, self.paths, self.ev = x, paths, ev
        self.rows = np.asarray(rows, np.int64)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def caption(self, i: int) -> str:
        ev = self.ev
        t, p = int(ev.labels[i]), int(ev.predictions[i])
        return f"{LETTERS[t]} → {LETTERS[p]} ({100 * float(ev.probabilities[i, p]):.0f} %)"

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self.ev is None:
            return None
        i = int(self.rows[index.row()])
        if role == Qt.DisplayRole:
            return self.caption(i)
        if role == Qt.DecorationRole:
            pm = self._pixmaps.get(i)
            if pm is None:
                pm = QPixmap.fromImage(ink_to_qimage(self.x[i]).scaled(
                    THUMB, THUMB, Qt.IgnoreAspectRatio, Qt.FastTransformation))
                self._pixmaps[i] = pm
            return pm
        if role == Qt.SizeHintRole:
            # Every cell the full grid size, so no caption is elided to the first one's width.
            return GRID
        if role == Qt.ToolTipRole:
            name = self.paths[i] if i < len(self.paths) else f"#{i}"
            return f"{name}\n{self.caption(i)}"
        if role == self.IndexRole:
            return i
        return None


class MatrixHolder(QWidget):
    """Holds the confusion matrix at the top left and grows its cells with the room it is
    given; it asks the layout only for the smallest cells."""

    def __init__(self, tab: "MistakesTab") -> None:
        super().__init__(tab)
        self.tab = tab
        tab.matrix.setParent(self)
        self.setMinimumSize(27 * CELL + 30 + 4, 27 * CELL + 4)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def resizeEvent(self, e) -> None:
        self.tab.fit_matrix_to(self.width(), self.height())
        self.tab.matrix.move(0, 0)
        super().resizeEvent(e)


class MistakesTab(QWidget):
    """Shows what the active network gets wrong on the validation split."""

    evaluated = Signal()

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.evaluation: Evaluation | None = None
        self.worker: Worker | None = None
        self._pending = False
        self._shut_down = False
        self._generation = 0
        self.loader: Worker | None = None       # reads a chosen list file

        self.summary = named(QLabel(self.tr("No evaluation yet.")), "mistakesSummary")
        f = QFont(self.summary.font())
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        self.summary.setFont(f)

        self.true_combo = named(QComboBox(), "trueFilter")
        self.pred_combo = named(QComboBox(), "predictedFilter")
        for c in (self.true_combo, self.pred_combo):
            c.addItem(self.tr("any"), -1)
            for k, ch in enumerate(LETTERS):
                c.addItem(ch, k)
            c.currentIndexChanged.connect(self._refilter)
        self.reset_button = named(QPushButton(self.tr("Show all")), "showAllButton")
        self.reset_button.clicked.connect(lambda: self.set_filter(-1, -1))
        self.count_label = QLabel("")

        self.matrix_model = ConfusionModel(self)
        self.matrix = named(QTableView(), "confusionMatrix")
        self.matrix.setModel(self.matrix_model)
        self.matrix.setSelectionMode(QAbstractItemView.SingleSelection)
        self.matrix.setEditTriggers(QAbstractItemView.NoEditTriggers)
        small = QFont(self.matrix.font())
        small.setPointSize(max(6, small.pointSize() - 3))
        self.matrix.setFont(small)
        self.matrix.setTextElideMode(Qt.ElideNone)    # "380" rather than "..."
        for h in (self.matrix.horizontalHeader(), self.matrix.verticalHeader()):
            h.setSectionResizeMode(QHeaderView.Fixed)
            h.setMinimumSectionSize(CELL)     # first: the default size is clamped to it
            h.setDefaultSectionSize(CELL)
        self.matrix.horizontalHeader().setFixedHeight(CELL)
        self.matrix.verticalHeader().setFixedWidth(CELL)
        side = 26 * CELL + CELL + 4
        self.matrix.setFixedSize(side, side)
        self.matrix.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.matrix.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.matrix.setToolTip(self.tr("Rows: true letter; columns: predicted letter. Click a cell to see those mistakes."))
        self.matrix.clicked.connect(self._cell_clicked)
        self._build_matrix_details()

        self.gallery_model = MistakesModel(self)
        self.gallery = named(QListView(), "mistakesGallery")
        self.gallery.setModel(self.gallery_model)
        self.gallery.setViewMode(QListView.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setGridSize(GRID)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setWordWrap(True)         # captions wrap instead of being elided
        self.gallery.setTextElideMode(Qt.ElideNone)
        self.gallery.setResizeMode(QListView.Adjust)
        self.gallery.setMovement(QListView.Static)
        self.gallery.setLayoutMode(QListView.Batched)   # thousands of mistakes: lay out in steps
        self.gallery.setBatchSize(400)
        self.gallery.setWrapping(True)
        self.gallery.setSelectionMode(QAbstractItemView.SingleSelection)
        self.gallery.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self._build_gallery_details()

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("True letter")))
        filters.addWidget(self.true_combo)
        filters.addWidget(QLabel(self.tr("Predicted")))
        filters.addWidget(self.pred_combo)
        filters.addWidget(self.reset_button)
        filters.addWidget(QLabel(self.tr("Sort")))
        filters.addWidget(self.sort_combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("Confusion matrix (rows: true, columns: predicted)")))
        left.addWidget(self.matrix_holder, 1)
        right = QVBoxLayout()
        right.addLayout(filters)
        right.addWidget(self.gallery, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(self._build_set_chooser())
        lay.addLayout(body, 1)

        state.modelChanged.connect(self.refresh)
        state.dataChanged.connect(self.refresh)
        state.dataFailed.connect(lambda msg: self.summary.setText(self.tr("Data set unavailable: {error}").format(error=msg)))
        state.dataStatus.connect(self._data_status)
        self.refresh()

    def _data_status(self, text: str) -> None:
        """While there is nothing to show yet, say why the data set is not ready."""
        if text and self.evaluation is None and self.worker is None:
            self.summary.setText(text)

    # -- evaluation ---------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self.worker is not None or self._pending or self.loader is not None

    def refresh(self) -> None:
        """Re-evaluate the active network on the validation split (in the background)."""
        self._generation += 1
        if self._shut_down:
            return
        net, data = self.state.network, self.study_data()
        if net is None or data is None:
            self.evaluation = None
            self._show()
            self.summary.setText(self.tr("No model loaded.") if net is None
                                 else self.tr("Waiting for the validation data…"))
            return
        if self.worker is not None:
            self._pending = True    # evaluate again as soon as the running one ends
            return
        self.summary.setText(self.tr("Evaluating on the validation split…"))
        gen = self._generation
        net_copy = net.copy()       # the worker never shares arrays with anything else
        w = Worker(lambda ctx: evaluation_job(ctx, net_copy, data), urgent=lambda item: True,
                   name="evaluation")
        w.items.connect(lambda items, gen=gen: self._on_result(gen, items[-1]))
        w.failed.connect(lambda exc: self.summary.setText(self.tr("Evaluation failed: {error}").format(error=error_text(exc))))
        w.done.connect(self._on_finished)
        self.worker = w
        w.start()

    def _on_result(self, gen: int, ev: Evaluation) -> None:
        if gen != self._generation:
            return              # the model changed meanwhile; a new evaluation follows
        self.evaluation = ev
        self._show()
        self.evaluated.emit()

    def _on_finished(self) -> None:
        w = self.worker
        if w is None:
            return
        self.worker = None
        if self._pending:
            self._pending = False
            self.refresh()

    # -- which set to study (issue 10): validation split, my samples, any list file -------
    def _build_set_chooser(self) -> QHBoxLayout:
        self.samples = None
        self._study: Dataset | None = None       # None: the validation split
        self._study_title = self.tr("Validation")
        self.set_combo = named(QComboBox(), "studySet")
        self.set_combo.addItem(self.tr("Validation split"), "validation")
        self.set_combo.addItem(self.tr("My samples"), "samples")
        self.set_combo.addItem(self.tr("List file…"), "file")
        self.set_combo.setToolTip(self.tr("The images to study: the generated validation split, your own samples "
                                          "(they are training data if you fine-tuned on them), or any list file"))
        self.set_combo.activated.connect(self._set_chosen)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Study")))
        row.addWidget(self.set_combo)
        row.addStretch(1)
        return row

    def attach_samples(self, store) -> None:
        """Use ``store`` (a :class:`gui.samples_view.SamplesStore`) for "My samples"."""
        self.samples = store
        store.changed.connect(self._samples_changed)

    def study_data(self) -> Dataset | None:
        """The images being studied (the validation split unless another set was chosen)."""
        return self.state.validation if self._study is None else self._study

    def _samples_changed(self) -> None:
        if self.set_combo.currentData() == "samples":
            self.study_samples()

    @guarded
    def _set_chosen(self, *_) -> None:
        kind = self.set_combo.currentData()
        if kind == "samples":
            self.study_samples()
        elif kind == "file":
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getOpenFileName(self, self.tr("Study a list file"), "", self.tr("List files (*.txt)"))
            if path:
                self.study_list(path)
            else:
                self.study_validation()
        else:
            self.study_validation()

    def _study_set(self, data: Dataset | None, title: str, kind: str) -> None:
        self._study, self._study_title = data, title
        self.set_combo.setCurrentIndex(self.set_combo.findData(kind))
        self.refresh()

    def study_validation(self) -> None:
        self._stop_loader()
        self._study_set(None, self.tr("Validation"), "validation")

    def study_samples(self) -> bool:
        """Study my samples; False (and the validation split) if there are none."""
        from model.data import Dataset as _Dataset

        try:
            x, y = self.samples.arrays() if self.samples is not None else (np.zeros((0, 289), np.float32), [])
        except LetterLabError as e:
            self.study_validation()
            self.summary.setText(self.tr("Cannot read your samples: {error}").format(error=error_text(e)))
            return False
        if not len(y):
            self.study_validation()
            self.summary.setText(self.tr("No samples yet: add drawings in the Draw tab. Showing the validation split."))
            return False
        names = [f"pic/{e.name}" for e in self.samples.set.entries()]
        self._study_set(_Dataset(x, np.asarray(y), names[:len(y)], self.samples.folder),
                        self.tr("Your {n} samples:").format(n=len(y)), "samples")
        return True

    def study_list(self, path) -> None:
        """Study any list file, read in the background (a large one would freeze the window);
        a bad file is a message and the validation split is shown again."""
        self._stop_loader()
        path = Path(path)
        self.set_combo.setCurrentIndex(self.set_combo.findData("file"))
        self.summary.setText(self.tr("Reading {file}…").format(file=path.name))
        w = Worker(lambda ctx: list_job(ctx, path), urgent=lambda item: True, name="list")
        w.progress.connect(lambda d, t: self.summary.setText(self.tr("Reading {file}: {done} of {total} images…").format(
            file=path.name, done=d, total=t)))
        w.items.connect(lambda items: self._study_set(items[-1], self.tr("{file}:").format(file=path.name), "file"))
        w.failed.connect(lambda exc: self._list_failed(exc))
        w.done.connect(lambda w=w: self._loader_done(w))
        self.loader = w
        w.start()

    def _list_failed(self, exc: BaseException) -> None:
        self.study_validation()
        show_error(self, self.tr("Cannot read the list file"),
                   error_text(exc) + "\n\n" + self.tr("Showing the validation split."))

    def _loader_done(self, w: Worker) -> None:
        if self.loader is w:
            self.loader = None

    def _stop_loader(self) -> None:
        if self.loader is not None:
            w, self.loader = self.loader, None
            for sig in (w.items, w.failed, w.progress):
                sig.disconnect()
            w.stop()          # ends at its next progress report; its done signal tears it down

    def shutdown(self, timeout_ms: int = 30000) -> None:
        self._shut_down = True
        self._pending = False
        if self.loader is not None:
            self.loader.stop_and_wait(timeout_ms)
        if self.worker is not None:
            self.worker.stop_and_wait(timeout_ms)     # its done signal tears it down

    # -- display ------------------------------------------------------------------------
    def _show(self) -> None:
        ev = self.evaluation
        if ev is None:
            self.matrix_model.set_matrix(None)
            self.gallery_model.set_data(None, [], None, np.zeros(0, np.int64))
            self.count_label.setText("")
            return
        n = len(ev.labels)
        wrong = len(ev.wrong)
        source = f"  ·  {self.state.source}" if self.state.source else ""
        self.summary.setText(self.tr("{title} accuracy {percent} % — {wrong} of {n} images misread").format(
            title=self._study_title, percent=f"{100 * ev.accuracy:.2f}", wrong=wrong, n=n) + source)
        self.matrix_model.set_matrix(ev.confusion)
        self._refilter()

    def filtered_indices(self) -> np.ndarray:
        """Validation indices shown in the gallery, in order."""
        return self.gallery_model.rows.copy()

    def set_filter(self, true: int, predicted: int) -> None:
        """-1 means any letter."""
        for c, v in ((self.true_combo, true), (self.pred_combo, predicted)):
            c.blockSignals(True)
            c.setCurrentIndex(c.findData(v))
            c.blockSignals(False)
        self._refilter()
        self._sync_highlight(true, predicted)

    def _refilter(self) -> None:
        ev = self.evaluation
        if ev is None:
            return
        rows = ev.wrong
        t, p = self.true_combo.currentData(), self.pred_combo.currentData()
        if t is not None and t >= 0:
            rows = rows[ev.labels[rows] == t]
        if p is not None and p >= 0:
            rows = rows[ev.predictions[rows] == p]
        rows = self._sorted(ev, rows)
        data = self.study_data()
        self.gallery_model.set_data(data.x, data.paths, ev, rows)
        self.count_label.setText(self.tr("{n} shown").format(n=len(rows)))
        self._show_empty_reason(ev, t, p, len(rows))
        self.gallery.scrollToTop()

    def _cell_clicked(self, index) -> None:
        r, c = index.row(), index.column()
        self.set_filter(r, -1 if r == c or c == ACC_COLUMN else c)

    # -- details (issue 12): keyboard, headers, sort, accuracy column, larger view -------
    def _build_matrix_details(self) -> None:
        """Arrow keys move over the matrix and the gallery follows (Enter/Space too); a row
        header filters by true letter, a column header by predicted letter; the accuracy
        column is wider; the matrix's cells grow with the window (:meth:`_fit_matrix`)."""
        self._syncing = False
        self.cell = CELL
        self.matrix.selectionModel().currentChanged.connect(self._current_cell_changed)
        self.matrix.activated.connect(self._cell_clicked)          # Enter
        self.matrix.horizontalHeader().sectionClicked.connect(
            lambda c: self.set_filter(-1, -1) if c == ACC_COLUMN else self.set_filter(-1, c))
        self.matrix.verticalHeader().sectionClicked.connect(lambda r: self.set_filter(r, -1))
        for h in (self.matrix.horizontalHeader(), self.matrix.verticalHeader()):
            h.setSectionsClickable(True)
            h.setHighlightSections(True)
        self.matrix.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.matrix.setFocusPolicy(Qt.StrongFocus)
        self.matrix.setToolTip(self.tr("Rows: true letter; columns: predicted letter; last column: each "
                                       "letter's accuracy. Click a cell or header, or move with the arrow "
                                       "keys, to see those mistakes."))
        self.matrix_holder = MatrixHolder(self)
        self._fit_matrix(CELL)

    def _fit_matrix(self, cell: int) -> None:
        self.cell = cell
        hh, vh = self.matrix.horizontalHeader(), self.matrix.verticalHeader()
        for h in (hh, vh):
            h.setMinimumSectionSize(min(cell, CELL))
            h.setDefaultSectionSize(cell)
        acc_w = max(cell, 30)
        hh.resizeSection(ACC_COLUMN, acc_w)
        hh.setFixedHeight(cell)
        vh.setFixedWidth(cell)
        f = QFont(self.matrix.font())
        f.setPointSizeF(max(6.0, min(11.0, cell * 0.36)))
        self.matrix.setFont(f)
        # Sized by its holder, which only asks for the smallest cells: a grown matrix never
        # becomes the window's minimum size.
        self.matrix.setFixedSize(26 * cell + acc_w + cell + 4, 27 * cell + 4)

    def fit_matrix_to(self, width: int, height: int) -> None:
        """The largest cells (up to 40 px) for which the matrix fits ``width`` × ``height``."""
        cell = int(max(CELL, min(40, (height - 4) / 27, (width - 34) / 27)))
        if cell != self.cell:
            self._fit_matrix(cell)

    def _current_cell_changed(self, current, previous) -> None:
        # Not from nothing: Qt makes the first cell current when the matrix gets the focus,
        # which must not filter the gallery to "A" behind the user's back.
        if self._syncing or not current.isValid() or not previous.isValid():
            return
        self._syncing = True
        try:
            self._cell_clicked(current)
        finally:
            self._syncing = False

    def _sync_highlight(self, true: int, predicted: int) -> None:
        """Highlight the cell the filter shows (none for "Show all" or a column filter)."""
        if self._syncing:
            return
        self._syncing = True
        try:
            sm = self.matrix.selectionModel()
            if true >= 0:
                idx = self.matrix_model.index(true, predicted if predicted >= 0 else true)
                sm.setCurrentIndex(idx, sm.SelectionFlag.ClearAndSelect)
            else:
                sm.clearSelection()
                sm.setCurrentIndex(QModelIndex(), sm.SelectionFlag.Clear)
        finally:
            self._syncing = False

    def _build_gallery_details(self) -> None:
        self.sort_combo = named(QComboBox(), "sortMistakes")
        labels = sort_labels()
        for text, key in SORTS:
            self.sort_combo.addItem(labels.get(key, text), key)
        self.sort_combo.setToolTip(self.tr("Sort the mistakes: the surest (most confidently wrong) first — "
                                           "the most instructive — or by true or predicted letter"))
        self.sort_combo.currentIndexChanged.connect(self._refilter)
        self.empty_label = named(QLabel(self.gallery.viewport()), "emptyReason")
        self.empty_label.setStyleSheet("color: #555; padding: 12px;")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.gallery.doubleClicked.connect(self._open_detail)
        self.gallery.setToolTip(self.tr("Double-click an image for a larger view and to open it in Draw"))
        self.gallery.installEventFilter(self)
        self.detail: QDialog | None = None

    def eventFilter(self, obj, e) -> bool:
        if obj is self.gallery and e.type() == QEvent.Resize:
            self._spread_columns()
            self.empty_label.setFixedWidth(max(100, self.gallery.viewport().width()))
        return False

    def _spread_columns(self) -> None:
        """Share the gallery's width between its columns: no unused strip on the right."""
        w = self.gallery.viewport().width() - 2
        n = max(1, w // GRID.width())
        cell_w = max(GRID.width(), w // n)
        if self.gallery.gridSize().width() != cell_w:
            self.gallery.setGridSize(QSize(cell_w, GRID.height()))

    def _sorted(self, ev: Evaluation, rows: np.ndarray) -> np.ndarray:
        key = self.sort_combo.currentData()
        conf = ev.probabilities[rows, ev.predictions[rows]]
        if key == "letter":
            order = np.lexsort((-conf, ev.predictions[rows], ev.labels[rows]))
        elif key == "predicted":
            order = np.lexsort((-conf, ev.labels[rows], ev.predictions[rows]))
        else:
            order = np.argsort(-conf, kind="stable")
        return rows[order]

    def _show_empty_reason(self, ev: Evaluation, t, p, shown: int) -> None:
        if shown:
            self.empty_label.hide()
            return
        t = -1 if t is None else int(t)
        p = -1 if p is None else int(p)
        counts = ev.confusion
        if not len(ev.wrong):
            text = self.tr("No mistakes: every image in this set is read correctly.")
        elif t >= 0 and (p < 0 or p == t):
            n = int(counts[t].sum())
            text = (self.tr("No {letter} in this set.").format(letter=LETTERS[t]) if not n else
                    self.tr("No misread {letter}: all {n} are read correctly.").format(letter=LETTERS[t], n=n))
        elif t < 0 and p >= 0:
            text = self.tr("Nothing is misread as {letter}.").format(letter=LETTERS[p])
        else:
            text = self.tr("No {true} is read as {predicted} ({right} of {total} {true} are read correctly).").format(
                true=LETTERS[t], predicted=LETTERS[p], right=int(counts[t, t]), total=int(counts[t].sum()))
        self.empty_label.setText(text + self.tr("  Show all clears the filter."))
        self.empty_label.adjustSize()
        self.empty_label.show()

    def _open_detail(self, index) -> None:
        i = self.gallery_model.data(index, MistakesModel.IndexRole)
        if i is not None:
            self.show_detail(int(i))

    def show_detail(self, i: int) -> QDialog:
        """A larger view of image ``i`` with the top five and "Open in Draw"."""
        ev, data = self.evaluation, self.study_data()
        if self.detail is not None:
            self.detail.close()
        dlg = named(QDialog(self), "mistakeDialog")
        dlg.setAttribute(Qt.WA_DeleteOnClose)
        dlg.destroyed.connect(lambda *_: setattr(self, "detail", None))
        t, p = int(ev.labels[i]), int(ev.predictions[i])
        dlg.setWindowTitle(self.tr("{true} read as {predicted}").format(true=LETTERS[t], predicted=LETTERS[p]))
        big = QLabel()
        big.setPixmap(QPixmap.fromImage(ink_to_qimage(data.x[i]).scaled(
            17 * 16, 17 * 16, Qt.IgnoreAspectRatio, Qt.FastTransformation)))
        big.setStyleSheet("border: 1px solid #999;")
        probs = ev.probabilities[i]
        top = np.argsort(-probs)[:5]
        lines = [self.tr("<b>True letter {true}</b>, read as <b>{predicted}</b>").format(
            true=LETTERS[t], predicted=LETTERS[p]), self.tr("Top five:")]
        lines += [f"&nbsp;&nbsp;{LETTERS[k]} &nbsp;{100 * float(probs[k]):5.1f} %" for k in top]
        name = data.paths[i] if i < len(data.paths) else f"#{i}"
        lines.append(f"<span style='color:#666'>{name}</span>")
        info = named(QLabel("<br>".join(lines)), "mistakeTopFive")
        info.setTextFormat(Qt.RichText)
        info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        open_button = named(QPushButton(self.tr("Open in Draw")), "openInDrawButton")
        open_button.setToolTip(self.tr("Put this image on the Draw tab's canvas to edit it"))
        x = np.array(data.x[i], np.float32)
        open_button.clicked.connect(lambda: (self.state.open_in_draw(x), dlg.close()))
        close_button = QPushButton(self.tr("Close"))
        close_button.clicked.connect(dlg.close)
        body = QHBoxLayout()
        body.addWidget(big)
        body.addWidget(info, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(open_button)
        buttons.addWidget(close_button)
        lay = QVBoxLayout(dlg)
        lay.addLayout(body)
        lay.addLayout(buttons)
        self.detail = dlg
        dlg.open()
        return dlg
