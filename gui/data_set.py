"""The data set the app trains and scores on: creating it on first launch in the background,
the Data menu (generate again, import, reload, open the folder, details), and noticing when
another program replaced it on disk.

The window stays usable throughout: the work runs in a :class:`gui.worker.Worker`, the status
bar shows its progress (percent, time left, where the data goes and how large it is) with a
Cancel button, and the tabs that need the data say why they wait
(:attr:`gui.state.AppState.dataStatus`). Drawing works at once with the loaded weights.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel,
                               QMainWindow, QMessageBox, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout)

from model import N_CLASSES, synth

from .jobs import DataReady, DataRequest, DataSize, Status, data_job
from .state import AppState
from .widgets import error_text, guarded, named, remember_folder, start_folder
from .worker import Worker

#: How often the marker of the loaded data set is compared with the one on disk (ms).
WATCH_INTERVAL_MS = 2000


def short_path(path: Path) -> str:
    """``path`` with the home folder written ``~`` (the status bar has little room)."""
    try:
        return "~" + os.sep + str(Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)


class GenerateDialog(QDialog):
    """Seed and number of samples for "Generate again", with where it goes, its estimated
    size and time, and what it replaces."""

    def __init__(self, root: Path, current_bytes: int | None, seed: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("generateDialog")
        self.setWindowTitle(self.tr("Generate the data set"))
        self.root = root
        self.seed = named(QSpinBox(), "generateSeed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        self.count = named(QSpinBox(), "generateCount")
        self.count.setRange(synth.MIN_COUNT, 600000)
        self.count.setSingleStep(6000)
        self.count.setValue(synth.DEFAULT_COUNT)
        self.estimate = named(QLabel(), "generateEstimate")
        self.estimate.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Seed"), self.seed)
        form.addRow(self.tr("Samples (2/3 train, 1/6 validation, 1/6 test)"), self.count)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(self.tr("Generate"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.estimate)
        lay.addWidget(buttons)
        self._current = current_bytes
        self.count.valueChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        n = self.count.value()
        text = self.tr("Into {folder}: about {size} on disk, about {seconds} s.").format(
            folder=self.root, size=synth.megabytes(synth.estimated_disk_bytes(n)),
            seconds=f"{synth.estimated_seconds(n):.0f}")
        if self._current is not None:
            text += " " + self.tr("It replaces the data set there ({size}) once the new one is complete; "
                                  "the same seed gives the same images.").format(size=synth.megabytes(self._current))
        self.estimate.setText(text)

    def values(self) -> tuple[int, int]:
        return self.seed.value(), self.count.value()


class DataSetManager(QObject):
    """Owns the data job, its status-bar progress, the Data menu and the on-disk watch for
    ``window`` (a QMainWindow whose ``is_busy()`` says whether training or an evaluation runs)."""

    def __init__(self, window: QMainWindow, state: AppState) -> None:
        super().__init__(window)
        self.window = window
        self.state = state
        self.worker: Worker | None = None
        self.error: str | None = None
        self.disk_bytes: int | None = None        # the loaded set's size on disk, once measured
        self._closing = False
        self._phase = ""
        self._phase_start = 0.0
        self._estimate: float | None = None
        self._build_status_widgets()
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_INTERVAL_MS)
        self.watch_timer.timeout.connect(self.check_on_disk)
        self.watch_timer.start()

    # -- widgets ----------------------------------------------------------------------
    def _build_status_widgets(self) -> None:
        bar = self.window.statusBar()
        self.progress_label = named(QLabel(), "dataStatusLabel")
        self.progress_bar = named(QProgressBar(), "dataProgress")
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setTextVisible(True)
        self.cancel_button = named(QPushButton(self.tr("Cancel")), "dataCancel")
        self.cancel_button.setToolTip(self.tr("Stop; the data set on disk stays as it was"))
        self.cancel_button.clicked.connect(self.cancel)
        self.changed_label = named(QLabel(), "dataChangedLabel")
        self.changed_label.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 1px 6px;")
        self.reload_button = named(QPushButton(self.tr("Reload data set")), "dataReload")
        self.reload_button.clicked.connect(self.reload)
        for i, w in enumerate((self.progress_label, self.progress_bar, self.cancel_button,
                               self.changed_label, self.reload_button)):
            bar.insertPermanentWidget(i, w)
            w.hide()

    def build_menu(self) -> None:
        m = self.window.menuBar().addMenu(self.tr("&Data"))
        self.menu = m
        self.generate_action = QAction(self.tr("&Generate data set…"), self, triggered=self.generate_dialog)
        self.import_action = QAction(self.tr("&Import data set archive…"), self, triggered=self.import_archive_dialog)
        self.import_folder_action = QAction(self.tr("Import data set &folder…"), self,
                                            triggered=self.import_folder_dialog)
        self.reload_action = QAction(self.tr("&Reload data set"), self, triggered=self.reload)
        self.open_folder_action = QAction(self.tr("&Open data folder"), self, triggered=self.open_folder)
        self.info_action = QAction(self.tr("Data set &details…"), self, triggered=self.show_info)
        for a in (self.generate_action, self.import_action, self.import_folder_action, None,
                  self.reload_action, self.open_folder_action, self.info_action):
            m.addSeparator() if a is None else m.addAction(a)
        m.aboutToShow.connect(self.update_actions)
        self.update_actions()

    def update_actions(self) -> None:
        """Replacing or reloading the set waits for the data job and a training run to end
        (the run reads its training split from disk when it starts)."""
        free = self.worker is None and not self._others_busy()
        for a in (self.generate_action, self.import_action, self.import_folder_action, self.reload_action):
            a.setEnabled(free)
        self.info_action.setEnabled(self.state.data_root is not None)

    def _others_busy(self) -> bool:
        return self.window.train_tab.is_running()

    # -- jobs -------------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self.worker is not None

    def start(self, request: DataRequest | None = None) -> bool:
        """Run ``request`` (default: make sure the default set exists and load it). False if
        a data job already runs."""
        if self.worker is not None:
            return False
        request = request or DataRequest()
        root = synth.default_data_dir()
        self.error = None
        creating = request.action in ("generate", "import") or (
            request.action == "ensure" and not synth.is_complete(root))
        if request.action == "load" and not synth.is_complete(root):
            self._unavailable(self.tr("no data set at {folder}").format(folder=root))
            return False
        w = Worker(lambda ctx: data_job(ctx, request), urgent=lambda item: True, name="data")
        w.items.connect(self._on_items)
        w.progress.connect(self._on_progress)
        w.failed.connect(self._on_failed)
        w.done.connect(self._on_done)
        self.worker = w
        self._estimate = synth.estimated_seconds(request.count) if request.action != "import" else None
        self._target_bytes = synth.estimated_disk_bytes(request.count) if request.action != "import" else None
        self._phase = (self.tr("Importing the data set") if request.action == "import"
                       else self.tr("Creating the letter data set") if creating
                       else self.tr("Loading validation data"))
        self._phase_start = time.monotonic()
        self._creating = creating
        self.changed_label.hide()
        self.changed_label.clear()
        self.reload_button.hide()
        self.progress_bar.setRange(0, 0)
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.show()
        self.cancel_button.setEnabled(True)
        self._show_progress(0, 0)
        self.update_actions()
        w.start()
        return True

    def _on_items(self, items: list) -> None:
        for it in items:
            if isinstance(it, Status):
                text = QCoreApplication.translate("Jobs", it.text).rstrip("…")
                if text != self._phase:
                    self._phase, self._phase_start, self._estimate = text, time.monotonic(), None
                self._show_progress(0, 0)
            elif isinstance(it, DataSize):
                if it.root == self.state.data_root:
                    self.disk_bytes = it.disk_bytes
            elif isinstance(it, DataReady):
                self.disk_bytes = None
                self.state.set_data(it.root, it.validation, it.signature, it.info)
                self.window.statusBar().showMessage(
                    self.tr("Data set: {folder} ({n} validation images)").format(
                        folder=short_path(it.root), n=len(it.validation)), 8000)

    def _on_progress(self, done: int, total: int) -> None:
        self._show_progress(done, total)

    def _show_progress(self, done: int, total: int) -> None:
        """The status bar and the tabs waiting for the data: phase, percent, time left,
        and (while creating) where the data goes and how large it will be."""
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
            elapsed = time.monotonic() - self._phase_start
            if done > 0 and elapsed > 1.0:
                self._estimate = elapsed * (total - done) / done
        pct = f"{100 * done // total}" if total > 0 else None      # as the bar rounds
        text = self._phase if pct is None else self.tr("{what}: {percent} %").format(what=self._phase, percent=pct)
        if self._estimate is not None and (total == 0 or done < total):
            text += self.tr(", about {seconds} s left").format(seconds=f"{max(1, round(self._estimate))}")
        where = ""
        if self._creating and self._target_bytes:
            where = self.tr("about {size} in {folder}").format(
                size=synth.megabytes(self._target_bytes), folder=short_path(synth.default_data_dir()))
        # The status bar has little room: the size and folder go in its tooltip and in full
        # in the tabs that wait for the data.
        self.progress_label.setText(text)
        self.progress_label.setToolTip(where or str(synth.default_data_dir()))
        status = self.tr("Waiting for the data set. {status}").format(status=text)
        self.state.set_data_status(status + (self.tr(" — {where}").format(where=where) if where else ""))

    def _on_failed(self, exc: BaseException) -> None:
        self.error = error_text(exc)
        if not self._closing:
            self._unavailable(self.error)
            QMessageBox.warning(self.window, self.tr("Data set"),
                                self.tr("The data set was not changed: {error}").format(error=self.error)
                                if self.state.data_root is not None else
                                self.tr("The data set is unavailable: {error}").format(error=self.error))

    def _unavailable(self, message: str) -> None:
        self.error = message
        self.window.statusBar().showMessage(self.tr("Data set unavailable: {error}").format(error=message))
        self.state.data_unavailable(message)

    def _on_done(self) -> None:
        w = self.worker
        if w is None:
            return
        self.worker = None
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            widget.hide()
        if self._closing:
            return
        if self.state.data_root is not None:
            # A cancelled or failed replacement leaves the loaded set, still the one on disk.
            self.state.set_data_status("")
            self.check_on_disk()
        elif w.aborted:
            self.error = self.tr("cancelled")
            message = self.tr("Data-set creation cancelled: Train and Mistakes need it. "
                              "Data → Generate data set… creates it.")
            self.window.statusBar().showMessage(message)
            self.state.set_data_status(message)
        elif self.error is not None:
            self.state.set_data_status(self.tr("No data set: {error}. Data → Generate data set… "
                                               "creates one.").format(error=self.error))
        self.update_actions()

    @guarded
    def cancel(self) -> None:
        if self.worker is not None:
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling…"))
            self.worker.stop()

    def shutdown(self) -> None:
        self._closing = True
        self.watch_timer.stop()
        if self.worker is not None:
            self.worker.stop_and_wait()

    # -- the watch ----------------------------------------------------------------------
    def check_on_disk(self) -> bool:
        """Whether the loaded set is still the one on disk; if not, say so once and offer to
        reload (training waits for it: it never trains on one set while scoring another)."""
        root = self.state.data_root
        if root is None or self.worker is not None:
            return True
        signature = synth.dataset_signature(root)
        if signature == self.state.data_signature:
            return True
        text = (self.tr("The data set was removed from disk.") if signature is None
                else self.tr("The data set changed on disk (generated or imported again)."))
        if text != self.changed_label.text() or self.changed_label.isHidden():
            self.window.statusBar().showMessage(text, 10000)      # said once, then shown beside
        self.changed_label.setText(text)
        self.changed_label.show()
        self.reload_button.show()
        self.state.set_data_status(text)
        return False

    # -- menu actions -------------------------------------------------------------------
    @guarded
    def reload(self) -> None:
        self.start(DataRequest("ensure"))

    @guarded
    def generate_dialog(self) -> None:
        if self.worker is not None or self._others_busy():
            return
        root = synth.default_data_dir()
        current = self.disk_bytes if synth.is_complete(root) else None
        seed = self.state.data_info.get("seed", 0)
        dlg = GenerateDialog(root, current, seed if isinstance(seed, int) else 0, self.window)
        if dlg.exec() == QDialog.Accepted:
            seed, count = dlg.values()
            self.start(DataRequest("generate", seed=seed, count=count))
        dlg.deleteLater()

    @guarded
    def import_archive_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Import data set"), start_folder("data/import_dir"),
            self.tr("Data set archives (*.tar.gz *.tgz *.tar)") + ";;" + self.tr("All files (*)"))
        self._import(path)

    @guarded
    def import_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.window, self.tr("Import data set folder"),
                                                start_folder("data/import_dir"))
        self._import(path)

    def _import(self, path: str) -> None:
        if not path or self.worker is not None or self._others_busy():
            return
        remember_folder("data/import_dir", path)
        if self.state.data_root is not None:
            box = QMessageBox(QMessageBox.Question, self.tr("Import data set"),
                              self.tr("Replace the data set in {folder} with {source}? The images are checked "
                                      "first; nothing changes if one is bad.").format(
                                  folder=synth.default_data_dir(), source=path),
                              QMessageBox.Yes | QMessageBox.Cancel, self.window)
            box.setObjectName("importQuestion")
            answer = box.exec()
            box.deleteLater()
            if answer != QMessageBox.Yes:
                return
        self.start(DataRequest("import", source=Path(path)))

    @guarded
    def open_folder(self) -> None:
        root = self.state.data_root or synth.default_data_dir()
        while not root.is_dir() and root != root.parent:
            root = root.parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(root)))

    def info_text(self) -> str:
        s = self.state
        if s.data_root is None:
            return self.tr("No data set is loaded.")
        info = s.data_info
        counts = info.get("counts") if isinstance(info.get("counts"), dict) else {}
        lines = [self.tr("Folder: {folder}").format(folder=s.data_root)]
        if self.disk_bytes is not None:
            lines.append(self.tr("Size on disk: {size}").format(size=synth.megabytes(self.disk_bytes)))
        if counts:
            lines.append(self.tr("Images: {train} train, {validate} validation, {test} test").format(
                train=counts.get("train", "?"), validate=counts.get("validate", "?"), test=counts.get("test", "?")))
        else:
            lines.append(self.tr("Validation images: {n}").format(n=len(s.validation)))
        if info.get("generator") == "letterlab.synth":
            lines.append(self.tr("Generated by LetterLab (generator version {version}), seed {seed}").format(
                version=info.get("version", "?"), seed=info.get("seed", "?")))
            held = info.get("holdout_fonts")
            if isinstance(held, list) and held:
                lines.append(self.tr("Sources held out of training: {names}").format(names=", ".join(map(str, held))))
        elif info.get("generator") == "imported":
            lines.append(self.tr("Imported from {source}").format(source=info.get("from", "?")))
        else:
            lines.append(self.tr("Not made by LetterLab (no marker)"))
        lines.append(self.tr("Letters: {n} classes, 17×17 pixels").format(n=N_CLASSES))
        return "\n".join(lines)

    @guarded
    def show_info(self) -> None:
        box = QMessageBox(QMessageBox.Information, self.tr("Data set details"), self.info_text(),
                          QMessageBox.Ok, self.window)
        box.setObjectName("dataInfo")
        box.exec()
        box.deleteLater()
