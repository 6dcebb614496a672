"""LetterLab's main window: it assembles the tabs, menus, status bar and settings.

``MainWindow()`` loads the shipped weights (``weights/default.npz``) and the default data
set (creating it on first launch in the background, with the window usable: gui.data_set).
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMessageBox, QTabWidget

from model import LetterLabError
from model.weights import DEFAULT_WEIGHTS, load_weights

from . import i18n, session
from .draw_tab import DrawTab
from .data_set import DataSetManager
from .jobs import DataRequest
from .mistakes_tab import MistakesTab
from .network_view import NetworkView
from .runs import save_run
from .samples_view import SamplesStore, SamplesView
from .state import AppState
from .train_tab import TrainTab
from .widgets import (ElidedLabel, ask_weights_path, error_text, guarded, is_shipped, remember_folder,
                      show_error, start_folder)
from .worker import Worker

ORGANIZATION = "LetterLab"
APPLICATION = "LetterLab"


class MainWindow(QMainWindow):
    """Tabs Train, Draw and Mistakes around one shared :class:`AppState`.

    Args:
        weights: weights file to load at start (default: the shipped ``weights/default.npz``;
            a missing file leaves the app without a model, which it says in the status bar).
        create_data: create the default data set if it is missing (asks nothing; shows progress).
    """

    def __init__(self, weights: str | Path | None = None, create_data: bool = True, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("LetterLab")
        self.state = AppState(self)
        self.train_tab = TrainTab(self.state)
        self.draw_tab = DrawTab(self.state)
        self.mistakes_tab = MistakesTab(self.state)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self.train_tab, self.tr("&Train"))
        self.tabs.addTab(self.draw_tab, self.tr("&Draw"))
        self.tabs.addTab(self.mistakes_tab, self.tr("&Mistakes"))
        self.network_view = NetworkView(self.state, self.draw_tab)
        self.tabs.addTab(self.network_view, self.tr("&Network"))
        self._build_samples()
        self.setCentralWidget(self.tabs)

        self.model_label = ElidedLabel()
        self.model_label.setObjectName("activeWeights")
        self.model_label.setAccessibleName("activeWeights")
        self.statusBar().addPermanentWidget(self.model_label)   # right side; messages on the left
        self.state.modelChanged.connect(self._model_changed)
        self.train_tab.statusMessage.connect(self.statusBar().showMessage)
        self.draw_tab.statusMessage.connect(self.statusBar().showMessage)
        self.state.drawRequested.connect(lambda _x: self.tabs.setCurrentWidget(self.draw_tab))

        self.data = DataSetManager(self, self.state)
        self._build_menus()
        self._closing = False
        #: Ask before quitting with a run in progress or unsaved runs (tests turn it off).
        self.ask_before_quit = True

        self.settings = QSettings(ORGANIZATION, APPLICATION)
        self._restore_settings()

        self.load_weights_file(DEFAULT_WEIGHTS if weights is None else Path(weights), quiet=True)
        session.restore(self.state, keep_active=weights is not None, report=self.statusBar().showMessage)
        self._model_changed()
        self.start_data(create=create_data)

    def _build_samples(self) -> None:
        """My samples (issue 10): one store, shared by Draw (add), the samples view, Train
        (include, fine-tune) and Mistakes (study them)."""
        self.samples = SamplesStore(parent=self)
        self.samples_view = SamplesView(self.samples)
        self.tabs.addTab(self.samples_view, self.tr("My &samples"))
        self.samples_view.statusMessage.connect(self.statusBar().showMessage)
        self.draw_tab.attach_samples(self.samples)
        self.train_tab.attach_samples(self.samples)
        attach = getattr(self.mistakes_tab, "attach_samples", None)
        if attach is not None:
            attach(self.samples)

    # -- menus --------------------------------------------------------------------------
    def _build_menus(self) -> None:
        m = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = QAction(self.tr("&Open weights…"), self, shortcut=QKeySequence.Open,
                                   triggered=self.open_weights_dialog)
        self.save_action = QAction(self.tr("&Save weights…"), self, shortcut=QKeySequence.Save,
                                   triggered=self.save_weights_dialog)
        self.quit_action = QAction(self.tr("&Quit"), self, shortcut=QKeySequence("Ctrl+Q"), triggered=self.close)
        self.open_action.setShortcut(QKeySequence("Ctrl+O"))
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        for a in (self.open_action, self.save_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.quit_action)
        self.data.build_menu()
        self._build_language_menu()

    def _build_language_menu(self) -> None:
        """System / English / 简体中文, remembered in QSettings; applied after a restart."""
        from PySide6.QtGui import QActionGroup

        m = self.menuBar().addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        current = i18n.chosen_language(QSettings(ORGANIZATION, APPLICATION))
        self.language_actions: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            a = QAction(name or self.tr("System"), self, checkable=True)
            a.setChecked(code == current)
            a.triggered.connect(lambda _=False, c=code: self.choose_language(c))
            group.addAction(a)
            m.addAction(a)
            self.language_actions[code] = a

    @guarded
    def choose_language(self, code: str) -> None:
        settings = QSettings(ORGANIZATION, APPLICATION)
        if code == i18n.chosen_language(settings):
            return
        settings.setValue(i18n.SETTING, code)
        box = QMessageBox(QMessageBox.Question, self.tr("Language"),
                          self.tr("The new language takes effect when LetterLab restarts. Restart now?"),
                          QMessageBox.Yes | QMessageBox.No, self)
        box.setObjectName("restartQuestion")
        if self.ask_before_quit and box.exec() == QMessageBox.Yes and self.close():
            QProcess.startDetached(sys.executable, ["-m", "letterlab"])

    # -- weights ------------------------------------------------------------------------
    def load_weights_file(self, path: Path, quiet: bool = False) -> bool:
        """Add the weights in ``path`` to the runs and make them the active model. On any
        error the active model is unchanged and a dialog says why (``quiet``: only the
        status bar, and nothing at all for a missing file)."""
        path = Path(path)
        try:
            net, meta = load_weights(path)
        except Exception as e:  # noqa: BLE001 - any file, any failure: a message, not a crash
            if not (quiet and not path.exists()):
                msg = error_text(e)
                self.statusBar().showMessage(self.tr("Cannot open {file}: {error}").format(file=path.name, error=msg), 10000)
                if not quiet:
                    show_error(self, self.tr("Cannot open weights"),
                               self.tr("{file} was not opened; the active model is unchanged.").format(
                                   file=path.name) + "\n\n" + msg)
            return False
        shipped = path.resolve() == Path(DEFAULT_WEIGHTS).resolve() if path.exists() else False
        self.state.open_file(net, meta, path, name=self.tr("{file} (shipped)").format(file=path.name) if shipped else None)
        return True

    def save_weights_to(self, path: str | Path) -> Path:
        """Write the active model atomically, with its metadata (raises WeightsError/OSError)."""
        run = self.state.active
        if run is None or run.network is None:
            raise LetterLabError(self.tr("there is no model to save"))
        path = save_run(run, path)     # refuses the shipped weights' folder
        self.state.saved(run, path)
        return path

    @guarded
    def open_weights_dialog(self) -> None:
        start = start_folder("weights/dir")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open weights"), start,
                                              self.tr("LetterLab weights (*.npz)"))
        if path:
            remember_folder("weights/dir", path)
            self.load_weights_file(Path(path))

    @guarded
    def save_weights_dialog(self) -> None:
        if self.state.network is None:
            QMessageBox.information(self, self.tr("Save weights"), self.tr("There is no model to save yet."))
            return
        if self.state.path is None:
            name = f"{self.state.active.name.replace(' ', '-').replace('/', '-')}.npz"
        else:
            name = f"{self.state.path.stem}-copy.npz" if is_shipped(self.state.path) else self.state.path.name
        path = ask_weights_path(self, self.tr("Save weights"), name)
        if not path:
            return
        try:
            self.save_weights_to(path)
        except (LetterLabError, OSError) as e:
            show_error(self, self.tr("Cannot save weights"), error_text(e))
            return
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)

    def _model_changed(self) -> None:
        self.model_label.setText(self.state.describe_model())
        self.save_action.setEnabled(self.state.network is not None)

    # -- data ---------------------------------------------------------------------------
    def start_data(self, create: bool = True) -> None:
        """Find (or create, in the background) the default data set and load its validation split."""
        self.data.start(DataRequest("ensure" if create else "load"))

    @property
    def data_worker(self) -> Worker | None:
        return self.data.worker

    def is_busy(self) -> bool:
        return self.data_worker is not None or self.train_tab.is_running() or self.mistakes_tab.is_busy()

    # -- settings and closing -----------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        geom = s.value("window/geometry")
        if geom is not None:
            self.restoreGeometry(geom)
        else:
            self.resize(1240, 820)
        tab = s.value("window/tab")
        if tab is not None:
            try:
                self.tabs.setCurrentIndex(int(tab))
            except (TypeError, ValueError):
                pass
        self.draw_tab.load_settings(s)
        self.train_tab.load_settings(s)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/tab", self.tabs.currentIndex())
        self.draw_tab.save_settings(s)
        self.train_tab.save_settings(s)
        s.sync()

    def shutdown(self) -> None:
        """Stop every background job between steps and join its thread."""
        self._closing = True
        self.train_tab.shutdown()
        self.mistakes_tab.shutdown()
        self.data.shutdown()

    def may_quit(self) -> bool:
        """Ask before losing work: a run in progress, runs trained here and not saved.
        True if the window may close."""
        if not self.ask_before_quit:
            return True
        if self.train_tab.is_running():
            box = QMessageBox(QMessageBox.Question, self.tr("Quit LetterLab"),
                              self.tr("A training run is in progress. Stop it and quit?"),
                              QMessageBox.Cancel, self)
            box.setObjectName("quitRunningDialog")
            stop = box.addButton(self.tr("Stop and quit"), QMessageBox.AcceptRole)
            box.exec()
            box.deleteLater()
            if box.clickedButton() is not stop:
                return False
        unsaved = self.state.runs.unsaved()
        if unsaved:
            n = len(unsaved)
            box = QMessageBox(QMessageBox.Question, self.tr("Quit LetterLab"),
                              self.tr("%n run(s) not saved: {names}.", "", n).format(
                                  names=self.tr(", ").join(r.name for r in unsaved)),
                              QMessageBox.SaveAll | QMessageBox.Discard | QMessageBox.Cancel, self)
            box.setObjectName("quitUnsavedDialog")
            box.setDefaultButton(QMessageBox.SaveAll)
            answer = box.exec()
            box.deleteLater()
            if answer == QMessageBox.Cancel:
                return False
            if answer == QMessageBox.SaveAll:
                return self.save_all(unsaved)
        return True

    def save_all(self, runs, folder: str | Path | None = None) -> bool:
        """Save ``runs`` into ``folder`` (asked for if None) as NAME.npz; False if cancelled
        or a save failed (which a dialog reports)."""
        if folder is None:
            start = start_folder("weights/dir")
            folder = QFileDialog.getExistingDirectory(self, self.tr("Save runs into folder"), start)
            if not folder:
                return False
        for run in runs:
            path = Path(folder) / f"{run.name.replace(' ', '-').replace('/', '-')}.npz"
            try:
                path = save_run(run, path)
            except (LetterLabError, OSError) as e:
                QMessageBox.warning(self, self.tr("Cannot save weights"), f"{run.name}: {error_text(e)}")
                return False
            self.state.saved(run, path)
        return True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The model's description may take at most 45 % of the status bar (it ends in "…",
        # the whole of it in its tooltip): messages on the left keep room to be read.
        self.model_label.setMaximumWidth(max(160, int(0.45 * self.width())))

    def closeEvent(self, event) -> None:
        if not self._closing and not self.may_quit():
            event.ignore()
            return
        session.record(self.state)
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)


def single_blas_thread() -> None:
    """Give BLAS one thread for the whole app process.

    OpenBLAS's two threads collapse when another thread holds a core (design.md: an epoch
    went from 20 ms to 0.3-1.9 s), and in the app the GUI thread and the training worker
    are always two. BLAS limits are process-wide, so per-call limits in one thread would
    change the other's; one setting at start-up avoids that race.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


#: How long a Python thread may hold the GIL before another may take it (Python's default is
#: 5 ms). The training worker runs NumPy in short pieces between which it keeps the GIL; with
#: 1 ms the GUI thread's timers wait less (benchmarks/gui_latency.py: 10 ms timer p99 16.8 ->
#: 14-15 ms while training, training speed in the app unchanged within the noise).
GIL_SWITCH_INTERVAL = 0.001


def configure_threads() -> None:
    """The app's process-wide thread settings: one BLAS thread, a short GIL switch interval."""
    single_blas_thread()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


def main(argv: list[str] | None = None) -> int:
    """Start the app (the ``letterlab`` command with no arguments)."""
    configure_threads()
    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    settings = QSettings(ORGANIZATION, APPLICATION)
    lang = i18n.effective_language(i18n.chosen_language(settings))
    i18n.install(app, lang)
    w = MainWindow()
    w.show()
    if lang == "zh_CN" and not i18n.has_cjk_font() and not settings.value("cjk_font_warned", False, type=bool):
        settings.setValue("cjk_font_warned", True)
        QMessageBox.information(w, "LetterLab", i18n.missing_font_message())
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
