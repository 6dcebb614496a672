"""Time one training epoch (40000 samples) for the shallow, deep and conv presets.

    python benchmarks/train_speed.py [--presets shallow,deep,conv] [--repeat 5] [--threads N]
                                     [--conv-rounds 3] [--conv-batches 125] [--omp-passive]
                                     [--separate-layers]

shallow and deep (batch 1024) compare, in the same run and on the same random data:
  letterlab    the shared Trainer (shuffle, batches, forward, backward, SGD, gradient norms)
  tutorial     a faithful rewrite of the tutorial's per-sample loops (column vectors, a
               Python list comprehension per batch), the baseline everything is divided by
  torch-auto   the same network in PyTorch on the CPU with autograd   (if torch imports)
  torch-hand   PyTorch with hand-written gradients                    (if torch imports)
  matmul floor the epoch's matrix products alone, at the same shapes
Prints ms/epoch (best of --repeat) and ratios.

conv (batch 64) compares LetterLab's real training step with PyTorch's on the same network:
  letterlab    the shared Trainer on ``Network(PRESETS["conv"].spec)``: gather the batch,
               ``loss_and_grads`` (label smoothing 0.1), the SGD step with momentum, the
               gradient norms; convolutions on ``Conv2D.workers = --threads`` with one BLAS
               thread, as the CLI trains conv networks
  torch-auto   the same layers and initial weights in PyTorch (``conv_speed.torch_twin``),
               CPU autograd, ``torch.set_num_threads(--threads)``, same batch, float32
  separate     (``--separate-layers``) LetterLab trained through its separate layers (conv,
               ReLU, pool one after the other) instead of its fused ``ConvReLU`` stages
Both run without the preset's random warps, which are timed on their own (``random_warp``,
NumPy; the same cost whichever library trains). Each of ``--conv-rounds`` rounds times
``--conv-batches`` steps of LetterLab, then of PyTorch (so both see the same load from the
rest of the machine), scaled to the 625 steps of a 40000-image epoch (``--conv-batches 625``
times whole epochs). Prints each round's ratio, the best of each, and the load average.
On a loaded machine PyTorch's OpenMP threads spin and collapse (as OpenBLAS's do):
``--omp-passive`` sets ``OMP_WAIT_POLICY=PASSIVE`` for PyTorch, its fairer setting there.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the PyTorch twin lives in conv_speed.py

from conv_speed import torch_step_fn  # noqa: E402

from model.augment import random_warp  # noqa: E402
from model.network import Network  # noqa: E402
from model.training import BatchEvent, DoneEvent, Trainer, preset_config  # noqa: E402

N, BATCH = 40000, 1024
PRESET_NAMES = ("shallow", "deep", "conv")
CONV_BATCH = preset_config("conv").batch_size  # 64


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def data():
    rng = np.random.default_rng(0)
    x = (rng.random((N, 289)) < 0.2).astype(np.float32)
    y = rng.integers(0, 26, N)
    return x, y


# ---- the tutorial's implementation, rewritten faithfully (per-sample loops) --------------
class TutFC:
    def __init__(self, l_x, l_y, rng):
        self.weights = (rng.standard_normal((l_y, l_x)) / np.sqrt(l_x)).astype(np.float32)
        self.bias = rng.standard_normal((l_y, 1)).astype(np.float32)
        self.lr = 0

    def forward(self, x):
        self.x = x
        self.y = np.array([np.dot(self.weights, xx) + self.bias for xx in x])
        return self.y

    def backward(self, d):
        ddw = [np.dot(dd, xx.T) for dd, xx in zip(d, self.x)]
        self.dw = np.sum(ddw, axis=0) / self.x.shape[0]
        self.db = np.sum(d, axis=0) / self.x.shape[0]
        self.dx = np.array([np.dot(self.weights.T, dd) for dd in d])
        self.weights -= self.lr * self.dw
        self.bias -= self.lr * self.db
        return self.dx


class TutSigmoid:
    def forward(self, x):
        self.x = x
        self.y = 1 / (1 + np.exp(-x))
        return self.y

    def backward(self, d):
        sig = self.y
        return d * sig * (1 - sig)


class TutQuadratic:
    def forward(self, x, label):
        self.x = x
        self.label = np.zeros_like(x)
        for a, b in zip(self.label, label):
            a[b] = 1.0
        return np.sum(np.square(x - self.label)) / x.shape[0] / 2

    def backward(self):
        return (self.x - self.label) / self.x.shape[0]


class TutCrossEntropy:
    def forward(self, x, label):
        self.x = x
        self.label = np.zeros_like(x)
        for a, b in zip(self.label, label):
            a[b] = 1.0
        with np.errstate(all="ignore"):
            loss = np.nan_to_num(-self.label * np.log(x) - ((1 - self.label) * np.log(1 - x)))
        return np.sum(loss) / x.shape[0]

    def backward(self):
        with np.errstate(all="ignore"):
            return (self.x - self.label) / self.x / (1 - self.x)


def tutorial_epoch(preset, x, y):
    rng = np.random.default_rng(0)
    xc = x.reshape(N, 289, 1)
    if preset == "shallow":
        layers, loss, lr = [TutFC(289, 26, rng), TutSigmoid()], TutQuadratic(), 1000.0
    else:
        layers, loss, lr = [TutFC(289, 20, rng), TutSigmoid(), TutFC(20, 26, rng), TutSigmoid()], TutCrossEntropy(), 1.0
    for l in layers:
        l.lr = lr

    def epoch():
        idx = rng.permutation(N)
        xs, ys = xc[idx], y[idx]
        for i in range(0, N, BATCH):
            h = xs[i:i + BATCH]
            for l in layers:
                h = l.forward(h)
            loss.forward(h, ys[i:i + BATCH])
            d = loss.backward()
            for l in reversed(layers):
                d = l.backward(d)
    return epoch


# ---- LetterLab ---------------------------------------------------------------------------
def letterlab_epoch(preset, x, y):
    cfg = preset_config(preset, epochs=10 ** 6, batch_size=BATCH)
    trainer = Trainer(cfg, x, y)
    it = trainer.run()
    n_batches = -(-N // BATCH)

    def epoch():
        for _ in range(n_batches):
            next(it)
        # the EpochEvent (no validation set: nothing more to compute)
        next(it)
    return epoch


def floor_epoch(preset, x, y):
    sizes = [289, 26] if preset == "shallow" else [289, 20, 26]
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((b, a)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]

    def epoch():
        for i in range(0, N, BATCH):
            xb = x[i:i + BATCH]
            hs = [xb]
            for w in ws:
                hs.append(hs[-1] @ w.T)
            g = hs[-1]
            for j in range(len(ws) - 1, -1, -1):
                g.T @ hs[j]
                if j:
                    g = g @ ws[j]
    return epoch


# ---- PyTorch -----------------------------------------------------------------------------
def torch_epochs(preset, x, y):
    import torch

    sizes = [289, 26] if preset == "shallow" else [289, 20, 26]
    quadratic = preset == "shallow"
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    ws = [(torch.randn(b, a) / a ** 0.5) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [torch.randn(b) for b in sizes[1:]]
    lr = 1.0

    auto_params = [t.clone().requires_grad_(True) for t in ws + bs]
    nl = len(ws)

    def auto_epoch():
        perm = torch.randperm(N)
        for i in range(0, N, BATCH):
            idx = perm[i:i + BATCH]
            h, t = xt[idx], torch.nn.functional.one_hot(yt[idx], 26).float()
            for j in range(nl):
                h = torch.sigmoid(h @ auto_params[j].T + auto_params[nl + j])
            if quadratic:
                loss = ((h - t) ** 2).sum() / (2 * len(idx))
            else:
                loss = torch.nn.functional.binary_cross_entropy(h, t, reduction="sum") / len(idx)
            for p in auto_params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in auto_params:
                    p -= lr * p.grad

    hw, hb = [w.clone() for w in ws], [b.clone() for b in bs]

    def hand_epoch():
        with torch.no_grad():
            perm = torch.randperm(N)
            for i in range(0, N, BATCH):
                idx = perm[i:i + BATCH]
                xb, t = xt[idx], torch.nn.functional.one_hot(yt[idx], 26).float()
                hs = [xb]
                for j in range(nl):
                    hs.append(torch.sigmoid(torch.addmm(hb[j], hs[-1], hw[j].T)))
                y_ = hs[-1]
                g = (y_ - t) / len(idx)
                if quadratic:
                    g = g * y_ * (1 - y_)
                for j in range(nl - 1, -1, -1):
                    dw = g.T @ hs[j]
                    db = g.sum(0)
                    if j:
                        g = (g @ hw[j]) * hs[j] * (1 - hs[j])
                    hw[j] -= lr * dw
                    hb[j] -= lr * db

    return auto_epoch, hand_epoch, torch


# ---- the conv preset: LetterLab's Trainer against PyTorch on the same network ----------------
def trainer_steps(trainer):
    """``steps(k)``: runs ``k`` of ``trainer``'s batches."""
    it = trainer.run()

    def steps(k):
        done = 0
        while done < k:
            ev = next(it)
            if isinstance(ev, DoneEvent):
                raise RuntimeError(ev.message)
            done += isinstance(ev, BatchEvent)
    return steps


def conv_steps(x, y, threads, separate=False):
    """``(step_fn, torch_step_or_None, note, separate_step_fn_or_None)``: ``step_fn(k)`` runs
    ``k`` of the Trainer's batches; the PyTorch twin starts from the same weights and draws its
    batches the same way. With ``separate``, also a Trainer whose network trains through its
    separate layers (conv, ReLU, pool one after the other, as before the fused
    ``model.conv.ConvReLU`` stages): the same numbers, for a same-run comparison."""
    cfg = preset_config("conv", epochs=10 ** 6, augment=False)
    trainer = Trainer(cfg, x, y, blas_threads=1, conv_workers=threads)
    ours = trainer_steps(trainer)
    unfused = None
    if separate:
        net = Network(cfg.spec, np.random.default_rng([cfg.seed, 0]))
        net._train_layers = net.layers
        unfused = trainer_steps(Trainer(cfg, x, y, network=net, blas_threads=1, conv_workers=threads))

    layers = trainer.network.layers
    try:
        step, check, version = torch_step_fn(layers, threads, cfg.step_size, cfg.momentum, cfg.label_smoothing)
    except ImportError:
        return ours, None, "torch not importable: no PyTorch comparison", unfused
    rng = np.random.default_rng(1)
    xbuf = np.empty((cfg.batch_size, x.shape[1]), np.float32)
    order, pos = rng.permutation(N), 0

    def theirs(k):
        nonlocal order, pos
        for _ in range(k):
            if pos + cfg.batch_size > N:
                order, pos = rng.permutation(N), 0
            idx = order[pos:pos + cfg.batch_size]
            pos += cfg.batch_size
            step(x.take(idx, axis=0, out=xbuf), y[idx])

    note = f"torch {version}: same initial weights, max |logit difference| {check(x[:8]):.1e}"
    return ours, theirs, note, unfused


def time_batches(fn, k):
    """Wall and process-CPU ms per 40000-image epoch, from ``k`` batches of 64."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn(k)
    scale = 1000 * N / CONV_BATCH / k
    return (time.perf_counter() - t0) * scale, (time.process_time() - c0) * scale


def conv_report(x, y, threads, rounds, batches, separate=False):
    ours, theirs, note, unfused = conv_steps(x, y, threads, separate)
    print(f"\nconv (batch {CONV_BATCH}, float32, {threads} thread(s): LetterLab Conv2D.workers={threads} "
          f"with 1 BLAS thread, PyTorch set_num_threads({threads}); OMP_WAIT_POLICY="
          f"{os.environ.get('OMP_WAIT_POLICY', 'unset')}); {batches} steps per round, scaled to "
          f"{N // CONV_BATCH} steps = one epoch; no warps on either side")
    print(f"  {note}")
    ours(3)  # warm-up: buffers, thread pools
    if theirs:
        theirs(3)
    if unfused:
        unfused(3)
    best = {"letterlab": (float("inf"),) * 2, "pytorch autograd": (float("inf"),) * 2,
            "letterlab, separate layers": (float("inf"),) * 2}
    ratios, separate_ratios = [], []
    for r in range(rounds):
        load = os.getloadavg()[0]
        t_ours = time_batches(ours, batches)
        best["letterlab"] = min(best["letterlab"], t_ours)
        line = f"  round {r + 1}: letterlab {t_ours[0]:7.0f} ms/epoch (cpu {t_ours[1]:6.0f})"
        if unfused:
            t_sep = time_batches(unfused, batches)
            best["letterlab, separate layers"] = min(best["letterlab, separate layers"], t_sep)
            separate_ratios.append(t_sep[0] / t_ours[0])
            line += f"   separate layers {t_sep[0]:7.0f} (cpu {t_sep[1]:6.0f})"
        if theirs:
            t_theirs = time_batches(theirs, batches)
            best["pytorch autograd"] = min(best["pytorch autograd"], t_theirs)
            ratios.append(t_ours[0] / t_theirs[0])
            line += f"   pytorch {t_theirs[0]:7.0f} ms/epoch (cpu {t_theirs[1]:6.0f})   ratio {ratios[-1]:.2f}"
        print(line + f"   load {load:.2f}", flush=True)
    warp_rng = np.random.default_rng(2)
    xb = x[:CONV_BATCH]
    t_warp = time_batches(lambda k: [random_warp(xb, warp_rng) for _ in range(k)], batches)[0]
    print(f"  {'':28s} {'ms/epoch':>9s} {'cpu ms':>9s}")
    for name, (wall, cpu) in best.items():
        if wall < float("inf"):
            print(f"  {name:28s} {wall:9.0f} {cpu:9.0f}")
    print(f"  {'random warps (either side)':28s} {t_warp:9.0f}")
    if separate_ratios:
        print(f"  separate layers / letterlab per round: {', '.join(f'{v:.2f}' for v in separate_ratios)}")
    if ratios:
        b = best["letterlab"][0] / best["pytorch autograd"][0]
        print(f"  letterlab / pytorch autograd: {b:.2f} (best round of each), per round "
              f"{', '.join(f'{v:.2f}' for v in ratios)} (goal <= 1.5); load average now "
              f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="BLAS/torch threads (default: library default)")
    ap.add_argument("--skip-tutorial", action="store_true")
    ap.add_argument("--presets", default=",".join(PRESET_NAMES),
                    help=f"comma-separated, from {', '.join(PRESET_NAMES)} (default: all)")
    ap.add_argument("--conv-rounds", type=int, default=3)
    ap.add_argument("--conv-batches", type=int, default=125,
                    help="conv steps per round and library (625 = one epoch)")
    ap.add_argument("--separate-layers", action="store_true",
                    help="conv: also time the network trained through its separate layers "
                         "(conv, ReLU, pool one after the other, no fused ConvReLU stages)")
    ap.add_argument("--omp-passive", action="store_true",
                    help="OMP_WAIT_POLICY=PASSIVE for PyTorch's threads (set before torch loads)")
    args = ap.parse_args()
    presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    if not presets or set(presets) - set(PRESET_NAMES):
        ap.error(f"--presets takes names from {', '.join(PRESET_NAMES)}")
    if args.omp_passive:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    x, y = data()
    try:
        import threadpoolctl
        _limits = threadpoolctl.threadpool_limits(args.threads) if args.threads else None  # held for the whole run
        blas = threadpoolctl.threadpool_info()
        blas_desc = ", ".join(f"{i['internal_api']} {i.get('architecture', '')} x{i['num_threads']}" for i in blas)
    except Exception:
        blas_desc = "?"
    print(f"one epoch: {N} samples, float32; numpy {np.__version__}; BLAS: {blas_desc}; "
          f"{os.cpu_count()} cpus; load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for preset in [p for p in presets if p != "conv"]:
        res = {}
        if not args.skip_tutorial:
            res["tutorial (per-sample loops)"] = best_of(tutorial_epoch(preset, x, y), max(1, min(args.repeat, 2)))
        res["letterlab"] = best_of(letterlab_epoch(preset, x, y), args.repeat)
        try:
            auto, hand, torch = torch_epochs(preset, x, y)
            if args.threads:
                torch.set_num_threads(args.threads)
            auto(), hand()  # warm-up
            res["pytorch autograd"] = best_of(auto, args.repeat)
            res["pytorch hand-written grads"] = best_of(hand, args.repeat)
        except ImportError:
            print("  (torch not importable: skipping the PyTorch comparisons)")
        res["matmul floor"] = best_of(floor_epoch(preset, x, y), args.repeat)
        ours = res["letterlab"]
        print(f"\n{preset} (batch {BATCH}):")
        print(f"  {'':28s} {'ms/epoch':>9s}   {'its time / letterlab time':>26s}")
        for name, ms in res.items():
            print(f"  {name:28s} {ms:9.1f}   {ms / ours:26.2f}")
        verdicts = [f"letterlab / matmul floor = {ours / res['matmul floor']:.2f} (goal < 2)"]
        for k in ("pytorch autograd", "pytorch hand-written grads"):
            if k in res:
                verdicts.append(f"vs {k}: {res[k] / ours:.2f}x (goal > 1)")
        print("  " + "; ".join(verdicts))
    if "conv" in presets:
        conv_report(x, y, args.threads or min(2, os.cpu_count() or 1), args.conv_rounds, args.conv_batches,
                    args.separate_layers)


if __name__ == "__main__":
    main()
