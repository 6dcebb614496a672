"""model/ never imports Qt or gui/."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_model_imports_no_qt_and_no_gui():
    mods = sorted(p.stem for p in (ROOT / "model").glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module('model.' + m)\n"
        "qt = ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6', 'pyqtgraph', 'gui')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in qt]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_model_source_mentions_no_qt():
    for p in (ROOT / "model").rglob("*.py"):
        text = p.read_text()
        for word in ("PySide6", "PyQt", "from gui", "import gui", "pyqtgraph"):
            assert word not in text, f"{p.relative_to(ROOT)} mentions {word}"
