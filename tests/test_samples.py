"""The user's sample set (model.samples), the `letterlab samples` commands, and fine-tuning
with `train --from WEIGHTS [--samples]` / `evaluate --samples`."""
import contextlib
import importlib.util
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tarfile

import numpy as np
import pytest
from PIL import Image

from letterlab.cli import main
from model import LetterLabError
from model import samples as samples_mod
from model.data import DataError
from model.preprocess import normalize
from model.samples import SampleError, SampleSet, mix_samples, samples_weight, training_set
from model.weights import load_weights

_spec = importlib.util.spec_from_file_location("helpers_data", pathlib.Path(__file__).with_name("helpers_data.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def letter_image(kind: str, size=(280, 280), dark_on_light=True, width=20) -> np.ndarray:
    """A crude drawn capital on a canvas-sized image: 'I', 'T', 'L' or 'H'."""
    h, w = size
    ink = np.zeros(size, bool)
    t, b, l, r = h // 7, h - h // 7, w // 4, w - w // 4
    c = w // 2
    if kind in ("I", "T"):
        ink[t:b, c - width // 2:c + width // 2] = True
    if kind == "T":
        ink[t:t + width, l:r] = True
    if kind in ("L", "H"):
        ink[t:b, l:l + width] = True
    if kind == "L":
        ink[b - width:b, l:r] = True
    if kind == "H":
        ink[t:b, r - width:r] = True
        ink[h // 2 - width // 2:h // 2 + width // 2, l:r] = True
    img = np.where(ink, 0, 255).astype(np.uint8)
    return img if dark_on_light else 255 - img


@pytest.fixture
def sdir(tmp_path, monkeypatch):
    d = tmp_path / "my samples"
    monkeypatch.setenv("LETTERLAB_SAMPLES_DIR", str(d))
    return d


def list_names_exist(d: pathlib.Path) -> bool:
    """Every file the list names exists."""
    lp = d / "list.txt"
    if not lp.exists():
        return True
    return all((d / line.split()[0]).is_file() for line in lp.read_text().splitlines() if line.strip())


# ------------------------------------------------------------------ the set
def test_add_list_remove_undo(sdir):
    s = SampleSet()
    assert s.folder == sdir and len(s) == 0 and s.counts()["R"] == 0
    a = s.add(letter_image("I"), "I")
    b = s.add(letter_image("T", (120, 90), dark_on_light=False), "t")  # any size, either polarity, any case
    c = s.add(letter_image("L"), 11)
    assert re.fullmatch(r"I_[0-9a-f]{16}\.png", a) and b.startswith("T_") and c.startswith("L_")
    assert [e.name for e in s.entries()] == [a, b, c]
    assert s.counts()["I"] == 1 and s.counts()["T"] == 1 and sum(s.counts().values()) == 3
    assert s.summary() == {"count": 3, "per_letter": {"I": 1, "L": 1, "T": 1}, "dir": str(sdir)}
    # the tutorial's format: pic/NAME.png LABEL
    assert (sdir / "list.txt").read_text() == f"pic/{a} 8\npic/{b} 19\npic/{c} 11\n"
    # the same drawing with the same letter is kept once
    assert s.add(letter_image("I"), "I") == a and len(s) == 3

    undo = s.remove([b, f"pic/{a}"])
    assert [e.name for e in s.entries()] == [c] and not (sdir / "pic" / b).exists()
    assert list_names_exist(sdir)
    assert sorted(s.restore(undo)) == sorted([a, b])
    assert [e.name for e in s.entries()] == [a, b, c]  # back in their places
    with pytest.raises(SampleError, match="no such sample"):
        s.remove([a, "nope.png"])
    assert len(s) == 3  # all or nothing


def test_original_resolution_and_arrays(sdir):
    s = SampleSet()
    img = letter_image("H", (123, 77), dark_on_light=False)
    name = s.add(img, "H")
    stored = s.image(name)
    assert stored.shape == (123, 77) and stored.dtype == np.uint8
    assert np.array_equal(stored, 255 - img)  # kept as dark ink on white, pixel for pixel
    with Image.open(sdir / "pic" / name) as im:
        assert im.mode == "L" and im.size == (77, 123)
    s.add(letter_image("I", (300, 200)), "I")
    x, y = s.arrays()
    assert x.shape == (2, 289) and x.dtype == np.float32 and list(y) == [7, 8]
    assert np.allclose(x[0], normalize(img), atol=1e-6)
    huge = letter_image("T", (2400, 1800))
    stored = s.image(s.add(huge, "T"))
    assert max(stored.shape) == samples_mod.MAX_SIDE and stored.shape == (1000, 750)


def test_empty_set_arrays(sdir):
    x, y = SampleSet().arrays()
    assert x.shape == (0, 289) and y.shape == (0,)


def test_blank_and_bad_letter_refused(sdir, tmp_path):
    s = SampleSet()
    with pytest.raises(SampleError, match="blank"):
        s.add(np.full((280, 280), 255, np.uint8), "A")
    with pytest.raises(SampleError, match="blank"):
        s.add(np.zeros((50, 60), np.uint8), "A")  # black paper is blank too
    noise = np.full((280, 280), 255, np.uint8)
    noise[::37, ::41] = 250  # faint specks, no ink
    with pytest.raises(SampleError, match="blank"):
        s.add(noise, "A")
    for bad in ("AB", "", "1", 26, -1, "É"):
        with pytest.raises(SampleError, match="not a letter"):
            s.add(letter_image("I"), bad)
    # add_many is all or nothing
    with pytest.raises(SampleError, match="image 2"):
        s.add_many([letter_image("I"), np.full((9, 9), 255, np.uint8)], "I")
    assert len(s) == 0
    eps = tmp_path / "x.png"
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(DataError, match="cannot read image"):
        s.add(eps, "A")


def test_a_failing_write_leaves_the_set_consistent(sdir, monkeypatch):
    s = SampleSet()
    a = s.add(letter_image("I"), "I")
    real = samples_mod.atomic_write_bytes

    def fail_on_list(path, write):
        if pathlib.Path(path).name == "list.txt":
            raise OSError(28, "No space left on device")
        return real(path, write)

    monkeypatch.setattr(samples_mod, "atomic_write_bytes", fail_on_list)
    with pytest.raises(OSError):
        s.add(letter_image("T"), "T")  # the image was written, the list was not
    assert len(list((sdir / "pic").iterdir())) == 2  # an unlisted image, harmless
    with pytest.raises(OSError):
        s.remove([a])
    assert [e.name for e in s.entries()] == [a] and list_names_exist(sdir)
    assert (sdir / "pic" / a).exists()  # the list still names it, so it is still there

    def fail_on_image(path, write):
        if pathlib.Path(path).suffix == ".png":
            raise OSError(5, "I/O error")
        return real(path, write)

    monkeypatch.setattr(samples_mod, "atomic_write_bytes", fail_on_image)
    with pytest.raises(OSError):
        s.add(letter_image("L"), "L")
    assert [e.name for e in s.entries()] == [a] and list_names_exist(sdir)
    monkeypatch.setattr(samples_mod, "atomic_write_bytes", real)
    # Changes remove the images failed adds left behind.
    s.add(letter_image("H"), "H")
    assert sorted(p.name for p in (sdir / "pic").iterdir()) == sorted(e.name for e in s.entries())


def test_two_processes_adding_at_once_lose_nothing(sdir):
    code = ("import sys, numpy as np; from model.samples import SampleSet\n"
            "s = SampleSet(); k = int(sys.argv[1])\n"
            "for i in range(15):\n"
            "    a = np.full((40, 40), 255, np.uint8); a[5:35, 5 + i:8 + i] = 0; a[k, 20:30] = 0\n"
            "    s.add(a, 'I')\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(k)], cwd=ROOT) for k in (36, 37)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    s = SampleSet()
    assert len(s) == 30 and len({e.name for e in s.entries()}) == 30 and list_names_exist(sdir)


# ------------------------------------------------------------------ archives
def test_export_import_round_trip(sdir, tmp_path):
    s = SampleSet()
    names = [s.add(letter_image(k, (200 + 10 * i, 180)), k) for i, k in enumerate("ITLH")]
    arc = s.export(tmp_path / "mine.tar.gz")
    with tarfile.open(arc) as tf:
        want = ["samples/pic", "samples/list.txt", *[f"samples/pic/{n}" for n in names]]
        assert sorted(tf.getnames()) == sorted(want)
    other = SampleSet(tmp_path / "other")
    other.add(letter_image("T", (64, 64)), "T")
    r = other.import_(arc)
    assert sorted(r.added) == sorted(names) and r.skipped == 0
    assert other.counts()["T"] == 2 and len(other) == 5
    for n in names:
        assert np.array_equal(other.image(n), s.image(n))
    r = other.import_(arc)  # merging again adds nothing
    assert r.added == [] and r.skipped == 4 and len(other) == 5
    assert not [p for p in (tmp_path / "other").iterdir() if p.name.startswith(".import-")]
    with pytest.raises(SampleError, match="no samples"):
        SampleSet(tmp_path / "empty").export(tmp_path / "e.tar.gz")


def _tar(path, members):
    """members: (name, bytes or None for a folder, type)."""
    with tarfile.open(path, "w:gz") as tf:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
                tf.addfile(info)
            elif data is None:
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def _png_bytes(a):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("case,match", [
    ("symlink", "symbolic link"),
    ("dotdot", r"'\.\.'"),
    ("absolute", "absolute"),
    ("list escapes", "not an image in pic/"),
    ("eps as png", "cannot read image"),
    ("blank", "blank"),
    ("no list", "list.txt is missing"),
    ("bad label", "out of range"),
    ("other names", "run.sh"),
])
def test_hostile_archives_are_refused(sdir, tmp_path, case, match):
    s = SampleSet()
    keep = s.add(letter_image("I"), "I")
    good = _png_bytes(letter_image("T", (50, 50)))
    REG = tarfile.REGTYPE
    members = {
        "symlink": [("pic/a.png", None, tarfile.SYMTYPE), ("list.txt", b"pic/a.png 0\n", REG)],
        "dotdot": [("../evil.png", good, REG), ("list.txt", b"pic/a.png 0\n", REG)],
        "absolute": [("/tmp/evil.png", good, REG)],
        "list escapes": [("pic/a.png", good, REG), ("list.txt", b"pic/../../../etc/passwd 0\n", REG)],
        "eps as png": [("pic/a.png", b"%!PS-Adobe-3.0 EPSF-3.0\nshowpage\n", REG), ("list.txt", b"pic/a.png 0\n", REG)],
        "blank": [("pic/a.png", good, REG), ("pic/b.png", _png_bytes(np.full((30, 30), 255, np.uint8)), REG),
                  ("list.txt", b"pic/a.png 19\npic/b.png 1\n", REG)],
        "no list": [("pic/a.png", good, REG)],
        "bad label": [("pic/a.png", good, REG), ("list.txt", b"pic/a.png 26\n", REG)],
        "other names": [("pic/a.png", good, REG), ("list.txt", b"pic/a.png 0\n", REG), ("run.sh", b"rm -rf ~", REG)],
    }[case]
    arc = _tar(tmp_path / "evil.tar.gz", members)
    with pytest.raises(LetterLabError, match=match):
        s.import_(arc)
    assert [e.name for e in s.entries()] == [keep]  # nothing added, nothing written
    assert sorted(p.name for p in (sdir / "pic").iterdir()) == [keep]
    assert not (tmp_path / "evil.png").exists()
    assert sorted(p.name for p in sdir.iterdir() if not p.name.startswith(".")) == ["list.txt", "pic"]


# ------------------------------------------------------------------ mixing
def test_samples_weight_and_mix():
    assert samples_weight(8000, 104) == 4          # 5 % of an epoch
    assert samples_weight(40000, 104) == 19
    assert samples_weight(8000, 3) == 20           # capped: a handful is not repeated 130 times
    assert samples_weight(100, 5000) == 1 and samples_weight(8000, 0) == 0
    x, y = np.zeros((10, 289), np.float32), np.zeros(10, np.int64)
    xs, ys = np.ones((2, 289), np.float32), np.array([3, 4])
    xm, ym = mix_samples(x, y, xs, ys, 3)
    assert xm.shape == (16, 289) and sorted(ym[10:]) == [3, 3, 3, 4, 4, 4] and (xm[10:] == 1).all()
    big_x = np.arange(20000 * 289, dtype=np.float32).reshape(20000, 289)
    big_y = np.arange(20000) % 26
    xt, yt, k = training_set(big_x, big_y, xs, ys, seed=1, subset=8000)
    assert k == 20 and len(yt) == 8040 and len({float(v) for v in xt[:8000, 0]}) == 8000  # no repeats
    assert np.array_equal(xt, training_set(big_x, big_y, xs, ys, seed=1, subset=8000)[0])  # reproducible
    assert training_set(big_x, big_y, subset=None)[0] is big_x


# ------------------------------------------------------------------ command line
def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse's bad options
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_samples_commands(sdir, tmp_path, capsys):
    paths = []
    for i, (k, dark) in enumerate([("I", True), ("I", False), ("T", True)]):
        p = tmp_path / f"d{i}.png"
        Image.fromarray(letter_image(k, (150 + i, 140), dark_on_light=dark)).save(p)
        paths.append(p)
    code, out, _ = run_cli(capsys, "samples", "add", "--letter", "i", str(paths[0]), str(paths[1]))
    assert code == 0 and "added 2 I" in out
    assert run_cli(capsys, "samples", "add", "-l", "T", str(paths[2]))[0] == 0
    code, out, _ = run_cli(capsys, "samples", "list", "--json")
    assert code == 0 and json.loads(out) == {"count": 3, "per_letter": {"I": 2, "T": 1}, "dir": str(sdir)}
    code, out, _ = run_cli(capsys, "samples", "list")
    assert code == 0 and "3 samples" in out and "I 2" in out and "none yet of" in out

    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((100, 100), 255, np.uint8)).save(blank)
    code, _, err = run_cli(capsys, "samples", "add", "--letter", "R", str(paths[0]), str(blank))
    assert code == 2 and err.count("\n") == 1 and "blank" in err and str(blank) in err
    code, _, err = run_cli(capsys, "samples", "add", "--letter", "RR", str(paths[0]))
    assert code == 2 and err.count("\n") == 1 and "A-Z" in err
    code, _, err = run_cli(capsys, "samples", "add", "--letter", "R", str(tmp_path / "missing.png"))
    assert code == 2 and "not found" in err
    assert len(SampleSet()) == 3

    arc = tmp_path / "s.tar.gz"
    assert run_cli(capsys, "samples", "export", str(arc))[0] == 0 and arc.exists()
    code, out, _ = run_cli(capsys, "samples", "list", "--json", "--names")
    t_name = [e["name"] for e in json.loads(out)["samples"] if e["letter"] == "T"][0]
    code, out, _ = run_cli(capsys, "samples", "remove", t_name)
    assert code == 0 and "2 left" in out
    code, _, err = run_cli(capsys, "samples", "remove", t_name)
    assert code == 2 and "no such sample" in err
    code, out, _ = run_cli(capsys, "samples", "import", str(arc))
    assert code == 0 and "imported 1 samples (2 already there)" in out
    code, _, err = run_cli(capsys, "samples", "import", str(paths[0]))
    assert code == 2 and err.count("\n") == 1
    other = tmp_path / "elsewhere"
    code, out, _ = run_cli(capsys, "samples", "list", "--json", "--dir", str(other))
    assert code == 0 and json.loads(out)["count"] == 0 and json.loads(out)["dir"] == str(other)


def test_cli_samples_via_subprocess_uses_env(sdir, tmp_path):
    p = tmp_path / "a.png"
    Image.fromarray(letter_image("L")).save(p)
    env = {**os.environ, "LETTERLAB_SAMPLES_DIR": str(sdir)}
    r = subprocess.run([sys.executable, "-m", "letterlab", "samples", "add", "--letter", "L", str(p)],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (sdir / "list.txt").read_text().endswith(" 11\n")


# ------------------------------------------------------------------ fine-tuning
@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("letters")
    helpers.write_problem(root, test=False)
    return root


def epoch_losses(out: str) -> list[float]:
    return [float(m) for m in re.findall(r"epoch +\d+ +loss ([0-9.]+)", out)]


NETS = {
    "dense": ["--preset", "deep", "--epochs", "3", "--batch-size", "128"],
    "conv": ["--preset", "conv", "--conv", "4,pool", "--hidden", "16", "--dropout", "0", "--no-augment",
             "--label-smoothing", "0", "--epochs", "2", "--batch-size", "64"],
}


@pytest.fixture(scope="module")
def trained(dataset, tmp_path_factory):
    """name -> (weights path, the training run's epoch losses)."""
    out = {}
    d = tmp_path_factory.mktemp("w")
    for name, opts in NETS.items():
        w = d / f"{name}.npz"
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["train", *opts, "--data", str(dataset), "--save", str(w)]) == 0
        out[name] = (w, epoch_losses(buf.getvalue()))
    return out


@pytest.mark.parametrize("net", list(NETS))
def test_train_from_continues_from_the_files_weights(net, dataset, trained, tmp_path, capsys, sdir):
    w, losses = trained[net]
    assert losses[0] > losses[-1]
    tuned = tmp_path / "tuned.npz"
    code, out, err = run_cli(capsys, "train", "--from", str(w), "--epochs", "1", "--data", str(dataset),
                             "--save", str(tuned))
    assert code == 0, err
    first = epoch_losses(out)[0]
    # It starts where the file left off, not at chance (the from-scratch first epoch).
    assert first < 0.5 * losses[0] and first < 1.5 * losses[-1]
    _, meta0 = load_weights(w)
    net1, meta1 = load_weights(tuned)
    assert meta1["fine_tuned_from"] == str(w) and meta1["base_lr"] == meta0["lr"]
    assert meta1["fine_tune"]["lr"] == pytest.approx(meta0["lr"] / 10) and meta1["batch_size"] == meta0["batch_size"]
    assert net1.spec == load_weights(w)[0].spec

    # A vanishing learning rate leaves the file's weights as they were: they were the start.
    still = tmp_path / "still.npz"
    assert run_cli(capsys, "train", "--from", str(w), "--lr", "1e-12", "--epochs", "1",
                   "--data", str(dataset), "--save", str(still))[0] == 0
    net0, _ = load_weights(w)
    net2, _ = load_weights(still)
    for k, v in net0.state_dict().items():
        assert np.allclose(net2.state_dict()[k], v, atol=1e-6), k


def test_train_from_recipe_defaults_and_contradictions(dataset, trained, tmp_path, capsys, sdir):
    w, _ = trained["dense"]
    tuned = tmp_path / "t.npz"
    code, out, _ = run_cli(capsys, "train", "--from", str(w), "--data", str(dataset), "--save", str(tuned))
    assert code == 0 and len(epoch_losses(out)) == 2  # two epochs by default
    # a second fine-tune takes a tenth of the original rate again, not of a tenth
    again = tmp_path / "again.npz"
    assert run_cli(capsys, "train", "--from", str(tuned), "--epochs", "1", "--data", str(dataset),
                   "--save", str(again))[0] == 0
    assert load_weights(again)[1]["fine_tune"]["lr"] == pytest.approx(load_weights(w)[1]["lr"] / 10)
    for opts, words in [(["--hidden", "7"], "--hidden 7 contradicts"),
                        (["--conv", "4,pool"], "--conv 4,pool contradicts"),
                        (["--activation", "relu"], "--activation relu contradicts"),
                        (["--preset", "conv"], "--preset conv contradicts"),
                        (["--samples-weight", "3"], "needs --samples")]:
        code, _, err = run_cli(capsys, "train", "--from", str(w), *opts, "--data", str(dataset),
                               "--save", str(tmp_path / "x.npz"))
        assert code == 2 and words in err and err.count("\n") == 1, (opts, err)
    assert not (tmp_path / "x.npz").exists()
    code, _, err = run_cli(capsys, "train", "--from", str(tmp_path / "nope.npz"), "--data", str(dataset))
    assert code == 2 and "not found" in err
    # --hidden that agrees with the file is fine
    assert run_cli(capsys, "train", "--from", str(w), "--hidden", "20", "--epochs", "1", "--data", str(dataset),
                   "--save", str(tmp_path / "ok.npz"))[0] == 0


def test_samples_are_learned_and_evaluated(dataset, trained, tmp_path, capsys, sdir):
    """Drawings unlike anything in the training data, labelled with letters the network
    does not read them as: after a fine-tune with --samples it reads them; without, not."""
    w, _ = trained["dense"]
    rng = np.random.default_rng(5)
    net0, _ = load_weights(w)
    s = SampleSet()
    for _ in range(4):
        big = np.kron((rng.random((17, 17)) < 0.3).astype(np.uint8), np.ones((9, 9), np.uint8))
        img = np.where(big, 0, 255).astype(np.uint8)
        img[:2], img[-2:], img[:, :2], img[:, -2:] = 0, 0, 0, 0  # a frame: the box is the whole image
        guess = int(net0.predict(normalize(img)[None])[0])
        s.add(img, (guess + 7) % 26)
    code, out, _ = run_cli(capsys, "evaluate", "--weights", str(w), "--samples", "--json")
    assert code == 0 and json.loads(out)["accuracy"] == 0.0 and json.loads(out)["n"] == 4

    without, with_ = tmp_path / "without.npz", tmp_path / "with.npz"
    base = ["train", "--from", str(w), "--epochs", "3", "--lr", "1", "--data", str(dataset)]
    assert run_cli(capsys, *base, "--save", str(without))[0] == 0
    code, out, _ = run_cli(capsys, *base, "--samples", "--samples-weight", "20", "--save", str(with_))
    assert code == 0 and "4 of your samples" in out and "each 20 times" in out
    assert "accuracy on your samples before: 0.0 %" in out
    code, out, _ = run_cli(capsys, "evaluate", "--weights", str(with_), "--samples", "--json")
    assert json.loads(out)["accuracy"] == 1.0
    code, out, _ = run_cli(capsys, "evaluate", "--weights", str(without), "--samples", "--json")
    assert json.loads(out)["accuracy"] <= 0.25
    meta = load_weights(with_)[1]
    assert meta["fine_tune"]["samples"] == 4 and meta["fine_tune"]["samples_weight"] == 20


def test_samples_options_need_samples(dataset, trained, tmp_path, capsys, sdir):
    w, _ = trained["dense"]
    code, _, err = run_cli(capsys, "train", "--from", str(w), "--samples", "--data", str(dataset),
                           "--save", str(tmp_path / "x.npz"))
    assert code == 2 and "no samples yet" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, "evaluate", "--samples")
    assert code == 2 and "no samples yet" in err
    code, _, err = run_cli(capsys, "evaluate", "--samples", "--list", "x.txt")
    assert code == 2 and "not allowed with" in err
