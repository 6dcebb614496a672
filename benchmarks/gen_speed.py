"""How fast is the data-set generator?

    python benchmarks/gen_speed.py              # the default 60000 samples
    python benchmarks/gen_speed.py --count 6000

Generates ``--count`` samples (seed 0) into a temporary folder with the default worker
count, then a baseline in the same run: the single-process generator on a small count
(``--baseline-count``, default 2000), scaled to samples/s. Prints samples/s and seconds
for both, and the ratio. Nothing is kept on disk. Also times the canvas path,
``normalize`` on a 280x280 drawing, and loading a generated split from ``read_list``'s array
cache against decoding its PNGs (the baseline), as a ratio.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from model import synth  # noqa: E402
from model.data import read_list  # noqa: E402
from model.preprocess import normalize  # noqa: E402


def _time_generate(count: int, workers: int | None, then=None) -> float:
    """Seconds to generate ``count`` samples; ``then(root)`` runs on the set before it is deleted."""
    with tempfile.TemporaryDirectory(prefix="letterlab-bench-") as d:
        t = time.perf_counter()
        root = synth.generate(Path(d) / "set", seed=0, count=count, workers=workers)
        took = time.perf_counter() - t
        if then is not None:
            then(root)
        return took


def _time_read(root: Path, reads: list[tuple[str, float, float]]) -> None:
    """Append (split, seconds from the cache, seconds from the PNGs) for each split of ``root``."""
    for split in ("train", "validate", "test"):
        lst = root / f"{split}.txt"
        read_list(lst)                                  # warm the OS file cache
        t = time.perf_counter()
        read_list(lst)
        cached = time.perf_counter() - t
        t = time.perf_counter()
        read_list(lst, use_cache=False)
        reads.append((split, cached, time.perf_counter() - t))


def _time_normalize(n: int = 2000) -> float:
    from model.synth_glyphs import _hand_forms, _unit_strokes, draw_strokes

    strokes = [s * 200 + (40, 40) for s in _unit_strokes(_hand_forms()["R"][0])]
    canvas = 255 - draw_strokes(strokes, 18, size=280)
    normalize(canvas)
    t = time.perf_counter()
    for _ in range(n):
        normalize(canvas)
    return (time.perf_counter() - t) / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=synth.DEFAULT_COUNT)
    ap.add_argument("--baseline-count", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=None, help="default: the generator's choice")
    args = ap.parse_args(argv)

    workers = args.workers if args.workers is not None else synth._default_workers(args.count)
    print(f"cores: {os.cpu_count()}, workers: {workers}")
    reads: list[tuple[str, float, float]] = []
    base = _time_generate(args.baseline_count, workers=1, then=lambda root: _time_read(root, reads))
    base_rate = args.baseline_count / base
    print(f"baseline  single process {args.baseline_count:6d} samples {base:7.2f} s "
          f"{base_rate:8.0f} samples/s")
    total = _time_generate(args.count, workers=args.workers)
    rate = args.count / total
    print(f"generate  {workers} worker(s)    {args.count:6d} samples {total:7.2f} s "
          f"{rate:8.0f} samples/s  ({rate / base_rate:.2f}x the baseline)")
    per = _time_normalize()
    print(f"normalize 280x280 canvas: {per * 1e6:.0f} us")
    for split, cached, fresh in reads:
        print(f"read_list {split:8s} from its cache {cached * 1e3:7.1f} ms, from the PNGs (baseline) "
              f"{fresh * 1e3:7.1f} ms  ({fresh / cached:.0f}x faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
