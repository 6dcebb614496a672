"""The ``letterlab data`` subcommands: generate, sheet, import, sources.

:func:`add_data_parser` registers them on the main CLI's subparsers; each subcommand's
parser gets ``func=handler`` where ``handler(args) -> int`` returns the exit status.
Problems raise :class:`model.LetterLabError` subclasses, which the main CLI prints as
``letterlab: error: <message>`` (exit status 2).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from model import LetterLabError, synth

from .progress import ProgressBar


def _holdout(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(s.strip() for s in text.split(",") if s.strip())


def generation_memory(count: int) -> int:
    """Estimated peak bytes of generating ``count`` samples: the uint8 ink rows kept for the
    cache, their float32 copy while the cache is written, and the plan (labels, sources)."""
    return count * (289 + 4 * 289 + 32)


def _is_active(out: Path) -> bool:
    try:
        return out.resolve() == synth.default_data_dir().resolve()
    except OSError:
        return False


def cmd_generate(args: argparse.Namespace) -> int:
    from .cli import check_memory

    check_memory(generation_memory(args.count), f"generating {args.count} samples")
    out = Path(args.out).expanduser() if args.out else synth.default_data_dir()
    if not args.force and _is_active(out) and synth.is_complete(out):
        size = synth.megabytes(synth.disk_size(out))
        raise LetterLabError(f"{out} holds the active data set ({size} on disk), which "
                             "the app and 'letterlab train' use; add --force to replace it")
    bar = None if args.quiet else ProgressBar("generating")
    t0 = time.perf_counter()
    try:
        path = synth.generate(out, seed=args.seed, count=args.count,
                              holdout_fonts=_holdout(args.holdout_fonts),
                              system_fonts=args.system_fonts, progress=bar, force=args.force)
    except KeyboardInterrupt:
        raise LetterLabError("generation interrupted; nothing was written") from None
    finally:
        if bar is not None:
            bar.close()
    n_tr, n_va, n_te = synth.split_sizes(args.count)
    print(f"wrote {args.count} samples ({n_tr} train, {n_va} validate, {n_te} test) to {path} "
          f"in {time.perf_counter() - t0:.1f} s; it takes {synth.megabytes(synth.disk_size(path))} on disk")
    return 0


def cmd_sheet(args: argparse.Namespace) -> int:
    path = synth.contact_sheet(args.out, seed=args.seed, per_letter=args.per_letter,
                               system_fonts=args.system_fonts)
    print(f"wrote {path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    bar = None if args.quiet else ProgressBar("checking", unit="images")
    try:
        path = synth.import_dataset(args.path, dest=args.dest, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    print(f"installed {args.path} as the active data set in {path}")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from model.synth_glyphs import available_sources

    for s in available_sources(args.system_fonts):
        where = f"  {s.path}" if s.path else ""
        print(f"{s.name:24s} {s.kind:8s} {100 * s.weight:5.1f}%{where}")
    return 0


def _whole(text: str) -> int:
    """ASCII digits only (``int`` would also take ``1_0``, ``+3`` and other scripts' digits)."""
    t = text.strip()
    if not (t.isascii() and t.isdigit()) or len(t) > 20:
        if t.startswith("-") and t[1:].isascii() and t[1:].isdigit():
            raise argparse.ArgumentTypeError("must be zero or positive")
        raise ValueError(text)
    return int(t)


def _count(text: str) -> int:
    try:
        n = _whole(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if n < synth.MIN_COUNT:
        raise argparse.ArgumentTypeError(f"must be at least {synth.MIN_COUNT}")
    return n


def _seed(text: str) -> int:
    try:
        n = _whole(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if n >= 2**63:
        raise argparse.ArgumentTypeError("must be less than 2**63")
    return n


def _per_letter(text: str) -> int:
    try:
        n = _whole(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if not 1 <= n <= 200:
        raise argparse.ArgumentTypeError("must be from 1 to 200")
    return n


def add_data_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``data`` and its subcommands on ``subparsers`` (from ``add_subparsers``)."""
    p = subparsers.add_parser("data", help="generate, inspect or import the letter data set",
                              description="Generate, inspect or import the letter data set.")
    sub = p.add_subparsers(dest="data_command", metavar="COMMAND")
    sub.required = True

    g = sub.add_parser("generate", help="generate a data set (default: the app's data folder)",
                       description="Generate a data set of 17x17 letters in the tutorial's format.")
    g.add_argument("--out", metavar="DIR", help=f"data set folder (default: {synth.default_data_dir()})")
    g.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    g.add_argument("--count", type=_count, default=synth.DEFAULT_COUNT,
                   help="samples in total, 2/3 train, 1/6 validate, 1/6 test (default 60000)")
    g.add_argument("--holdout-fonts", metavar="A,B",
                   help="glyph sources used only for validate/test (see 'letterlab data sources'; "
                        "default: none, every source in every split)")
    g.add_argument("--system-fonts", action="store_true",
                   help="also use fonts installed on this machine (default: off; the set is then "
                        "no longer the same on every machine)")
    g.add_argument("--force", action="store_true",
                   help="replace DIR even if it is the active data set or holds files LetterLab did not "
                        "write (they are deleted) (default: off, refuse)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar (default: a bar on a terminal)")
    g.set_defaults(func=cmd_generate)

    s = sub.add_parser("sheet", help="write a contact sheet PNG of generated samples",
                       description="Write a PNG grid of generated samples, one row per letter.")
    s.add_argument("--out", metavar="PNG", default="contact_sheet.png", help="output file (default contact_sheet.png)")
    s.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    s.add_argument("--per-letter", type=_per_letter, default=12, help="samples per letter (default 12)")
    s.add_argument("--system-fonts", action="store_true",
                   help="also use fonts installed on this machine (default: off)")
    s.set_defaults(func=cmd_sheet)

    i = sub.add_parser("import", help="install the tutorial's data.tar.gz (or folder) as the data set",
                       description="Check and install the tutorial's data.tar.gz or its extracted "
                                   "folder as the active data set.")
    i.add_argument("path", metavar="PATH", help="data.tar.gz or a folder holding train.txt, validate.txt, "
                                                "test.txt and pic/ (required; no default)")
    i.add_argument("--dest", metavar="DIR", help=argparse.SUPPRESS)
    i.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar (default: a bar counting images, on a terminal)")
    i.set_defaults(func=cmd_import)

    r = sub.add_parser("sources", help="list the glyph sources (names for --holdout-fonts)",
                       description="List the glyph sources and their share of the samples.")
    r.add_argument("--system-fonts", action="store_true",
                   help="include fonts installed on this machine (default: off)")
    r.set_defaults(func=cmd_sources)
    return p
