"""The weights shipped in weights/ load and meet their goals on freshly generated letters.

The data set is generated here with a seed the shipped weights never saw (seed 0 made
their training set), so this measures generalisation to new samples of the same
generator, not memory.
"""

import numpy as np
import pytest

from model.data import load_split
from model.weights import SHIPPED_DIR, load_weights

GOALS = {"default.npz": 0.995, "deep.npz": 0.92, "shallow.npz": 0.85}
# The goals are for the generated validation split (10000 images); on the 4000 fresh
# images here the standard error is about 0.6 points for the shallow net, so its bound
# is its goal less two standard errors. The default net's bound is its goal as stated.
MARGIN = {"default.npz": 0.0, "deep.npz": 0.008, "shallow.npz": 0.011}
# (default: 99.9 % on the validation split; the 4000 fresh images' standard error at that
# level is 0.05 points, so 99.5 % with no margin is still a real check.)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    from model.synth import generate

    root = generate(tmp_path_factory.mktemp("fresh") / "letters", seed=20261126, count=12000)
    v, t = load_split(root, "validate"), load_split(root, "test")
    return np.concatenate([v.x, t.x]), np.concatenate([v.y, t.y])


# Strict: the day the shallow weights reach their goal this XPASSes and fails, so the marker goes.
# raises=AssertionError: only the accuracy assertions may be what fails, never a load error.
SHORT = {
    "shallow.npz": pytest.mark.xfail(
        reason="the tutorial's linear recipe reaches ~81 % on the generated data with its freehand "
               "forms, short of the 85 % goal (see the README); kept visible rather than lowered",
        strict=True, raises=AssertionError),
    "deep.npz": pytest.mark.xfail(
        reason="the tutorial's 289→20→26 recipe reaches ~91.4 % on the generated data with its "
               "freehand forms (92.8 % before them), short of the 92 % goal; kept visible",
        strict=True, raises=AssertionError),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=SHORT[n]) if n in SHORT else n for n in GOALS])
def test_shipped_weights_meet_their_goals(name, fresh):
    net, meta = load_weights(SHIPPED_DIR / name)
    x, y = fresh
    acc = float(np.mean(net.predict(x) == y))
    assert acc >= GOALS[name] - MARGIN[name], f"{name}: {100 * acc:.2f} % on {len(y)} fresh images"
    # the file says how it was made
    assert meta["seed"] == 0 and meta["epochs"] >= 1 and meta["val_accuracy"] >= GOALS[name]


@pytest.mark.slow
def test_shipped_weights_rank_as_the_tutorial_says(fresh):
    """default > deep (cross-entropy) > shallow, each far above chance (1/26)."""
    x, y = fresh
    acc = {n: float(np.mean(load_weights(SHIPPED_DIR / n)[0].predict(x) == y)) for n in GOALS}
    assert acc["default.npz"] > acc["deep.npz"] > acc["shallow.npz"] > 0.75, acc


def test_shipped_weights_load():
    for name in GOALS:
        net, meta = load_weights(SHIPPED_DIR / name)
        assert net.predict_proba(np.zeros((1, 289), np.float32)).shape == (1, 26)
        assert meta["format_version"] == 1
