"""The runs list: one row per run (colour and show/hide box, editable name, recipe, best
validation accuracy, state), with Use this model, Save…, Delete, Undo and Compare… (two
runs selected with Ctrl+click).

It shows an :class:`AppState`'s runs and changes them only through the store's and the
state's methods. Saving and the one-step undo live in :class:`gui.train_tab.TrainTab`,
which owns the buttons' actions; this widget only reports what was asked.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from .runs import RUNNING, Run, state_text
from .state import AppState
from .widgets import named

COLUMNS = ["Run", "Recipe", "Best", "State"]


def column_titles() -> list[str]:
    translate = QCoreApplication.translate
    return [translate("RunsList", "Run"), translate("RunsList", "Recipe"), translate("RunsList", "Best"), translate("RunsList", "State")]
NAME, RECIPE, BEST, STATE = range(4)


def swatch(colour: str, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(colour))
    return QIcon(pm)


class RunsList(QWidget):
    """Signals: ``useRequested(run)``, ``saveRequested(run)``, ``deleteRequested(run)``,
    ``undoRequested()``, ``selected(run or None)``, ``compareRequested(run, run)``."""

    useRequested = Signal(object)
    saveRequested = Signal(object)
    deleteRequested = Signal(object)
    undoRequested = Signal()
    selected = Signal(object)
    compareRequested = Signal(object, object)

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self.items: dict[int, QTreeWidgetItem] = {}
        self._filling = False
        self._build_tree()
        self._build_buttons()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tree, 1)
        lay.addLayout(self._buttons)
        runs = state.runs
        runs.added.connect(self._added)
        runs.removed.connect(self._removed)
        runs.changed.connect(self._refresh)
        state.modelChanged.connect(self._active_changed)
        for run in runs:
            self._added(run)
        self.set_undo(None)
        self._update_buttons()

    def _build_tree(self) -> None:
        t = self.tree = named(QTreeWidget(), "runsList")
        t.setColumnCount(len(COLUMNS))
        t.setHeaderLabels(column_titles())
        t.setRootIsDecorated(False)
        t.setUniformRowHeights(True)
        t.setSelectionMode(QAbstractItemView.ExtendedSelection)     # two rows: Compare…
        t.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        h = t.header()
        h.setSectionResizeMode(NAME, QHeaderView.Interactive)
        h.setSectionResizeMode(RECIPE, QHeaderView.Stretch)
        h.setSectionResizeMode(BEST, QHeaderView.ResizeToContents)
        h.setSectionResizeMode(STATE, QHeaderView.ResizeToContents)
        t.setColumnWidth(NAME, 150)
        t.setToolTip(self.tr("Tick a run to show its curves; double-click (or F2) its name to rename "
                             "it. Bold: the active model."))
        t.itemChanged.connect(self._item_changed)
        t.currentItemChanged.connect(self._current_changed)
        t.itemSelectionChanged.connect(self._update_buttons)
        t.itemDoubleClicked.connect(self._double_clicked)
        sc = QShortcut(QKeySequence.Delete, t, self._delete_current)
        sc.setContext(Qt.WidgetShortcut)

    def _build_buttons(self) -> None:
        self.use_button = named(QPushButton(self.tr("Use this model")), "useRunButton")
        self.save_button = named(QPushButton(self.tr("Save…")), "saveRunButton")
        self.delete_button = named(QPushButton(self.tr("Delete")), "deleteRunButton")
        self.undo_button = named(QPushButton(self.tr("Undo")), "undoRunButton")
        self.compare_button = named(QPushButton(self.tr("Compare…")), "compareButton")
        self.compare_button.clicked.connect(self._compare)
        self.use_button.setToolTip(self.tr("Make the selected run's weights the model Draw and Mistakes use"))
        self.use_button.clicked.connect(lambda: self._ask(self.useRequested))
        self.save_button.clicked.connect(lambda: self._ask(self.saveRequested))
        self.delete_button.clicked.connect(self._delete_current)
        self.undo_button.clicked.connect(self.undoRequested)
        self._buttons = QHBoxLayout()
        for b in (self.use_button, self.save_button, self.delete_button, self.undo_button, self.compare_button):
            self._buttons.addWidget(b)
        self._buttons.addStretch(1)

    # -- reading ----------------------------------------------------------------------
    def current(self) -> Run | None:
        item = self.tree.currentItem()
        return None if item is None else self.state.runs.get(item.data(NAME, Qt.UserRole))

    def selected_runs(self) -> list[Run]:
        """The selected runs, in the list's order."""
        items = sorted(self.tree.selectedItems(), key=self.tree.indexOfTopLevelItem)
        runs = (self.state.runs.get(item.data(NAME, Qt.UserRole)) for item in items)
        return [r for r in runs if r is not None]

    def select(self, run: Run | None) -> None:
        self.tree.setCurrentItem(None if run is None else self.items.get(run.id))

    def set_undo(self, label: str | None) -> None:
        """What Undo would undo (None: nothing)."""
        self.undo_button.setEnabled(label is not None)
        self.undo_button.setToolTip(self.tr("Undo: {what}").format(what=label) if label
                                    else self.tr("Nothing to undo"))

    # -- rows -------------------------------------------------------------------------
    def _added(self, run: Run) -> None:
        item = QTreeWidgetItem()
        item.setData(NAME, Qt.UserRole, run.id)
        item.setFlags(item.flags() | Qt.ItemIsEditable | Qt.ItemIsUserCheckable)
        item.setIcon(NAME, swatch(run.colour))
        index = self.state.runs.runs.index(run)
        self.items[run.id] = item
        self._filling = True
        self.tree.insertTopLevelItem(index, item)
        self._filling = False
        self._refresh(run)
        if run.kind == "run" and run.state == RUNNING:      # a new run, not a restored one
            self.tree.setCurrentItem(item)

    def _removed(self, run: Run) -> None:
        item = self.items.pop(run.id, None)
        if item is not None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
        self._update_buttons()

    def _refresh(self, run: Run) -> None:
        item = self.items.get(run.id)
        if item is None:
            return
        self._filling = True
        try:
            active = run is self.state.active
            item.setText(NAME, run.name)
            item.setCheckState(NAME, Qt.Checked if run.visible else Qt.Unchecked)
            item.setText(RECIPE, run.recipe())
            item.setText(BEST, run.accuracy_text())
            state = state_text(run.state) + (self.tr(" · in use") if active else "") + \
                (self.tr(" · unsaved") if run.unsaved else "")
            item.setText(STATE, state)
            tip = run.recipe() + (f"\n{run.message}" if run.message else "") + \
                (f"\n{run.path}" if run.path else "")
            for col in range(len(COLUMNS)):
                f = QFont(item.font(col))
                f.setBold(active)
                item.setFont(col, f)
                item.setToolTip(col, tip)
            if run.state in ("diverged", "not learning", "failed"):
                item.setForeground(STATE, QColor("#b00020"))
            else:
                item.setForeground(STATE, QColor("#222"))
        finally:
            self._filling = False
        self._update_buttons()

    def _active_changed(self) -> None:
        for run in self.state.runs:
            self._refresh(run)

    # -- user actions -----------------------------------------------------------------
    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling:
            return
        run = self.state.runs.get(item.data(NAME, Qt.UserRole))
        if run is None or column != NAME:
            return
        name = item.text(NAME).strip() or run.name
        visible = item.checkState(NAME) == Qt.Checked
        if name != run.name or visible != run.visible:
            self.state.runs.update(run, name=name, visible=visible)

    def _current_changed(self, *_) -> None:
        self._update_buttons()
        self.selected.emit(self.current())

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column != NAME:      # double-click on a run's details: use it
            run = self.state.runs.get(item.data(NAME, Qt.UserRole))
            if run is not None and run.network is not None:
                self.useRequested.emit(run)

    def _ask(self, signal) -> None:
        run = self.current()
        if run is not None:
            signal.emit(run)

    def _compare(self) -> None:
        runs = self.selected_runs()
        if len(runs) == 2:
            self.compareRequested.emit(*runs)

    def _delete_current(self) -> None:
        run = self.current()
        if run is not None and self.delete_button.isEnabled():
            self.deleteRequested.emit(run)

    def _update_buttons(self) -> None:
        run = self.current()
        has_weights = run is not None and run.network is not None and run.state != RUNNING
        self.use_button.setEnabled(has_weights and run is not self.state.active)
        self.save_button.setEnabled(has_weights)
        self.delete_button.setEnabled(run is not None and run.state != RUNNING
                                      and run is not self.state.active)
        self.compare_button.setEnabled(len(self.selected_runs()) == 2)
        self.compare_button.setToolTip(self.tr("Compare the two selected runs: recipes and curves side by side")
                                       if self.compare_button.isEnabled()
                                       else self.tr("Select two runs (Ctrl+click) to compare them"))
        if run is not None and run is self.state.active:
            self.delete_button.setToolTip(self.tr("The model in use cannot be deleted; use another first"))
        else:
            self.delete_button.setToolTip(self.tr("Remove the selected run (Undo brings it back)"))
