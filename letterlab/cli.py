"""``letterlab``: the command line for everything that needs no window.

``letterlab`` alone opens the app; ``letterlab train|evaluate|predict|data ...`` work
without a screen. Errors are one line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from model import LETTERS, SIDE, LetterLabError

from .progress import ProgressBar


class Parser(argparse.ArgumentParser):
    """argparse with bad options reported as one line on stderr (exit 2), like every other
    bad input, instead of a usage block followed by the error."""

    def error(self, message: str):  # noqa: D401 - argparse's API
        self.exit(2, f"letterlab: error: {message.splitlines()[0] if message else 'bad arguments'} "
                     f"(see {self.prog} --help)\n")


def _number(kind, low=None, low_ok=True, high=None):
    """An argparse type: an int or finite float, optionally bounded."""
    def parse(text: str):
        try:
            v = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"not a {'whole ' if kind is int else ''}number: {text[:40]!r}") from None
        if kind is float and not np.isfinite(v):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text[:40]!r}")
        if low is not None and (v < low or (v == low and not low_ok)):
            raise argparse.ArgumentTypeError(f"must be {'at least' if low_ok else 'more than'} {low}, got {text[:40]}")
        if high is not None and v > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {text[:40]}")
        return v
    return parse


#: The largest seed NumPy's generators take without complaint in every call we make.
MAX_SEED = 2**63 - 1


def available_memory() -> int:
    """Bytes of memory this process may reasonably use (MemAvailable on Linux, else 4 GB)."""
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 4 << 30


def check_memory(needed: int, what: str) -> None:
    """Refuse, before allocating, a job whose estimated memory exceeds what is available."""
    have = available_memory()
    if needed > have:
        raise LetterLabError(f"{what} would need about {needed / 2**30:.1f} GB of memory, "
                             f"more than the {have / 2**30:.1f} GB available; choose smaller sizes")


def training_memory(cfg, n_samples: int) -> int:
    """An estimate of a training run's peak memory in bytes (float32 everywhere): the
    parameters four times (weights, gradients, momentum, best copy), the data, and each
    layer's activations and gradients for one batch (conv layers: their column matrices)."""
    spec = cfg.spec
    widths = list(spec.sizes)
    params = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
    acts = sum(widths)
    shapes = spec.conv_shapes() if getattr(spec, "conv", ()) else []
    for (c0, s0), (c1, s1) in zip(shapes, shapes[1:]):
        params += c0 * c1 * 9 + c1
        acts += c1 * s0 * s0 + 9 * c0 * s0 * s0  # output and im2col columns
    batch = min(int(cfg.batch_size), max(n_samples, 1))
    return 4 * (4 * params + 4 * batch * acts) + 4 * 289 * n_samples


def _int_list(text: str) -> tuple[int, ...]:
    text = text.strip()
    if not text:
        return ()
    try:
        parts = [v.strip() for v in text.split(",")]
        if not all(v.isascii() and v.isdigit() and len(v) <= 12 for v in parts):
            raise ValueError
        vals = tuple(int(v) for v in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 20 or 128,64, got {text!r}") from None
    if any(v <= 0 for v in vals):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return vals


def _conv_blocks(text: str) -> tuple:
    from model.network import parse_conv

    try:
        return parse_conv(text)
    except LetterLabError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _data_dir(arg: str | None) -> Path:
    if arg:
        p = Path(arg)
        if not p.is_dir():
            raise LetterLabError(f"{p}: data folder not found")
        return p
    from model import synth

    bar = ProgressBar("generating the default data set")
    try:
        return synth.ensure_default_dataset(progress=bar.update)
    finally:
        bar.close()


# -- train ---------------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def user_weights_dir() -> Path:
    """Where ``train`` saves without ``--save``: ``platformdirs.user_data_dir("letterlab")/weights``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("letterlab")) / "weights"


def _unused(path: Path) -> Path:
    """``path``, or ``NAME-2.npz``, ``NAME-3.npz``… if it exists: nothing is overwritten."""
    k = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{k}{path.suffix}")
        k += 1
    return candidate


def cmd_train(args: argparse.Namespace) -> int:
    from model.data import load_split
    from model.training import Trainer, preset_config, BatchEvent, EpochEvent, DoneEvent
    from model.weights import save_weights

    options = dict(hidden=args.hidden, activation=args.activation, loss=args.loss,
                   lr=args.lr, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                   momentum=args.momentum, weight_decay=args.weight_decay, conv=args.conv,
                   dropout=args.dropout, augment=args.augment, label_smoothing=args.label_smoothing,
                   schedule=args.schedule)
    if args.samples_weight is not None and not args.samples:
        raise LetterLabError("--samples-weight needs --samples")
    start = None  # (network, metadata) of --from
    if args.from_weights:
        from .samples_cli import load_start

        start = load_start(args.from_weights, args.preset, options)
        cfg = start.config
    else:
        cfg = preset_config(args.preset or "shallow", **options)
    check_memory(training_memory(cfg, 60000), "this network")
    if args.save:
        save = Path(args.save)
    else:   # never a silent overwrite in the current folder: a new file in the user's folder
        save = _unused(user_weights_dir() / (f"{Path(args.from_weights).stem}-tuned.npz" if start
                                             else f"{cfg.preset}.npz"))
        print(f"no --save given: the weights will be saved as {save}")
    if save.exists() and save.is_dir():
        raise LetterLabError(f"{save}: is a folder; give a file name for --save")
    try:  # find out now, not after training, that the weights cannot be written there
        save.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LetterLabError(f"{save.parent}: cannot create the folder for --save ({e.strerror or e})") from None
    if not os.access(save.parent, os.W_OK):
        raise LetterLabError(f"{save.parent}: folder is not writable; choose another --save")
    root = _data_dir(args.data)
    bar = ProgressBar("reading data")
    train = load_split(root, "train", progress=bar.update)
    val = load_split(root, "validate", progress=bar.update)
    bar.close()
    from .samples_cli import training_arrays

    mix = training_arrays(train.x, train.y, cfg, args, start)
    print(f"{cfg.preset}: {cfg.describe()} (step {cfg.step_size:.4g} on the mean gradient), "
          f"{_plural(cfg.epochs, 'epoch')}, seed {cfg.seed}; "
          f"{len(train)} training and {len(val)} validation images from {root}")
    if mix.note:
        print(mix.note)
    check_memory(training_memory(cfg, len(mix.y) + len(val)), "training on this data")
    # A fine-tune's small batches gain nothing from two BLAS threads and lose 20-45x when
    # another process holds a core (measured: 0.4 s vs 18.5 s, 15 s vs 85 s); one by default.
    blas = args.blas_threads if args.blas_threads is not None else (1 if start else None)
    workers = None
    if cfg.spec.conv and args.blas_threads is None:
        # Convolutions: two workers with one BLAS thread each (model/conv.py; measured 20 s
        # per epoch where BLAS's own two threads took 60 s with another process running).
        blas, workers = 1, 2
    trainer = Trainer(cfg, mix.x, mix.y, val.x, val.y, blas_threads=blas,
                      network=start.network if start else None, conv_workers=workers)
    bar = ProgressBar("epoch 1")
    done = None
    try:
        for ev in trainer.run():
            if isinstance(ev, BatchEvent):
                bar.label = f"epoch {ev.epoch}/{cfg.epochs}"
                bar.update(ev.batch, ev.n_batches, f"loss {ev.loss:.4f}")
            elif isinstance(ev, EpochEvent):
                bar.close()
                bar = ProgressBar(f"epoch {ev.epoch + 1}/{cfg.epochs}")
                norms = " ".join(f"{g:.2e}" for g in ev.grad_norms)
                print(f"epoch {ev.epoch:3d}  loss {ev.train_loss:.4f}  val loss {ev.val_loss:.4f}  "
                      f"val accuracy {100 * ev.val_accuracy:6.2f} %  |grad| {norms}  {ev.seconds:6.1f}s",
                      flush=True)
            elif isinstance(ev, DoneEvent):
                done = ev
    except KeyboardInterrupt:
        trainer.stop()
        bar.close()
        print("interrupted: nothing saved", file=sys.stderr)
        return 130
    bar.close()
    if done is None or done.reason in ("diverged", "not_learning") or not trainer.history:
        msg = done.message if done else "training ended without a result"
        raise LetterLabError(msg if "nothing saved" in msg else f"{msg.rstrip('.')}; nothing saved")
    meta = trainer.metadata()
    if mix.after is not None:
        print(mix.after(trainer.network))
    if start:
        meta.update(start.metadata(cfg, mix))
    try:
        save_weights(trainer.network, save, **meta)
    except OSError as e:
        raise LetterLabError(f"{save}: cannot write the weights ({e.strerror or e})") from None
    print(f"saved {save}  (validation accuracy {100 * trainer.history[-1].val_accuracy:.2f} %)")
    return 0


# -- evaluate ------------------------------------------------------------------------
def _load(path: str | None):
    from model.weights import DEFAULT_WEIGHTS, load_weights

    return load_weights(Path(path) if path else DEFAULT_WEIGHTS)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from model.data import read_list
    from model.preprocess import normalize

    net, meta = _load(args.weights)
    if args.samples:
        from model.samples import SampleSet

        s = SampleSet()
        if not len(s):
            raise LetterLabError(f"{s.folder}: no samples yet; add some with: letterlab samples add --letter R IMAGE")
        args.list = str(s.list_path)
    elif not args.list:
        args.list = str(_data_dir(args.data) / "test.txt")
    bar = ProgressBar("reading images")
    ds = read_list(args.list, progress=bar.update, normalize=normalize)
    bar.close()
    from model.evaluation import evaluate

    bar = ProgressBar("evaluating") if len(ds) > 4096 else None
    try:
        ev = evaluate(net, ds.x, ds.y, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    per = {LETTERS[i]: {"accuracy": float(ev.per_letter[i]), "n": int(ev.confusion[i].sum())}
           for i in range(len(LETTERS)) if ev.confusion[i].sum()}
    off = ev.confusion * (1 - np.eye(len(LETTERS), dtype=ev.confusion.dtype))
    worst = [(int(off[t, p]), LETTERS[t], LETTERS[p]) for t, p in zip(*np.nonzero(off))]
    worst.sort(key=lambda w: -w[0])
    result = {"accuracy": ev.accuracy, "n": int(len(ds)), "correct": int(np.trace(ev.confusion)),
              "loss": ev.loss, "weights": str(args.weights or "the shipped default.npz"), "list": str(args.list),
              "per_letter": per, "confusions": [{"true": t, "predicted": p, "n": n} for n, t, p in worst[:10]]}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"accuracy {100 * result['accuracy']:.2f} %  ({result['correct']}/{result['n']})  "
          f"on {args.list}")
    for letter, r in per.items():
        print(f"  {letter}  {100 * r['accuracy']:6.2f} %  (n={r['n']})")
    if worst:
        print("most frequent mistakes: " + ", ".join(f"{t}→{p} {n}" for n, t, p in worst[:8]))
    return 0


# -- predict -------------------------------------------------------------------------
def cmd_predict(args: argparse.Namespace) -> int:
    from model.data import ink_from_gray, read_gray
    from model.preprocess import EmptyImageError, normalize

    net, meta = _load(args.weights)
    failed = 0
    for name in args.images:
        try:
            g = read_gray(Path(name))
            as_is = g.shape == (SIDE, SIDE) and not args.normalize
            x = ink_from_gray(g).reshape(-1) if as_is else normalize(g)
        except EmptyImageError:
            print(f"letterlab: error: {name}: the image is blank (no ink to read)", file=sys.stderr)
            failed += 1
            continue
        except LetterLabError as e:
            msg = str(e) if str(name) in str(e) else f"{name}: {e}"
            print(f"letterlab: error: {msg}", file=sys.stderr)
            failed += 1
            continue
        p = net.predict_proba(x[None, :])[0]
        order = np.argsort(-p)[: args.top]
        guesses = "  ".join(f"{LETTERS[i]} {p[i]:.3f}" for i in order)
        print(f"{name}: {guesses}")
    return 2 if failed else 0


# -- parser --------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from model.layers import ACTIVATIONS
    from model.losses import LOSSES
    from model.training import PRESETS, SCHEDULES

    p = Parser(prog="letterlab", description=(
        "Train small NumPy networks to read 17x17 capital letters. "
        "With no command, opens the app (also in Chinese, 简体中文: Language menu)."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    t = sub.add_parser("train", help="train a network and save its weights",
                       description="Train a network. Learning rates are written the tutorial's way: "
                                   "with the quadratic loss the step on the mean gradient is lr / batch size "
                                   "(shallow: 1000 / 1024), with the cross-entropy losses it is lr.")
    t.add_argument("--preset", choices=list(PRESETS), default=None,
                   help="shallow: 289→26 sigmoid, quadratic, lr 1000; deep: 289→20→26 sigmoid, "
                        "cross-entropy, lr 1.0; default: 289→256→128→26 ReLU; conv: convolutions on warped "
                        "batches, the shipped network (default: shallow)")
    t.add_argument("--hidden", type=_int_list,
                   help="hidden layer sizes, e.g. 20 or 128,64 ('' for none) (default: the preset's)")
    t.add_argument("--conv", type=_conv_blocks, metavar="BLOCKS",
                   help="convolutional blocks before the dense layers, e.g. 32,32,pool,64,pool ('' for none)"
                        " (default: the preset's)")
    t.add_argument("--dropout", type=float, help="dropout rate before the last layer (default: the preset's)")
    t.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                   help="warp every training batch at random (rotation, scale, shear, shift) (default: the preset's)")
    t.add_argument("--label-smoothing", type=float,
                   help="softmax cross-entropy targets (1-s) one-hot + s/26 (default: the preset's)")
    t.add_argument("--schedule", choices=list(SCHEDULES),
                   help="learning-rate schedule over the epochs (default: the preset's)")
    t.add_argument("--activation", choices=list(ACTIVATIONS), help="hidden layers' activation (default: the preset's)")
    t.add_argument("--loss", choices=list(LOSSES), help="loss function (default: the preset's)")
    t.add_argument("--lr", type=_number(float, 0, low_ok=False),
                   help="learning rate (tutorial's convention, see above) (default: the preset's)")
    t.add_argument("--momentum", type=_number(float, 0, high=0.999),
                   help="SGD momentum, 0 to 0.999 (default: the preset's)")
    t.add_argument("--weight-decay", type=_number(float, 0),
                   help="L2 penalty on the weights (not the biases) (default: the preset's)")
    t.add_argument("--epochs", type=_number(int, 1, high=100_000),
                   help="passes over the training images (default: the preset's)")
    t.add_argument("--batch-size", type=_number(int, 1, high=10_000_000),
                   help="images per step (default: the preset's)")
    t.add_argument("--seed", type=_number(int, 0, high=MAX_SEED),
                   help="random seed (same seed, same data: same weights) (default: the preset's)")
    t.add_argument("--data", help="data folder with pic/ and train.txt etc. (default: the generated set)")
    t.add_argument("--save", help="weights file to write (default: a new PRESET.npz in the user's "
                                  "LetterLab folder, never overwriting; the path is printed)")
    t.add_argument("--blas-threads", type=_number(int, 1, high=1024), default=None,
                   help="limit BLAS threads (default: all; 1 with --from)")
    t.add_argument("--from", dest="from_weights", metavar="WEIGHTS",
                   help="continue training these weights (fine-tune): the architecture and recipe come from "
                        "the file, 2 epochs at a tenth of its learning rate on 8000 generated images unless "
                        "--epochs, --lr, --subset say otherwise")
    t.add_argument("--samples", action="store_true",
                   help="mix your own samples (letterlab samples) into the training images, repeated")
    t.add_argument("--samples-weight", type=_number(int, 1, high=10_000), metavar="K",
                   help="how many times each sample is repeated per epoch (default: so that the samples are "
                        "about 5 %% of an epoch, at most 20)")
    t.add_argument("--subset", type=_number(int, 1, high=100_000_000), metavar="N",
                   help="train on N randomly chosen images of the training split "
                        "(default: all of them; 8000 with --from)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="accuracy of weights on a list file")
    e.add_argument("--weights", help="weights file (default: the shipped weights/default.npz)")
    which = e.add_mutually_exclusive_group()
    which.add_argument("--list", help="a list file such as DATA/test.txt (default: the test split of "
                                      "--data, or of the generated data set)")
    which.add_argument("--samples", action="store_true", help="your own samples (letterlab samples)")
    e.add_argument("--json", action="store_true",
                   help="print a JSON object (accuracy, n, per_letter) instead of text (default: text)")
    e.add_argument("--data", help="data folder whose test split is used without --list "
                                  "(default: the generated set)")
    e.set_defaults(func=cmd_evaluate)

    r = sub.add_parser("predict", help="the letter in each image file")
    r.add_argument("--weights", help="weights file (default: the shipped weights/default.npz)")
    r.add_argument("--top", type=_number(int, 1, high=26), default=1,
                   help="how many guesses to print per image, 1 to 26 (default: 1)")
    r.add_argument("--normalize", action="store_true",
                   help="normalise 17x17 images too (a small drawing rather than a data-set image). "
                        "By default a 17x17 image is taken as the network's input as it is; images of "
                        "any other size are always normalised (cropped to the letter, scaled, centred)")
    r.add_argument("images", nargs="+", metavar="IMAGE")
    r.set_defaults(func=cmd_predict)

    try:
        from .data_cli import add_data_parser
    except ImportError:  # pragma: no cover - while the generator is not installed
        pass
    else:
        add_data_parser(sub)
    from .samples_cli import add_samples_parser

    add_samples_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
                and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
            print("letterlab: error: no screen to open the app on (neither DISPLAY nor WAYLAND_DISPLAY "
                  "is set); the commands work without one: letterlab --help", file=sys.stderr)
            return 2
        from gui.app import main as gui_main

        return gui_main()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
        return code
    except LetterLabError as e:
        print(f"letterlab: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("letterlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:  # e.g. a --save folder that cannot be written
        where = f"{e.filename}: " if e.filename else ""
        print(f"letterlab: error: {where}{e.strerror or e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
