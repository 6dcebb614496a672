"""What the tabs share: the active weights and the data set. Tabs subscribe to its signals."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from model.data import Dataset
from model.network import Network
from model.weights import describe


class AppState(QObject):
    """The active model (used by Draw and Mistakes) and the loaded data.

    The network held here is never trained further: a finished run hands over a copy.
    """

    modelChanged = Signal()
    dataChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.network: Network | None = None
        self.meta: dict = {}
        self.source: str = ""            # file name, or "trained in this window"
        self.path: Path | None = None
        self.data_root: Path | None = None
        self.validation: Dataset | None = None

    def set_model(self, network: Network | None, meta: dict | None = None,
                  source: str = "", path: Path | None = None) -> None:
        self.network = network
        self.meta = dict(meta or {})
        self.source = source
        self.path = path
        self.modelChanged.emit()

    def set_data(self, root: Path, validation: Dataset) -> None:
        self.data_root = Path(root)
        self.validation = validation
        self.dataChanged.emit()

    def describe_model(self) -> str:
        if self.network is None:
            return "No model loaded — open weights (Ctrl+O) or train one"
        meta = dict(self.meta)
        meta.setdefault("architecture", self.network.spec.to_dict())
        return f"{self.source}: {describe(meta)}"
