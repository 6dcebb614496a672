"""LetterLab's desktop app (PySide6). Uses :mod:`model` only through its public API.

Start it with ``letterlab`` or ``python -m gui.app``; build the window with
``from gui.app import MainWindow``.
"""
