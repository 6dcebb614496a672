"""Training speed of the conv net: our NumPy layers against PyTorch CPU autograd.

    python benchmarks/conv_speed.py [--rounds 3] [--batches 100] [--threads 2]
                                    [--split workers|blas] [--chunk-kib 1024] [--separate]

The network is the "conv" preset built directly from ``model.conv`` and
``model.layers`` (input 17x17x1, Conv 3x3 32, ReLU, Conv 3x3 32, ReLU, MaxPool, Conv 3x3
64, ReLU, MaxPool, Flatten, FC 128, ReLU, Dropout 0.3, FC 26), float32, batch 64, softmax
cross-entropy, SGD with momentum 0.9, random data. One step is forward + backward + SGD.
As ``model.network`` trains it, each conv with its ReLU (and pool) is one
``model.conv.ConvReLU`` stage (``fuse_conv_relu``); ``--separate`` steps through the
separate layers instead (the same numbers).

``--threads`` is the budget of both libraries. NumPy spends it, by default, as that many
``Conv2D.workers`` with one BLAS thread (``--split blas``: one worker, BLAS's threads).
Each round times ``--batches`` steps of NumPy, then of PyTorch (if ``torch`` imports; same
weights at the start, same batch size, same thread count), alternating so both see the
same load from anything else on the machine. Prints the best round of each as ms per
40000-image epoch (wall clock, and the process's CPU time) and the ratio NumPy / PyTorch,
then the NumPy per-layer forward and backward times (ms per epoch) from a separate,
instrumented run. On a machine whose cores are busy, thread pools that spin (OpenBLAS's
with ``--split blas``, PyTorch's OpenMP) collapse and their wall times swing by 10x; the
CPU time with ``--threads 1`` hardly depends on the load.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threadpoolctl import threadpool_limits  # noqa: E402

from model.conv import Conv2D, Dropout, Flatten, MaxPool2D, ToImage, fuse_conv_relu  # noqa: E402
from model.layers import FullyConnect, ReLU  # noqa: E402
from model.optim import SGD  # noqa: E402

EPOCH, BATCH, SIDE, CLASSES = 40000, 64, 17, 26
LR, MOMENTUM, DROP = 0.01, 0.9, 0.3


def build(rng: np.random.Generator) -> list:
    return [ToImage(SIDE),
            Conv2D(1, 32, 3, rng=rng), ReLU(),
            Conv2D(32, 32, 3, rng=rng), ReLU(), MaxPool2D(),
            Conv2D(32, 64, 3, rng=rng), ReLU(), MaxPool2D(),
            Flatten(),
            FullyConnect(64 * 4 * 4, 128, rng), ReLU(), Dropout(DROP, rng),
            FullyConnect(128, CLASSES, rng)]


def softmax_ce_grad(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """d(mean cross-entropy of softmax(z))/dz."""
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    p /= len(labels)
    return p


class NumpyNet:
    def __init__(self, seed: int = 0, separate: bool = False) -> None:
        self.layers = build(np.random.default_rng(seed))  # the PyTorch twin copies these
        self.stages = self.layers if separate else fuse_conv_relu(self.layers)  # stepped through
        # The first parameterised stage needs no input gradient.
        self.first = next(i for i, layer in enumerate(self.stages) if layer.params)
        self.opt = SGD([(layer.params[k], layer.grads[k]) for layer in self.layers for k in layer.params],
                       LR, momentum=MOMENTUM)

    def step(self, x: np.ndarray, labels: np.ndarray, clock: dict | None = None) -> None:
        t = time.perf_counter
        h = x
        for i, layer in enumerate(self.stages):
            t0 = t()
            h = layer.forward(h)
            if clock is not None:
                clock[i, "forward"] = clock.get((i, "forward"), 0) + t() - t0
        g = softmax_ce_grad(h, labels)
        for i in range(len(self.stages) - 1, self.first - 1, -1):
            layer = self.stages[i]
            t0 = t()
            if i == self.first:
                layer.backward_params_only(g)
            else:
                g = layer.backward(g)
            if clock is not None:
                clock[i, "backward"] = clock.get((i, "backward"), 0) + t() - t0
        t0 = t()
        self.opt.step()
        if clock is not None:
            clock[len(self.stages), "SGD step"] = clock.get((len(self.stages), "SGD step"), 0) + t() - t0


def torch_twin(layers: list):
    """A PyTorch ``nn.Sequential`` that computes what ``layers`` (LetterLab layers, input
    rows ``(n, side * side)``) compute, starting from their current weights. Raises
    ``ImportError`` without torch, ``TypeError`` for a layer it has no twin for."""
    import torch
    from torch import nn

    twins = {ToImage: lambda l: nn.Unflatten(1, (1, l.side, l.side)),
             Conv2D: lambda l: nn.Conv2d(l.in_channels, l.out_channels, l.kernel_size, padding=l.padding),
             ReLU: lambda l: nn.ReLU(),
             MaxPool2D: lambda l: nn.MaxPool2d(2),
             Flatten: lambda l: nn.Flatten(),
             FullyConnect: lambda l: nn.Linear(l.in_features, l.out_features),
             Dropout: lambda l: nn.Dropout(l.p)}
    modules = []
    for layer in layers:
        if type(layer) not in twins:
            raise TypeError(f"no PyTorch twin for {layer!r}")
        module = twins[type(layer)](layer)
        with torch.no_grad():
            for name, value in layer.params.items():  # same names, same layouts
                getattr(module, name).copy_(torch.from_numpy(value))
        modules.append(module)
    return nn.Sequential(*modules)


def torch_step_fn(layers: list, threads: int, lr: float = LR, momentum: float = MOMENTUM,
                  label_smoothing: float = 0.0):
    """``(step, check, version)`` for the PyTorch twin of ``layers`` on ``threads`` threads:
    ``step(x, labels)`` is one CPU-autograd training step (softmax cross-entropy with this
    label smoothing, SGD with this momentum); ``check(x)`` the largest difference between
    its logits and ``layers``' (inference, no dropout)."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    net = torch_twin(layers)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)

    def check(x: np.ndarray) -> float:
        net.eval()
        with torch.no_grad():
            ref = net(torch.from_numpy(x)).numpy()
        h = x
        for layer in layers:
            h = layer.infer(h)
        net.train()
        return float(np.abs(ref - h).max())

    def step(x: np.ndarray, labels: np.ndarray) -> None:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(torch.from_numpy(x)), torch.from_numpy(labels))
        loss.backward()
        opt.step()

    return step, check, torch.__version__


def time_steps(step, xs, ys, batches: int) -> tuple[float, float]:
    """Wall-clock and process CPU seconds per step over ``batches`` steps."""
    t0, c0 = time.perf_counter(), time.process_time()
    for b in range(batches):
        i = b % len(xs)
        step(xs[i], ys[i])
    return (time.perf_counter() - t0) / batches, (time.process_time() - c0) / batches


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batches", type=int, default=100, help="timed steps per round and implementation")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--split", choices=["workers", "blas"], default="workers",
                    help="how NumPy uses the threads: Conv2D.workers = threads with 1 BLAS "
                         "thread (default), or 1 worker and BLAS's own threads")
    ap.add_argument("--separate", action="store_true",
                    help="step through the separate conv, ReLU and pool layers, not ConvReLU stages")
    ap.add_argument("--chunk-kib", type=int, default=None,
                    help=f"Conv2D.chunk_bytes in KiB (default {Conv2D.chunk_bytes >> 10})")
    args = ap.parse_args(argv)
    if args.chunk_kib is not None:
        Conv2D.chunk_bytes = args.chunk_kib << 10

    rng = np.random.default_rng(0)
    nb = 50
    xs = (rng.random((nb, BATCH, SIDE * SIDE)) < 0.2).astype(np.float32)
    ys = rng.integers(0, CLASSES, (nb, BATCH))
    per_epoch = EPOCH / BATCH * 1000  # seconds per step -> ms per epoch

    blas_threads = 1 if args.split == "workers" else args.threads
    Conv2D.workers = args.threads if args.split == "workers" else 1
    print(f"numpy: Conv2D.workers={Conv2D.workers}, BLAS threads {blas_threads}; "
          f"torch: {args.threads} threads")
    with threadpool_limits(blas_threads):
        ours = NumpyNet(separate=args.separate)
        try:
            torch_step, torch_check, torch_version = torch_step_fn(ours.layers, args.threads)
        except ImportError:
            torch_step = None
        if torch_step is not None:
            print(f"torch {torch_version}: same initial weights, max |logit difference| "
                  f"{torch_check(xs[0][:8]):.2e}")
        time_steps(ours.step, xs, ys, 5)  # warm-up: buffers, BLAS threads
        if torch_step is not None:
            time_steps(torch_step, xs, ys, 5)
        best_np = best_torch = (float("inf"), float("inf"))
        for r in range(args.rounds):
            t_np = tuple(v * per_epoch for v in time_steps(ours.step, xs, ys, args.batches))
            best_np = min(best_np, t_np)
            line = f"round {r + 1}: numpy {t_np[0]:8.0f} ms/epoch (cpu {t_np[1]:6.0f})"
            if torch_step is not None:
                t_torch = tuple(v * per_epoch for v in time_steps(torch_step, xs, ys, args.batches))
                best_torch = min(best_torch, t_torch)
                line += (f"   torch {t_torch[0]:8.0f} ms/epoch (cpu {t_torch[1]:6.0f})"
                         f"   ratio {t_np[0] / t_torch[0]:.2f}")
            print(line, flush=True)
        print(f"\nbest round, {args.threads} thread(s), batch {BATCH}, float32, {EPOCH}-image epoch "
              "(cpu: process CPU time, all threads):")
        print(f"  numpy  {best_np[0]:8.0f} ms/epoch  cpu {best_np[1]:8.0f} ms")
        if torch_step is not None:
            print(f"  torch  {best_torch[0]:8.0f} ms/epoch  cpu {best_torch[1]:8.0f} ms  (CPU autograd)")
            print(f"  ratio  {best_np[0] / best_torch[0]:8.2f}  (numpy / torch wall time; goal <= 1.5)")

        clock: dict = {}
        for b in range(args.batches):
            ours.step(xs[b % nb], ys[b % nb], clock)
    total = sum(clock.values())
    print(f"\nnumpy per layer (ms per epoch, instrumented run, total {total / args.batches * per_epoch:.0f}):")
    for (i, phase), sec in clock.items():
        name = repr(ours.stages[i])[:68] if i < len(ours.stages) else ""
        ms = sec / args.batches * per_epoch
        print(f"  {name:68s} {phase:8s} {ms:7.0f}  {100 * sec / total:5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
