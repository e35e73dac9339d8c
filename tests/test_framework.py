"""The given NumPy framework of chapter 4 (nnbook.framework) against PyTorch and central differences."""

import numpy as np
import pytest
import torch

from nnbook import framework as fw
from nnbook.checks import numeric_gradient, relative_error


def t64(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def test_fully_connected_matches_torch_linear():
    rng = np.random.default_rng(0)
    x, e = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    layer = fw.FullyConnected(4, 3)
    layer.initialize(fw.He(), fw.Constant(0.3))
    np.testing.assert_allclose(layer.weights[-1], 0.3)
    xt, w, b = t64(x), t64(layer.weights[:-1].T), t64(layer.weights[-1])
    out = torch.nn.functional.linear(xt, w, b)
    out.backward(torch.tensor(e))
    np.testing.assert_allclose(layer.forward(x), out.detach().numpy())
    np.testing.assert_allclose(layer.backward(e), xt.grad.numpy())
    np.testing.assert_allclose(layer.gradient_weights, np.vstack([w.grad.numpy().T, b.grad.numpy()]))


def test_fully_connected_updates_through_its_optimizer_with_the_old_weights_for_the_error():
    layer = fw.FullyConnected(2, 2)
    w0 = layer.weights.copy()
    layer.optimizer = fw.Sgd(0.5)
    x, e = np.ones((1, 2)), np.ones((1, 2))
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(e), e @ w0[:-1].T)
    np.testing.assert_allclose(layer.weights, w0 - 0.5 * np.ones((3, 2)))


@pytest.mark.parametrize("stride, shape", [((1, 1), (2, 3, 3)), ((2, 1), (3, 5, 3)), ((2, 3), (1, 4, 2))])
def test_conv_matches_torch(stride, shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, shape[0], 7, 8))
    layer = fw.Conv(stride, shape, 4)
    layer.initialize(fw.Xavier(), fw.UniformRandom())
    out = layer.forward(x)
    oy, ox = -(-7 // stride[0]), -(-8 // stride[1])
    assert out.shape == (2, 4, oy, ox)
    e = rng.normal(size=out.shape)
    dx = layer.backward(e)
    m, n = shape[1:]
    xt, w, b = t64(x), t64(layer.weights), t64(layer.bias)
    padded = torch.nn.functional.pad(xt, ((n - 1) // 2, n // 2, (m - 1) // 2, m // 2))
    ref = torch.nn.functional.conv2d(padded, w, b, stride=stride)
    ref.backward(torch.tensor(e))
    np.testing.assert_allclose(out, ref.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.gradient_weights, w.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.gradient_bias, b.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("image", [False, True])
def test_batch_normalization_matches_torch_and_tests_with_moving_averages(image):
    rng = np.random.default_rng(2)
    x = rng.normal(2.0, 3.0, size=(6, 3, 4, 5) if image else (8, 3))
    layer = fw.BatchNormalization(3)
    layer.weights, layer.bias = rng.normal(size=3), rng.normal(size=3)
    out = layer.forward(x)
    e = rng.normal(size=out.shape)
    dx = layer.backward(e)
    xt, g, b = t64(x), t64(layer.weights), t64(layer.bias)
    ref = torch.nn.functional.batch_norm(xt, None, None, g, b, training=True, eps=layer.eps)
    ref.backward(torch.tensor(e))
    np.testing.assert_allclose(out, ref.detach().numpy(), atol=1e-9)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-8)
    np.testing.assert_allclose(layer.gradient_weights, g.grad.numpy(), atol=1e-9)
    np.testing.assert_allclose(layer.gradient_bias, b.grad.numpy(), atol=1e-9)
    layer.testing_phase = True
    test_out = layer.forward(x)
    assert test_out.shape == x.shape and np.all(np.isfinite(test_out))


def test_softmax_cross_entropy_relu_flatten_gradients():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5))
    labels = np.eye(5)[[0, 3, 3, 1]]
    net = [fw.ReLU(), fw.SoftMax()]
    loss = fw.CrossEntropyLoss()

    def f(xx):
        h = xx
        for layer in net:
            h = layer.forward(h)
        return loss.forward(h, labels)

    f(x)
    err = loss.backward(labels)
    for layer in reversed(net):
        err = layer.backward(err)
    assert relative_error(err, numeric_gradient(f, x)) < 1e-6
    flat = fw.Flatten()
    y = rng.normal(size=(2, 3, 4))
    assert flat.forward(y).shape == (2, 12)
    assert flat.backward(np.ones((2, 12))).shape == (2, 3, 4)


def _torch_steps(make, grads, w0):
    w = torch.tensor(w0, requires_grad=True)
    opt = make([w])
    for g in grads:
        opt.zero_grad()
        w.grad = torch.tensor(g)
        opt.step()
    return w.detach().numpy()


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_optimizers_match_torch(name):
    rng = np.random.default_rng(4)
    w0, grads = rng.normal(size=(3, 2)), [rng.normal(size=(3, 2)) for _ in range(5)]
    ours = {"sgd": fw.Sgd(0.1), "momentum": fw.SgdWithMomentum(0.1, 0.9), "adam": fw.Adam(0.01, 0.9, 0.999)}[name]
    theirs = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
        "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8),
    }[name]
    w = w0.copy()
    for g in grads:
        w = ours.calculate_update(w, g)
    np.testing.assert_allclose(w, _torch_steps(theirs, grads, w0), rtol=1e-10, atol=1e-12)


def test_regularizers_norms_and_gradients():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    l2, l1 = fw.L2_Regularizer(0.1), fw.L1_Regularizer(0.1)
    assert l2.norm(w) == pytest.approx(0.05 * 5.25)
    assert l1.norm(w) == pytest.approx(0.35)
    np.testing.assert_allclose(l2.calculate_gradient(w), numeric_gradient(l2.norm, w), atol=1e-8)
    opt = fw.Sgd(1.0)
    opt.add_regularizer(l2)
    np.testing.assert_allclose(opt.calculate_update(w, np.zeros_like(w)), 0.9 * w)


def test_initializers_shapes_and_scales():
    np.random.seed(0)
    assert np.all(fw.Constant(0.5).initialize((2, 3), 2, 3) == 0.5)
    u = fw.UniformRandom().initialize((200, 200), 200, 200)
    assert u.min() >= 0 and u.max() < 1
    assert fw.Xavier().initialize((400, 300), 400, 300).std() == pytest.approx(np.sqrt(2 / 700), rel=0.05)
    assert fw.He().initialize((400, 300), 400, 300).std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)


class _Blobs:
    def __init__(self):
        rng = np.random.default_rng(5)
        self.labels = np.eye(3)[rng.integers(0, 3, 60)]
        self.x = self.labels @ rng.normal(size=(3, 4)) * 3 + rng.normal(size=(60, 4))

    def next(self):
        return self.x, self.labels


def test_network_trains_tests_and_adds_the_regularization_loss():
    np.random.seed(0)
    opt = fw.Adam(0.05)
    opt.add_regularizer(fw.L2_Regularizer(1e-3))
    net = fw.NeuralNetwork(opt, fw.He(), fw.Constant(0.1))
    net.data_layer, net.loss_layer = _Blobs(), fw.CrossEntropyLoss()
    for layer in (fw.FullyConnected(4, 8), fw.BatchNormalization(8), fw.ReLU(), fw.FullyConnected(8, 3), fw.SoftMax()):
        net.append_layer(layer)
    assert net.layers[0].optimizer is not net.layers[3].optimizer
    net.train(60)
    assert net.loss[-1] < 0.3 * net.loss[0]
    reg = sum(0.5e-3 * np.sum(net.layers[i].weights ** 2) for i in (0, 1, 3))
    assert net.regularization_loss() == pytest.approx(reg)
    pred = net.test(net.data_layer.x)
    assert net.phase == "train" and np.mean(pred.argmax(1) == net.data_layer.labels.argmax(1)) > 0.9


def test_delayed_recall_labels_are_the_symbols_seen_delay_steps_earlier():
    data = fw.DelayedRecall(symbols=5, delay=3, length=7, seed=1)
    xs, ys = zip(*(data.next() for _ in range(4)), strict=True)
    x, y = np.concatenate(xs).argmax(1), np.concatenate(ys).argmax(1)
    assert np.all(y[3:] == x[:-3]) and np.all(y[:3] == 0)
    assert xs[0].shape == (7, 5)
