"""The shipped weights are package data: found with importlib.resources, in the wheel, loadable.

The full check -- build a wheel, install it into a fresh virtual environment outside the
checkout and run ``letterlab predict`` there -- is in .ci/run.
"""
import importlib.resources
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from model.weights import DEFAULT_WEIGHTS, SHIPPED_DIR, load_weights

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "model.weights_data"


def test_default_weights_are_found_with_importlib_resources_and_load():
    res = importlib.resources.files(PACKAGE) / "default.npz"
    assert res.is_file()
    assert pathlib.Path(str(res)) == DEFAULT_WEIGHTS and DEFAULT_WEIGHTS.parent == SHIPPED_DIR
    net, meta = load_weights(DEFAULT_WEIGHTS)
    p = net.predict_proba(np.zeros((1, 289), np.float32))
    assert p.shape == (1, 26) and np.isclose(p.sum(), 1.0, atol=1e-4)
    assert meta["format_version"] >= 1


def test_the_repositorys_weights_folder_is_what_gets_shipped():
    """Whoever overwrites weights/default.npz changes what the app loads (the wheel: below)."""
    # pyproject.toml maps the package onto the repository's folder (an editable install keeps the mapping)
    assert SHIPPED_DIR.resolve() == (ROOT / "weights").resolve()
    assert (ROOT / "weights" / "default.npz").is_file()


def test_no_data_path_is_computed_from_dunder_file():
    """A path from __file__ up to the checkout works only in an editable install."""
    for pkg in ("model", "gui", "letterlab"):
        for p in (ROOT / pkg).rglob("*.py"):
            assert "Path(__file__)" not in p.read_text(), f"{p.relative_to(ROOT)}: use importlib.resources"


@pytest.mark.slow
def test_the_wheel_ships_the_weights_byte_for_byte(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (wheel,) = tmp_path.glob("letterlab-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for f in (ROOT / "weights").glob("*.npz"):
            assert z.read(f"model/weights_data/{f.name}") == f.read_bytes(), f.name
    assert not any(n.startswith(("assets/", "weights/", "tests/")) for n in names), sorted(names)
    # pyproject.toml lists the packages by name: a new subpackage must be added there
    sources = {p.relative_to(ROOT).as_posix()
               for pkg in ("model", "gui", "letterlab") for p in (ROOT / pkg).rglob("*.py")}
    assert sources <= names, sorted(sources - names)
