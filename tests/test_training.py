"""Networks, presets, the learning-rate convention, and the Trainer."""
import importlib.util
import pathlib

import numpy as np
import pytest

from model import LetterLabError
from model.network import NetSpec, Network, effective_lr
from model.training import PRESETS, BatchEvent, DoneEvent, EpochEvent, TrainConfig, Trainer, preset_config

_spec = importlib.util.spec_from_file_location("helpers_data", pathlib.Path(__file__).with_name("helpers_data.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)


@pytest.fixture(scope="module")
def problem():
    return helpers.prototype_problem()


def run(trainer):
    return list(trainer.run())


def test_presets_match_the_tutorial():
    s, d = PRESETS["shallow"], PRESETS["deep"]
    assert s.spec.sizes == [289, 26] and s.loss == "quadratic" and s.lr == 1000 and s.batch_size == 1024
    assert d.spec.sizes == [289, 20, 26] and d.loss == "cross_entropy" and d.lr == 1.0
    assert s.activation == d.activation == "sigmoid" and s.epochs == d.epochs == 20
    net = Network(d.spec, np.random.default_rng(0))
    # the output sigmoid belongs to the loss, which takes the logits
    assert [type(l).__name__ for l in net.layers] == ["FullyConnect", "Sigmoid", "FullyConnect"]
    assert net.loss.output == "sigmoid"


def test_effective_lr_maps_the_tutorials_numbers():
    # quadratic: the tutorial divides by the batch twice, so 1000 at batch 1024 is ~0.98
    assert effective_lr("quadratic", 1000, 1024) == pytest.approx(0.9765625)
    assert effective_lr("cross_entropy", 1.0, 1024) == 1.0
    assert preset_config("deep", loss="quadratic").lr == 1000.0  # switching loss takes its usual rate
    assert preset_config("deep", loss="quadratic", lr=5.0).lr == 5.0


def test_same_seed_same_weights(problem):
    xt, yt, xv, yv = problem
    cfg = preset_config("deep", epochs=2, batch_size=256, seed=7)
    a, b = Trainer(cfg, xt, yt, xv, yv), Trainer(cfg, xt, yt, xv, yv)
    run(a), run(b)
    for k, v in a.network.state_dict().items():
        assert np.array_equal(v, b.network.state_dict()[k])
    c = Trainer(preset_config("deep", epochs=2, batch_size=256, seed=8), xt, yt, xv, yv)
    run(c)
    assert not np.array_equal(a.network.state_dict()["fc0.weight"], c.network.state_dict()["fc0.weight"])


def test_events_and_history(problem):
    xt, yt, xv, yv = problem
    cfg = preset_config("shallow", epochs=3, batch_size=1000)
    events = run(Trainer(cfg, xt, yt, xv, yv))
    batches = [e for e in events if isinstance(e, BatchEvent)]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert len(batches) == 3 * 6 and len(epochs) == 3
    assert isinstance(events[-1], DoneEvent) and events[-1].reason == "finished"
    assert all(len(e.grad_norms) == 1 and e.grad_norms[0] > 0 for e in batches)
    assert epochs[-1].val_accuracy > 0.5  # learns the easy problem
    assert events[-1].val_accuracy == epochs[-1].val_accuracy


def test_vanishing_gradient_lesson(problem):
    """The tutorial's lesson: the deep sigmoid net with the quadratic loss learns much
    more slowly than with cross-entropy, and its first layer gets a much smaller gradient."""
    xt, yt, xv, yv = problem
    results = {}
    for loss, lr in (("quadratic", 128.0), ("cross_entropy", 1.0)):  # both a step of 1.0 at batch 128
        t = Trainer(preset_config("deep", loss=loss, lr=lr, batch_size=128, epochs=3, seed=0), xt, yt, xv, yv)
        run(t)
        first_layer = np.mean([h.grad_norms[0] for h in t.history])
        results[loss] = (t.history[-1].val_accuracy, first_layer)
    (acc_q, g_q), (acc_ce, g_ce) = results["quadratic"], results["cross_entropy"]
    assert acc_ce > 0.9
    assert acc_ce - acc_q > 0.3, results
    assert g_ce > 5 * g_q, results


def test_stop_between_batches_keeps_a_consistent_network(problem):
    xt, yt, xv, yv = problem
    t = Trainer(preset_config("deep", epochs=5, batch_size=100), xt, yt, xv, yv)
    seen = 0
    for ev in t.run():
        if isinstance(ev, BatchEvent):
            seen += 1
            if seen == 10:
                t.stop()
        last = ev
    assert isinstance(last, DoneEvent) and last.reason == "stopped"
    assert seen == 10
    # the network is the result of exactly 10 whole steps: replaying them gives the same weights
    r = Trainer(preset_config("deep", epochs=5, batch_size=100), xt, yt, xv, yv)
    for ev in r.run():
        if isinstance(ev, BatchEvent) and ev.batch == 10:
            break
    for k, v in t.network.state_dict().items():
        assert np.array_equal(v, r.network.state_dict()[k])


def test_divergence_is_detected_and_weights_kept(problem):
    xt, yt, xv, yv = problem
    t = Trainer(preset_config("default", epochs=3, lr=1e6, momentum=0.0), xt, yt, xv, yv)
    before = {k: v.copy() for k, v in t.network.state_dict().items()}
    with np.errstate(all="ignore"):
        events = run(t)
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.reason == "diverged"
    assert "diverged" in done.message and "learning rate" in done.message
    for v in t.network.state_dict().values():
        assert np.all(np.isfinite(v))
    if done.epochs_done == 0:
        for k, v in t.network.state_dict().items():
            assert np.array_equal(v, before[k])


def test_bad_config_is_a_clear_error():
    with pytest.raises(LetterLabError, match="learning rate"):
        TrainConfig(lr=-1)
    with pytest.raises(LetterLabError, match="activation"):
        TrainConfig(activation="swish")
    with pytest.raises(LetterLabError, match="preset"):
        preset_config("huge")


def test_config_from_dict_reads_what_to_dict_wrote_and_refuses_bad_values():
    for cfg in PRESETS.values():
        assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert TrainConfig.from_dict({"hidden": [20], "unknown": object()}).hidden == (20,)
    for bad in ([], {"lr": float("nan")}, {"lr": "1"}, {"epochs": True}, {"hidden": "20"},
                {"hidden": [10**9]}, {"hidden": [1] * 65}, {"conv": ["x"]}, {"loss": 5},
                {"activation": "swish"}, {"seed": -1}, {"seed": 2**64}):
        with pytest.raises(LetterLabError):
            TrainConfig.from_dict(bad)


def test_predict_proba_rows_sum_to_one():
    for loss in ("quadratic", "softmax_cross_entropy"):
        net = Network(NetSpec(hidden=(8,), loss=loss), np.random.default_rng(0))
        p = net.predict_proba(np.random.default_rng(1).random((3, 289), dtype=np.float32))
        assert p.shape == (3, 26) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
        assert p.dtype == np.float32


def test_batch_bounds_fold_a_small_remainder():
    from model.training import batch_bounds

    b = batch_bounds(40000, 1024)
    sizes = np.diff(b)
    assert b[0] == 0 and b[-1] == 40000 and len(sizes) == 39
    assert set(sizes[:-1]) == {1024} and sizes[-1] == 1024 + 64
    assert list(np.diff(batch_bounds(1000, 300))) == [300, 300, 400]   # 100 < 150 joins
    assert list(np.diff(batch_bounds(1000, 400))) == [400, 400, 200]   # 200 >= 200 stands alone
    assert list(np.diff(batch_bounds(10, 64))) == [10]


def test_sgd_momentum_and_weight_decay_update():
    from model.optim import SGD

    p, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    b, gb = np.array([1.0]), np.array([0.0])
    opt = SGD([(p, g), (b, gb)], lr=0.1, momentum=0.9, weight_decay=0.01, decay=[True, False])
    opt.step()
    assert np.allclose(p, [1.0 - 0.1 * (0.5 + 0.01), 2.0 - 0.1 * (-0.5 + 0.02)])
    assert b[0] == 1.0  # biases are not decayed
    d1 = np.array([0.5 + 0.01 * p[0], -0.5 + 0.01 * p[1]])
    v = 0.9 * np.array([0.51, -0.48]) + d1
    expect = p - 0.1 * v
    opt.step()
    assert np.allclose(p, expect)


def test_conv_preset_trains_and_its_loss_falls(problem):
    xt, yt, xv, yv = problem
    cfg = preset_config("conv", epochs=1, batch_size=32)
    t = Trainer(cfg, xt[:640], yt[:640], xv[:200], yv[:200])
    losses = [ev.loss for ev in t.run() if isinstance(ev, BatchEvent)]
    assert len(losses) == 20 and all(np.isfinite(losses))
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    assert t.network.layer_names() == ["conv0", "conv1", "conv2", "fc0", "fc1"]
    assert len(t.history[-1].grad_norms) == 5 and all(g > 0 for g in t.history[-1].grad_norms)


def test_warped_training_is_reproducible(problem):
    xt, yt, _, _ = problem
    cfg = preset_config("default", hidden=(16,), epochs=1, augment=True)
    a, b = (Trainer(cfg, xt[:256], yt[:256]) for _ in range(2))
    run(a), run(b)
    for k, v in a.network.state_dict().items():
        assert np.array_equal(v, b.network.state_dict()[k])


def test_a_run_at_chance_ends_as_not_learning(problem):
    xt, yt, xv, yv = problem
    # lr 1e9 on the tutorial's shallow net saturates every unit: accuracy stays at chance.
    t = Trainer(preset_config("shallow", epochs=2, lr=1e9), xt, yt, xv, yv)
    with np.errstate(all="ignore"):
        done = run(t)[-1]
    assert done.reason in ("not_learning", "diverged"), done
    assert done.reason != "finished"


def test_seed_must_be_a_natural_number():
    with pytest.raises(LetterLabError, match="seed"):
        TrainConfig(seed=-1)
    with pytest.raises(LetterLabError, match="label smoothing"):
        TrainConfig(loss="quadratic", label_smoothing=0.1)


def test_conv_training_with_two_workers_is_reproducible(problem):
    xt, yt, _, _ = problem
    cfg = preset_config("conv", epochs=1, batch_size=32)
    a, b = (Trainer(cfg, xt[:320], yt[:320], blas_threads=1, conv_workers=2) for _ in range(2))
    run(a), run(b)
    for k, v in a.network.state_dict().items():
        assert np.array_equal(v, b.network.state_dict()[k]), k
