"""Unit tests of nnbook.mdrnn and nnbook.dilated (chapter 3 oracles)."""

import numpy as np
import pytest

from nnbook import GradingError, dilated, mdrnn
from nnbook.tensors import count_parameters


def test_direction_signs():
    assert mdrnn.direction_signs(3, 0) == (1, 1, 1)
    assert mdrnn.direction_signs(3, 5) == (-1, 1, -1)
    assert len({mdrnn.direction_signs(3, s) for s in range(8)}) == 8
    with pytest.raises(ValueError):
        mdrnn.direction_signs(2, 4)


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
    found = mdrnn.mdrnn_forward_numpy(x, w_in, w_rec, w_out)
    assert found.shape == (2, k, T)
    np.testing.assert_allclose(found, np.moveaxis(p, -1, 1), rtol=1e-12)


def test_mdrnn_forward_sees_whole_volume():
    rng = np.random.default_rng(2)
    w_in, w_rec, w_out = _weights(rng, 2, 1, 3, 2)
    x = rng.standard_normal((1, 1, 3, 4))
    base = mdrnn.mdrnn_forward_numpy(x, w_in, w_rec, w_out)
    np.testing.assert_allclose(base.sum(1), 1.0)
    for p in np.ndindex(3, 4):
        x2 = x.copy()
        x2[(0, 0) + p] += 0.5
        assert abs(mdrnn.mdrnn_forward_numpy(x2, w_in, w_rec, w_out)[0, 0, 1, 2] - base[0, 0, 1, 2]) > 1e-9


def _causal_stack(torch, n_in, size, dilations, channels=5):
    layers, c = [], n_in
    for d in dilations:
        layers += [torch.nn.ConstantPad1d(((size - 1) * d, 0), 0.0), torch.nn.Conv1d(c, channels, size, dilation=d)]
        c = channels
    return torch.nn.Sequential(*layers)


def test_measured_dependence_is_the_receptive_field():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    for size, dilations in [(3, (1, 2, 4)), (2, (1, 2, 4, 8))]:
        steps = dilated.dependence_torch(_causal_stack(torch, 4, size, dilations), 4, 40, 30)
        field = 1 + (size - 1) * sum(dilations)  # 15 and 16: the chapter's formula, checked here only
        assert steps.tolist() == list(range(30 - field + 1, 31))


def test_dependence_with_gaps_and_the_check():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    steps = dilated.dependence_torch(_causal_stack(torch, 3, 2, (1, 3)), 3, 20, 10)
    assert steps.tolist() == [6, 7, 9, 10]  # offsets j1 + 3 j2: t - 2 is never seen
    dilated.check_causal_dependence(steps, np.array([6, 7, 9, 10]), 10)
    with pytest.raises(GradingError, match="future"):
        dilated.check_causal_dependence(np.arange(6, 13), steps, 10)
    with pytest.raises(GradingError, match="depends on 5 input steps") as err:
        dilated.check_causal_dependence(np.arange(6, 11), steps, 10)
    assert "[6, 7, 9, 10]" not in str(err.value)  # the expected steps are never printed


def test_dependence_torch_rejects_shortened_output():
    torch = pytest.importorskip("torch")
    model = torch.nn.Conv1d(2, 2, 3)
    with pytest.raises(GradingError, match="sequence length"):
        dilated.dependence_torch(model, 2, 10, 5)


def test_dependence_keras_causal_dilated():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((None, 3))] + [keras.layers.Conv1D(4, 3, dilation_rate=d, padding="causal") for d in (1, 2, 4)]
    )
    assert dilated.dependence_keras(model, 3, 30, 20).tolist() == list(range(6, 21))
    assert count_parameters(model) == (3 * 3 * 4 + 4) + 2 * (3 * 4 * 4 + 4)


def test_plot_dilated_receptive_field():
    import matplotlib

    matplotlib.use("Agg")
    ax = dilated.plot_dilated_receptive_field(2, (1, 3), length=8)
    assert "4 input steps over a span of 5" in ax.get_title()
