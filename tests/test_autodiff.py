"""Unit tests for nnbook.autodiff (chapter 8's framework): every operation's value and gradient
against PyTorch autograd in float64, graph bookkeeping (shared inputs, accumulation, no_grad),
modules and optimisers against torch.optim."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from nnbook import autodiff as ad  # noqa: E402


def _pair(shape, seed):
    x = np.random.default_rng(seed).normal(size=shape)
    return ad.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _check(ours, theirs, inputs, seed=0):
    """Values equal; gradients of sum(out * r) equal for a random r."""
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    r = np.random.default_rng(seed + 100).normal(size=ours.shape)
    ad.sum(ad.mul(ours, r)).backward()
    (theirs * torch.tensor(r)).sum().backward()
    for a, t in inputs:
        np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4, 5), (3, 1, 1)), ((5, 4), (4,)), ((2, 1), (1, 3))])
def test_add_and_mul_broadcast(shapes):
    for op, top in ((ad.add, torch.add), (ad.mul, torch.mul)):
        (a, ta), (b, tb) = _pair(shapes[0], 1), _pair(shapes[1], 2)
        _check(op(a, b), top(ta, tb), [(a, ta), (b, tb)])


def test_operators_and_scalars_keep_dtype():
    a = ad.Tensor(np.ones((2, 2), np.float32), requires_grad=True)
    out = 2.0 * a - 1.0 + (-a)
    assert out.dtype == np.float32
    ad.sum(out).backward()
    np.testing.assert_allclose(a.grad, np.full((2, 2), 1.0))


def test_matmul_reshape_flatten_relu_mean():
    (a, ta), (b, tb) = _pair((4, 6), 3), _pair((6, 3), 4)
    _check(a @ b, ta @ tb, [(a, ta), (b, tb)])
    (x, tx) = _pair((2, 3, 4, 5), 5)
    _check(ad.flatten(x).reshape(6, 20), tx.flatten(1).reshape(6, 20), [(x, tx)])
    (x, tx) = _pair((3, 7), 6)
    _check(ad.relu(x), torch.relu(tx), [(x, tx)])
    (x, tx) = _pair((3, 7), 7)
    out = ad.mean(x)
    out.backward()
    tx.mean().backward()
    np.testing.assert_allclose(out.item(), tx.mean().item())
    np.testing.assert_allclose(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("shape", [(2, 3, 8, 6), (1, 2, 7, 5)])
def test_maxpool2x2(shape):
    x, tx = _pair(shape, 8)
    _check(ad.maxpool2x2(x), F.max_pool2d(tx, 2), [(x, tx)])


def test_cross_entropy_stable_and_mean_over_batch():
    x, tx = _pair((5, 10), 9)
    x.data *= 300  # large logits: a naive softmax would overflow
    tx.data *= 300
    labels = np.array([0, 3, 9, 3, 1])
    out = ad.cross_entropy(x, labels)
    ref = F.cross_entropy(tx, torch.tensor(labels))
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-10)
    out.backward()
    ref.backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_shared_input_accumulates_and_leaves_accumulate_across_calls():
    x, tx = _pair((3, 3), 10)
    y = ad.relu(x) * x + x @ x  # x used three times, through a diamond-shaped graph
    ty = torch.relu(tx) * tx + tx @ tx
    _check(y, ty, [(x, tx)])
    x2, tx2 = _pair((3, 3), 11)
    for _ in range(2):  # a second backward adds to .grad, as in PyTorch
        ad.sum(ad.relu(x2) * x2 + x2 @ x2).backward()
        (torch.relu(tx2) * tx2 + tx2 @ tx2).sum().backward()
    np.testing.assert_allclose(x2.grad, tx2.grad.numpy(), rtol=1e-10)


def test_deep_graph_no_recursion_limit_and_constants_get_no_grad():
    w = ad.Parameter(np.ones(3))
    c = ad.Tensor(np.ones(3))
    y = w
    for _ in range(5000):
        y = y * 1.0 + c
    ad.sum(y).backward()
    np.testing.assert_allclose(w.grad, np.ones(3))
    assert c.grad is None and not c.requires_grad


def test_no_grad_and_errors():
    w = ad.Parameter(np.ones(2))
    with ad.no_grad():
        y = ad.sum(w * 2.0)
    assert not y.requires_grad and not y.parents
    with pytest.raises(RuntimeError, match="does not require"):
        y.backward()
    with pytest.raises(RuntimeError, match="scalar"):
        (w * 2.0).backward()
    bad = ad.Tensor(np.ones(2), parents=(w,), backward=lambda g: (np.ones(3),), op="bad")
    with pytest.raises(RuntimeError, match="shape"):
        bad.backward(np.ones(2))


def _torch_mlp_from(model):
    lin = [m for m in model.modules() if isinstance(m, ad.Linear)]
    layers = []
    for i, m in enumerate(lin):
        t = torch.nn.Linear(*m.weight.shape).double()
        with torch.no_grad():
            t.weight.copy_(torch.tensor(m.weight.data.T))
            t.bias.copy_(torch.tensor(m.bias.data))
        layers += [t] + ([torch.nn.ReLU()] if i < len(lin) - 1 else [])
    return torch.nn.Sequential(*layers)


def test_module_parameters_and_training_step_match_torch():
    np.random.seed(0)
    model = ad.Sequential(ad.Linear(6, 5, dtype=np.float64), ad.ReLU(), ad.Linear(5, 3, dtype=np.float64))
    names = [n for n, _ in model.named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert len(list(model.modules())) == 4
    twin = _torch_mlp_from(model)
    x = np.random.default_rng(1).normal(size=(8, 6))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    for opt, topt in (
        (ad.SGD(model.parameters(), lr=0.1), torch.optim.SGD(twin.parameters(), lr=0.1)),
        (ad.Adam(model.parameters(), lr=0.01), torch.optim.Adam(twin.parameters(), lr=0.01)),
    ):
        for _ in range(3):
            opt.zero_grad()
            ad.cross_entropy(model(x), y).backward()
            opt.step()
            topt.zero_grad()
            F.cross_entropy(twin(torch.tensor(x)), torch.tensor(y)).backward()
            topt.step()
        lin = [m for m in model.modules() if isinstance(m, ad.Linear)]
        tlin = [m for m in twin if isinstance(m, torch.nn.Linear)]
        for m, t in zip(lin, tlin, strict=True):
            np.testing.assert_allclose(m.weight.data, t.weight.detach().numpy().T, rtol=1e-8, atol=1e-10)
            np.testing.assert_allclose(m.bias.data, t.bias.detach().numpy(), rtol=1e-8, atol=1e-10)


def test_float32_training_stays_float32_and_init_is_seeded():
    np.random.seed(3)
    a = ad.Linear(4, 2)
    np.random.seed(3)
    b = ad.Linear(4, 2)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert a.weight.dtype == np.float32
    opt = ad.Adam(a.parameters())
    ad.cross_entropy(a(np.ones((3, 4), np.float32)), [0, 1, 1]).backward()
    opt.step()
    assert a.weight.dtype == np.float32 and a.bias.dtype == np.float32


def test_settings_one_table_for_every_mode():
    from nnbook import autodiff as ad

    assert all(set(v) == set(ad.SETTINGS["full"]) for v in ad.SETTINGS.values())
    assert ad.settings("full")["steps"] == 5000 and ad.settings("full") is not ad.SETTINGS["full"]
