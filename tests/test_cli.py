"""The command line: train, evaluate, predict end to end, and clear errors with exit code 2."""
import importlib.util
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from letterlab.cli import main

_spec = importlib.util.spec_from_file_location("helpers_data", pathlib.Path(__file__).with_name("helpers_data.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("letters")
    xv, yv = helpers.write_problem(root)
    return root, xv, yv


@pytest.fixture(scope="module")
def trained(dataset, tmp_path_factory):
    root, _, _ = dataset
    w = tmp_path_factory.mktemp("w") / "deep.npz"
    assert main(["train", "--preset", "deep", "--epochs", "3", "--batch-size", "128",
                 "--data", str(root), "--save", str(w)]) == 0
    return w


def test_train_prints_epochs_and_saves(dataset, trained, capsys):
    root, _, _ = dataset
    w2 = trained.with_name("again.npz")
    assert main(["train", "--preset", "deep", "--epochs", "3", "--batch-size", "128",
                 "--data", str(root), "--save", str(w2)]) == 0
    out = capsys.readouterr().out
    assert out.count("val accuracy") == 3 and "saved" in out
    # same seed, same data: identical weights file contents
    with np.load(trained) as a, np.load(w2) as b:
        assert all(np.array_equal(a[k], b[k]) for k in a.files if k != "meta")


def test_evaluate_json(dataset, trained, capsys):
    root, xv, yv = dataset
    assert main(["evaluate", "--weights", str(trained), "--list", str(root / "test.txt"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["n"] == len(yv) and 0.9 < res["accuracy"] <= 1.0
    assert set(res["per_letter"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    from model.weights import load_weights
    net, _ = load_weights(trained)
    assert res["accuracy"] == pytest.approx(float(np.mean(net.predict(xv) == yv)))


def test_predict_images(dataset, trained, tmp_path, capsys):
    root, xv, yv = dataset
    img = root / "pic" / "va00000.png"
    assert main(["predict", "--weights", str(trained), "--top", "3", str(img)]) == 0
    out = capsys.readouterr().out
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[yv[0]]
    assert out.startswith(f"{img}: {letter} ")
    assert len(out.split(":", 1)[1].split()) == 6


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "letterlab", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("case", ["missing-data", "corrupt-weights", "pickled-weights", "wrong-size-image",
                                  "missing-list", "bad-option"])
def test_bad_input_is_one_clear_line_and_exit_2(case, tmp_path, dataset, trained):
    root, _, _ = dataset
    if case == "missing-data":
        r = run_cli("train", "--data", str(tmp_path / "nowhere"), "--epochs", "1")
        expect = "data folder not found"
    elif case == "corrupt-weights":
        bad = tmp_path / "bad.npz"
        bad.write_bytes(trained.read_bytes()[:300])
        r = run_cli("evaluate", "--weights", str(bad), "--list", str(root / "test.txt"))
        expect = "corrupt"
    elif case == "pickled-weights":
        bad = tmp_path / "pickled.npz"
        np.savez(bad, meta=np.array("{}"), w=np.array([object()], dtype=object))
        r = run_cli("predict", "--weights", str(bad), str(root / "pic" / "va00000.png"))
        expect = "pickle"
    elif case == "wrong-size-image":
        (tmp_path / "pic").mkdir()
        Image.fromarray(np.zeros((20, 18), np.uint8)).save(tmp_path / "pic" / "x.png")
        for s in ("train", "validate"):
            (tmp_path / f"{s}.txt").write_text("pic/x.png 3\n")
        r = run_cli("train", "--data", str(tmp_path), "--epochs", "1")
        expect = "train.txt:1: pic/x.png is 18x20, expected 17x17"
    elif case == "missing-list":
        r = run_cli("evaluate", "--weights", str(trained), "--list", str(tmp_path / "none.txt"))
        expect = "list file not found"
    else:
        r = run_cli("train", "--epochs", "many")
        expect = "argument --epochs: not a whole number: 'many'"
    assert r.returncode == 2, r.stderr
    assert expect in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("letterlab: error: ") and r.stderr.count("\n") == 1


def test_failed_training_saves_nothing(dataset, tmp_path):
    root, _, _ = dataset
    w = tmp_path / "w.npz"
    code = main(["train", "--preset", "default", "--lr", "1e7", "--momentum", "0", "--epochs", "2",
                 "--data", str(root), "--save", str(w)])
    assert code == 2 and not w.exists()


def test_unwritable_save_folder_fails_before_training(dataset, tmp_path):
    root, _, _ = dataset
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_cli("train", "--data", str(root), "--epochs", "1", "--save", str(blocker / "w.npz"))
    assert r.returncode == 2 and "cannot create the folder" in r.stderr
    assert "epoch" not in r.stdout  # nothing was trained


def test_output_into_a_closed_pipe_is_quiet(dataset, trained):
    root, _, _ = dataset
    cmd = f"{sys.executable} -m letterlab evaluate --weights {trained} --list {root / 'test.txt'} | head -1"
    p = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True)
    assert p.stdout.startswith("accuracy") and "error" not in p.stderr


def test_no_screen_is_a_clear_message_not_a_qt_abort():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "letterlab"], cwd=ROOT, capture_output=True, text=True, env=env)
    if sys.platform.startswith("linux"):
        assert r.returncode == 2 and "no screen" in r.stderr and "letterlab --help" in r.stderr


def test_predict_names_the_empty_image_and_goes_on(dataset, trained, tmp_path):
    root, _, _ = dataset
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((40, 40), 255, np.uint8)).save(blank)
    r = run_cli("predict", "--weights", str(trained), str(blank), str(root / "pic" / "va00000.png"))
    assert r.returncode == 2
    assert r.stderr.strip() == f"letterlab: error: {blank}: the image is blank (no ink to read)"
    assert r.stdout.startswith(str(root / "pic" / "va00000.png"))


# -- issue 12: help, defaults, option validation ------------------------------------------
@pytest.mark.parametrize("command", ["train", "evaluate", "predict"])
def test_help_documents_every_option_with_its_default(command, capsys):
    from letterlab.cli import build_parser

    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    for action in sub._actions:
        if not action.option_strings or action.dest == "help":
            continue
        assert action.help, action.option_strings
        needs_default = action.default not in (None, False) or action.dest in (
            "preset", "hidden", "epochs", "lr", "save", "list", "data", "weights", "blas_threads")
        if needs_default and action.dest != "top":
            assert "default" in action.help, action.option_strings
    if command == "predict":
        assert "1 to 26 (default: 1)" in text and "17x17" in text


@pytest.mark.parametrize("top", ["0", "27", "-1", "x"])
def test_predict_top_outside_1_to_26_is_refused(top, trained, tmp_path, capsys):
    img = tmp_path / "a.png"
    Image.fromarray(np.full((17, 17), 255, np.uint8)).save(img)
    r = run_cli("predict", "--weights", str(trained), "--top", top, str(img))
    assert r.returncode == 2 and "--top" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_predict_normalize_forces_17x17_drawings_through_normalisation(dataset, trained, tmp_path, capsys):
    # A small letter drawn in a corner of a 17x17 image: as is, it is off-centre and tiny.
    a = np.full((17, 17), 255, np.uint8)
    a[1:7, 1] = 0
    a[6, 1:5] = 0                        # an "L" in the top-left corner
    img = tmp_path / "small.png"
    Image.fromarray(a).save(img)
    assert main(["predict", "--weights", str(trained), "--top", "26", str(img)]) == 0
    as_is = capsys.readouterr().out
    assert main(["predict", "--weights", str(trained), "--top", "26", "--normalize", str(img)]) == 0
    forced = capsys.readouterr().out
    assert as_is != forced                # the option changes what the network sees


def test_predict_blank_image_speaks_of_images(trained, tmp_path, capsys):
    img = tmp_path / "blank.png"
    Image.fromarray(np.full((40, 40), 255, np.uint8)).save(img)
    assert main(["predict", "--weights", str(trained), str(img)]) == 2
    err = capsys.readouterr().err
    assert "blank.png" in err and "blank" in err and "draw" not in err


def test_train_without_save_writes_to_the_user_folder_never_the_cwd(dataset, tmp_path, monkeypatch, capsys):
    root, _, _ = dataset
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shallow.npz").write_bytes(b"mine")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    import letterlab.cli as cli

    monkeypatch.setattr(cli, "user_weights_dir", lambda: tmp_path / "user")
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "shallow.npz").write_bytes(b"earlier")
    args = ["train", "--preset", "shallow", "--epochs", "1", "--batch-size", "128", "--data", str(root)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "shallow.npz").read_bytes() == b"mine"
    assert (tmp_path / "user" / "shallow.npz").read_bytes() == b"earlier"
    assert (tmp_path / "user" / "shallow-2.npz").is_file()
    assert str(tmp_path / "user" / "shallow-2.npz") in out
    assert "1 epoch," in out and "1 epochs" not in out


def test_evaluate_without_list_uses_the_data_sets_test_split(dataset, trained, capsys):
    root, xv, yv = dataset
    assert main(["evaluate", "--weights", str(trained), "--data", str(root), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["n"] == len(yv) and res["list"] == str(root / "test.txt")
