"""The ``letterlab samples`` subcommands: add, list, remove, export, import.

:func:`add_samples_parser` registers them on the main CLI's subparsers. The set lives in
:func:`model.samples.default_samples_dir` (``$LETTERLAB_SAMPLES_DIR`` overrides it; so does
``--dir``). Problems raise :class:`model.LetterLabError`, printed by the main CLI as one
line with exit status 2.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

import numpy as np

from model import LETTERS, LetterLabError


def _set(args: argparse.Namespace):
    from model.samples import SampleSet

    return SampleSet(args.dir)


def _letter(text: str) -> str:
    t = text.strip().upper()
    if len(t) != 1 or t not in LETTERS:
        raise argparse.ArgumentTypeError(f"expected one letter A-Z, got {text[:20]!r}")
    return t


def cmd_add(args: argparse.Namespace) -> int:
    s = _set(args)
    before = len(s)
    added = s.add_many(args.images, args.letter)  # all or nothing: every image is checked first
    same = len(args.images) - len(added)
    note = f" ({same} already there)" if same else ""
    print(f"added {len(added)} {args.letter}{note}; {s.counts()[args.letter]} {args.letter} and "
          f"{before + len(added)} samples in all in {s.folder}")
    for n in added:
        print(f"  {n}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    s = _set(args)
    summary = s.summary()
    if args.json:
        if args.names:
            summary["samples"] = [{"name": e.name, "letter": e.letter} for e in s.entries()]
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{summary['count']} samples in {summary['dir']}")
    if summary["per_letter"]:
        print("  " + "  ".join(f"{k} {v}" for k, v in summary["per_letter"].items()))
    missing = [k for k in LETTERS if k not in summary["per_letter"]]
    if missing and summary["count"]:
        print(f"  none yet of: {''.join(missing)}")
    if args.names:
        for e in s.entries():
            print(f"{e.letter}  {e.name}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    s = _set(args)
    removed = s.remove(args.names)
    print(f"removed {len(removed)} samples; {len(s)} left in {s.folder}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    s = _set(args)
    path = s.export(args.file)
    print(f"wrote {len(s)} samples to {path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    s = _set(args)
    r = s.import_(args.file)
    print(f"imported {len(r.added)} samples ({r.skipped} already there); {len(s)} in {s.folder}")
    return 0


# -- train --from / --samples ---------------------------------------------------------
@dataclass
class Start:
    """``train --from``: the loaded network, its file's metadata, the fine-tuning config."""

    path: Path
    network: object
    meta: dict
    config: object

    def metadata(self, cfg, mix: Mix) -> dict:
        """What the fine-tuned file records beyond the Trainer's metadata: the original
        rate (so a second fine-tune takes a tenth of it again, not of a tenth) and the run."""
        from model.samples import base_lr

        return {"base_lr": base_lr(self.meta, cfg.loss), "fine_tuned_from": str(self.path),
                "fine_tune": {"epochs": cfg.epochs, "lr": cfg.lr, "generated": mix.n_generated,
                              "samples": mix.n_samples, "samples_weight": mix.weight}}


def load_start(path: str, preset: str | None, options: dict) -> Start:
    """Load ``--from`` weights and build the fine-tuning config (options that contradict
    the file's architecture are errors)."""
    from model.samples import finetune_config
    from model.weights import load_weights

    net, meta = load_weights(Path(path))
    if preset is not None and preset != meta.get("preset"):
        raise LetterLabError(f"--preset {preset} contradicts --from {path} (a {meta.get('preset', 'custom')!s:.40} "
                             "network); the architecture and recipe come from the weights file")
    return Start(Path(path), net, meta, finetune_config(net.spec, meta, **options))


@dataclass
class Mix:
    """The training arrays actually used and what to print about them."""

    x: np.ndarray
    y: np.ndarray
    n_generated: int
    n_samples: int = 0
    weight: int = 0
    note: str = ""
    after: Callable | None = None  # network -> a line about the samples after training


def training_arrays(x: np.ndarray, y: np.ndarray, cfg, args: argparse.Namespace, start: Start | None) -> Mix:
    """The training split, cut to ``--subset`` (8000 with ``--from``) and with the user's
    samples repeated ``--samples-weight`` times when ``--samples`` is given."""
    from model.evaluation import evaluate
    from model.samples import FINETUNE_SUBSET, SampleSet, training_set

    subset = args.subset if args.subset is not None else (FINETUNE_SUBSET if start else None)
    notes = []
    xs = ys = None
    if args.samples:
        s = SampleSet()
        xs, ys = s.arrays()
        if not len(ys):
            raise LetterLabError(f"{s.folder}: no samples yet; add some with: letterlab samples add --letter R IMAGE")
    xm, ym, k = training_set(x, y, xs, ys, seed=cfg.seed, subset=subset, weight=args.samples_weight)
    n_gen = len(ym) - k * (0 if ys is None else len(ys))
    if n_gen < len(y):
        notes.append(f"{n_gen} randomly chosen training images")
    mix = Mix(xm, ym, n_gen)
    if ys is not None:
        mix.n_samples, mix.weight = len(ys), k
        notes.append(f"{len(ys)} of your samples from {s.folder}, each {k} times "
                     f"({100 * k * len(ys) / len(ym):.1f} % of an epoch)")
        if start:
            notes.append(f"accuracy on your samples before: {100 * evaluate(start.network, xs, ys).accuracy:.1f} %")
        mix.after = lambda net: (f"accuracy on your samples after: {100 * evaluate(net, xs, ys).accuracy:.1f} % "
                                 "(trained on them)")
    mix.note = "; ".join(notes)
    return mix


def add_samples_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``samples`` and its subcommands on ``subparsers`` (from ``add_subparsers``)."""
    from model.samples import ENV_SAMPLES_DIR, default_samples_dir

    p = subparsers.add_parser(
        "samples", help="your own labelled drawings, for fine-tuning and evaluation",
        description=f"Your own labelled drawings, kept in {default_samples_dir()} "
                    f"(${ENV_SAMPLES_DIR} or --dir chooses another folder). "
                    "Use them with 'letterlab train --from WEIGHTS --samples' and 'letterlab evaluate --samples'.")
    sub = p.add_subparsers(dest="samples_command", metavar="COMMAND")
    sub.required = True
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", metavar="DIR", help=f"the sample folder (default: ${ENV_SAMPLES_DIR} or the "
                                                     "user data folder)")

    a = sub.add_parser("add", parents=[common], help="add images with one letter",
                       description="Add image files (any size, dark-on-light or light-on-dark) as "
                                   "samples of one letter. A blank image is refused; all or none are added.")
    a.add_argument("--letter", "-l", type=_letter, required=True, help="the letter the images show (A-Z)")
    a.add_argument("images", nargs="+", metavar="IMAGE")
    a.set_defaults(func=cmd_add)

    li = sub.add_parser("list", parents=[common], help="counts per letter",
                        description="Print how many samples of each letter you have.")
    li.add_argument("--json", action="store_true",
                    help='print {"count": N, "per_letter": {"A": n, ...}, "dir": "..."}')
    li.add_argument("--names", action="store_true", help="also list every sample's name (for remove)")
    li.set_defaults(func=cmd_list)

    r = sub.add_parser("remove", parents=[common], help="remove samples by name",
                       description="Remove samples by the names 'samples list --names' prints.")
    r.add_argument("names", nargs="+", metavar="NAME")
    r.set_defaults(func=cmd_remove)

    e = sub.add_parser("export", parents=[common], help="write the set to a .tar.gz",
                       description="Write every sample and the list file to a .tar.gz.")
    e.add_argument("file", metavar="FILE.tar.gz")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", parents=[common], help="merge a .tar.gz made by export",
                       description="Merge a samples archive into the set (checked like 'data import': "
                                   "files and folders only, a sample set's names, limits; all or nothing).")
    i.add_argument("file", metavar="FILE.tar.gz")
    i.set_defaults(func=cmd_import)
    return p
