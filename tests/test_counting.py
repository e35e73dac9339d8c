"""Unit tests of nnbook.counting (chapter 3 oracles)."""

import numpy as np
import pytest

from nnbook import GradingError, counting


def test_mdrnn_count_3d_volume():
    # 8 direction layers x (3*16 input + 3*16*16 recurrent) + 8*16*20 output
    assert counting.mdrnn_count(3, 3, 16, 20) == 8 * (3 * 16 + 3 * 16 * 16) + 8 * 16 * 20 == 9088
    assert counting.mdrnn_count(3, 3, 16, 20, bias=True) == 9088 + 8 * 16 + 20
    shapes = counting.mdrnn_weight_shapes(3, 3, 16, 20)
    assert sum(k.startswith("rec") for k in shapes) == 8 * 3
    assert sum(k.startswith("in") for k in shapes) == 8


def test_mdrnn_count_1d_is_bidirectional_rnn():
    torch = pytest.importorskip("torch")
    for i, h, k in [(3, 16, 20), (5, 7, 2)]:
        rnn = torch.nn.RNN(i, h, bias=False, bidirectional=True)
        out = torch.nn.Linear(2 * h, k, bias=False)
        assert counting.mdrnn_count(1, i, h, k) == counting.count_torch(rnn) + counting.count_torch(out)


def test_direction_signs():
    assert counting.direction_signs(3, 0) == (1, 1, 1)
    assert counting.direction_signs(3, 5) == (-1, 1, -1)
    assert len({counting.direction_signs(3, s) for s in range(8)}) == 8
    with pytest.raises(ValueError):
        counting.direction_signs(2, 4)


def _weights(rng, n, i, h, k):
    w_in = [rng.standard_normal((i, h)) for _ in range(2**n)]
    w_rec = [[rng.standard_normal((h, h)) * 0.5 for _ in range(n)] for _ in range(2**n)]
    w_out = rng.standard_normal((2**n * h, k))
    return w_in, w_rec, w_out


def test_mdrnn_forward_1d_matches_hand_written_bidirectional_rnn():
    rng = np.random.default_rng(1)
    i, h, k, T = 2, 3, 4, 5
    w_in, w_rec, w_out = _weights(rng, 1, i, h, k)
    x = rng.standard_normal((2, i, T))
    sig = lambda a: 1 / (1 + np.exp(-a))
    fwd, bwd = np.zeros((2, T, h)), np.zeros((2, T, h))
    prev = np.zeros((2, h))
    for t in range(T):
        prev = sig(x[:, :, t] @ w_in[0] + prev @ w_rec[0][0])
        fwd[:, t] = prev
    prev = np.zeros((2, h))
    for t in reversed(range(T)):
        prev = sig(x[:, :, t] @ w_in[1] + prev @ w_rec[1][0])
        bwd[:, t] = prev
    logits = np.concatenate([fwd, bwd], -1) @ w_out
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    found = counting.mdrnn_forward_numpy(x, w_in, w_rec, w_out)
    assert found.shape == (2, k, T)
    np.testing.assert_allclose(found, np.moveaxis(p, -1, 1), rtol=1e-12)


def test_mdrnn_forward_sees_whole_volume():
    rng = np.random.default_rng(2)
    w_in, w_rec, w_out = _weights(rng, 2, 1, 3, 2)
    x = rng.standard_normal((1, 1, 3, 4))
    base = counting.mdrnn_forward_numpy(x, w_in, w_rec, w_out)
    np.testing.assert_allclose(base.sum(1), 1.0)
    for p in np.ndindex(3, 4):
        x2 = x.copy()
        x2[(0, 0) + p] += 0.5
        assert abs(counting.mdrnn_forward_numpy(x2, w_in, w_rec, w_out)[0, 0, 1, 2] - base[0, 0, 1, 2]) > 1e-9


def test_receptive_field_formula_and_torch_measurement():
    torch = pytest.importorskip("torch")
    assert counting.conv_stack_receptive_field(3, (1, 2, 4)) == 15
    assert counting.conv_stack_receptive_field(2, (1, 2, 4, 8)) == 16
    torch.manual_seed(0)
    layers, c = [], 4
    for d in (1, 2, 4):
        layers += [torch.nn.ConstantPad1d((2 * d, 0), 0.0), torch.nn.Conv1d(c, 5, 3, dilation=d)]
        c = 5
    model = torch.nn.Sequential(*layers)
    steps = counting.dependence_torch(model, 4, 30, 20)
    counting.check_causal_field(steps, 20, 3, (1, 2, 4))
    with pytest.raises(GradingError, match="future"):
        counting.check_causal_field(np.arange(10, 25), 20, 3, (1, 2, 4))
    with pytest.raises(GradingError, match="depends on 7 input steps"):
        counting.check_causal_field(np.arange(14, 21), 20, 3, (1, 2, 4))


def test_offsets_with_gaps():
    torch = pytest.importorskip("torch")
    assert counting.conv_stack_offsets(3, (1, 2, 4)) == list(range(15))
    assert counting.conv_stack_offsets(2, (1, 3)) == [0, 1, 3, 4]
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.ConstantPad1d((1, 0), 0.0),
        torch.nn.Conv1d(3, 4, 2),
        torch.nn.ConstantPad1d((3, 0), 0.0),
        torch.nn.Conv1d(4, 4, 2, dilation=3),
    )
    counting.check_causal_field(counting.dependence_torch(model, 3, 20, 10), 10, 2, (1, 3))


def test_dependence_torch_rejects_shortened_output():
    torch = pytest.importorskip("torch")
    model = torch.nn.Conv1d(2, 2, 3)
    with pytest.raises(GradingError, match="sequence length"):
        counting.dependence_torch(model, 2, 10, 5)


def test_dependence_keras_causal_dilated():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((None, 3))] + [keras.layers.Conv1D(4, 3, dilation_rate=d, padding="causal") for d in (1, 2, 4)]
    )
    counting.check_causal_field(counting.dependence_keras(model, 3, 30, 20), 20, 3, (1, 2, 4))
    assert counting.count_keras(model) == (3 * 3 * 4 + 4) + 2 * (3 * 4 * 4 + 4)


def test_plot_dilated_receptive_field():
    import matplotlib

    matplotlib.use("Agg")
    ax = counting.plot_dilated_receptive_field(3, (1, 2, 4))
    assert "receptive field 15" in ax.get_title()


def test_evaluate():
    import sympy as sp

    a, b = sp.symbols("a b")
    assert counting.evaluate(a * b + 1, {a: 2, b: 3}) == 7.0
    with pytest.raises(GradingError, match="symbols"):
        counting.evaluate(a * b, {a: 2})
    with pytest.raises(GradingError, match="None"):
        counting.evaluate(None, {a: 2})
