"""Convolutional layers with the contract of ``model.layers``, in NumPy.

Image layout between layers is **NHWC**: an activation is ``(n, height, width, channels)``,
C-contiguous. With that layout a convolution is a gather (``im2col``: for every output
pixel, its ``kh x kw x C`` window, whose rows of ``kw * C`` numbers are contiguous in
memory) and one matrix product whose result already is the NHWC output, with no
transpose. The input gradient is a convolution too (the flipped kernel over the padded
output gradient): a gather and a product again, no scatter-add. The batch goes through
the gather and the product a few images at a time (``Conv2D.chunk_bytes`` of columns,
1 MiB) so the column matrix stays in the cache: the whole batch's columns (21 MB for the
32 -> 32 conv at batch 64) made the gather and the product about 1.5x slower.

The network's input rows ``(n, 289)`` become images with :class:`ToImage`, and
:class:`Flatten` turns images back into rows in PyTorch's ``(C, H, W)`` order, so a PyTorch
net with the same weights computes the same numbers. Weights are stored in PyTorch's
layout ``(out, in, kh, kw)``; each call rearranges them (a few thousand numbers) into the
``(kh * kw * in, out)`` matrix the product needs.

Threads: ``Conv2D`` keeps scratch buffers between ``forward`` and ``backward`` (the padded
input, one chunk of columns, the padded output gradient), reused from batch to batch while
the batch shape stays the same. ``infer`` of every layer here allocates its own and writes
nothing on the layer, so several threads may call ``infer`` on one network; but
``forward``/``backward`` of one layer object must not run in two threads at once (two
trainers need two networks). No layer here returns its scratch buffers: a returned array
is new or a view of the argument (``ToImage``, ``Flatten.backward``, ``Dropout.infer``).

Training goes through :class:`ConvReLU` stages (a conv with its ReLU and pool, the pool
taken before the ReLU) grouped in a :class:`ConvStack` (:func:`fuse_conv_relu`; the
network's layer list stays the separate layers, for inference and display): each worker
takes its share of the batch through every conv stage, so the ReLU and pooling run on both
workers and the threads meet once per pass. Few, large NumPy calls per worker: each call
hands the GIL to the other worker, and hundreds of small ones a step cost more than the
cache they saved. Conv preset's training step, 2 threads, load ~1: 1.69-1.81x PyTorch's
time with the separate layers, 1.31-1.47x this way (``benchmarks/train_speed.py``).

Speed with two cores: set ``Conv2D.workers = 2`` and give BLAS one thread
(``threadpoolctl.threadpool_limits(1, "blas")``). Each conv then splits its chunks over
two threads of its own (gathers and products both run in parallel; NumPy releases the GIL
for both), instead of relying on BLAS's threads, which parallelise only the products and
whose spinning threads collapse when another process holds a core (measured on a busy
machine: 28 s per epoch against 100-450 s with two BLAS threads; see
``benchmarks/conv_speed.py``). The float32 sums of the weight gradient are then added in
another order: results differ from ``workers = 1`` in the last bits, reproducibly.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import as_strided

from model.layers import Layer, ReLU, WeightedLayer

__all__ = ["Conv2D", "MaxPool2D", "ToImage", "Flatten", "Dropout", "ConvReLU", "ConvStack", "fuse_conv_relu"]


def _windows(xpad: np.ndarray, kh: int, kw: int, ho: int, wo: int) -> np.ndarray:
    """A read-only view ``(n, ho, wo, kh, kw, C)`` of the stride-1 windows of ``xpad`` (NHWC)."""
    sn, sh, sw, sc = xpad.strides
    return as_strided(xpad, (xpad.shape[0], ho, wo, kh, kw, xpad.shape[3]),
                      (sn, sh, sw, sh, sw, sc), writeable=False)


_POOL: ThreadPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def _run(work, count: int) -> list:
    """``[work(0), ..., work(count - 1)]``, ``work(0)`` in this thread and the rest in a
    shared pool of threads."""
    if count == 1:
        return [work(0)]
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL_SIZE < count - 1:
            if _POOL is not None:
                _POOL.shutdown(wait=False)  # its running tasks finish
            _POOL = ThreadPoolExecutor(max_workers=count - 1, thread_name_prefix="conv")
            _POOL_SIZE = count - 1
        pool = _POOL
    futures = [pool.submit(work, w) for w in range(1, count)]
    first = work(0)
    return [first] + [f.result() for f in futures]


def _split(n: int, b: int, workers: int) -> list[list[tuple[int, int]]]:
    """Images ``0..n`` as one contiguous, equal share per worker, each share cut into
    chunks ``(start, stop)`` of at most ``b`` images and of near-equal sizes."""
    workers = max(1, min(int(workers), n))
    groups = []
    for w in range(workers):
        lo, hi = n * w // workers, n * (w + 1) // workers
        count = -(-(hi - lo) // b)
        groups.append([(lo + (hi - lo) * i // count, lo + (hi - lo) * (i + 1) // count) for i in range(count)])
    return groups


def _im2col(xpad: np.ndarray, kh: int, kw: int, ho: int, wo: int, out: np.ndarray | None) -> np.ndarray:
    """The column matrix ``(n * ho * wo, kh * kw * C)`` of ``xpad``; row = one output pixel.

    Columns are ordered ``(i, j, c)`` (kernel row, kernel column, channel). Written into
    ``out`` when its shape fits (a reused buffer), else into a new array.
    """
    n, c = xpad.shape[0], xpad.shape[3]
    shape = (n * ho * wo, kh * kw * c)
    if out is None or out.shape != shape or out.dtype != xpad.dtype:
        out = np.empty(shape, xpad.dtype)
    np.copyto(out.reshape(n, ho, wo, kh, kw, c), _windows(xpad, kh, kw, ho, wo))
    return out


class Conv2D(WeightedLayer):
    """2-D convolution (cross-correlation, as in PyTorch), stride 1, zero padding.

    Args:
        in_channels: channels of the input image.
        out_channels: channels of the output image (number of filters).
        kernel_size: the kernel is ``kernel_size x kernel_size``; any size >= 1, odd or even.
        padding: zeros added on each of the four sides, ``0 <= padding < kernel_size``;
            default ``kernel_size // 2`` ("same" size for odd kernels; an even kernel then
            gives an output one pixel larger than the input, as in PyTorch).
        rng: a ``numpy.random.Generator`` for the initialisation.
        dtype: float32 (default) or float64 (gradient checks).

    Shape:
        weight ``(out_channels, in_channels, k, k)`` (PyTorch's layout); bias
        ``(out_channels,)``; input ``(n, H, W, in_channels)`` (NHWC); output
        ``(n, H + 2 * padding - k + 1, W + 2 * padding - k + 1, out_channels)``.

    ``y[b, h, w, o] = bias[o] + sum_{c, i, j} weight[o, c, i, j] * xpad[b, h + i, w + j, c]``
    where ``xpad`` is the input with ``padding`` zeros around it.

    Initialisation is He's: ``weight = randn * sqrt(2 / (in_channels * k * k))``, bias 0.

    ``backward(grad)`` sums over the batch like ``FullyConnect`` (``grad`` already
    carries the loss's ``1/n``). ``backward_params_only(grad)`` fills the parameter
    gradients without the input gradient: call it instead of ``backward`` on the first
    layer of a network (saves a third of that layer's work).

    Example:
        >>> conv = Conv2D(1, 32, 3, rng=np.random.default_rng(0))
        >>> conv.forward(np.zeros((5, 17, 17, 1), np.float32)).shape
        (5, 17, 17, 32)
    """

    chunk_bytes = 1 << 20
    """Size of the column matrix of one chunk of images: the batch goes through the
    gather and the product a few images at a time, so the columns stay in the cache."""

    workers = 1
    """Threads sharing the chunks of one ``forward``/``backward``/``infer`` (NumPy's copies
    and the matrix products release the GIL). With more than 1, give BLAS one thread
    (``threadpoolctl.threadpool_limits(1, "blas")``) so that the threads do not fight
    over BLAS's own pool: the parallelism then comes from here, without BLAS's spinning
    worker threads, and also covers the gathers, which BLAS threads do not."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 padding: int | None = None, rng: np.random.Generator | None = None,
                 dtype=np.float32) -> None:
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = int(kernel_size)
        self.padding = self.kernel_size // 2 if padding is None else int(padding)
        if self.in_channels < 1 or self.out_channels < 1 or self.kernel_size < 1:
            raise ValueError("channels and kernel_size must be at least 1")
        if not 0 <= self.padding < self.kernel_size:
            raise ValueError(f"padding must be in [0, kernel_size), got {self.padding}")
        k = self.kernel_size
        fan_in = self.in_channels * k * k
        w = rng.standard_normal((self.out_channels, self.in_channels, k, k)) * np.sqrt(2.0 / fan_in)
        self.params = {"weight": w.astype(dtype), "bias": np.zeros(self.out_channels, dtype)}
        self.grads = {key: np.zeros_like(v) for key, v in self.params.items()}
        # Training scratch (see the module docstring): padded input, its columns (kept
        # for the weight gradient), padded output gradient and its columns.
        # One buffer per worker (see ``workers``), the padded input once.
        self._xpad: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._gpad: list[np.ndarray] = []
        self._gcols: list[np.ndarray] = []
        self._in_hw: tuple[int, int] = (0, 0)
        self._cols_start: list[int] = []  # per worker: first image of the chunk its buffer holds

    def _out_hw(self, h: int, w: int) -> tuple[int, int]:
        k, p = self.kernel_size, self.padding
        ho, wo = h + 2 * p - k + 1, w + 2 * p - k + 1
        if ho < 1 or wo < 1:
            raise ValueError(f"input {h}x{w} is smaller than the kernel {k}x{k} with padding {p}")
        return ho, wo

    def _check(self, x: np.ndarray) -> None:
        if x.ndim != 4 or x.shape[3] != self.in_channels:
            raise ValueError(f"Conv2D expects (n, H, W, {self.in_channels}) input, got {x.shape}")

    def _weight_matrix(self) -> np.ndarray:
        """The weight as the ``(k * k * in, out)`` matrix matching the column order (i, j, c)."""
        w = self.params["weight"]
        return w.transpose(2, 3, 1, 0).reshape(-1, self.out_channels)

    def _chunk_images(self, n: int, rows_per_image: int, n_cols: int, itemsize: int) -> int:
        """How many images one chunk holds: its column matrix stays near ``chunk_bytes``."""
        return max(1, min(n, self.chunk_bytes // (rows_per_image * n_cols * itemsize)))

    def _groups(self, n: int, b: int) -> list[list[tuple[int, int]]]:
        """The chunks ``(start, stop)`` of ``b`` images, dealt round-robin to the workers."""
        chunks = [(s, min(n, s + b)) for s in range(0, n, b)]
        workers = max(1, min(int(self.workers), len(chunks)))
        return [chunks[w::workers] for w in range(workers)]

    def _scratch(self, name: str, count: int, shape: tuple, dtype, zero: bool = False) -> list[np.ndarray]:
        """``count`` reusable buffers of this shape (one per worker), kept as ``self.<name>``."""
        bufs = getattr(self, name)
        if len(bufs) != count or bufs[0].shape != shape or bufs[0].dtype != dtype:
            bufs = [(np.zeros if zero else np.empty)(shape, dtype) for _ in range(count)]
            setattr(self, name, bufs)
        return bufs

    def _forward_into(self, x: np.ndarray, xpad: np.ndarray, y: np.ndarray, groups, cols_bufs) -> list[int]:
        """``y`` ``(n, ho, wo, out)`` chunk by chunk: copy the chunk of ``x`` into the
        zero-bordered ``xpad``, gather, multiply. Returns, per worker, the start of its
        last chunk, whose columns are left in its buffer."""
        k, p = self.kernel_size, self.padding
        h, w = x.shape[1:3]
        n, ho, wo, o = y.shape
        wm = self._weight_matrix()
        bias = self.params["bias"]
        y2 = y.reshape(-1, o)
        hw = ho * wo

        def work(wk: int) -> int:
            for s, e in groups[wk]:
                xpad[s:e, p:p + h, p:p + w] = x[s:e]
                cols = _im2col(xpad[s:e], k, k, ho, wo, cols_bufs[wk][:(e - s) * hw])
                ys = y2[s * hw:e * hw]
                np.matmul(cols, wm, out=ys)
                ys += bias  # while the chunk is in the cache
            return groups[wk][-1][0]

        return _run(work, len(groups))

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        n, h, w, c = x.shape
        p, k = self.padding, self.kernel_size
        ho, wo = self._out_hw(h, w)
        xpad = self._scratch("_xpad", 1, (n, h + 2 * p, w + 2 * p, c), x.dtype, zero=True)[0]
        b = self._chunk_images(n, ho * wo, k * k * c, x.dtype.itemsize)
        groups = self._groups(n, b)
        cols = self._scratch("_cols", len(groups), (b * ho * wo, k * k * c), x.dtype)
        y = np.empty((n, ho, wo, self.out_channels), x.dtype)
        self._cols_start = self._forward_into(x, xpad, y, groups, cols)
        self._in_hw = (h, w)
        return y

    def infer(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        n, h, w, c = x.shape
        p, k = self.padding, self.kernel_size
        ho, wo = self._out_hw(h, w)
        xpad = np.zeros((n, h + 2 * p, w + 2 * p, c), x.dtype)
        b = self._chunk_images(n, ho * wo, k * k * c, x.dtype.itemsize)
        groups = self._groups(n, b)
        y = np.empty((n, ho, wo, self.out_channels), x.dtype)
        self._forward_into(x, xpad, y, groups, [np.empty((b * ho * wo, k * k * c), x.dtype) for _ in groups])
        return y

    def backward_params_only(self, grad: np.ndarray) -> None:
        """Fill ``grads`` from ``grad`` ``(n, Ho, Wo, out)`` without the input gradient."""
        self._backward(grad, None)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Fill ``grads`` and return dLoss/dInput ``(n, H, W, in)`` for ``grad`` ``(n, Ho, Wo, out)``."""
        n = grad.shape[0]
        h, w = self._in_hw
        dx = np.empty((n, h, w, self.in_channels), grad.dtype)
        self._backward(grad, dx)
        return dx

    def _backward(self, grad: np.ndarray, dx: np.ndarray | None) -> None:
        n, ho, wo, o = grad.shape
        h, w = self._in_hw
        k, c = self.kernel_size, self.in_channels
        g2 = grad.reshape(-1, o)
        np.matmul(np.ones(g2.shape[0], g2.dtype), g2, out=self.grads["bias"])
        # Weight gradient: columns of the input (the forward's chunks) times the gradient.
        # Each worker goes backwards through its chunks: the columns of its last one are
        # still in its buffer.
        xpad, cols_bufs, starts = self._xpad[0], self._cols, self._cols_start
        self._cols_start = [-1] * len(starts)  # the buffers will hold other chunks
        hw = ho * wo
        groups = self._groups(n, cols_bufs[0].shape[0] // hw)

        def weight_grad(wk: int) -> np.ndarray:
            gw = np.zeros((k * k * c, o), grad.dtype)  # rows ordered (i, j, c)
            for s, e in reversed(groups[wk]):
                cols = cols_bufs[wk][:(e - s) * hw]
                if s != starts[wk]:
                    _im2col(xpad[s:e], k, k, ho, wo, cols)
                gw += cols.T @ g2[s * hw:e * hw]
            return gw

        gw = sum(_run(weight_grad, len(groups)))
        self.grads["weight"][...] = gw.reshape(k, k, c, o).transpose(3, 2, 0, 1)
        if dx is None:
            return
        # Input gradient: the "full" correlation of the output gradient with the kernel
        # flipped in both directions and in/out swapped. A convolution again: one
        # gather and one product per chunk, no scatter-add.
        q = k - 1 - self.padding
        hwi = h * w
        b = self._chunk_images(n, hwi, k * k * o, grad.dtype.itemsize)
        groups = self._groups(n, b)
        gpads = self._scratch("_gpad", len(groups), (b, ho + 2 * q, wo + 2 * q, o), grad.dtype, zero=True)
        gcols_bufs = self._scratch("_gcols", len(groups), (b * hwi, k * k * o), grad.dtype)
        wflip = self.params["weight"][:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(-1, c)
        dx2 = dx.reshape(-1, c)

        def input_grad(wk: int) -> None:
            gpad = gpads[wk]
            for s, e in groups[wk]:
                m = e - s
                gpad[:m, q:q + ho, q:q + wo, :] = grad[s:e]
                gcols = _im2col(gpad[:m], k, k, h, w, gcols_bufs[wk][:m * hwi])
                np.matmul(gcols, wflip, out=dx2[s * hwi:e * hwi])

        _run(input_grad, len(groups))

    def extra_repr(self) -> str:
        return (f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, padding={self.padding}")


class MaxPool2D(Layer):
    """2x2 max pooling, stride 2, on NHWC images.

    Shape:
        input ``(n, H, W, C)``; output ``(n, H // 2, W // 2, C)``. An odd size is floored
        as in PyTorch's default: 17 -> 8; the last row (or column) is dropped and gets a
        zero gradient.

    The gradient of each output goes to exactly one input: the window's maximum; where
    several elements of a window tie for the maximum, to the first of them in row-major
    order (top-left, top-right, bottom-left, bottom-right).
    """

    @staticmethod
    def _corners(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if x.ndim != 4 or x.shape[1] < 2 or x.shape[2] < 2:
            raise ValueError(f"MaxPool2D expects (n, H, W, C) with H, W >= 2, got {x.shape}")
        h2, w2 = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
        return (x[:, 0:h2:2, 0:w2:2], x[:, 0:h2:2, 1:w2:2],
                x[:, 1:h2:2, 0:w2:2], x[:, 1:h2:2, 1:w2:2])

    def forward(self, x: np.ndarray) -> np.ndarray:
        a, b, c, d = self._corners(x)
        # Which element wins, with ">=" / ">" so that on a tie the earlier one (row-major) does.
        self._left_top = a >= b
        self._left_bottom = c >= d
        top = np.maximum(a, b)
        bottom = np.maximum(c, d)
        self._lower = bottom > top
        self._in_shape = x.shape
        np.maximum(top, bottom, out=top)
        return top

    def infer(self, x: np.ndarray) -> np.ndarray:
        a, b, c, d = self._corners(x)
        top = np.maximum(a, b)
        np.maximum(top, np.maximum(c, d), out=top)
        return top

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """dLoss/dInput ``(n, H, W, C)`` for ``grad`` ``(n, H // 2, W // 2, C)``."""
        n, h, w, ch = self._in_shape
        # Every element is written below except a dropped odd row or column.
        gx = (np.zeros if h % 2 or w % 2 else np.empty)(self._in_shape, grad.dtype)
        a, b, c, d = self._corners(gx)
        g_lower = grad * self._lower
        g_upper = grad - g_lower  # exact: grad or 0
        np.multiply(g_upper, self._left_top, out=a)
        np.subtract(g_upper, a, out=b)
        np.multiply(g_lower, self._left_bottom, out=c)
        np.subtract(g_lower, c, out=d)
        return gx

    def extra_repr(self) -> str:
        return "kernel_size=2, stride=2"


class ToImage(Layer):
    """Flat rows to one-channel NHWC images: ``(n, side * side)`` -> ``(n, side, side, 1)``.

    The rows are read row-major (pixel ``(r, c)`` is element ``r * side + c``), the order
    of the network's 17x17 inputs. ``backward`` reshapes the gradient back to rows.
    """

    def __init__(self, side: int = 17) -> None:
        super().__init__()
        self.side = int(side)

    def infer(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 2 or x.shape[1] != self.side * self.side:
            raise ValueError(f"ToImage expects (n, {self.side * self.side}) rows, got {x.shape}")
        return x.reshape(x.shape[0], self.side, self.side, 1)

    forward = infer

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(grad.shape[0], self.side * self.side)

    def extra_repr(self) -> str:
        return f"side={self.side}"


class Flatten(Layer):
    """NHWC images to rows in PyTorch's order: ``(n, H, W, C)`` -> ``(n, C * H * W)``.

    Element ``[b, c * H * W + h * W + w]`` of the output is ``x[b, h, w, c]``, as
    ``torch.flatten`` of an NCHW tensor, so a fully connected layer after it takes
    PyTorch's weights unchanged.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._in_shape = x.shape
        return self.infer(x)

    def infer(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 4:
            raise ValueError(f"Flatten expects (n, H, W, C) images, got {x.shape}")
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2)).reshape(x.shape[0], -1)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """dLoss/dInput ``(n, H, W, C)`` (a view) for ``grad`` ``(n, C * H * W)``."""
        n, h, w, c = self._in_shape
        return grad.reshape(n, c, h, w).transpose(0, 2, 3, 1)


class Dropout(Layer):
    """Inverted dropout: in ``forward`` each unit is zeroed with probability ``p`` and the
    kept ones are scaled by ``1 / (1 - p)``; ``infer`` is the identity.

    Args:
        p: drop probability, ``0 <= p < 1``.
        rng: the ``numpy.random.Generator`` that draws the masks (training is
            reproducible from its seed).

    Shape:
        any; output has the input's shape. ``backward`` multiplies by the same scaled mask.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = np.random.default_rng() if rng is None else rng
        self._scale: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.p == 0:
            self._scale = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self._scale = keep * np.asarray(1 / (1 - self.p), x.dtype)
        return x * self._scale

    def infer(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad if self._scale is None else grad * self._scale

    def extra_repr(self) -> str:
        return f"p={self.p}"


class ConvReLU(Layer):
    """``Conv2D -> ReLU`` or ``Conv2D -> ReLU -> MaxPool2D`` as one training stage.

    The same numbers as the layers one after the other, all of it on the convolution's
    workers (``Conv2D.workers``), each taking a contiguous share of the batch: the
    products chunk by chunk as in :class:`Conv2D`, then the bias, the pooling and the
    ReLU over the share; in ``backward`` the ReLU's mask and the pooling's routing over
    the share, written straight into the padded gradient whose columns give both the
    input gradient and the weight gradient (``gcols.T @ x``: no columns of the input are
    built again). Run one after the other, ReLU and pooling went through the whole batch
    on one thread. With the pool, an odd last row or column of the convolution's output,
    which the pool drops, is not computed.

    The pooling is applied before the ReLU: ``relu(max(window)) == max(relu(window))``
    exactly, and the gradient goes to the same element. Where the window's maximum is
    positive, the elements that tie for it after the ReLU are the ones that tie before it
    (the first wins, as in :class:`MaxPool2D`); where it is not positive, every element's
    gradient is 0 either way.

    Args:
        conv: the convolution; its ``params`` and ``grads`` are this stage's (the same
            dicts), so an optimiser or a weights file sees no difference.
        relu: the :class:`~model.layers.ReLU` after it (kept for ``infer`` and the repr;
            its own caches are not written).
        pool: the :class:`MaxPool2D` after the ReLU, or None.

    Shape:
        input ``(n, H, W, in_channels)``; output that of the layers in sequence:
        ``(n, Ho, Wo, out)``, or ``(n, Ho // 2, Wo // 2, out)`` with the pool.

    :func:`fuse_conv_relu` builds these from a list of layers (``model.network`` trains
    through them; the network's ``layers`` stay the separate ones, for inference and
    for showing each stage).
    """

    def __init__(self, conv: Conv2D, relu: Layer, pool: MaxPool2D | None = None) -> None:
        super().__init__()
        self.conv, self.relu, self.pool = conv, relu, pool
        self.params, self.grads = conv.params, conv.grads
        self._bufs: dict[str, list[np.ndarray]] = {}
        self._plan: tuple = ()

    def _scratch(self, name: str, count: int, shape: tuple, dtype, zero: bool = False) -> list[np.ndarray]:
        """``count`` reusable buffers of this shape (one per worker)."""
        bufs = self._bufs.get(name)
        if bufs is None or len(bufs) != count or bufs[0].shape != shape or bufs[0].dtype != dtype:
            bufs = [(np.zeros if zero else np.empty)(shape, dtype) for _ in range(count)]
            self._bufs[name] = bufs
        return bufs

    def infer(self, x: np.ndarray) -> np.ndarray:
        y = self.relu.infer(self.conv.infer(x))
        return y if self.pool is None else self.pool.infer(y)

    def forward(self, x: np.ndarray) -> np.ndarray:
        out, work, nw, done = self._prepare_forward(x, self.conv.workers)
        done(_run(work, nw))
        return out

    def _prepare_forward(self, x: np.ndarray, workers: int, keep_out: bool = False) -> tuple:
        """``(out, work, count, done)``: the output array (filled by the workers), the
        work of worker ``wk`` (``work(wk)`` for ``wk < count``; it writes only its share's
        rows of ``out`` and reads only those of ``x``) and ``done(results)``, to call with
        the list of the workers' results. With ``keep_out`` the output is a buffer of this
        stage, reused at the next call (for a :class:`ConvStack`'s inner stages)."""
        conv = self.conv
        conv._check(x)
        n, h, w, c = x.shape
        k, p, o = conv.kernel_size, conv.padding, conv.out_channels
        ho, wo = conv._out_hw(h, w)
        pool = self.pool is not None
        if pool and (ho < 2 or wo < 2):
            raise ValueError(f"MaxPool2D expects (n, H, W, C) with H, W >= 2, got {(n, ho, wo, o)}")
        if pool:  # an odd last row or column would be dropped by the pool: not computed
            ho, wo = ho // 2 * 2, wo // 2 * 2
        dt, hw = x.dtype, ho * wo
        groups = _split(n, conv._chunk_images(n, hw, k * k * c, dt.itemsize), workers)
        m = max(e - s for g in groups for s, e in g)
        nw = len(groups)
        # Each worker pads its own chunk (a buffer used at every chunk stays in the cache).
        xpads = self._scratch("xpad", nw, (m, h + 2 * p, w + 2 * p, c), dt, zero=True)
        cols = self._scratch("cols", nw, (m * hw, k * k * c), dt)
        # The convolution's output: returned without the pool; with it, kept like the
        # scratch buffers (a new array a step made the allocator return memory to the
        # system and fault it back in: about 1000 page faults a step).
        out_shape = (n, ho // 2, wo // 2, o) if pool else (n, ho, wo, o)
        out = self._scratch("out", 1, out_shape, dt)[0] if keep_out else np.empty(out_shape, dt)
        y = self._scratch("y", 1, (n, ho, wo, o), dt)[0] if pool else out
        y2 = y.reshape(-1, o)
        hp, wp = (ho // 2, wo // 2) if pool else (ho, wo)
        # keep: the ReLU's mask (of the pooled maximum); with the pool, its routing as in
        # MaxPool2D: left_top (a >= b), left_bottom (c >= d), lower (bottom > top).
        masks = self._scratch("masks", 4 if pool else 1, (n, hp, wp, o), np.bool_)
        keep = masks[0]
        bottoms = self._scratch("bottom", nw, (max(g[-1][1] - g[0][0] for g in groups), hp, wp, o), dt)
        wm, bias = conv._weight_matrix(), conv.params["bias"]

        def work(wk: int) -> int:
            for s, e in groups[wk]:
                xpad = xpads[wk][:e - s]
                xpad[:, p:p + h, p:p + w] = x[s:e]
                np.matmul(_im2col(xpad, k, k, ho, wo, cols[wk][:(e - s) * hw]), wm, out=y2[s * hw:e * hw])
            # The bias, the pool and the ReLU over the worker's share of the batch at once:
            # a few large NumPy calls (each lets the other worker take the GIL).
            lo, hi = groups[wk][0][0], groups[wk][-1][1]
            ys = y[lo:hi]
            ys += bias
            top = out[lo:hi]
            if pool:
                a, b, c_, d = MaxPool2D._corners(ys)
                np.greater_equal(a, b, out=masks[1][lo:hi])
                np.greater_equal(c_, d, out=masks[2][lo:hi])
                np.maximum(a, b, out=top)
                bottom = np.maximum(c_, d, out=bottoms[wk][:hi - lo])
                np.greater(bottom, top, out=masks[3][lo:hi])
                np.maximum(top, bottom, out=top)
            np.greater(top, 0, out=keep[lo:hi])
            np.maximum(top, 0, out=top)
            return groups[wk][-1][0]

        def done(starts: list) -> None:
            self._plan = (x.shape, ho, wo, groups, starts)
            self._x = x

        return out, work, nw, done

    def backward_params_only(self, grad: np.ndarray) -> None:
        """Fill ``grads`` from ``grad`` (the output's gradient) without the input gradient."""
        self._backward(grad, None)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """Fill ``grads`` and return dLoss/dInput ``(n, H, W, in)``."""
        (n, h, w, c), *_ = self._plan
        dx = np.empty((n, h, w, c), grad.dtype)
        self._backward(grad, dx)
        return dx

    def _route(self, grad: np.ndarray, g: np.ndarray, lo: int, hi: int, tmp: list) -> np.ndarray:
        """Write the gradient before the ReLU (and the pool) of images ``lo:hi`` into ``g``
        ``(hi - lo, Ho, Wo, out)`` (with the pool: even Ho and Wo, every pixel in a window);
        return its sum over the pixels (the bias's). ``tmp``: two scratch arrays of at
        least ``hi - lo`` pooled images."""
        o, dt = g.shape[3], g.dtype
        keep, *routing = self._bufs["masks"]
        if self.pool is None:
            np.multiply(grad[lo:hi], keep[lo:hi], out=g)
            return np.ones(g.size // o, dt) @ g.reshape(-1, o)
        left_top, left_bottom, lower = (mask[lo:hi] for mask in routing)
        g_upper = np.multiply(grad[lo:hi], keep[lo:hi], out=tmp[0][:hi - lo])
        # Each pooled gradient goes to one pixel: the bias gradient is their sum.
        bias_grad = np.ones(g_upper.size // o, dt) @ g_upper.reshape(-1, o)
        g_lower = np.multiply(g_upper, lower, out=tmp[1][:hi - lo])
        g_upper -= g_lower  # exact: the gradient or 0
        a, b, c, d = MaxPool2D._corners(g)
        np.multiply(g_upper, left_top, out=a)
        np.subtract(g_upper, a, out=b)
        np.multiply(g_lower, left_bottom, out=c)
        np.subtract(g_lower, c, out=d)
        return bias_grad

    def _backward(self, grad: np.ndarray, dx: np.ndarray | None) -> None:
        work, nw, done = self._prepare_backward(grad, dx)
        done(_run(work, nw))

    def _prepare_backward(self, grad: np.ndarray, dx: np.ndarray | None) -> tuple:
        """``(work, count, done)`` as in ``_prepare_forward``: the workers fill ``dx`` (if
        not None), each its share's rows, reading only those of ``grad``; ``done`` fills
        ``grads``."""
        conv = self.conv
        (n, h, w, c), ho, wo, groups, starts = self._plan
        self._plan = (self._plan[0], ho, wo, groups, [-1] * len(starts))  # buffers get reused
        k, o, p, dt = conv.kernel_size, conv.out_channels, conv.padding, grad.dtype
        hw, hwi, nw = ho * wo, h * w, len(groups)
        x = self._x
        x2 = x.reshape(-1, c)
        share = max(g[-1][1] - g[0][0] for g in groups)  # the same shares in both ways below
        tmp = self._scratch("route", 2 * nw, (share, ho // 2, wo // 2, o), dt) if self.pool else [None] * 2 * nw
        if dx is None:
            gy = self._scratch("gy", 1, (n, ho, wo, o), dt)[0]  # before the ReLU and the pool
            gy2 = gy.reshape(-1, o)
            # Weight gradient: the columns of the input (the forward's chunks; each
            # worker's last are still in its buffer) times the gradient. Cheaper than the
            # way below when there are few input channels (the first layer).
            xpads, cols = self._bufs["xpad"], self._bufs["cols"]
            parts = self._scratch("parts", nw, (max(map(len, groups)), k * k * c, o), dt)

            def work(wk: int) -> tuple[np.ndarray, np.ndarray]:
                lo, hi = groups[wk][0][0], groups[wk][-1][1]
                bias_grad = self._route(grad, gy[lo:hi], lo, hi, tmp[2 * wk:2 * wk + 2])
                for i, (s, e) in enumerate(reversed(groups[wk])):
                    cl = cols[wk][:(e - s) * hw]
                    if s != starts[wk]:
                        xpad = xpads[wk][:e - s]
                        xpad[:, p:p + h, p:p + w] = x[s:e]
                        _im2col(xpad, k, k, ho, wo, cl)
                    np.matmul(cl.T, gy2[s * hw:e * hw], out=parts[wk][i])
                return np.add.reduce(parts[wk][:len(groups[wk])]), bias_grad

            def done(results: list) -> None:
                gw = sum(r[0] for r in results)  # rows ordered (i, j, c)
                conv.grads["weight"][...] = gw.reshape(k, k, c, o).transpose(3, 2, 0, 1)
                conv.grads["bias"][...] = sum(r[1] for r in results)

            return work, nw, done
        # The input gradient is the "full" correlation of the output gradient (padded by
        # q) with the flipped kernel: the columns of the padded gradient (``gcols``, one
        # row per input pixel, columns (i', j', out)) times the flipped weight. The same
        # columns give the weight gradient: weight[o, c, i, j] is the sum over input
        # pixels of gcols[pixel, (k-1-i, k-1-j, o)] * x[pixel, c], i.e. gcols.T @ x. One
        # gather per chunk serves both products; no columns of the input are rebuilt.
        # Each worker routes the gradient of its share of the images straight into its
        # padded buffer, then gathers it chunk by chunk.
        q = k - 1 - p
        dx_groups = _split(n, conv._chunk_images(n, hwi, k * k * o, dt.itemsize), nw)
        mi = max(e - s for g in dx_groups for s, e in g)
        # (ho, wo) can be smaller than the convolution's output by a row or column the pool
        # drops: its gradient is the zero border left there.
        gpads = self._scratch("gpad", nw, (share, h + k - 1, w + k - 1, o), dt, zero=True)
        gcols = self._scratch("gcols", nw, (mi * hwi, k * k * o), dt)
        parts = self._scratch("parts", nw, (max(map(len, dx_groups)), k * k * o, c), dt)
        wflip = conv.params["weight"][:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(-1, c)
        dx2 = dx.reshape(-1, c)

        def work(wk: int) -> tuple[np.ndarray, np.ndarray]:
            lo, hi = dx_groups[wk][0][0], dx_groups[wk][-1][1]
            gpad = gpads[wk]
            bias_grad = self._route(grad, gpad[:hi - lo, q:q + ho, q:q + wo], lo, hi, tmp[2 * wk:2 * wk + 2])
            for i, (s, e) in enumerate(dx_groups[wk]):
                gc = _im2col(gpad[s - lo:e - lo], k, k, h, w, gcols[wk][:(e - s) * hwi])
                np.matmul(gc, wflip, out=dx2[s * hwi:e * hwi])
                np.matmul(gc.T, x2[s * hwi:e * hwi], out=parts[wk][i])  # faster than x.T @ gc
            return np.add.reduce(parts[wk][:len(dx_groups[wk])]), bias_grad

        def done(results: list) -> None:
            gr = sum(r[0] for r in results)  # rows ordered (k-1-i, k-1-j, o)
            conv.grads["weight"][...] = gr.reshape(k, k, o, c)[::-1, ::-1].transpose(2, 3, 0, 1)
            conv.grads["bias"][...] = sum(r[1] for r in results)

        return work, nw, done

    def extra_repr(self) -> str:
        return f"{self.conv!r}, {self.relu!r}" + (f", {self.pool!r}" if self.pool is not None else "")


class ConvStack(Layer):
    """Consecutive :class:`ConvReLU` stages trained share by share.

    A convolution, its ReLU and pool treat each image on its own, so each worker
    (``Conv2D.workers`` of the first stage) takes its share of the batch through all the
    stages, forward and then backward, without waiting for the other: one hand-off
    between threads per pass instead of one per stage (each cost the wake-up of a thread
    and the wait for the slower one), and a share's output of one stage is still in the
    worker's cache when the next stage reads it. The numbers are the stages' own.

    ``params`` and ``grads`` hold the stages' arrays (keys ``"{i}.weight"``...).
    """

    def __init__(self, stages: list[ConvReLU]) -> None:
        super().__init__()
        self.stages = list(stages)
        self.params = {f"{i}.{k}": v for i, st in enumerate(self.stages) for k, v in st.params.items()}
        self.grads = {f"{i}.{k}": v for i, st in enumerate(self.stages) for k, v in st.grads.items()}
        self._bufs: dict[int, np.ndarray] = {}

    def infer(self, x: np.ndarray) -> np.ndarray:
        for stage in self.stages:
            x = stage.infer(x)
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:
        workers = self.stages[0].conv.workers
        plans = []
        for i, stage in enumerate(self.stages):
            # The outputs between stages are the stages' buffers: new arrays each step cost
            # page faults (the allocator gives their memory back and gets it again).
            x, work, count, done = stage._prepare_forward(x, workers, keep_out=i < len(self.stages) - 1)
            plans.append((work, done))
        self._run_plans(plans, count)
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return self._backward(grad, True)

    def backward_params_only(self, grad: np.ndarray) -> None:
        self._backward(grad, False)

    def _backward(self, grad: np.ndarray, input_grad: bool) -> np.ndarray | None:
        plans = []
        for i in range(len(self.stages) - 1, -1, -1):
            stage = self.stages[i]
            if i:  # the gradient between stages: a buffer of the stack's, reused
                dx = self._bufs[i] = (self._bufs[i] if i in self._bufs and self._bufs[i].shape == stage._plan[0]
                                      and self._bufs[i].dtype == grad.dtype else np.empty(stage._plan[0], grad.dtype))
            else:
                dx = np.empty(stage._plan[0], grad.dtype) if input_grad else None
            work, count, done = stage._prepare_backward(grad, dx)
            plans.append((work, done))
            grad = dx
        self._run_plans(plans, count)
        return grad

    @staticmethod
    def _run_plans(plans: list, count: int) -> None:
        results = _run(lambda wk: [work(wk) for work, _ in plans], count)
        for i, (_, done) in enumerate(plans):
            done([r[i] for r in results])

    def extra_repr(self) -> str:
        return ", ".join(map(repr, self.stages))


def fuse_conv_relu(layers: list[Layer]) -> list[Layer]:
    """``layers`` with every ``Conv2D, ReLU`` (and a ``MaxPool2D`` right after) replaced by
    one :class:`ConvReLU` holding those same objects, and consecutive ones grouped in a
    :class:`ConvStack`; other layers as they are. The result trains exactly as ``layers``
    do (same parameters, same numbers)."""
    out: list[Layer] = []
    i = 0
    while i < len(layers):
        layer = layers[i]
        if (isinstance(layer, Conv2D) and i + 1 < len(layers) and type(layers[i + 1]) is ReLU):
            pool = layers[i + 2] if i + 2 < len(layers) and isinstance(layers[i + 2], MaxPool2D) else None
            out.append(ConvReLU(layer, layers[i + 1], pool))
            i += 3 if pool is not None else 2
        else:
            out.append(layer)
            i += 1
    grouped: list[Layer] = []
    for layer in out:
        if isinstance(layer, ConvReLU) and grouped and isinstance(grouped[-1], (ConvReLU, ConvStack)):
            prev = grouped.pop()
            grouped.append(ConvStack((prev.stages if isinstance(prev, ConvStack) else [prev]) + [layer]))
        else:
            grouped.append(layer)
    return grouped
