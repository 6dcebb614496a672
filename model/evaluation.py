"""The one evaluation of a network on labelled images, for every consumer.

The command line's ``evaluate``, the Mistakes tab and the Trainer's validation all call
:func:`evaluate`, so they agree on the decision rule (the argmax of the loss's
probabilities), the accuracy, the per-letter accuracy and the confusion matrix.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import N_CLASSES
from .network import Network


@dataclass
class Evaluation:
    """A network's results on ``n`` labelled images.

    Attributes:
        labels: ``(n,)`` true classes.
        predictions: ``(n,)`` predicted classes (argmax of ``probabilities``).
        probabilities: ``(n, 26)`` rows that sum to 1.
        loss: the network's mean loss on the images.
        confusion: ``(26, 26)`` counts, rows true letter, columns predicted letter.
    """

    labels: np.ndarray
    predictions: np.ndarray
    probabilities: np.ndarray
    loss: float
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        n = len(self.labels)
        return float(np.count_nonzero(self.predictions == self.labels)) / n if n else float("nan")

    @property
    def per_letter(self) -> np.ndarray:
        """``(26,)`` accuracy per true letter (NaN for a letter with no images)."""
        totals = self.confusion.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(self.confusion) / totals

    @property
    def wrong(self) -> np.ndarray:
        """Indices of the misread images."""
        return np.flatnonzero(self.predictions != self.labels)


def evaluate(net: Network, x: np.ndarray, labels: np.ndarray, chunk: int = 4096,
             progress=None) -> Evaluation:
    """Evaluate ``net`` on images ``(n, 289)`` with ``labels`` ``(n,)``.

    Works in chunks of ``chunk`` images (bounded memory); ``progress(done, total)`` is
    called after each chunk and may raise to cancel. Writes nothing into the network.
    """
    labels = np.asarray(labels, dtype=np.int64)
    n = len(labels)
    probs = np.empty((n, N_CLASSES), np.float32)
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i in range(0, n, chunk):
            z = net.logits(x[i:i + chunk])
            total += net.loss.value(z, labels[i:i + chunk]) * len(z)
            probs[i:i + chunk] = net.loss.probabilities(z)
            if progress is not None:
                progress(min(i + chunk, n), n)
    pred = np.argmax(probs, axis=1)
    conf = np.zeros((N_CLASSES, N_CLASSES), np.int64)
    np.add.at(conf, (labels, pred), 1)
    return Evaluation(labels, pred, probs, total / n if n else float("nan"), conf)
