"""Your own labelled drawings in the app ("My samples", issue 10).

:class:`SamplesStore` is the app's one handle on the user's :class:`model.samples.SampleSet`
(``$LETTERLAB_SAMPLES_DIR`` or the user data folder): every change goes through its
methods, which emit ``changed``; the Draw tab (add), this view (delete, undo, export,
import), the Train tab (include them) and the Mistakes tab (study them) subscribe.
:class:`SamplesView` shows the drawings grouped by letter with counts.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QListWidget, QListWidgetItem, QPushButton, QToolButton,
                               QVBoxLayout, QWidget)

from model import LETTERS, LetterLabError
from model.samples import Removed, SampleSet

from .widgets import error_text, guarded, named, show_error

THUMB = 64


class SamplesStore(QObject):
    """The sample set, changed only through these methods (each emits ``changed``).

    Signals:
        changed(): samples were added, removed, restored or imported.
    """

    changed = Signal()

    def __init__(self, folder: str | Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self.set = SampleSet(folder)
        self._counts: tuple[tuple, dict[str, int]] | None = None   # (list file's stat, counts)

    @property
    def folder(self) -> Path:
        return self.set.folder

    def counts(self) -> dict[str, int]:
        """Samples per letter. The Draw tab asks after every stroke: the list is read again
        only when its file changed (here or by `letterlab samples` meanwhile)."""
        try:
            st = os.stat(self.set.list_path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if self._counts is not None and self._counts[0] == key:
            return dict(self._counts[1])
        try:
            counts = self.set.counts()
        except LetterLabError:
            return dict.fromkeys(LETTERS, 0)
        self._counts = (key, counts)
        return dict(counts)

    def total(self) -> int:
        return sum(self.counts().values())

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of every sample through the shared normalisation (raises DataError)."""
        return self.set.arrays()

    def add(self, image: np.ndarray, letter: str) -> str:
        name = self.set.add(image, letter)
        self.changed.emit()
        return name

    def remove(self, names: list[str]) -> Removed:
        removed = self.set.remove(names)
        self.changed.emit()
        return removed

    def restore(self, removed: Removed) -> list[str]:
        back = self.set.restore(removed)
        self.changed.emit()
        return back

    def export(self, path: str | Path) -> Path:
        return self.set.export(path)

    def import_(self, path: str | Path):
        result = self.set.import_(path)
        self.changed.emit()
        return result


def _thumbnail(gray: np.ndarray) -> QPixmap:
    """A stored drawing (uint8, dark ink on white) as a THUMB×THUMB pixmap, aspect kept."""
    a = np.ascontiguousarray(gray, np.uint8)
    h, w = a.shape
    img = QImage(a.data, w, h, w, QImage.Format_Grayscale8).copy()
    return QPixmap.fromImage(img.scaled(THUMB, THUMB, Qt.KeepAspectRatio, Qt.SmoothTransformation))


class SamplesView(QWidget):
    """Counts per letter (click one to show only it), a prompt for the letters you have none
    of, every drawing as a thumbnail, and Delete (with Undo), Export… and Import…."""

    statusMessage = Signal(str, int)

    def __init__(self, store: SamplesStore, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("samplesView")
        self.setAccessibleName("samplesView")
        self.store = store
        self.letter_filter: str | None = None
        self._undo: Removed | None = None
        self._build_counts()
        self._build_gallery()
        self._build_layout()
        store.changed.connect(self.refresh)
        self.refresh()

    # -- building ---------------------------------------------------------------------
    def _build_counts(self) -> None:
        self.count_buttons: dict[str, QToolButton] = {}
        self._counts_grid = QGridLayout()
        self._counts_grid.setSpacing(3)
        for i, c in enumerate(LETTERS):
            b = named(QToolButton(), f"sampleCount{c}")
            b.setCheckable(True)
            b.setFixedSize(44, 40)
            b.clicked.connect(lambda _=False, c=c: self.show_letter(None if self.letter_filter == c else c))
            self._counts_grid.addWidget(b, i // 13, i % 13)
            self.count_buttons[c] = b
        self.summary = named(QLabel(), "samplesSummary")
        self.prompt = named(QLabel(), "samplesPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("color: #8a4b00;")

    def _build_gallery(self) -> None:
        self.gallery = named(QListWidget(), "samplesGallery")
        self.gallery.setViewMode(QListWidget.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setGridSize(QSize(THUMB + 24, THUMB + 26))
        self.gallery.setResizeMode(QListWidget.Adjust)
        self.gallery.setMovement(QListWidget.Static)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.delete_button = named(QPushButton(self.tr("Delete")), "deleteSamplesButton")
        self.delete_button.setToolTip(self.tr("Delete the selected drawings (Delete); Undo brings them back"))
        self.undo_button = named(QPushButton(self.tr("Undo")), "undoSamplesButton")
        self.export_button = named(QPushButton(self.tr("Export…")), "exportSamplesButton")
        self.import_button = named(QPushButton(self.tr("Import…")), "importSamplesButton")
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo)
        self.export_button.clicked.connect(self._export_dialog)
        self.import_button.clicked.connect(self._import_dialog)
        self.gallery.itemSelectionChanged.connect(self._update_buttons)
        sc = QShortcut(QKeySequence(Qt.Key_Delete), self.gallery, self.delete_selected)
        sc.setContext(Qt.WidgetShortcut)
        sc = QShortcut(QKeySequence.Undo, self, self.undo)
        sc.setContext(Qt.WidgetWithChildrenShortcut)

    def _build_layout(self) -> None:
        counts = QGroupBox(self.tr("Your drawings per letter (click a letter to show only it)"))
        cl = QVBoxLayout(counts)
        cl.addLayout(self._counts_grid)
        cl.addWidget(self.prompt)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.delete_button, self.undo_button, self.export_button, self.import_button):
            buttons.addWidget(b)
        hint = QLabel(self.tr("Add drawings in the Draw tab (choose the letter, press Enter), then in the "
                              "Train tab tick “Continue from the active model” and Start."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        lay = QVBoxLayout(self)
        lay.addWidget(counts)
        lay.addLayout(buttons)
        lay.addWidget(self.gallery, 1)
        lay.addWidget(hint)

    # -- showing ----------------------------------------------------------------------
    @guarded
    def refresh(self) -> None:
        counts = self.store.counts()
        total = sum(counts.values())
        for c, b in self.count_buttons.items():
            b.setText(f"{c}\n{counts[c]}")
            b.setChecked(c == self.letter_filter)
            b.setStyleSheet("" if counts[c] else "color: #999;")
            b.setToolTip(self.tr("%n drawing(s) of {letter}", "", counts[c]).format(letter=c))
        missing = [c for c in LETTERS if not counts[c]]
        if not total:
            self.prompt.setText(self.tr("No samples yet. Draw a letter in the Draw tab and press Enter to add it."))
        elif missing:
            self.prompt.setText(self.tr("None yet of: {letters} — a few drawings of each help the most.")
                                .format(letters=" ".join(missing)))
        else:
            self.prompt.setText("")
        shown = self.tr(" · showing {letter}").format(letter=self.letter_filter) if self.letter_filter else ""
        self.summary.setText(self.tr("%n drawing(s) in {folder}", "", total).format(folder=self.store.folder)
                             + shown)
        self._fill_gallery()
        self._update_buttons()

    def _fill_gallery(self) -> None:
        self.gallery.clear()
        try:
            entries = self.store.set.entries()
        except LetterLabError as e:
            self.summary.setText(self.tr("Cannot read {folder}: {error}").format(folder=self.store.folder,
                                                                               error=error_text(e)))
            return
        entries.sort(key=lambda e: e.label)      # grouped by letter, oldest first within one
        for e in entries:
            if self.letter_filter and e.letter != self.letter_filter:
                continue
            item = QListWidgetItem(e.letter)
            try:
                item.setIcon(_thumbnail(self.store.set.image(e.name)))
            except (LetterLabError, OSError):
                item.setText(self.tr("{letter} (unreadable)").format(letter=e.letter))
            item.setData(Qt.UserRole, e.name)
            item.setToolTip(e.name)
            item.setTextAlignment(Qt.AlignHCenter)
            self.gallery.addItem(item)

    def show_letter(self, letter: str | None) -> None:
        """Show only ``letter``'s drawings (None: all)."""
        self.letter_filter = letter
        self.refresh()

    def shown_names(self) -> list[str]:
        return [self.gallery.item(i).data(Qt.UserRole) for i in range(self.gallery.count())]

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(bool(self.gallery.selectedItems()))
        self.undo_button.setEnabled(self._undo is not None)
        self.undo_button.setText(self.tr("Undo delete ({n})").format(n=len(self._undo)) if self._undo
                                 else self.tr("Undo"))
        self.export_button.setEnabled(self.store.total() > 0)

    # -- changing ---------------------------------------------------------------------
    @guarded
    def delete_selected(self) -> None:
        names = [it.data(Qt.UserRole) for it in self.gallery.selectedItems()]
        if not names:
            return
        try:
            self._undo = self.store.remove(names)
        except (LetterLabError, OSError) as e:
            show_error(self, self.tr("Cannot delete samples"), error_text(e))
            return
        self._update_buttons()
        self.statusMessage.emit(self.tr("Deleted %n sample(s) — Undo brings them back", "", len(names)), 8000)

    @guarded
    def undo(self) -> None:
        if self._undo is None:
            return
        removed, self._undo = self._undo, None
        try:
            back = self.store.restore(removed)
        except (LetterLabError, OSError) as e:
            show_error(self, self.tr("Cannot restore samples"), error_text(e))
            return
        self._update_buttons()
        self.statusMessage.emit(self.tr("Restored %n sample(s)", "", len(back)), 5000)

    @guarded
    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export my samples"),
                                              str(Path.home() / "my-samples.tar.gz"),
                                              self.tr("Sample archives (*.tar.gz)"))
        if path:
            self.export_to(path if path.endswith(".tar.gz") else path + ".tar.gz")

    def export_to(self, path: str | Path) -> bool:
        try:
            written = self.store.export(path)
        except (LetterLabError, OSError) as e:
            show_error(self, self.tr("Cannot export samples"), error_text(e))
            return False
        self.statusMessage.emit(self.tr("Exported %n sample(s) to {path}", "", self.store.total())
                                .format(path=written), 8000)
        return True

    @guarded
    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import samples"), str(Path.home()),
                                              self.tr("Sample archives (*.tar.gz)"))
        if path:
            self.import_from(path)

    def import_from(self, path: str | Path) -> bool:
        """Merge an archive (untrusted: checked by the library, all or nothing)."""
        try:
            r = self.store.import_(path)
        except (LetterLabError, OSError) as e:
            show_error(self, self.tr("Cannot import samples"),
                       self.tr("Nothing was imported.") + "\n\n" + error_text(e))
            return False
        self.statusMessage.emit(self.tr("Imported %n sample(s) ({skipped} already there)", "", len(r.added))
                                .format(skipped=r.skipped), 8000)
        return True
