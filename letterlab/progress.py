"""Command-line progress: one tqdm bar on stderr, fed by the library's ``progress(done, total)``
callbacks. tqdm draws nothing when stderr is not a terminal (logs and pipes stay clean)."""
from __future__ import annotations

import sys

from tqdm import tqdm


class ProgressBar:
    """A tqdm bar with the library's callback shape: ``bar(done, total)`` or
    ``bar.update(done, total, suffix)``; ``bar.label = "…"`` changes its description.
    It appears after 0.3 s, so instant work prints nothing."""

    def __init__(self, label: str = "", unit: str = "it") -> None:
        self._bar = tqdm(desc=label, unit=unit, leave=False, file=sys.stderr, dynamic_ncols=True,
                         delay=0.3, disable=not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()))

    @property
    def label(self) -> str:
        return self._bar.desc

    @label.setter
    def label(self, text: str) -> None:
        self._bar.set_description_str(text, refresh=False)

    def update(self, done: int, total: int, suffix: str = "") -> None:
        if self._bar.total != total:
            self._bar.reset(total=total)
        if suffix:
            self._bar.set_postfix_str(suffix, refresh=False)
        self._bar.update(done - self._bar.n)

    __call__ = update

    def close(self) -> None:
        self._bar.close()
