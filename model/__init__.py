"""LetterLab's network library: NumPy layers, losses, networks, training and data.

Nothing in this package imports Qt or :mod:`gui`; the app and the command line both
use it through the names exported here and in the submodules.
"""

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SIDE = 17
N_INPUTS = SIDE * SIDE
N_CLASSES = len(LETTERS)


class LetterLabError(Exception):
    """An error with a message meant for a person (bad file, bad option, bad data)."""
