"""Conv layers against finite differences and a naive loop (float64); infer == forward."""
import copy
import importlib.util
import pathlib

import numpy as np
import pytest

from model.conv import Conv2D, ConvReLU, ConvStack, Dropout, Flatten, MaxPool2D, ToImage, fuse_conv_relu
from model.layers import FullyConnect, ReLU, Sigmoid

_spec = importlib.util.spec_from_file_location("gradcheck", pathlib.Path(__file__).with_name("gradcheck.py"))
gradcheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gradcheck)
numeric_grad, assert_close = gradcheck.numeric_grad, gradcheck.assert_close

RNG = np.random.default_rng(2024)


def check_layer(layer, x, before_forward=lambda: None):
    """Analytic input and parameter gradients of ``sum(r * layer(x))`` vs central differences."""
    before_forward()
    r = RNG.standard_normal(layer.forward(x).shape)

    def f():
        before_forward()
        return float(np.sum(layer.forward(x) * r))

    f()
    gx = layer.backward(r)
    assert gx.shape == x.shape
    assert_close(gx, numeric_grad(f, x))
    for k, p in layer.params.items():
        f()
        layer.backward(r)
        assert_close(layer.grads[k].copy(), numeric_grad(f, p))


def naive_conv(x, weight, bias, padding):
    """The textbook loops: NHWC input, (out, in, k, k) weight."""
    n, h, w, c = x.shape
    o, _, k, _ = weight.shape
    xp = np.zeros((n, h + 2 * padding, w + 2 * padding, c))
    xp[:, padding:padding + h, padding:padding + w] = x
    ho, wo = h + 2 * padding - k + 1, w + 2 * padding - k + 1
    y = np.zeros((n, ho, wo, o))
    for b in range(n):
        for r in range(ho):
            for s in range(wo):
                for q in range(o):
                    acc = bias[q]
                    for ch in range(c):
                        for i in range(k):
                            for j in range(k):
                                acc += weight[q, ch, i, j] * xp[b, r + i, s + j, ch]
                    y[b, r, s, q] = acc
    return y


CONV_CASES = [  # (in, out, kernel, padding, H, W)
    (1, 3, 3, None, 5, 7),
    (3, 4, 3, None, 6, 5),
    (2, 3, 5, None, 5, 7),
    (2, 2, 5, 0, 7, 6),
    (2, 3, 4, None, 5, 6),   # even kernel: output one larger than the input
    (2, 2, 2, 0, 4, 5),
    (3, 2, 1, None, 4, 3),
    (2, 2, 3, 2, 3, 4),      # padding k - 1: the "full" correlation
]


# chunk_bytes=1: the batch goes through one image at a time (the path big batches take);
# workers=2: those chunks shared by two threads.
CHUNKING = [(Conv2D.chunk_bytes, 1), (1, 1), (1, 2)]


@pytest.mark.parametrize("chunk_bytes,workers", CHUNKING)
@pytest.mark.parametrize("cin,cout,k,pad,h,w", CONV_CASES)
def test_conv_forward_matches_naive_loops(cin, cout, k, pad, h, w, chunk_bytes, workers):
    conv = Conv2D(cin, cout, k, pad, rng=np.random.default_rng(1), dtype=np.float64)
    conv.chunk_bytes, conv.workers = chunk_bytes, workers
    conv.params["bias"][:] = RNG.standard_normal(cout)
    x = RNG.standard_normal((3, h, w, cin))
    y = conv.forward(x)
    expected = naive_conv(x, conv.weight, conv.bias, conv.padding)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("chunk_bytes,workers", CHUNKING)
@pytest.mark.parametrize("cin,cout,k,pad,h,w", CONV_CASES)
def test_conv_gradients(cin, cout, k, pad, h, w, chunk_bytes, workers):
    conv = Conv2D(cin, cout, k, pad, rng=np.random.default_rng(2), dtype=np.float64)
    conv.chunk_bytes, conv.workers = chunk_bytes, workers
    conv.params["bias"][:] = RNG.standard_normal(cout)
    check_layer(conv, RNG.standard_normal((3, h, w, cin)))


def test_conv_threads_give_the_same_numbers_in_float32():
    x = RNG.standard_normal((7, 9, 9, 4)).astype(np.float32)
    g = RNG.standard_normal((7, 9, 9, 5)).astype(np.float32)
    results = []
    for workers in (1, 3):
        conv = Conv2D(4, 5, rng=np.random.default_rng(6))
        conv.chunk_bytes, conv.workers = 9 * 9 * 36 * 5 * 4 * 2, workers  # 2 images a chunk
        y, dx, inferred = conv.forward(x), conv.backward(g), conv.infer(x)
        results.append((y, dx, inferred, conv.grads["weight"].copy(), conv.grads["bias"].copy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_conv_backward_params_only_equals_backward():
    conv = Conv2D(1, 4, 3, rng=np.random.default_rng(3), dtype=np.float64)
    x = RNG.standard_normal((3, 6, 6, 1))
    g = RNG.standard_normal(conv.forward(x).shape)
    conv.backward(g)
    full = {k: v.copy() for k, v in conv.grads.items()}
    conv.grads["weight"][...] = 0
    conv.forward(x)
    assert conv.backward_params_only(g) is None
    for k in full:
        np.testing.assert_array_equal(conv.grads[k], full[k])


def test_conv_gradients_overwrite_not_accumulate():
    conv = Conv2D(2, 3, 3, rng=np.random.default_rng(4), dtype=np.float64)
    x = RNG.standard_normal((2, 5, 5, 2))
    g = RNG.standard_normal(conv.forward(x).shape)
    conv.backward(g)
    once = conv.grads["weight"].copy()
    conv.forward(x)
    conv.backward(g)
    np.testing.assert_array_equal(conv.grads["weight"], once)


def test_conv_shapes_init_and_repr():
    conv = Conv2D(32, 64, rng=np.random.default_rng(0))
    assert conv.weight.shape == (64, 32, 3, 3) and conv.weight.dtype == np.float32
    assert conv.bias.shape == (64,) and not conv.bias.any()
    assert abs(conv.weight.std() - np.sqrt(2 / 288)) < 0.005  # He: sqrt(2 / fan_in)
    assert repr(conv) == "Conv2D(in_channels=32, out_channels=64, kernel_size=3, padding=1)"
    assert conv.forward(np.zeros((2, 8, 8, 32), np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="expects"):
        conv.forward(np.zeros((2, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="padding"):
        Conv2D(1, 1, 3, padding=3)
    with pytest.raises(ValueError, match="smaller than the kernel"):
        Conv2D(1, 1, 5, padding=0).forward(np.zeros((1, 3, 3, 1)))


@pytest.mark.parametrize("h,w", [(4, 6), (5, 7), (17, 17), (3, 2)])
def test_maxpool_forward_and_gradients(h, w):
    pool = MaxPool2D()
    x = RNG.standard_normal((2, h, w, 3))
    y = pool.forward(x)
    ho, wo = h // 2, w // 2
    assert y.shape == (2, ho, wo, 3)
    expected = x[:, :2 * ho, :2 * wo].reshape(2, ho, 2, wo, 2, 3).max(axis=(2, 4))
    np.testing.assert_array_equal(y, expected)
    check_layer(pool, x)
    gx = pool.backward(np.ones_like(y))
    if h % 2:
        assert not gx[:, -1].any()  # the dropped last row gets no gradient
    if w % 2:
        assert not gx[:, :, -1].any()


def test_maxpool_ties_send_the_gradient_to_the_first_maximum_only():
    # Every 2x2 window of channel 0 is constant; in channel 1 the max ties on the
    # right-hand pair (top-right and bottom-right), in channel 2 on the bottom pair.
    x = np.zeros((1, 4, 4, 3))
    x[0, :, :, 0] = 5.0
    x[0, :, :, 1] = [[0, 7, 1, 9], [3, 7, 2, 9]] * 2
    x[0, :, :, 2] = [[0, 1, 0, 2], [4, 4, 6, 6]] * 2
    pool = MaxPool2D()
    pool.forward(x)
    g = RNG.uniform(1, 2, (1, 2, 2, 3))
    gx = pool.backward(g)
    nonzero = (gx != 0).reshape(1, 2, 2, 2, 2, 3).sum(axis=(2, 4))
    assert (nonzero == 1).all()  # exactly one receiver per window
    np.testing.assert_allclose(gx.reshape(1, 2, 2, 2, 2, 3).sum(axis=(2, 4)), g)
    assert (gx[0, 0::2, 0::2, 0] == g[0, :, :, 0]).all()      # constant window: top-left
    assert (gx[0, 0::2, 1::2, 1] == g[0, :, :, 1]).all()      # right pair tie: top-right
    assert (gx[0, 1::2, 0::2, 2] == g[0, :, :, 2]).all()      # bottom pair tie: bottom-left
    assert repr(pool) == "MaxPool2D(kernel_size=2, stride=2)"


def test_to_image_and_flatten_orders_and_gradients():
    rows = np.arange(2 * 289, dtype=np.float64).reshape(2, 289)
    img = ToImage(17).forward(rows)
    assert img.shape == (2, 17, 17, 1) and img[1, 2, 3, 0] == rows[1, 2 * 17 + 3]
    x = RNG.standard_normal((2, 3, 4, 5))
    flat = Flatten().forward(x)
    c, h, w = 4, 1, 2
    assert flat.shape == (2, 60) and flat[1, c * 12 + h * 4 + w] == x[1, h, w, c]
    check_layer(Flatten(), x)
    check_layer(ToImage(3), RNG.standard_normal((2, 9)))
    with pytest.raises(ValueError):
        ToImage(17).forward(np.zeros((2, 288)))
    assert repr(ToImage()) == "ToImage(side=17)"


def test_dropout_fixed_mask_gradient_scale_and_inference():
    x = RNG.standard_normal((50, 40))
    drop = Dropout(0.25, rng=np.random.default_rng(0))
    check_layer(drop, x, before_forward=lambda: setattr(drop, "rng", np.random.default_rng(7)))
    y = drop.forward(x)
    kept = y != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(y[kept], x[kept] / 0.75)
    g = RNG.standard_normal(x.shape)
    np.testing.assert_allclose(drop.backward(g), np.where(kept, g / 0.75, 0))
    assert drop.infer(x) is x and drop.infer(x) is x
    # Reproducible from the seed, different from mask to mask.
    a = Dropout(0.5, np.random.default_rng(3)).forward(np.ones((4, 100)))
    b = Dropout(0.5, np.random.default_rng(3)).forward(np.ones((4, 100)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[0], a[1])
    assert (Dropout(0.0).forward(x) == x).all()
    with pytest.raises(ValueError):
        Dropout(1.0)


def small_net(dtype=np.float64, rng=None):
    rng = np.random.default_rng(5) if rng is None else rng
    return [ToImage(9), Conv2D(1, 4, rng=rng, dtype=dtype), ReLU(), Conv2D(4, 4, rng=rng, dtype=dtype),
            ReLU(), MaxPool2D(), Conv2D(4, 6, rng=rng, dtype=dtype), ReLU(), MaxPool2D(), Flatten(),
            FullyConnect(24, 8, rng, dtype=dtype), ReLU(), Dropout(0.3, rng), FullyConnect(8, 5, rng, dtype=dtype)]


def assert_same(a, b, where):
    """Equal values (arrays compared elementwise, containers recursively)."""
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            assert_same(u, v, f"{where}[{i}]")
    elif isinstance(a, np.random.Generator):
        assert a.bit_generator.state == b.bit_generator.state, where
    else:
        assert a == b, where


def test_infer_equals_forward_and_writes_nothing():
    layers = small_net(np.float32)
    x = RNG.random((3, 81), dtype=np.float32)
    # A first training pass so every cache exists; then infer must leave them untouched.
    h = x
    for layer in layers:
        h = layer.forward(h)
    h_fwd, h_inf = x, x
    for layer in layers:
        before = copy.deepcopy(vars(layer))
        out_inf = layer.infer(h_inf)
        after = vars(layer)
        assert before.keys() == after.keys(), type(layer).__name__
        for k in before:
            assert_same(before[k], after[k], f"{layer!r}.{k}")
        out_fwd = layer.forward(h_fwd)
        if not isinstance(layer, Dropout):
            np.testing.assert_array_equal(out_inf, out_fwd, err_msg=repr(layer))
        else:
            out_fwd = out_inf  # keep both paths on the same numbers after dropout
        h_fwd, h_inf = out_fwd, out_inf


def test_small_conv_net_gradient_end_to_end():
    layers = small_net()
    drop = next(layer for layer in layers if isinstance(layer, Dropout))
    x = RNG.random((2, 81))

    def run():
        drop.rng = np.random.default_rng(11)
        h = x
        for layer in layers:
            h = layer.forward(h)
        return h

    r = RNG.standard_normal(run().shape)

    def backprop():
        g = r
        for layer in reversed(layers):
            g = layer.backward(g)
        return g

    f = lambda: float(np.sum(run() * r))
    run()
    assert_close(backprop(), numeric_grad(f, x), rtol=1e-4)
    for layer in layers:
        for k, p in layer.params.items():
            run()
            backprop()
            assert_close(layer.grads[k].copy(), numeric_grad(f, p), rtol=1e-4)


def test_matches_torch_with_the_same_weights():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    conv = Conv2D(3, 5, 3, rng=np.random.default_rng(8), dtype=np.float64)
    conv5 = Conv2D(5, 2, 5, padding=1, rng=np.random.default_rng(9), dtype=np.float64)
    conv.params["bias"][:] = RNG.standard_normal(5)
    x = RNG.standard_normal((2, 9, 7, 3))
    ours = Flatten().forward(MaxPool2D().forward(conv5.forward(conv.forward(x))))
    t = torch.tensor(x.transpose(0, 3, 1, 2))
    t = F.conv2d(t, torch.tensor(conv.weight), torch.tensor(conv.bias), padding=1)
    t = F.conv2d(t, torch.tensor(conv5.weight), torch.tensor(conv5.bias), padding=1)
    t = torch.flatten(F.max_pool2d(t, 2), 1)
    np.testing.assert_allclose(ours, t.numpy(), rtol=1e-10, atol=1e-12)


# ConvReLU: Conv2D -> ReLU (-> MaxPool2D) as one stage. (in, out, kernel, H, W, pool)
FUSED_CASES = [(1, 3, 3, 6, 6, True), (2, 3, 3, 7, 5, True), (3, 2, 3, 5, 6, False), (2, 2, 1, 4, 5, True)]


@pytest.mark.parametrize("chunk_bytes,workers", CHUNKING)
@pytest.mark.parametrize("cin,cout,k,h,w,pool", FUSED_CASES)
def test_conv_relu_gradients(cin, cout, k, h, w, pool, chunk_bytes, workers):
    conv = Conv2D(cin, cout, k, rng=np.random.default_rng(12), dtype=np.float64)
    conv.chunk_bytes, conv.workers = chunk_bytes, workers
    conv.params["bias"][:] = RNG.standard_normal(cout) * 0.1
    check_layer(ConvReLU(conv, ReLU(), MaxPool2D() if pool else None), RNG.standard_normal((3, h, w, cin)))


def _separate_and_fused(conv, pool, x, g):
    """Outputs, input gradients and parameter gradients of the layers one after the other
    and of their ConvReLU."""
    layers = [conv, ReLU()] + ([MaxPool2D()] if pool else [])
    results = []
    for stages in (layers, fuse_conv_relu(layers)):
        h = x
        for layer in stages:
            h = layer.forward(h)
        d = g
        for layer in reversed(stages):
            d = layer.backward(d)
        results.append((h, d, conv.grads["weight"].copy(), conv.grads["bias"].copy()))
    return results


@pytest.mark.parametrize("pool", [True, False])
@pytest.mark.parametrize("workers", [1, 2])
def test_conv_relu_equals_the_separate_layers_with_ties_and_zeros(pool, workers):
    # Small whole numbers: the convolution's outputs are exact, with many ties inside
    # pooling windows, many exact zeros and negative maxima; odd sizes drop a row/column.
    rng = np.random.default_rng(4)
    conv = Conv2D(2, 3, 3, rng=rng, dtype=np.float64)
    conv.params["weight"][...] = rng.integers(-1, 2, conv.weight.shape)
    conv.params["bias"][...] = [0, -1, 1]
    conv.chunk_bytes, conv.workers = 1, workers
    x = rng.integers(0, 2, (5, 7, 9, 2)).astype(np.float64)
    y = conv.infer(x)
    assert (y == 0).mean() > 0.1
    windows = y[:, :6, :8].reshape(5, 3, 2, 4, 2, 3)
    assert (windows == windows.max(axis=(2, 4), keepdims=True)).sum(axis=(2, 4)).max() > 1  # ties
    g = RNG.integers(1, 4, (5, 3, 4, 3) if pool else y.shape).astype(np.float64)
    separate, fused = _separate_and_fused(conv, pool, x, g)
    for a, b in zip(separate, fused):
        np.testing.assert_array_equal(a, b)  # whole numbers: exact in any order


def test_conv_relu_float32_matches_the_separate_layers():
    conv = Conv2D(4, 8, 3, rng=np.random.default_rng(6))
    conv.chunk_bytes, conv.workers = 9 * 9 * 36 * 4 * 2, 2
    x = RNG.standard_normal((9, 9, 9, 4)).astype(np.float32)
    g = RNG.standard_normal((9, 4, 4, 8)).astype(np.float32)
    separate, fused = _separate_and_fused(conv, True, x, g)
    for a, b in zip(separate, fused):  # float32 rounding: sums in another order
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_conv_relu_first_layer_params_only_and_infer():
    conv = Conv2D(1, 4, 3, rng=np.random.default_rng(3), dtype=np.float64)
    block = ConvReLU(conv, ReLU(), MaxPool2D())
    x = RNG.standard_normal((3, 6, 6, 1))
    y = block.forward(x)
    np.testing.assert_array_equal(block.infer(x), y)
    g = RNG.standard_normal(y.shape)
    block.backward(g)
    full = {k: v.copy() for k, v in conv.grads.items()}
    conv.grads["weight"][...] = 0
    block.forward(x)
    assert block.backward_params_only(g) is None  # computed another way: the same to rounding
    for k in full:
        np.testing.assert_allclose(conv.grads[k], full[k], rtol=1e-12, atol=1e-12)
    assert block.params is conv.params and block.grads is conv.grads


def test_fuse_conv_relu_groups_conv_relu_and_a_following_pool_only():
    rng = np.random.default_rng(0)
    c1, c2, c3, c4 = (Conv2D(1, 2, rng=rng), Conv2D(2, 2, rng=rng), Conv2D(2, 2, rng=rng),
                      Conv2D(2, 2, rng=rng))
    r1, r2, r4, sig, p1, p2 = ReLU(), ReLU(), ReLU(), Sigmoid(), MaxPool2D(), MaxPool2D()
    layers = [ToImage(9), c1, r1, c2, r2, p1, c3, sig, p2, c4, r4, Flatten()]
    plan = fuse_conv_relu(layers)
    assert [type(layer).__name__ for layer in plan] == [
        "ToImage", "ConvStack", "Conv2D", "Sigmoid", "MaxPool2D", "ConvReLU", "Flatten"]
    first, second = plan[1].stages
    assert (first.conv, first.relu, first.pool) == (c1, r1, None)
    assert (second.conv, second.relu, second.pool) == (c2, r2, p1)
    assert plan[2] is c3 and plan[4] is p2 and (plan[5].conv, plan[5].pool) == (c4, None)
    assert plan[1].params["1.weight"] is c2.weight and plan[1].grads["0.bias"] is c1.grads["bias"]
    assert repr(second).startswith("ConvReLU(Conv2D(in_channels=2, out_channels=2")


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_conv_stack_equals_its_stages_one_after_the_other(workers):
    """Each worker takes its share of the batch through every stage; the same numbers
    as the stages run one at a time (float64), and finite differences agree."""
    rng = np.random.default_rng(9)
    convs = [Conv2D(1, 3, rng=rng, dtype=np.float64), Conv2D(3, 4, rng=rng, dtype=np.float64),
             Conv2D(4, 2, rng=rng, dtype=np.float64)]
    for conv in convs:
        conv.workers, conv.chunk_bytes = workers, 1
        conv.params["bias"][:] = RNG.standard_normal(conv.out_channels) * 0.1
    x = RNG.standard_normal((5, 9, 7, 1))
    g = RNG.standard_normal((5, 2, 1, 2))
    results = []
    for grouped in (True, False):
        stages = [ConvReLU(convs[0], ReLU()), ConvReLU(convs[1], ReLU(), MaxPool2D()),
                  ConvReLU(convs[2], ReLU(), MaxPool2D())]
        plan = fuse_conv_relu([s for st in stages for s in (st.conv, st.relu, st.pool) if s])
        assert isinstance(plan[0], ConvStack) and len(plan) == 1
        run = plan if grouped else stages
        h = x
        for stage in run:
            h = stage.forward(h)
        d = g
        for stage in reversed(run):
            d = stage.backward(d)
        results.append([h, d] + [conv.grads[k].copy() for conv in convs for k in ("weight", "bias")])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    check_layer(plan[0], x)
    plan[0].forward(x)
    plan[0].backward_params_only(g)
    np.testing.assert_allclose(convs[0].grads["weight"], results[0][2], rtol=1e-12, atol=1e-12)
