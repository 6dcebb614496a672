"""The tutorial's on-disk format: reading, polarity, cache, errors that name file and line."""
import numpy as np
import pytest
from PIL import Image

from model.data import DataError, ink_from_gray, load_split, read_list, write_split


def make_set(root, n=30, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.random((n, 289)) < 0.2).astype(np.float32)
    y = rng.integers(0, 26, n)
    write_split(root, "train", [f"t{i:05d}" for i in range(n)], x, y)
    return x, y


def test_round_trip(tmp_path):
    x, y = make_set(tmp_path)
    ds = load_split(tmp_path, "train")
    assert ds.x.dtype == np.float32 and ds.x.shape == (30, 289)
    assert np.array_equal(ds.x, x) and np.array_equal(ds.y, y)
    assert ds.paths[0] == "pic/t00000.png"
    lines = (tmp_path / "train.txt").read_text().splitlines()
    assert lines[0] == f"pic/t00000.png {y[0]}"


def test_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    x, y = make_set(tmp_path)
    read_list(tmp_path / "train.txt")
    assert (tmp_path / ".train.cache.npz").exists()
    import model.data as data

    calls = []
    monkeypatch.setattr(data, "read_gray", lambda p, **kw: calls.append(p) or np.zeros((17, 17), np.uint8))
    ds = read_list(tmp_path / "train.txt")
    assert calls == [] and np.array_equal(ds.x, x)
    # editing the list file invalidates the cache
    text = (tmp_path / "train.txt").read_text().splitlines()
    (tmp_path / "train.txt").write_text("\n".join(text[:10]) + "\n")
    ds = read_list(tmp_path / "train.txt")
    assert len(calls) == 10 and len(ds) == 10


def test_polarity_either_way():
    ink = np.zeros((17, 17), np.uint8)
    ink[3:14, 8] = 255  # white ink on black
    a = ink_from_gray(ink)
    b = ink_from_gray(255 - ink)  # black ink on white
    assert np.array_equal(a, b) and a.max() == 1.0 and a[0, 0] == 0.0


def test_white_on_black_pngs_read_as_ink(tmp_path):
    (tmp_path / "pic").mkdir()
    img = np.zeros((17, 17), np.uint8)
    img[2:15, 4] = 255
    Image.fromarray(img).save(tmp_path / "pic" / "a.png")
    (tmp_path / "train.txt").write_text("pic/a.png 0\n")
    ds = read_list(tmp_path / "train.txt")
    assert ds.x.reshape(17, 17)[5, 4] == 1.0 and ds.x.sum() == 13


@pytest.mark.parametrize("line, match", [
    ("pic/missing.png 3", "train.txt:2: .*not found"),
    ("pic/a.png", "train.txt:2: expected"),
    ("pic/a.png 26", "train.txt:2: label 26 is out of range"),
    ("pic/a.png x", "train.txt:2: label 'x'"),
    ("pic/big.png 1", r"train.txt:2: pic/big.png is 20x18, expected 17x17"),
    ("pic/junk.png 1", "train.txt:2: .*cannot read image"),
])
def test_errors_name_file_and_line(tmp_path, line, match):
    (tmp_path / "pic").mkdir()
    Image.fromarray(np.zeros((17, 17), np.uint8)).save(tmp_path / "pic" / "a.png")
    Image.fromarray(np.zeros((18, 20), np.uint8)).save(tmp_path / "pic" / "big.png")
    (tmp_path / "pic" / "junk.png").write_bytes(b"not a png")
    (tmp_path / "train.txt").write_text(f"pic/a.png 0\n{line}\n")
    with pytest.raises(DataError, match=match):
        read_list(tmp_path / "train.txt")


def test_other_sizes_pass_through_normalize(tmp_path):
    (tmp_path / "pic").mkdir()
    Image.fromarray(np.zeros((18, 20), np.uint8)).save(tmp_path / "pic" / "big.png")
    (tmp_path / "test.txt").write_text("pic/big.png 1\n")
    ds = read_list(tmp_path / "test.txt", normalize=lambda g: np.full(289, 0.5, np.float32))
    assert np.all(ds.x == 0.5)


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="data folder not found"):
        load_split(tmp_path / "nope", "train")


def test_saved_files_are_not_private(tmp_path):
    import os
    make_set(tmp_path, n=3)
    mode = (tmp_path / "train.txt").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
