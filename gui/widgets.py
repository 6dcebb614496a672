"""Small helpers every part of the app uses: naming widgets for tests and screen readers,
error dialogs that never block a slot, one parser for layer sizes, ink as an image."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from model import SIDE, LetterLabError


def named(w, name: str):
    """Give ``w`` an object name and the same accessible name; returns ``w``."""
    w.setObjectName(name)
    w.setAccessibleName(name)
    return w


def show_error(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A warning dialog, shown window-modal without a nested event loop (so the slot that
    calls it returns at once, and a test can find it as ``errorDialog`` and close it)."""
    box = named(QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, parent), "errorDialog")
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
    return box


def error_text(exc: BaseException) -> str:
    """An exception as one line for a person: the message of our own errors and of
    OSError, the type and message of anything else (a bug)."""
    if isinstance(exc, LetterLabError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"


def parse_sizes(text: str, what: str | None = None) -> tuple[int, ...]:
    """``"256, 128"`` (commas, semicolons or spaces) → ``(256, 128)``; empty → ``()``.
    Raises LetterLabError for anything but positive whole numbers."""
    translate = QCoreApplication.translate
    what = what or translate("Errors", "hidden layer sizes")
    parts = [t for t in str(text).replace(";", ",").replace(" ", ",").split(",") if t.strip()]
    if not all(t.strip().isascii() and t.strip().isdigit() for t in parts):
        raise LetterLabError(translate("Errors", "{what} must be whole numbers separated by commas, got {text}")
                             .format(what=what, text=repr(text)))
    sizes = tuple(int(t) for t in parts)
    if any(s <= 0 or s > 100_000 for s in sizes):
        raise LetterLabError(translate("Errors", "{what} must be between 1 and 100000, got {text}")
                             .format(what=what, text=repr(text)))
    return sizes


def ink_to_qimage(x: np.ndarray, side: int = SIDE) -> QImage:
    """A 289-vector (ink 1.0) as a black-on-white 8-bit QImage (owns its data)."""
    a = np.round(255.0 * (1.0 - np.clip(np.asarray(x, np.float32).reshape(side, side), 0, 1)))
    a = np.ascontiguousarray(a.astype(np.uint8))
    return QImage(a.data, side, side, side, QImage.Format_Grayscale8).copy()


def guarded(slot):
    """Decorate a slot so no exception escapes it into Qt (which would print it and go
    on in an unknown state): the traceback is printed and, if the object has
    ``slot_failed(exc)``, that is called to tell the user."""
    import functools
    import traceback

    code = slot.__code__
    n_args = None if code.co_flags & 0x04 else code.co_argcount - 1   # 0x04: takes *args

    @functools.wraps(slot)
    def wrapper(self, *args):
        try:
            return slot(self, *(args if n_args is None else args[:n_args]))
        except Exception as e:  # noqa: BLE001 - the last line of defence
            traceback.print_exc()
            handler = getattr(self, "slot_failed", None)
            if handler is not None:
                handler(e)
    return wrapper


def is_shipped(path) -> bool:
    """True if ``path`` is (inside) the folder of the weights shipped with the app."""
    from pathlib import Path

    from model.weights import SHIPPED_DIR

    try:
        p, shipped = Path(path).resolve(), Path(SHIPPED_DIR).resolve()
    except (OSError, RuntimeError):
        return False
    return p == shipped or shipped in p.parents


def start_folder(settings_key: str) -> str:
    """Where a file dialog opens: the folder last used for ``settings_key`` (QSettings) if it
    still exists and is not the shipped weights' folder, else the user's documents folder
    (the home folder if there is none)."""
    from pathlib import Path

    from PySide6.QtCore import QSettings, QStandardPaths

    last = QSettings("LetterLab", "LetterLab").value(settings_key)
    if last and Path(str(last)).is_dir() and not is_shipped(last):
        return str(last)
    docs = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def ask_weights_path(parent, title: str, name: str) -> str | None:
    """A Save dialog for a weights file named ``name``, starting in the folder last used
    for weights (never the shipped one, which :func:`gui.runs.save_run` refuses too); the
    chosen path with ``.npz`` (its folder remembered for the next dialog), or None."""
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(start_folder("weights/dir")) / name),
                                          QCoreApplication.translate("MainWindow", "LetterLab weights (*.npz)"))
    if not path:
        return None
    remember_folder("weights/dir", path)
    return path if path.endswith(".npz") else path + ".npz"


def remember_folder(settings_key: str, path) -> None:
    """Record the folder of ``path`` (a file) as the next start of ``settings_key``'s dialogs."""
    from pathlib import Path

    from PySide6.QtCore import QSettings

    QSettings("LetterLab", "LetterLab").setValue(settings_key, str(Path(path).parent))


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it has less room than its text (all of which
    is its tooltip): e.g. the status bar's model description, which would otherwise leave
    the status messages no room. ``text()`` is the whole text."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(text, parent)
        self.setMinimumWidth(80)
        self.setToolTip(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), super().minimumSizeHint().height())

    def paintEvent(self, e) -> None:
        p = QPainter(self)
        text = self.fontMetrics().elidedText(self.text(), Qt.ElideRight, self.contentsRect().width())
        p.drawText(self.contentsRect(), int(self.alignment()), text)
        p.end()
