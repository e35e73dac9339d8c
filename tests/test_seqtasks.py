"""Unit tests for nnbook.seqtasks (chapter 5's sine curves and memory task)."""

import numpy as np
import pytest

from nnbook import seqtasks


def test_sine_curves_shape_range_and_determinism():
    a = seqtasks.sine_curves(20, 50, seed=1)
    b = seqtasks.sine_curves(20, 50, seed=1)
    c = seqtasks.sine_curves(20, 50, seed=2)
    assert a.shape == (20, 50) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.all(np.abs(a) <= 1.0)


def test_sine_curves_follow_their_parameters():
    curves, period, phase = seqtasks.sine_curves(30, 40, seed=3, periods=(12, 20), return_params=True)
    assert np.all((period >= 12) & (period <= 20)) and np.all((phase >= 0) & (phase < 2 * np.pi))
    t = np.arange(40)
    expected = np.sin(2 * np.pi * t / period[:, None] + phase[:, None])
    np.testing.assert_allclose(curves, expected, atol=1e-6)
    # every curve satisfies the linear recurrence of a sinusoid: s_{t+1} = 2 cos(w) s_t - s_{t-1}
    w = 2 * np.pi / period[:, None]
    np.testing.assert_allclose(curves[:, 2:], 2 * np.cos(w) * curves[:, 1:-1] - curves[:, :-2], atol=1e-5)


def test_sine_curves_random_frequency_and_phase_spread():
    _, period, phase = seqtasks.sine_curves(2000, 5, seed=0, return_params=True)
    assert abs(period.mean() - 25) < 1 and abs(phase.mean() - np.pi) < 0.15


def test_sine_curves_errors():
    with pytest.raises(ValueError):
        seqtasks.sine_curves(-1, 10)
    with pytest.raises(ValueError):
        seqtasks.sine_curves(2, 10, periods=(5, 1))


def test_next_step_pairs_alignment():
    curves = seqtasks.sine_curves(4, 10, seed=0)
    x, y = seqtasks.next_step_pairs(curves)
    assert x.shape == y.shape == (4, 9, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x[:, :, 0], curves[:, :-1])
    np.testing.assert_array_equal(y[:, :, 0], curves[:, 1:])
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])  # target i is input i + 1
    with pytest.raises(ValueError):
        seqtasks.next_step_pairs(np.zeros((3, 1)))


@pytest.mark.parametrize("L,S", [(1, 0), (3, 5), (10, 20)])
def test_memory_task_layout(L, S):
    x, y = seqtasks.memory_task(50, L, S, seed=4)
    T = 2 * L + S + 1
    assert seqtasks.memory_length(L, S) == T
    assert x.shape == y.shape == (50, T) and x.dtype.kind == "i" and y.dtype.kind == "i"
    r = x[:, :L]
    assert r.min() >= 0 and r.max() <= 8
    assert np.all(x[:, L : L + S] == seqtasks.BLANK)  # the gap
    assert np.all(x[:, L + S] == seqtasks.DELIM)  # the delimiter, once
    assert np.all((x == seqtasks.DELIM).sum(axis=1) == 1)
    assert np.all(x[:, L + S + 1 :] == seqtasks.BLANK)  # blanks while recalling
    assert np.all(y[:, : L + S + 1] == seqtasks.BLANK)  # blank targets up to the delimiter
    np.testing.assert_array_equal(y[:, -L:], r)  # then r_1 .. r_L, in order
    assert y.max() < seqtasks.N_OUT and x.max() < seqtasks.N_IN


def test_memory_task_deterministic_uniform_and_errors():
    a, _ = seqtasks.memory_task(2000, 5, 3, seed=7)
    b, _ = seqtasks.memory_task(2000, 5, 3, seed=7)
    c, _ = seqtasks.memory_task(2000, 5, 3, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    freq = np.bincount(a[:, :5].ravel(), minlength=9) / a[:, :5].size
    assert np.allclose(freq, 1 / 9, atol=0.01)
    x, y = seqtasks.memory_task(5, 2, 1, seed=0, symbols=4)
    assert x.max() == 5 and set(np.unique(y)) <= set(range(5))
    for bad in [dict(n=-1, L=2, S=1), dict(n=1, L=0, S=1), dict(n=1, L=2, S=-1)]:
        with pytest.raises(ValueError):
            seqtasks.memory_task(**bad)


def test_one_hot_and_chance():
    oh = seqtasks.one_hot(np.array([[0, 10], [9, 3]]))
    assert oh.shape == (2, 2, 11) and oh.dtype == np.float32
    np.testing.assert_array_equal(oh.argmax(-1), [[0, 10], [9, 3]])
    np.testing.assert_array_equal(oh.sum(-1), 1)
    with pytest.raises(ValueError):
        seqtasks.one_hot(np.array([11]))
    assert seqtasks.chance_recall() == pytest.approx(1 / 9)


def test_settings_per_mode(monkeypatch):
    for mode in ("test", "quick", "full"):
        monkeypatch.setenv("NNBOOK_MODE", mode)
        s = seqtasks.settings()
        assert s == seqtasks.SETTINGS[mode] and s is not seqtasks.SETTINGS[mode]
        assert s["memory_L"] >= 1 and all(S >= 0 for S in s["memory_gaps"])


def test_batches_are_reproducible():
    x, y = seqtasks.next_step_pairs(seqtasks.sine_curves(30, 8, seed=0))
    a, b = seqtasks.sine_batches(x, y, 5, seed=1), seqtasks.sine_batches(x, y, 5, seed=1)
    for _ in range(3):
        (xa, ya), (xb, yb) = next(a), next(b)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
        assert xa.shape == (5, 7, 1)
    m1, m2 = seqtasks.memory_batches(4, 2, 3, seed=0), seqtasks.memory_batches(4, 2, 3, seed=0)
    (x1, y1), (x2, y2) = next(m1), next(m2)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.shape == (4, 8, seqtasks.N_IN) and y1.shape == (4, 8)
    assert not np.array_equal(next(m1)[1], y1)  # a fresh batch every step


def test_train_collects_losses():
    calls = []

    def step(x, y):
        calls.append(x.shape)
        return 1.0 / len(calls), 0.0

    losses = seqtasks.train(step, seqtasks.memory_batches(3, 1, 0), 4)
    assert losses == [1.0, 0.5, 1 / 3, 0.25] and calls == [(3, 3, seqtasks.N_IN)] * 4


def test_closed_loop_mse():
    curves = seqtasks.sine_curves(3, 10, seed=0)[..., None]
    exact = curves[:, 4:]
    np.testing.assert_allclose(seqtasks.closed_loop_mse(exact, curves, 4), 0.0)
    mse = seqtasks.closed_loop_mse(np.zeros_like(exact), curves, 4)
    np.testing.assert_allclose(mse, (curves[:, 4:, 0] ** 2).mean(axis=0), rtol=1e-6)
    with pytest.raises(ValueError):
        seqtasks.closed_loop_mse(exact[:, 1:], curves, 4)


def test_run_drivers_with_library_cells():
    """The chapter's drivers with torch.nn.RNN behind the chapter's cell interface (not a model answer)."""
    torch = pytest.importorskip("torch")

    class Cell(torch.nn.Module):
        def __init__(self, n, h):
            super().__init__()
            self.h, self.rnn = h, torch.nn.RNN(n, h, batch_first=True)

        def zero_state(self, batch):
            return (torch.zeros(batch, self.h),)

        def forward(self, x, state):
            out, h = self.rnn(x, state[0][None])
            return out, (h[0],)

    def step(cell, readout, optimizer, x, y, loss_fn, max_norm):
        loss = loss_fn(readout(cell(x, cell.zero_state(len(x)))[0]), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item(), 0.0

    def generate(cell, readout, curve, warmup):
        out, state = cell(curve[:, :warmup], cell.zero_state(len(curve)))
        preds = [readout(out[:, -1:])]
        while len(preds) < curve.shape[1] - warmup:
            out, state = cell(preds[-1], state)
            preds.append(readout(out))
        return torch.cat(preds, 1)

    def cross_entropy(logits, y):
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    def recall(logits, y, L):
        return float((logits.argmax(-1).numpy()[:, -L:] == y[:, -L:]).mean())

    cfg = dict(sine_curves=20, sine_length=10, sine_steps=3, test_curves=4, batch=5, lr=1e-2, memory_steps=3)
    run = seqtasks.run_sine(Cell, torch.nn.Linear, 4, step, lambda p, t: ((p - t) ** 2).mean(), generate, cfg)
    n_gen = seqtasks.TEST_LENGTH - seqtasks.WARMUP
    assert len(run["losses"]) == 3 and run["generated"].shape == (4, n_gen, 1) and run["mse"].shape == (n_gen,)
    assert run["parameters"] == 4 * (1 + 4 + 2) + 5
    mem = seqtasks.run_memory(Cell, torch.nn.Linear, 4, step, cross_entropy, recall, 2, 3, cfg, n_test=50)
    assert len(mem["losses"]) == 3 and 0 <= mem["recall"] <= 1 and mem["test_loss"] > 0
