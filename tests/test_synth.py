"""The data-set generator: determinism, balance, format, holdout, import, cancel, CLI."""
from __future__ import annotations

import argparse
import io
import json
import os
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model import LETTERS, N_CLASSES, SIDE, LetterLabError, synth
from model.data import SPLITS, DataError, load_split, read_list

SMALL = 520


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> Path:
    """One small generated data set shared by the read-only tests."""
    return synth.generate(tmp_path_factory.mktemp("gen") / "set", seed=3, count=SMALL)


def _files(root: Path) -> dict[str, bytes]:
    out = {f"{s}.txt": (root / f"{s}.txt").read_bytes() for s in SPLITS}
    for p in sorted((root / "pic").iterdir()):
        out["pic/" + p.name] = p.read_bytes()
    return out


def test_layout_sizes_and_balance(small_set):
    assert synth.split_sizes(60000) == (40000, 10000, 10000)
    sizes = dict(zip(SPLITS, synth.split_sizes(SMALL)))
    assert sum(sizes.values()) == SMALL
    for split in SPLITS:
        ds = load_split(small_set, split)
        assert ds.x.shape == (sizes[split], SIDE * SIDE) and ds.x.dtype == np.float32
        counts = np.bincount(ds.y, minlength=N_CLASSES)
        assert counts.max() - counts.min() <= 1          # balanced over A-Z
        assert all(p.startswith("pic/") and p.endswith(".png") for p in ds.paths)
        assert 0.0 <= ds.x.min() and ds.x.max() == pytest.approx(1.0)
    with Image.open(small_set / load_split(small_set, "train").paths[0]) as im:
        assert im.size == (SIDE, SIDE) and im.mode == "L"
        a = np.asarray(im)
        assert np.median(a) == 255                        # black ink on white
    assert synth.is_complete(small_set)
    assert not list(small_set.parent.glob(".*tmp-*"))   # nothing left beside it


def test_same_seed_is_byte_identical_whatever_the_workers(tmp_path, small_set):
    again = synth.generate(tmp_path / "again", seed=3, count=SMALL, workers=2)
    assert _files(again) == _files(small_set)
    for split in SPLITS:
        a, b = load_split(again, split), load_split(small_set, split)
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.y, b.y)
    other = synth.generate(tmp_path / "other", seed=4, count=SMALL)
    assert (other / "train.txt").read_bytes() != (small_set / "train.txt").read_bytes()
    assert not np.array_equal(load_split(other, "train").x, load_split(small_set, "train").x)


def test_cache_is_primed_and_matches_the_images(small_set):
    for split in SPLITS:
        assert (small_set / f".{split}.cache.npz").is_file()
        cached = read_list(small_set / f"{split}.txt")
        fresh = read_list(small_set / f"{split}.txt", use_cache=False)
        np.testing.assert_allclose(cached.x, fresh.x, atol=1e-6)
        np.testing.assert_array_equal(cached.y, fresh.y)
    # How much faster the cache is: benchmarks/gen_speed.py (test_cache_hit_reads_no_image proves it is used).


def test_cache_hit_reads_no_image(small_set, monkeypatch):
    """The generator primes read_list's cache: loading a split opens no PNG."""
    import model.data as data

    def boom(path):
        raise AssertionError(f"read {path}: the cache was not used")

    monkeypatch.setattr(data, "read_gray", boom)
    for split in SPLITS:
        assert len(read_list(small_set / f"{split}.txt")) == synth.split_sizes(SMALL)[SPLITS.index(split)]


def test_samples_are_letters_not_noise(small_set):
    ds = load_split(small_set, "train")
    img = ds.x.reshape(-1, SIDE, SIDE)
    ink = img.sum(axis=(1, 2))
    assert ink.min() > 8 and ink.max() < 120                     # strokes, not blobs or specks
    assert img[:, :2].max() < 0.3 and img[:, -2:].max() < 0.3    # normalised margins
    # Letters differ from each other more than samples of one letter do.
    means = np.stack([ds.x[ds.y == k].mean(axis=0) for k in range(N_CLASSES)])
    nearest = ((ds.x[:, None, :] - means[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert (nearest == ds.y).mean() > 0.5          # a nearest-mean classifier already works


def test_marker_records_the_run(small_set):
    info = json.loads((small_set / synth.MARKER).read_text())
    assert info["seed"] == 3 and info["count"] == SMALL
    assert info["counts"] == dict(zip(SPLITS, synth.split_sizes(SMALL)))
    assert set(info["sources"]) == set(synth.list_sources())
    per = info["samples_per_source"]
    assert sum(per["train"].values()) == info["counts"]["train"]
    assert "hand" in per["train"] and any(k.startswith("times") or k.startswith("row") for k in per["train"])


def test_list_sources():
    names = synth.list_sources()
    assert names[0] == "hand" and "freehand" in names
    for n in ("futural", "rowmans", "timesi", "scripts"):
        assert n in names
    assert len(names) == len(set(names))


def test_holdout_fonts_are_disjoint(tmp_path):
    out = synth.generate(tmp_path / "h", seed=1, count=156, holdout_fonts=("Futural", "timesi"))
    per = json.loads((out / synth.MARKER).read_text())["samples_per_source"]
    assert set(per["validate"]) <= {"futural", "timesi"} and set(per["test"]) <= {"futural", "timesi"}
    assert not set(per["train"]) & {"futural", "timesi"}
    assert len(set(per["train"])) > 5
    with pytest.raises(LetterLabError, match="unknown glyph source"):
        synth.generate(tmp_path / "bad", count=156, holdout_fonts=("nosuchfont",))
    with pytest.raises(LetterLabError, match="every glyph source"):
        synth.generate(tmp_path / "bad", count=156, holdout_fonts=synth.list_sources())
    assert not (tmp_path / "bad").exists()


def test_bad_arguments_and_refusing_foreign_folders(tmp_path):
    with pytest.raises(LetterLabError, match="at least"):
        synth.generate(tmp_path / "x", count=10)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(LetterLabError, match="not a data set"):
        synth.generate(foreign, count=78)
    assert (foreign / "thesis.txt").read_text() == "precious"


def test_cancel_leaves_nothing_and_keeps_the_old_set(tmp_path, small_set):
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) >= 2

    seen = []
    with pytest.raises(synth.Cancelled):
        synth.generate(tmp_path / "c", count=SMALL, cancel=cancel, progress=lambda d, t: seen.append((d, t)))
    assert not (tmp_path / "c").exists()
    assert list(tmp_path.iterdir()) == []
    assert seen and all(d < t for d, t in seen)        # never reported as finished
    # Cancelling a regeneration leaves the previous complete set untouched.
    import shutil
    shutil.copytree(small_set, tmp_path / "keep")
    before = _files(tmp_path / "keep")
    calls.clear()
    with pytest.raises(synth.Cancelled):
        synth.generate(tmp_path / "keep", count=SMALL, seed=9, cancel=cancel)
    assert _files(tmp_path / "keep") == before and synth.is_complete(tmp_path / "keep")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]


def test_cancel_with_worker_processes(tmp_path):
    polls = []
    with pytest.raises(synth.Cancelled):
        synth.generate(tmp_path / "w", count=3000, workers=2, cancel=lambda: polls.append(1) or len(polls) >= 2)
    assert len(polls) == 2                # stopped at the first poll that said cancel; queued chunks dropped
    time.sleep(0.2)                       # no worker may still be writing
    assert list(tmp_path.iterdir()) == []


def test_stale_leftovers_of_a_crash_are_removed(tmp_path):
    stale = tmp_path / ".s.tmp-crashed"
    (stale / "pic").mkdir(parents=True)
    old = time.time() - 2 * synth.STALE_AFTER
    os.utime(stale, (old, old))
    fresh = tmp_path / ".s.tmp-running"          # another run in progress: left alone
    fresh.mkdir()
    synth.generate(tmp_path / "s", count=78)
    assert not stale.exists() and fresh.exists()


def test_progress_reaches_total_once_at_the_end(tmp_path):
    seen = []
    synth.generate(tmp_path / "p", count=78, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (78, 78)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert sum(1 for d, t in seen if d == t) == 1


def test_is_complete(tmp_path, small_set):
    assert not synth.is_complete(tmp_path / "nothing")
    import shutil
    broken = tmp_path / "broken"
    shutil.copytree(small_set, broken)
    lines = (broken / "test.txt").read_text().splitlines()
    (broken / "test.txt").write_text("\n".join(lines[:5]) + "\n")
    assert not synth.is_complete(broken)                 # shorter than the marker says
    (broken / "validate.txt").unlink()
    assert not synth.is_complete(broken)


def test_default_dir_env_and_ensure(tmp_path, monkeypatch):
    target = tmp_path / "letters"
    monkeypatch.setenv(synth.ENV_DATA_DIR, str(target))
    assert synth.default_data_dir() == target
    monkeypatch.setattr(synth, "DEFAULT_COUNT", 78)
    out = synth.ensure_default_dataset()
    assert out == target and synth.is_complete(target)
    stamp = (target / "train.txt").stat().st_mtime_ns
    assert synth.ensure_default_dataset() == target          # already complete: kept
    assert (target / "train.txt").stat().st_mtime_ns == stamp
    (target / "validate.txt").unlink()                        # incomplete: regenerated
    assert synth.is_complete(synth.ensure_default_dataset())
    monkeypatch.delenv(synth.ENV_DATA_DIR)
    assert synth.default_data_dir().name == "letters"


# --------------------------------------------------------------------------- import

def _tutorial_tar(src: Path, dest: Path, prefix: str = "data") -> Path:
    with tarfile.open(dest, "w:gz") as tf:
        for split in SPLITS:
            tf.add(src / f"{split}.txt", arcname=f"{prefix}/{split}.txt")
        tf.add(src / "pic", arcname=f"{prefix}/pic")
    return dest


def test_import_tar_and_folder(tmp_path, small_set):
    tar = _tutorial_tar(small_set, tmp_path / "data.tar.gz")
    dest = tmp_path / "active"
    assert synth.import_dataset(tar, dest=dest) == dest
    assert synth.is_complete(dest)
    for split in SPLITS:
        a, b = load_split(dest, split), load_split(small_set, split)
        np.testing.assert_allclose(a.x, b.x, atol=1e-6)
        np.testing.assert_array_equal(a.y, b.y)
    assert not list(tmp_path.glob(".active.*"))
    # A folder works too, and replaces the active set.
    dest2 = synth.import_dataset(small_set, dest=dest)
    assert json.loads((dest2 / synth.MARKER).read_text())["from"] == str(small_set)


def test_import_uses_default_dir(tmp_path, monkeypatch, small_set):
    monkeypatch.setenv(synth.ENV_DATA_DIR, str(tmp_path / "letters"))
    out = synth.import_dataset(_tutorial_tar(small_set, tmp_path / "d.tgz", prefix="."))
    assert out == tmp_path / "letters" and synth.is_complete(out)


def _bad_archives(tmp_path: Path, small_set: Path) -> dict[str, Path]:
    bad = {}
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is not an archive" * 50)
    bad["junk"] = junk
    good = _tutorial_tar(small_set, tmp_path / "good.tar.gz").read_bytes()
    trunc = tmp_path / "trunc.tar.gz"
    trunc.write_bytes(good[: len(good) // 2])
    bad["truncated"] = trunc
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tf:
        data = b"gotcha"
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    bad["traversal"] = evil
    nolist = tmp_path / "nolist.tar.gz"
    with tarfile.open(nolist, "w:gz") as tf:
        tf.add(small_set / "pic", arcname="data/pic")
        tf.add(small_set / "train.txt", arcname="data/train.txt")
    bad["missing validate"] = nolist
    wrong = tmp_path / "wrongsize"
    import shutil
    shutil.copytree(small_set, wrong)
    first = (wrong / "train.txt").read_text().split()[0]
    Image.new("L", (20, 20), 255).save(wrong / first)
    bad["wrong image size"] = wrong
    return bad


def test_broken_imports_raise_and_change_nothing(tmp_path, small_set):
    import shutil
    dest = tmp_path / "active"
    shutil.copytree(small_set, dest)
    before = _files(dest)
    work = tmp_path / "work"
    work.mkdir()
    for what, path in _bad_archives(work, small_set).items():
        with pytest.raises(DataError) as e:
            synth.import_dataset(path, dest=dest)
        assert str(path) in str(e.value), what
        assert _files(dest) == before, what
        assert sorted(p.name for p in tmp_path.iterdir()) == ["active", "work"], what
    assert not (tmp_path.parent / "escaped.txt").exists()
    with pytest.raises(DataError, match="not found"):
        synth.import_dataset(tmp_path / "nope.tar.gz", dest=dest)


# --------------------------------------------------------------------------- sheet & CLI

def test_contact_sheet(tmp_path):
    out = synth.contact_sheet(tmp_path / "sheet.png", seed=0, per_letter=3)
    with Image.open(out) as im:
        assert im.mode == "L"
        assert im.height >= N_CLASSES * SIDE * 4 and im.width >= 3 * SIDE * 4
    assert out.read_bytes() == synth.contact_sheet(tmp_path / "again.png", seed=0, per_letter=3).read_bytes()


def _parser() -> argparse.ArgumentParser:
    from letterlab.data_cli import add_data_parser

    p = argparse.ArgumentParser(prog="letterlab")
    sub = p.add_subparsers(dest="command")
    add_data_parser(sub)
    return p


def test_cli_generate_sources_sheet_import(tmp_path, capsys, small_set):
    p = _parser()
    args = p.parse_args(["data", "generate", "--out", str(tmp_path / "g"), "--count", "78",
                         "--seed", "2", "--holdout-fonts", "futural,rowmans"])
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    # stderr is not a terminal here: no progress bar is drawn into it (logs stay clean)
    assert "78 samples" in out and "\r" not in err and "generating" not in err
    assert synth.is_complete(tmp_path / "g")
    assert json.loads((tmp_path / "g" / synth.MARKER).read_text())["holdout_fonts"] == ["futural", "rowmans"]

    args = p.parse_args(["data", "sources"])
    assert args.func(args) == 0
    assert "futural" in capsys.readouterr().out

    args = p.parse_args(["data", "sheet", "--out", str(tmp_path / "s.png"), "--per-letter", "2"])
    assert args.func(args) == 0 and (tmp_path / "s.png").is_file()

    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"nope")
    args = p.parse_args(["data", "import", str(bad), "--dest", str(tmp_path / "active"), "-q"])
    with pytest.raises(LetterLabError, match="not a readable"):
        args.func(args)
    with pytest.raises(SystemExit):
        p.parse_args(["data", "generate", "--count", "5"])
    capsys.readouterr()


def test_cli_generate_default_dir_uses_env(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(synth.ENV_DATA_DIR, str(tmp_path / "letters"))
    args = _parser().parse_args(["data", "generate", "--count", "78", "-q"])
    assert args.func(args) == 0
    assert synth.is_complete(tmp_path / "letters")


@pytest.mark.slow
def test_full_size(tmp_path):
    """The default 60000-image set; its speed is measured by benchmarks/gen_speed.py."""
    out = synth.generate(tmp_path / "full", seed=0, count=60000)
    assert [len(load_split(out, s)) for s in SPLITS] == [40000, 10000, 10000]


# --------------------------------------------------------------------------- freehand forms

def _freehand_tags(letter: str, n: int, seed: int = 0) -> list[list[str]]:
    from model.synth_glyphs import freehand_strokes

    return [freehand_strokes(letter, np.random.default_rng([seed, k]))[0] for k in range(n)]


@pytest.mark.parametrize("letter, variants", [
    ("J", {"bar", "no-bar", "hook-shallow", "hook-medium", "hook-deep"}),
    ("R", {"bowl-small", "bowl-large", "leg-junction", "leg-bowl-end", "leg-stem",
           "leg-straight", "leg-curved", "leg-kick", "one-stroke"}),
    ("P", {"bowl-small", "bowl-large", "bowl-open", "bowl-closed", "bowl-over"}),
    ("B", {"bowls-open", "bowls-closed", "bowls-over", "top-small"}),
    ("D", {"bowl-open", "bowl-closed", "bowl-over"}),
    ("G", {"bar", "bar-spur", "bar-cross", "no-bar", "open", "almost-closed"}),
    ("M", {"straight", "slanted", "to-baseline", "half-way"}),
    ("W", {"straight", "slanted", "crossed", "to-top", "half-way"}),
    ("Q", {"crossing", "detached", "straight", "curved"}),
    ("A", {"apex-pointed", "apex-flat", "apex-gap"}),
])
def test_freehand_source_draws_the_forms_people_use(letter, variants):
    seen = {t for tags in _freehand_tags(letter, 300) for t in tags}
    assert variants <= seen, f"{letter}: never drew {sorted(variants - seen)}"


def _unit_points(letter: str, n: int):
    from model.synth_glyphs import freehand_strokes

    for k in range(n):
        tags, strokes = freehand_strokes(letter, np.random.default_rng([1, k]))
        yield tags, np.concatenate(strokes)


def test_freehand_letters_keep_what_tells_them_apart():
    """A J's hook is never so small that J-with-a-bar reads as T; an R always has a leg
    reaching out at the baseline and a P never has one."""
    for tags, pts in _unit_points("J", 200):
        low = pts[pts[:, 1] > 0.8]
        assert np.ptp(low[:, 0]) > 0.15, tags      # the hook spreads left at the bottom
        top = pts[pts[:, 1] < 0.12]
        if "bar" in tags:
            assert np.ptp(top[:, 0]) > 0.17, tags
        else:
            assert np.ptp(top[:, 0]) < 0.15, tags  # no bar: only the stem's top
    for letter, wide in (("R", True), ("P", False)):
        for tags, pts in _unit_points(letter, 200):
            foot = pts[pts[:, 1] > 0.9]
            assert (np.ptp(foot[:, 0]) > 0.25) == wide, (letter, tags)


def test_every_freehand_form_renders_inside_the_frame():
    from model.synth_glyphs import Source, sample_input

    src = Source("freehand", "freehand")
    for i, letter in enumerate(LETTERS):
        for k in range(12):
            x = sample_input(src, letter, np.random.default_rng([2, i, k])).reshape(SIDE, SIDE)
            assert x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
            assert x.sum() > 8, (letter, k)                      # ink, not a speck
            border = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
            assert border.max() < 0.3, (letter, k)               # nothing cut at the frame


def test_freehand_is_reproducible_from_the_seed():
    from model.synth_glyphs import Source, freehand_strokes, sample_input

    a = freehand_strokes("R", np.random.default_rng([5, 1]))
    b = freehand_strokes("R", np.random.default_rng([5, 1]))
    assert a[0] == b[0] and all(np.array_equal(p, q) for p, q in zip(a[1], b[1]))
    src = Source("freehand", "freehand")
    x = [sample_input(src, "J", np.random.default_rng([5, k])) for k in (1, 1, 2)]
    assert np.array_equal(x[0], x[1]) and not np.array_equal(x[0], x[2])


def test_freehand_is_a_source_that_can_be_held_out(tmp_path):
    from model.synth_glyphs import available_sources

    by_name = {s.name: s for s in available_sources()}
    assert by_name["freehand"].kind == "freehand"
    assert by_name["freehand"].weight == max(s.weight for s in by_name.values())
    out = synth.generate(tmp_path / "f", seed=1, count=156, holdout_fonts=("freehand",))
    per = json.loads((out / synth.MARKER).read_text())["samples_per_source"]
    assert set(per["validate"]) == {"freehand"} == set(per["test"])
    assert "freehand" not in per["train"]


def test_a_data_set_from_an_older_generator_is_outdated(tmp_path):
    import json as _json

    from model import synth as _synth

    (tmp_path / _synth.MARKER).write_text(_json.dumps({"generator": "letterlab.synth", "version": 1}))
    assert _synth._outdated(tmp_path)
    (tmp_path / _synth.MARKER).write_text(_json.dumps(
        {"generator": "letterlab.synth", "version": _synth.GENERATOR_VERSION}))
    assert not _synth._outdated(tmp_path)
    (tmp_path / _synth.MARKER).write_text("{not json")
    assert not _synth._outdated(tmp_path)


def test_cli_data_help_gives_every_options_default(capsys):
    p = _parser()
    for sub in ("generate", "sheet", "import", "sources"):
        with pytest.raises(SystemExit):
            p.parse_args(["data", sub, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        options = [a for a in text.split("options:")[1].split() if a.startswith("--") and a != "--help"]
        n_helps = text.split("options:")[1].count("default") + text.count("(required")
        assert n_helps >= len({o.rstrip(",") for o in options}), (sub, text)


def test_cli_import_names_the_users_path_and_counts_images(tmp_path, monkeypatch):
    from PIL import Image

    src = tmp_path / "mine"
    (src / "pic").mkdir(parents=True)
    for i in range(30):
        Image.new("L", (17, 17), 255 * (i % 2)).save(src / "pic" / f"{i}.png")
    for split, ids in (("train", range(20)), ("validate", range(20, 25)), ("test", range(25, 30))):
        (src / f"{split}.txt").write_text("".join(f"pic/{i}.png {i % 26}\n" for i in ids))
    calls = []
    dest = synth.import_dataset(src, dest=tmp_path / "active", progress=lambda d, t: calls.append((d, t)))
    assert synth.is_complete(dest) and calls[-1] == (30, 30) and {t for _, t in calls} == {30}
    (src / "pic" / "3.png").write_bytes(b"garbage")
    with pytest.raises(LetterLabError) as e:
        synth.import_dataset(src, dest=tmp_path / "active2")
    assert str(e.value).startswith(f"{src}: train.txt:4: pic/3.png") and ".import-" not in str(e.value)


def test_cli_generate_into_the_active_set_needs_force_and_says_its_size(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(synth.ENV_DATA_DIR, str(tmp_path / "letters"))
    args = _parser().parse_args(["data", "generate", "--count", "78", "-q"])
    assert args.func(args) == 0
    assert "MiB on disk" in capsys.readouterr().out
    before = (tmp_path / "letters" / synth.MARKER).read_bytes()
    args = _parser().parse_args(["data", "generate", "--count", "78", "--seed", "1", "-q"])
    with pytest.raises(LetterLabError, match=r"active data set \(.* MiB on disk\).*--force"):
        args.func(args)
    assert (tmp_path / "letters" / synth.MARKER).read_bytes() == before
    args = _parser().parse_args(["data", "generate", "--count", "78", "--seed", "1", "-q", "--force"])
    assert args.func(args) == 0 and (tmp_path / "letters" / synth.MARKER).read_bytes() != before
