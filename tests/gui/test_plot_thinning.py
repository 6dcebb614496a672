"""The Train tab's curve thinning (gui.runs.Thinned): long series are drawn from a bounded
number of points that keep every bucket's extremes and the last point."""
import numpy as np
import pytest

from gui.runs import Series, Thinned


def grow(series: Series, y: np.ndarray, start: int = 0) -> None:
    for i, v in enumerate(y, start):
        series.append(float(i), float(v))


@pytest.mark.parametrize("n", [10, 64, 65, 1000, 4096, 5001, 6400, 40000])
def test_thinned_keeps_each_buckets_extremes_and_the_last_point(n):
    rng = np.random.default_rng(n)
    y = np.cumsum(rng.normal(size=n)) + 5 * (rng.random(n) < 0.01)     # drift with rare spikes
    s, thin = Series(), Thinned(max_points=64)
    done = 0
    for step in (7, 300, 1, 2999, n):                  # grown in uneven pieces, read in between
        grow(s, y[done:done + step], done)
        done = min(n, done + step)
        tx, ty = thin.data(s)
    grow(s, y[done:], done)
    tx, ty = thin.data(s)
    if n <= 64:
        assert np.array_equal(ty, y) and np.array_equal(tx, np.arange(n))
        return
    assert len(tx) <= 64 + 3 and np.all(np.diff(tx) > 0)          # bounded, in order
    assert np.array_equal(ty, y[tx.astype(int)])                   # real points, unmoved
    assert tx[-1] == n - 1                                         # the curve ends where the run is
    b = thin.size
    for start in range(0, n, b):                                   # every bucket's extremes kept
        part = y[start:start + b]
        kept = ty[(tx >= start) & (tx < start + b)]
        assert part.min() in kept and part.max() in kept
    assert ty.min() == y.min() and ty.max() == y.max()


def test_thinned_cost_does_not_grow_with_the_run():
    s, thin = Series(), Thinned(max_points=256)
    grow(s, np.sin(np.arange(20000) / 50.0))
    thin.data(s)
    folded = thin.done
    s.append(20000.0, 3.0)
    tx, ty = thin.data(s)
    assert thin.done - folded <= thin.size                       # only the new points were folded
    assert ty[-1] == 3.0 and len(tx) <= 256 + 3


def test_thinned_starts_again_for_a_rebuilt_series():
    s, thin = Series(), Thinned(max_points=16)
    grow(s, np.arange(100.0))
    thin.data(s)
    s2 = Series()
    grow(s2, -np.arange(50.0))
    tx, ty = thin.data(s2)                                       # shorter: noticed on its own
    assert ty.min() == -49 and ty.max() == 0 and tx[-1] == 49
    thin.reset()
    grow(s2, np.zeros(50), 50)
    assert thin.data(s2)[1].min() == -49


def test_batched_appends_match_one_point_at_a_time():
    """Run.add_batches (what the Train tab does with each batch of worker items) gives the
    same curves as adding each batch alone: NaN/inf dropped, EMA smoothing and its range."""
    from gui.runs import Run, Smoothed
    from model.training import BatchEvent

    rng = np.random.default_rng(1)
    losses = list(rng.random(300) * 3)
    losses[17], losses[40], losses[41] = float("nan"), float("inf"), 0.0
    events = [BatchEvent(epoch=1 + i // 100, batch=1 + i % 100, n_batches=100, loss=v,
                         grad_norms=[v, 2 * v, float("nan") if i == 5 else v], seconds=i / 10)
              for i, v in enumerate(losses)]
    one, many = Run(1, "a", "#000", "run"), Run(2, "b", "#000", "run")
    one.smoothed.weight = many.smoothed.weight = 0.9
    for ev in events:
        one.add_batch(ev)
    for start in range(0, 300, 37):
        many.add_batches(events[start:start + 37])
    assert set(one.series) == set(many.series) == {"batch_loss", "grad0", "grad1", "grad2"}
    for key, s in one.series.items():
        t = many.series[key]
        assert s.n == t.n and (s.x_max, s.y_min, s.y_max) == (t.x_max, t.y_min, t.y_max)
        np.testing.assert_array_equal(s.data()[0], t.data()[0])
        np.testing.assert_array_equal(s.data()[1], t.data()[1])
    assert one.series["batch_loss"].n == 298 and one.series["grad2"].n == 297
    for key, values in (("batch_loss", losses), ("grad1", [2 * v for v in losses])):
        ref = Series()                                   # Series.append, point by point
        for i, v in enumerate(values):
            ref.append(events[i].epoch - 1 + events[i].batch / 100, max(v, 1e-12))
        np.testing.assert_array_equal(ref.data()[1], one.series[key].data()[1])
        np.testing.assert_array_equal(ref.data()[0], one.series[key].data()[0])
    # The smoothing, one point at a time (feed) and from the whole series (recompute).
    ref = Smoothed(0.9)
    for x, y in zip(*one.series["batch_loss"].data()):
        ref.feed(float(x), float(y))
    again = Smoothed()
    again.recompute(one.series["batch_loss"], 0.9)
    for sm in (one.smoothed, many.smoothed, again):
        np.testing.assert_allclose(sm.data()[1], ref.data()[1], rtol=1e-12)
        np.testing.assert_array_equal(sm.data()[0], ref.data()[0])


def test_plots_hidden_behind_another_tab_catch_up_when_shown(qtbot):
    """While another tab shows, the Train plots skip their redraws; shown again, their
    curves, legend and ranges are those of the runs' current state."""
    from PySide6.QtWidgets import QLabel, QTabWidget

    from gui.runs import RunStore
    from gui.train_plots import TrainPlots
    from model.training import BatchEvent, EpochEvent, TrainConfig

    store = RunStore()
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    plots = TrainPlots(store)
    tabs.addTab(plots, "train")
    tabs.addTab(QLabel("other"), "other")
    tabs.resize(900, 600)
    tabs.show()
    run = store.add_training(TrainConfig(hidden=(8,)))
    tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not plots.isVisible())
    events = [BatchEvent(1, b, 5000, 1.0 / b, [0.5, 0.25], 0.0) for b in range(1, 5001)]
    run.add_batches(events)
    run.add_epoch(EpochEvent(1, 3, 0.3, None, 0.9, [0.5, 0.25], 1.0))
    store.curves_changed(run)
    store.changed.emit(run)
    qtbot.wait(300)
    assert plots.plotted(run)["batch_loss"] == 0                    # nothing drawn meanwhile
    tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: plots.plotted(run).get("grad1", 0) > 0, timeout=3000)
    qtbot.waitUntil(lambda: plots.plotted(run)["batch_loss"] > 0, timeout=3000)
    counts = plots.plotted(run)
    assert counts["epoch_loss"] == 1 and counts["val_accuracy"] == 1
    assert 0 < counts["batch_loss"] < 5000 and 0 < counts["grad0"] < 5000    # thinned
    x, y = plots.curves[run.id]["grad1"].getData()
    assert x[-1] == 1.0 and np.isclose(10 ** y[-1], 0.25)        # up to the last batch (log axis)
    assert [label.text for _, label in plots.loss_legend.items] == [run.legend()]
    assert "90.0 %" in run.legend()
    assert plots.accuracy_plot.getPlotItem().getViewBox().viewRange()[0][1] >= 1.0


def test_the_epoch_axis_grows_in_few_steps_and_never_past_the_plan():
    from gui.runs import FINISHED, RUNNING
    from gui.train_plots import epoch_axis_end
    from model.training import preset_config

    class R:
        def __init__(self, epochs, state):
            self.config, self.state = preset_config("shallow", epochs=epochs), state

    ends = [epoch_axis_end([R(20, RUNNING)], e / 10) for e in range(1, 201)]
    assert sorted(set(ends)) == [1, 2, 5, 10, 20] and ends == sorted(ends)
    assert all(end >= e / 10 for end, e in zip(ends, range(1, 201)))       # every point shows
    assert max(epoch_axis_end([R(12, RUNNING)], x) for x in (0.5, 7.3, 11.9)) == 12
    # Once nothing trains, the axis ends at the whole epochs reached.
    assert [epoch_axis_end([R(20, FINISHED)], x) for x in (0.3, 6.0, 11.5)] == [1, 6, 12]
