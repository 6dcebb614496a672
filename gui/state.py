"""What the tabs share: the runs (every model the app holds), the active one, and the data
set. It changes only through the methods below, each of which emits a signal; tabs
subscribe and never write into each other's widgets."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from model.data import Dataset
from model.network import Network

from .i18n import spec_text
from .runs import Run, RunStore


class AppState(QObject):
    """The active model (used by Draw and Mistakes), all runs, and the loaded data.

    A network held here is never trained further: a run hands over a copy when it ends.
    """

    modelChanged = Signal()
    dataChanged = Signal()
    dataFailed = Signal(str)
    #: A line saying why the data set is not ready (being created, loaded, changed on
    #: disk, missing); "" once it is ready.
    dataStatus = Signal(str)
    drawRequested = Signal(object)   # a (289,) input to put on the Draw tab's canvas

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runs = RunStore(self)
        self._active: Run | None = None
        self._data_root: Path | None = None
        self._validation: Dataset | None = None
        self._data_error: str | None = None
        self._data_signature: str | None = None
        self._data_info: dict = {}
        self._data_status = ""

    # -- reading ----------------------------------------------------------------------
    @property
    def active(self) -> Run | None:
        return self._active

    @property
    def network(self) -> Network | None:
        return None if self._active is None else self._active.network

    @property
    def meta(self) -> dict:
        return {} if self._active is None else dict(self._active.metadata)

    @property
    def path(self) -> Path | None:
        return None if self._active is None else self._active.path

    @property
    def source(self) -> str:
        r = self._active
        if r is None:
            return ""
        if r.kind == "file" or r.saved:
            return r.path.name if r.path else r.name
        return self.tr("{name}, trained in this window (unsaved)").format(name=r.name)

    @property
    def data_root(self) -> Path | None:
        return self._data_root

    @property
    def validation(self) -> Dataset | None:
        return self._validation

    @property
    def data_error(self) -> str | None:
        return self._data_error

    @property
    def data_signature(self) -> str | None:
        """The generation on disk the validation split was loaded from."""
        return self._data_signature

    @property
    def data_info(self) -> dict:
        return dict(self._data_info)

    @property
    def data_status(self) -> str:
        return self._data_status

    @property
    def data_ready(self) -> bool:
        """A data set is loaded, nothing is replacing it and it is still the one on disk:
        training may start."""
        return self._data_root is not None and not self._data_status

    def describe_model(self) -> str:
        if self.network is None:
            return self.tr("No model loaded — open weights (Ctrl+O) or train one")
        text = self.tr("{source}: {network}").format(source=self.source,
                                                     network=spec_text(self.network.spec))
        acc = self.meta.get("val_accuracy")
        if isinstance(acc, (int, float)):
            text += self.tr(", validation {percent} %").format(percent=f"{100 * float(acc):.1f}")
        return text

    # -- changing (each emits) ------------------------------------------------------
    def use(self, run: Run | None) -> None:
        """Make ``run``'s weights the active model (None: no model)."""
        if run is not None and run.network is None:
            raise ValueError(f"{run.name} has no weights")
        self._active = run
        self.modelChanged.emit()

    def open_file(self, network: Network, meta: dict, path: Path, name: str | None = None) -> Run:
        """Add weights read from ``path`` as an entry and make them active."""
        run = self.runs.add_file(network, meta, path, name)
        self.use(run)
        return run

    def saved(self, run: Run, path: Path) -> None:
        """``run``'s weights were written to ``path``."""
        self.runs.update(run, path=Path(path), saved=True)
        if run is self._active:
            self.modelChanged.emit()

    def open_in_draw(self, x) -> None:
        """Ask for the 17×17 input ``x`` to be put on the Draw tab's canvas (to edit it)."""
        self.drawRequested.emit(x)

    def set_data(self, root: Path, validation: Dataset, signature: str | None = None,
                 info: dict | None = None) -> None:
        self._data_root = Path(root)
        self._validation = validation
        self._data_error = None
        self._data_signature = signature
        self._data_info = dict(info or {})
        self._data_status = ""
        self.dataChanged.emit()
        self.dataStatus.emit("")

    def data_unavailable(self, message: str) -> None:
        self._data_error = message
        self.dataFailed.emit(message)

    def set_data_status(self, text: str) -> None:
        """Say why the data set is not ready ("" once it is ready again)."""
        if text != self._data_status:
            self._data_status = text
            self.dataStatus.emit(text)
