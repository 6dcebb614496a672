"""Hostile inputs (issue 7): every one is crafted here and must end as one clear error,
with nothing written outside the target, no foreign program run and nothing lost.

Classes: archives, folder imports, images, weights files, list files, data generate's
output folder, signals and killed saves, a data set replaced while it is read, options.
"""
import io
import json
import os
import signal
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from letterlab.cli import main
from model import LetterLabError
from model import data as mdata
from model import synth
from model.data import DataError, atomic_write_bytes, open_image, read_gray, read_list, write_split
from model.weights import WeightsError, load_weights

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def make_set(root: Path, label: int | None = None, seed: int = 0, n: int = 26) -> dict:
    """A small valid data set in ``root``; returns {split: (x, y)}."""
    rng = np.random.default_rng(seed)
    out = {}
    for split in mdata.SPLITS:
        x = (rng.random((n, 289)) < 0.3).astype(np.float32)
        y = np.full(n, label) if label is not None else np.arange(n) % 26
        write_split(root, split, [f"{split}{i:03d}" for i in range(n)], x, y)
        out[split] = (x, y)
    return out


def tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name: str, type_=tarfile.REGTYPE, data: bytes | None = b"x", linkname: str = "", **kw):
    info = tarfile.TarInfo(name)
    info.type = type_
    info.linkname = linkname
    info.mode = 0o755 if type_ == tarfile.DIRTYPE else 0o644
    for k, v in kw.items():
        setattr(info, k, v)
    return info, (data if type_ in (tarfile.REGTYPE, tarfile.AREGTYPE) else None)


def good_members(tmp_path: Path) -> list:
    src = tmp_path / "good"
    make_set(src)
    out = [member("data", tarfile.DIRTYPE), member("data/pic", tarfile.DIRTYPE)]
    for p in sorted(src.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            out.append(member(f"data/{p.relative_to(src).as_posix()}", data=p.read_bytes()))
    return out


def symlink_chain(depth: int = 60) -> list:
    """The CVE-2025-4517 shape: a chain of symlinks longer than the OS resolves, then a
    member written through it (it defeats tarfile's data filter on Python 3.11.7)."""
    ms = []
    name = "a"
    for i in range(depth):
        ms.append(member(f"{name}/l", tarfile.SYMTYPE, linkname="." if i else "..", data=None))
        name += "/l"
    ms.append(member(f"{name}/../../escape", tarfile.SYMTYPE, linkname="/tmp", data=None))
    ms.append(member("a/" + "l/" * depth + "../../escape/pwned.txt", data=b"pwned"))
    return ms


ARCHIVES = {
    "symlink chain": (symlink_chain, "symbolic link"),
    "symlink out": (lambda: [member("data/pic/x.png", tarfile.SYMTYPE, linkname="/etc/passwd")], "symbolic link"),
    "hardlink": (lambda: [member("data/train.txt", tarfile.LNKTYPE, linkname="/etc/passwd")], "hard link"),
    "dot-dot name": (lambda: [member("data/../../outside.txt")], r"'\.\.'"),
    "absolute name": (lambda: [member("/tmp/outside.txt")], "absolute"),
    "char device": (lambda: [member("data/pic/a.png", tarfile.CHRTYPE, devmajor=1, devminor=3)], "device"),
    "fifo": (lambda: [member("data/train.txt", tarfile.FIFOTYPE)], "FIFO"),
    "unexpected name": (lambda: [member("data/evil.sh")], "unexpected name"),
    "two top folders": (lambda: [member("a/train.txt"), member("b/test.txt")], "second top folder"),
    "duplicate member": (lambda: [member("pic/a.png"), member("pic/a.png")], "twice"),
    "nested pic": (lambda: [member("pic/sub/a.png")], "unexpected name"),
}


@pytest.mark.parametrize("case", list(ARCHIVES))
def test_hostile_archive_is_refused_before_anything_is_written(tmp_path, case):
    build, match = ARCHIVES[case]
    arc = tmp_path / "data.tar.gz"
    arc.write_bytes(tar_bytes(build()))
    dest = tmp_path / "inst" / "letters"
    with pytest.raises(DataError, match=match):
        synth.import_dataset(arc, dest=dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []  # no temp folder left
    assert not (tmp_path / "outside.txt").exists() and not Path("/tmp/pwned.txt").exists()


@pytest.mark.parametrize("limit, value", [("MAX_IMPORT_MEMBERS", 10), ("MAX_IMPORT_MEMBER_BYTES", 50),
                                          ("MAX_IMPORT_TOTAL_BYTES", 2000)])
def test_archive_limits_are_checked_before_writing(tmp_path, monkeypatch, limit, value):
    arc = tmp_path / "data.tar.gz"
    arc.write_bytes(tar_bytes(good_members(tmp_path)))
    monkeypatch.setattr(mdata, limit, value)
    into = tmp_path / "into"
    into.mkdir()
    with pytest.raises(DataError, match="more than"):
        mdata.extract_dataset_archive(arc, into)
    assert list(into.iterdir()) == []  # checked first, nothing written


def test_a_real_data_set_archive_imports(tmp_path):
    arc = tmp_path / "data.tar.gz"
    arc.write_bytes(tar_bytes(good_members(tmp_path)))
    dest = synth.import_dataset(arc, dest=tmp_path / "letters")
    assert synth.is_complete(dest) and len(read_list(dest / "train.txt")) == 26


def test_not_an_archive_and_a_fifo_archive(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b" + os.urandom(100))
    with pytest.raises(DataError, match="not a readable"):
        synth.import_dataset(junk, dest=tmp_path / "d")
    fifo = tmp_path / "fifo.tar.gz"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        synth.import_dataset(fifo, dest=tmp_path / "d")


@pytest.mark.parametrize("case", ["symlink image", "symlinked pic", "fifo list", "device image", "folder image"])
def test_hostile_folder_import(tmp_path, case):
    src = tmp_path / "src"
    make_set(src)
    secret = tmp_path / "secret.png"
    secret.write_bytes((src / "pic" / "train000.png").read_bytes())
    if case == "symlink image":
        (src / "pic" / "train001.png").unlink()
        (src / "pic" / "train001.png").symlink_to(secret)
    elif case == "symlinked pic":
        os.rename(src / "pic", tmp_path / "realpic")
        (src / "pic").symlink_to(tmp_path / "realpic")
    elif case == "fifo list":
        (src / "test.txt").unlink()
        os.mkfifo(src / "test.txt")
    elif case == "device image":
        (src / "pic" / "null.png").symlink_to("/dev/null")
    elif case == "folder image":
        (src / "pic" / "dir.png").mkdir()
    dest = tmp_path / "letters"
    with pytest.raises(DataError, match="link|not a regular file|not a folder"):
        synth.import_dataset(src, dest=dest)
    assert not dest.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- images
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 17 17\n{ } loop\nshowpage\n"


def test_eps_named_png_never_runs_ghostscript(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ran = tmp_path / "gs-ran"
    gs = bin_dir / "gs"
    gs.write_text(f"#!/bin/sh\ntouch {ran}\nsleep 30\n")
    gs.chmod(0o755)
    img = tmp_path / "x.png"
    img.write_bytes(EPS)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(DataError, match="cannot read image"):
        read_gray(img)
    env = {**ENV, "PATH": os.environ["PATH"]}
    p = subprocess.run([sys.executable, "-m", "letterlab", "predict", str(img)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "x.png" in p.stderr
    assert not ran.exists(), "Ghostscript was run on an EPS named .png"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, side: int = 30000) -> Path:
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
                     + png_chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + png_chunk(b"IEND", b""))
    return path


def test_png_bomb_header_is_a_clear_error(tmp_path, capsys):
    bomb = png_bomb(tmp_path / "bomb.png")
    with pytest.raises(DataError, match="bomb.png: image is too large"):
        open_image(bomb)
    assert main(["predict", str(bomb)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bomb.png" in err[0]


@pytest.mark.parametrize("kind", ["fifo", "folder", "device", "truncated"])
def test_image_that_is_not_a_regular_file(tmp_path, kind):
    p = tmp_path / "x.png"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "folder":
        p.mkdir()
    elif kind == "device":
        p = Path("/dev/zero")
    else:
        buf = io.BytesIO()
        Image.new("L", (17, 17)).save(buf, "PNG")
        p.write_bytes(buf.getvalue()[:40])
    with pytest.raises(DataError):
        read_gray(p)


# --------------------------------------------------------------------------- weights
def weights_file(tmp_path: Path, name="w.npz", meta=None, **arrays) -> Path:
    base = {"format_version": 1, "architecture": {"hidden": [], "activation": "sigmoid", "loss": "quadratic"}}
    if meta is not None:
        base = meta
    rng = np.random.default_rng(0)
    arrs = {"fc0.weight": rng.standard_normal((26, 289)).astype(np.float32),
            "fc0.bias": np.zeros(26, np.float32)}
    arrs.update(arrays)
    p = tmp_path / name
    np.savez(p, meta=np.array(base if isinstance(base, str) else json.dumps(base)), **arrs)
    return p


def test_plain_weights_file_loads(tmp_path):
    net, meta = load_weights(weights_file(tmp_path))
    assert meta["format_version"] == 1


def zip_bomb(path: Path, n: int = 80_000_000) -> Path:
    """A weights file of ~300 kB that declares and inflates to a 320 MB float32 array."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.npy", (lambda b: (np.save(b, np.array('{"format_version": 1}')), b.getvalue())[1])(io.BytesIO()))
        with zf.open("fc0.weight.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (n,)})
            zeros = bytes(1 << 22)
            for _ in range(n * 4 // len(zeros)):
                f.write(zeros)
    return path


def huge_header(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        b = io.BytesIO()
        np.lib.format.write_array_header_1_0(b, {"descr": "<f4", "fortran_order": False, "shape": (10**6, 10**6)})
        zf.writestr("fc0.weight.npy", b.getvalue() + bytes(64))
    return path


DEEP_META = ('{"format_version": 1, "architecture": {"hidden": [], "activation": "sigmoid", '
             '"loss": "quadratic"}, "x": ' + "[" * 200000 + "]" * 200000 + "}")


WEIGHTS = {
    "plain npy": (lambda t: (np.save(t / "w.npy", np.zeros(3)), t / "w.npy")[1], "not a LetterLab weights file"),
    "text file": (lambda t: (t / "w.txt").write_text("hello") and t / "w.txt", "not a LetterLab weights file"),
    "png": (lambda t: (Image.new("L", (17, 17)).save(t / "w.png"), t / "w.png")[1], "not a LetterLab weights file"),
    "zip bomb": (lambda t: zip_bomb(t / "bomb.npz"), "MB unpacked|elements"),
    "huge shape header": (lambda t: huge_header(t / "h.npz"), "elements"),
    "deep json": (lambda t: weights_file(t, meta=DEEP_META), "nested too deeply"),
    "architecture wrong type": (lambda t: weights_file(t, meta={"format_version": 1, "architecture": "big"}),
                                "architecture"),
    "Infinity": (lambda t: weights_file(t, meta='{"format_version": 1, "architecture": {"hidden": [Infinity], '
                                              '"activation": "sigmoid", "loss": "quadratic"}}'), "not valid JSON"),
    "negative size": (lambda t: weights_file(t, meta={"format_version": 1, "architecture": {
        "hidden": [-5], "activation": "sigmoid", "loss": "quadratic"}}), "architecture"),
    "huge size": (lambda t: weights_file(t, meta={"format_version": 1, "architecture": {
        "hidden": [10**12], "activation": "sigmoid", "loss": "quadratic"}}), "architecture"),
    "n_inputs 300": (lambda t: weights_file(t, meta={"format_version": 1, "architecture": {
        "hidden": [], "activation": "sigmoid", "loss": "quadratic", "n_inputs": 300}}), "n_inputs"),
    "n_classes 10": (lambda t: weights_file(t, meta={"format_version": 1, "architecture": {
        "hidden": [], "activation": "sigmoid", "loss": "quadratic", "n_classes": 10}}), "n_classes"),
    "float64 overflow": (lambda t: weights_file(t, **{"fc0.bias": np.full(26, 1e300)}), "too large for float32"),
    "integer array": (lambda t: weights_file(t, **{"fc0.bias": np.zeros(26, np.int64)}), "floating point"),
    "member not an array": (lambda t: (lambda p: (zipfile.ZipFile(p, "a").writestr("readme.txt", "hi"), p)[1])(
        weights_file(t)), "not an array"),
    "pickle": (lambda t: weights_file(t, **{"obj": np.array([{"a": 1}], dtype=object)}), "pickle"),
    "fifo": (lambda t: (os.mkfifo(t / "f.npz"), t / "f.npz")[1], "not a regular file"),
}


@pytest.mark.parametrize("case", list(WEIGHTS))
def test_hostile_weights_file(tmp_path, case):
    build, match = WEIGHTS[case]
    path = build(tmp_path)
    with pytest.raises(WeightsError, match=match) as e:
        load_weights(path)
    assert "\n" not in str(e.value) and len(str(e.value)) < 400


# --------------------------------------------------------------------------- list files
def list_case(tmp_path: Path, line: str | bytes) -> Path:
    (tmp_path / "pic").mkdir(exist_ok=True)
    Image.fromarray(np.zeros((17, 17), np.uint8)).save(tmp_path / "pic" / "a.png")
    p = tmp_path / "train.txt"
    p.write_bytes(line if isinstance(line, bytes) else line.encode())
    return p


@pytest.mark.parametrize("line, match", [
    ("pic/a.png 1_0\n", "label '1_0' is not a whole number"),
    ("pic/a.png ٣\n", "is not a whole number"),
    ("pic/a.png +3\n", "is not a whole number"),
    ("pic/a.png " + "9" * 5000 + "\n", "not a whole number"),
    ("x" * 1_000_000 + "\n", "expected 'pic/NAME.png LABEL'"),
    ("pic/fifo.png 1\n", "not a regular file"),
    ("pic 1\n", "is a folder"),
    ("/dev/zero 1\n", "not a regular file"),
    (b"pic/a.png 1\n\xff\xfe\n", "not UTF-8"),
])
def test_bad_list_files(tmp_path, line, match):
    p = list_case(tmp_path, line)
    os.mkfifo(tmp_path / "pic" / "fifo.png")
    with pytest.raises(DataError, match=match) as e:
        read_list(p, use_cache=False)
    assert len(str(e.value)) < 300


def test_list_with_byte_order_mark_reads(tmp_path):
    p = list_case(tmp_path, "\ufeffpic/a.png 3\n")
    assert read_list(p).y.tolist() == [3]


def test_list_file_that_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "train.txt")
    with pytest.raises(DataError, match="not a regular file"):
        read_list(tmp_path / "train.txt")


# --------------------------------------------------------------------------- generate's folder
def test_generate_never_deletes_a_users_files(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    assert main(["data", "generate", "--out", str(out), "--count", "78", "-q"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert (out / "thesis.txt").read_text() == "years of work"
    # A LetterLab data set with a user's file added later is not replaced either...
    gen = synth.generate(tmp_path / "gen", count=78)
    (gen / "notes.txt").write_text("mine")
    with pytest.raises(LetterLabError, match="not a data set LetterLab wrote"):
        synth.generate(gen, count=78, seed=1)
    assert (gen / "notes.txt").exists()
    # ...a pure one is, and --force replaces anything.
    (gen / "notes.txt").unlink()
    synth.generate(gen, count=78, seed=1)
    assert main(["data", "generate", "--out", str(out), "--count", "78", "-q", "--force"]) == 0
    assert not (out / "thesis.txt").exists() and synth.is_complete(out)


# --------------------------------------------------------------------------- signals, killed saves
def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_during_generate_leaves_no_worker_and_no_temp_folder(tmp_path):
    out = tmp_path / "letters"
    p = subprocess.Popen([sys.executable, "-m", "letterlab", "data", "generate", "--out", str(out),
                          "--count", "6000", "-q"], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and p.poll() is None:
            workers.update(_children(p.pid))
            tmp = list(tmp_path.glob(".letters.tmp-*"))
            if tmp and list(tmp[0].glob("pic/*.png")):  # the workers are writing
                break
            time.sleep(0.05)
        assert p.poll() is None, p.stderr.read().decode()
        workers.update(_children(p.pid))
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode != 0
    assert [q.name for q in tmp_path.iterdir()] == [], "temporary folder left behind"
    # multiprocessing's resource tracker notices its parent's exit a moment later: give the
    # children a few seconds to be gone, but none may stay.
    grace = time.monotonic() + 10
    while [w for w in workers if _alive(w)] and time.monotonic() < grace:
        time.sleep(0.1)
    assert workers and not [w for w in workers if _alive(w)], "worker process left running"


def test_temp_file_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".w.npz.{dead}.abcd1234.tmp"
    stale.write_bytes(b"half a file")
    live = tmp_path / f".w.npz.{os.getppid()}.abcd1234.tmp"  # a live writer's: kept
    live.write_bytes(b"in progress")
    atomic_write_bytes(tmp_path / "other.bin", lambda f: f.write(b"ok"))
    assert not stale.exists() and live.exists() and (tmp_path / "other.bin").read_bytes() == b"ok"


# --------------------------------------------------------------------------- one generation
def test_reader_never_mixes_two_generations(tmp_path):
    dest = tmp_path / "letters"
    make_set(dest, label=0, seed=1, n=40)
    new = tmp_path / ".letters.tmp-new"
    new_set = make_set(new, label=1, seed=2, n=40)
    swapped = []

    def swap_once(done, total):
        if not swapped:  # another process replaces the set after the first image
            swapped.append(True)
            synth._install(new, dest)

    ds = read_list(dest / "train.txt", progress=swap_once, use_cache=False)
    x_new, y_new = new_set["train"]
    assert swapped and np.array_equal(ds.y, y_new) and np.array_equal(ds.x, x_new)


# --------------------------------------------------------------------------- options
@pytest.mark.parametrize("argv", [
    ["train", "--seed", "-1"],
    ["train", "--lr", "nan"],
    ["train", "--epochs", "0"],
    ["train", "--hidden", "1_0"],
    ["train", "--hidden", ",".join(["8000"] * 30)],
    ["data", "generate", "--seed", "-1"],
    ["data", "generate", "--count", str(10**12)],
    ["data", "generate", "--count", "٣٣٣"],
    ["data", "sheet", "--per-letter", "100000000"],
    ["predict", "--top", "-2", "x.png"],
    ["evaluate", "--list", "/dev/zero", "--weights", "/dev/zero"],
    ["nonsense"],
])
def test_bad_option_is_one_line_and_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        raise SystemExit(main(argv))
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("letterlab: error:"), err
    assert list(tmp_path.iterdir()) == []


def test_absurd_learning_rate_exits_2_and_saves_nothing(tmp_path, capsys):
    make_set(tmp_path / "d", n=52)
    save = tmp_path / "w.npz"
    code = main(["train", "--preset", "shallow", "--lr", "1e9", "--epochs", "3", "--data",
                 str(tmp_path / "d"), "--save", str(save)])
    assert code == 2 and not save.exists()
    assert "nothing saved" in capsys.readouterr().err


def test_every_image_open_in_the_tree_goes_through_open_image():
    offenders = []
    for d in ("model", "letterlab", "gui"):
        for p in (ROOT / d).rglob("*.py"):
            text = p.read_text(encoding="utf-8")
            if "Image.open(" in text and p.name != "data.py":
                offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []
