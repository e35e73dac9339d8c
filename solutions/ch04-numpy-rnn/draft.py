# %% [markdown]
# # Chapter 4: A recurrent layer from scratch
#
# Student version: {download}`ch04-numpy-rnn.ipynb <../../notebooks/ch04-numpy-rnn/ch04-numpy-rnn.ipynb>`
# (open it in JupyterLab, solve the exercises, run the visible tests; `nbgrader validate` checks it).
#
# **Learning goals.** After this chapter you can
#
# * extend a small layer framework in NumPy with layers that read and write the parts they are made of;
# * write activation layers whose backward pass needs only what they *output*;
# * implement an Elman RNN layer and an LSTM layer, forward and backward, with a hidden state that can
#   survive from one call to the next, and backpropagation through time truncated to a fixed window;
# * prove such a layer right against PyTorch's `nn.RNN` / `nn.LSTM` with copied weights, against a
#   truncated autograd reference, and against central differences;
# * train both on a task that needs memory and watch the Elman RNN's gradient vanish over time.

# %%
import nnbook

import copy

import matplotlib.pyplot as plt
import numpy as np
import torch

from nnbook import by_mode, call_answer, check_close, check_shape, check_true, numeric_gradient, relative_error
from nnbook import framework
from nnbook.framework import (Adam, BaseLayer, Constant, CrossEntropyLoss, FullyConnected, He, L1_Regularizer,
                              L2_Regularizer, NeuralNetwork, Sgd, SoftMax, UniformRandom, Xavier)

nnbook.banner("ch04")
nnbook.seed_everything(0)
torch.set_default_dtype(torch.float64)

# how much the training section does (test: seconds; quick: a minute or two; full: a longer run)
ITERATIONS = by_mode(40, 1500, 6000)   # training iterations (chunks of the stream)
CHUNK = 20                             # time steps per iteration

# %% [markdown]
# ## 1. The framework
#
# The course builds its own deep-learning framework in NumPy, one layer at a time. This chapter starts
# from a finished, small version of it, {mod}`nnbook.framework` (a few screens of code: read it), and adds
# the recurrent layers. Its conventions are the course's, so that code written against the course's
# framework API drops in unchanged:
#
# | piece | API |
# |---|---|
# | every layer | `forward(input_tensor)`, `backward(error_tensor)`; attributes `trainable`, `testing_phase`; the first axis is the batch axis |
# | trainable layers | `weights`, after `backward` also `gradient_weights`; `optimizer` (a property); `initialize(weights_initializer, bias_initializer)` |
# | `FullyConnected(input_size, output_size)` | $y = [x, 1]\,W$: the bias is the **last row** of `weights`, shape `(input_size + 1, output_size)` |
# | `Conv(stride_shape, convolution_shape, num_kernels)`, `BatchNormalization(channels)`, `ReLU`, `SoftMax`, `Flatten`, `CrossEntropyLoss` | the usual layers; `Conv` and `BatchNormalization` also have `bias` |
# | `Sgd(learning_rate)`, `SgdWithMomentum(learning_rate, momentum_rate)`, `Adam(learning_rate, mu, rho)` | `calculate_update(weight_tensor, gradient_tensor)`, `add_regularizer(regularizer)` |
# | `L2_Regularizer(alpha)`, `L1_Regularizer(alpha)` | `calculate_gradient(weights)` (added to every update), `norm(weights)` (added to the loss) |
# | `Constant(value)`, `UniformRandom()`, `Xavier()`, `He()` | `initialize(weights_shape, fan_in, fan_out)` |
# | `NeuralNetwork(optimizer, weights_initializer, bias_initializer)` | `data_layer`, `layers`, `loss_layer`, `append_layer(layer)`, `train(iterations)`, `test(input_tensor)`, `loss` (a list), `phase` |
#
# A trainable layer updates its own weights at the end of `backward` when it has an optimizer, and
# `NeuralNetwork.append_layer` gives each trainable layer its own deep copy of the network's optimizer
# (momentum and Adam keep state per weight tensor). Here is the whole framework at work on a
# three-class toy problem:

# %%
class Blobs:
    """A data layer: three Gaussian blobs in 4-D, the whole set as one batch."""

    def __init__(self, n=90, seed=0):
        rng = np.random.default_rng(seed)
        self.labels = np.eye(3)[rng.integers(0, 3, n)]
        self.inputs = self.labels @ rng.normal(size=(3, 4)) * 2 + rng.normal(size=(n, 4))

    def next(self):
        return self.inputs, self.labels


np.random.seed(0)
net = NeuralNetwork(Adam(0.02), He(), Constant(0.1))
net.data_layer, net.loss_layer = Blobs(), CrossEntropyLoss()
for layer in (FullyConnected(4, 16), framework.ReLU(), FullyConnected(16, 3), SoftMax()):
    net.append_layer(layer)
net.train(100)
accuracy = np.mean(net.test(net.data_layer.inputs).argmax(1) == net.data_layer.labels.argmax(1))
print(f"loss {net.loss[0]:.1f} -> {net.loss[-1]:.2f}; training accuracy {accuracy:.2f}")

# %% [markdown]
# ### Exercise 0: one weights interface for every trainable layer (2 points)
#
# A *composite* layer, such as the recurrent layers below, is built from other layers and must read and
# write their parameters. The course's framework asks every trainable layer for the same three methods;
# write them once, as a mixin, so that `FullyConnected`, `Conv` and `BatchNormalization` all get them:
#
# * `get_weights()` returns the layer's `weights` as a **new** float array (changing it must not change
#   the layer);
# * `set_weights(weights)` takes an array (or a nested list) of exactly the shape of the current
#   `weights` and stores a float copy of it; any other shape raises a `ValueError` that names both shapes;
# * `get_gradient_weights()` returns `gradient_weights` (the gradient computed by the last `backward`).

# %% [answer] ch04-weights
import numpy as np

from nnbook import framework


class WeightsAPI:
    """get_weights / set_weights / get_gradient_weights for any layer with `weights`."""

    def get_weights(self):
        ### BEGIN SOLUTION
        return np.array(self.weights, dtype=float)
        ### END SOLUTION

    def set_weights(self, weights):
        ### BEGIN SOLUTION
        new = np.array(weights, dtype=float)
        if new.shape != np.shape(self.weights):
            raise ValueError(f"set_weights: expected shape {np.shape(self.weights)}, got {new.shape}")
        self.weights = new
        ### END SOLUTION

    def get_gradient_weights(self):
        ### BEGIN SOLUTION
        return self.gradient_weights
        ### END SOLUTION


class FullyConnected(WeightsAPI, framework.FullyConnected):
    pass


class Conv(WeightsAPI, framework.Conv):
    pass


class BatchNormalization(WeightsAPI, framework.BatchNormalization):
    pass

# %% [test] ch04-weights-test 1
import numpy as np

from nnbook import call_answer, check_close, check_true

rng_t = np.random.default_rng(0)
fc = call_answer(FullyConnected, 3, 2, name="FullyConnected")
w0 = np.array(fc.weights, dtype=float)
got = call_answer(fc.get_weights, name="get_weights")
check_close(got, w0, "FullyConnected.get_weights()")
got[...] = 7.0
check_close(fc.weights, w0, "the layer's weights after changing the array that get_weights returned (use a copy)")
new = rng_t.normal(size=(4, 2))
call_answer(fc.set_weights, new, name="set_weights")
new_copy = new.copy()
new[...] = -1.0
check_close(fc.weights, new_copy, "the layer's weights after set_weights(w) and then changing w (store a copy)")
x = rng_t.normal(size=(5, 3))
check_close(fc.forward(x), np.hstack([x, np.ones((5, 1))]) @ new_copy, "FullyConnected.forward after set_weights")
fc.backward(np.ones((5, 2)))
check_close(call_answer(fc.get_gradient_weights, name="get_gradient_weights"), fc.gradient_weights,
            "get_gradient_weights() after a backward pass")
try:
    fc.set_weights(np.zeros((3, 2)))
    raised = False
except ValueError:
    raised = True
check_true(raised, "set_weights with a wrong shape (3, 2) instead of (4, 2) must raise a ValueError")
print("the weights interface of FullyConnected: all visible checks passed")

# %% [hidden] ch04-weights-hidden 1
### BEGIN HIDDEN TESTS
for make, what in ((lambda: Conv((1, 2), (2, 3, 3), 4), "Conv"), (lambda: BatchNormalization(5), "BatchNormalization")):
    layer = call_answer(make, name=what)
    w0 = np.array(layer.weights, dtype=float)
    got = call_answer(layer.get_weights, name=f"{what}.get_weights")
    check_close(got, w0, f"{what}.get_weights()")
    got[...] = 3.0
    check_close(layer.weights, w0, f"{what}: the weights after changing what get_weights returned")
    new = rng_t.normal(size=w0.shape)
    keep = new.copy()
    call_answer(layer.set_weights, new.tolist(), name=f"{what}.set_weights")
    check_true(isinstance(layer.weights, np.ndarray), f"{what}.set_weights(list): store an array")
    check_close(layer.weights, keep, f"{what}: the weights after set_weights(a nested list)")
    call_answer(layer.set_weights, new, name=f"{what}.set_weights")
    new[...] = 0.0
    check_close(layer.weights, keep, f"{what}: the weights after set_weights(w) and changing w")
    for bad in (w0.shape[:-1] + (w0.shape[-1] + 1,), (w0.size, 1)):
        try:
            layer.set_weights(np.zeros(bad))
            raised = False
        except ValueError:
            raised = True
        check_true(raised, f"{what}.set_weights with shape {bad} instead of {w0.shape} must raise a ValueError")
conv = Conv((1, 1), (1, 3, 3), 2)
conv.set_weights(np.zeros((2, 1, 3, 3)))
out = conv.forward(rng_t.normal(size=(1, 1, 4, 4)))
check_close(out, np.broadcast_to(conv.bias[None, :, None, None], out.shape), "Conv.forward after set_weights(zeros)")
conv.backward(np.ones_like(out))
check_close(conv.get_gradient_weights(), conv.gradient_weights, "Conv.get_gradient_weights()")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Activations as layers
#
# $\tanh$ and the logistic sigmoid $\sigma(x) = 1/(1 + e^{-x})$ have a convenient property: their
# derivatives are functions of their *outputs*,
#
# $$ \tanh'(x) = 1 - \tanh^2(x), \qquad \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr). $$
#
# Sympy confirms both:

# %%
import sympy as sp

sp.init_printing(use_latex="mathjax")
xs = sp.symbols("x")
sigma = 1 / (1 + sp.exp(-xs))
print("tanh' - (1 - tanh^2) =", sp.simplify(sp.diff(sp.tanh(xs), xs) - (1 - sp.tanh(xs) ** 2)))
print("sigma' - sigma (1 - sigma) =", sp.simplify(sp.diff(sigma, xs) - sigma * (1 - sigma)))

# %% [markdown]
# So an activation layer stores its **activations** (its output), not its input, and its backward pass
# multiplies the incoming error elementwise by $1 - y^2$ or $y(1 - y)$. That matters for recurrent layers:
# one `TanH` object is used at every time step, and before the backward pass of step $t$ the recurrent
# layer puts the activations of step $t$ back into it.
#
# ### Exercise 1: `TanH` and `Sigmoid` (3 points)
#
# Write both layers (derived from `BaseLayer`, not trainable). `forward(input_tensor)` returns the
# activation of every entry and stores it in the attribute `activations`; `backward(error_tensor)` returns
# the error for the previous layer computed from `activations` (whatever is stored there at that time).
# Inputs may have any shape; both must give finite, saturated values (no `nan`) for inputs like $\pm 1000$.

# %% [answer] ch04-activations
import numpy as np

from nnbook.framework import BaseLayer


class TanH(BaseLayer):
    def forward(self, input_tensor):
        ### BEGIN SOLUTION
        self.activations = np.tanh(input_tensor)
        return self.activations
        ### END SOLUTION

    def backward(self, error_tensor):
        ### BEGIN SOLUTION
        return error_tensor * (1.0 - self.activations ** 2)
        ### END SOLUTION


class Sigmoid(BaseLayer):
    def forward(self, input_tensor):
        ### BEGIN SOLUTION
        self.activations = 0.5 * (1.0 + np.tanh(0.5 * input_tensor))  # = 1 / (1 + exp(-x)), never overflows
        return self.activations
        ### END SOLUTION

    def backward(self, error_tensor):
        ### BEGIN SOLUTION
        return error_tensor * self.activations * (1.0 - self.activations)
        ### END SOLUTION

# %% [test] ch04-activations-test 1
import numpy as np
import torch

from nnbook import call_answer, check_close, check_true


def _check_activation(cls, torch_fn, x, e, what):
    """forward, stored activations and backward of one activation layer against torch autograd."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = torch_fn(xt)
    yt.backward(torch.tensor(e, dtype=torch.float64))
    y_ref, dx_ref = yt.detach().numpy(), xt.grad.numpy()
    layer = call_answer(cls, name=cls.__name__)
    check_true(not layer.trainable, f"{cls.__name__}: an activation layer is not trainable")
    y = call_answer(layer.forward, x.copy(), name=f"{cls.__name__}.forward")
    check_close(y, y_ref, f"{cls.__name__}.forward {what}", rtol=1e-10, atol=1e-12)
    check_true(hasattr(layer, "activations"), f"{cls.__name__}: forward must store its output in `activations`")
    check_close(layer.activations, y_ref, f"{cls.__name__}.activations after forward (the OUTPUT, not the input) {what}",
                rtol=1e-10, atol=1e-12)
    dx = call_answer(layer.backward, e.copy(), name=f"{cls.__name__}.backward")
    check_close(dx, dx_ref, f"{cls.__name__}.backward {what}", rtol=1e-9, atol=1e-12)
    return layer


rng_a = np.random.default_rng(1)
x_a, e_a = rng_a.normal(size=(6, 4)) * 2, rng_a.normal(size=(6, 4))
for cls, fn in ((TanH, torch.tanh), (Sigmoid, torch.sigmoid)):
    _check_activation(cls, fn, x_a, e_a, "on a (6, 4) batch")
print("TanH and Sigmoid: all visible checks passed")

# %% [hidden] ch04-activations-hidden 2
### BEGIN HIDDEN TESTS
rng_a = np.random.default_rng(11)
for shape in [(3,), (2, 3, 5), (1, 1)]:
    x_h, e_h = rng_a.normal(size=shape) * 3, rng_a.normal(size=shape)
    for cls, fn in ((TanH, torch.tanh), (Sigmoid, torch.sigmoid)):
        _check_activation(cls, fn, x_h, e_h, f"on shape {shape}")
# the backward pass uses whatever activations are stored (a recurrent layer restores step t's)
for cls, fn in ((TanH, np.tanh), (Sigmoid, lambda v: 1 / (1 + np.exp(-v)))):
    layer = cls()
    layer.forward(rng_a.normal(size=(4, 3)))
    other = rng_a.normal(size=(4, 3))
    layer.activations = fn(other)
    e_h = rng_a.normal(size=(4, 3))
    numeric = numeric_gradient(lambda v: float(np.sum(fn(v) * e_h)), other)
    check_close(layer.backward(e_h), numeric, f"{cls.__name__}.backward after setting `activations` by hand",
                rtol=1e-6, atol=1e-8)
# extreme inputs: finite and saturated (no nan)
with np.errstate(all="ignore"):
    big = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    check_close(Sigmoid().forward(big), [[0.0, 1.9287e-22, 0.5, 1.0, 1.0]], "Sigmoid at extreme inputs",
                rtol=1e-4, atol=1e-15)
    check_close(TanH().forward(big), [[-1.0, -1.0, 0.0, 1.0, 1.0]], "TanH at extreme inputs")
x_keep = rng_a.normal(size=(3, 3))
x_orig = x_keep.copy()
TanH().forward(x_keep)
Sigmoid().forward(x_keep)
check_close(x_keep, x_orig, "the input after forward (do not change it in place)")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. The Elman RNN layer
#
# An Elman network {cite}`elman1990finding` reads a sequence $x_1, \dots, x_T$ and keeps a hidden state:
#
# $$ h_t = \tanh\bigl([x_t, h_{t-1}, 1]\, W_h\bigr), \qquad y_t = \sigma\bigl([h_t, 1]\, W_y\bigr), $$
#
# with $W_h$ of shape `(input_size + hidden_size + 1, hidden_size)` (rows: input, previous hidden state,
# bias, in that order) and $W_y$ of shape `(hidden_size + 1, output_size)`: exactly two `FullyConnected`
# layers, a `TanH` and a `Sigmoid`. In this framework **time runs along the batch axis**: the layer's
# `forward(input_tensor)` gets `input_tensor` of shape `(T, input_size)` and returns `(T, output_size)`,
# row $t$ for step $t$.
#
# **Memory.** The hidden state is zero when the layer is made. `toggle_memory()` switches whether a call
# of `forward` starts from the last hidden state of the previous call (memory on) or from zeros (memory
# off, the setting at construction). With memory on, a long stream can be fed in chunks.
#
# **Backpropagation through time** {cite}`werbos1990backpropagation` runs the steps backwards. With
# $\delta^y_t$ the error arriving at $y_t$, the error at the hidden state collects what comes from the
# output and what comes back from the next step,
#
# $$ \frac{\partial L}{\partial h_t} = \delta^y_t\text{ through the output layer}
#    + \frac{\partial L}{\partial h_{t+1}}\text{ through step } t+1, $$
#
# and the gradient of each weight matrix is the **sum** of its gradients at all steps (the same matrix is
# used at every step).
#
# **Truncation.** Back-propagating through arbitrarily many steps is expensive and, as section 6 shows,
# mostly useless for an Elman network. *Truncated* BPTT {cite}`williams1990efficient` cuts the graph: here
# the steps of one `forward` call are split into windows of `bptt_length` steps, starting at the call's
# first step ($[0, k), [k, 2k), \dots$ for $k$ = `bptt_length`; the last window may be shorter). The
# hidden state that enters a window is treated as a **constant**: no error flows from a window into the
# one before it, nor into the previous call. `backward(error_tensor)` returns exactly the gradients of that
# truncated graph (PyTorch computes the same with `h.detach()` at every window boundary).

# %% [markdown]
# ### Exercise 2: the `RNN` layer (7 points)
#
# Write `RNN(input_size, hidden_size, output_size, bptt_length)` with
#
# * `forward(input_tensor)`: `(T, input_size)` in, `(T, output_size)` out, as above;
# * `backward(error_tensor)`: `(T, output_size)` in; returns the error for the previous layer,
#   `(T, input_size)`; computes the gradients of $W_h$ and $W_y$ of the truncated graph (summed over all
#   steps), then, **if an optimizer is set**, updates both matrices with it (each with its own copy of
#   the optimizer, `copy.deepcopy`);
# * `toggle_memory()`, as above;
# * `get_weights()` / `set_weights(weights)`: $W_h$, the weights that compute the hidden state (a copy in,
#   a copy out); the property `weights` reads and writes the same matrix; `get_gradient_weights()` and
#   the property `gradient_weights`: the gradient of $W_h$ from the last `backward`;
# * the property `output_weights`: $W_y$ (read and write);
# * the property `optimizer` and the method `set_optimizer(optimizer)` (the same thing);
# * `calculate_regularization_loss()`: the optimizer's `regularizer.norm` of $W_h$ plus that of $W_y$ (0
#   when there is no optimizer or it has no regularizer);
# * `initialize(weights_initializer, bias_initializer)`: both matrices, as `FullyConnected.initialize`.
#
# The layer is `trainable`. You may build it from `FullyConnected`, `TanH` and `Sigmoid`.

# %% [answer] ch04-rnn
import copy

import numpy as np

from nnbook.framework import BaseLayer, FullyConnected


class RNN(BaseLayer):
    """Elman RNN: h_t = tanh([x_t, h_{t-1}, 1] W_h), y_t = sigmoid([h_t, 1] W_y); time on axis 0."""

    def __init__(self, input_size, hidden_size, output_size, bptt_length):
        super().__init__()
        ### BEGIN SOLUTION
        self.trainable = True
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.bptt_length = bptt_length
        self.hidden_layer = FullyConnected(input_size + hidden_size, hidden_size)
        self.output_layer = FullyConnected(hidden_size, output_size)
        self.tanh, self.sigmoid = TanH(), Sigmoid()
        self.hidden_state = np.zeros(hidden_size)
        self.memorize = False
        self._optimizer = self._hidden_optimizer = self._output_optimizer = None
        self._gradient_weights = None
        ### END SOLUTION

    def toggle_memory(self):
        ### BEGIN SOLUTION
        self.memorize = not self.memorize
        ### END SOLUTION

    def forward(self, input_tensor):
        ### BEGIN SOLUTION
        T, n_in = input_tensor.shape
        if not self.memorize:
            self.hidden_state = np.zeros(self.hidden_size)
        self.xh = np.empty((T, n_in + self.hidden_size))    # [x_t, h_{t-1}] of every step
        self.h = np.empty((T, self.hidden_size))
        h = self.hidden_state
        for t in range(T):
            self.xh[t, :n_in], self.xh[t, n_in:] = input_tensor[t], h
            h = self.tanh.forward(self.hidden_layer.forward(self.xh[t:t + 1]))[0]
            self.h[t] = h
        self.hidden_state = h
        return self.sigmoid.forward(self.output_layer.forward(self.h))
        ### END SOLUTION

    def backward(self, error_tensor):
        ### BEGIN SOLUTION
        T = error_tensor.shape[0]
        dh_out = self.output_layer.backward(self.sigmoid.backward(error_tensor))   # (T, hidden)
        w_hh = self.hidden_layer.weights[self.input_size:-1]
        dz = np.empty((T, self.hidden_size))
        dh_next = np.zeros(self.hidden_size)
        for t in reversed(range(T)):
            self.tanh.activations = self.h[t]           # step t's activations back into the TanH layer
            dz[t] = self.tanh.backward(dh_out[t] + dh_next)
            # h_{t-1} is a constant at the first step of every window: nothing flows further back
            dh_next = 0.0 if t % self.bptt_length == 0 else dz[t] @ w_hh.T
        self.hidden_layer.forward(self.xh)               # all steps at once, for the weight gradient
        dxh = self.hidden_layer.backward(dz)
        self._gradient_weights = self.hidden_layer.gradient_weights
        if self._optimizer is not None:
            self.hidden_layer.weights = self._hidden_optimizer.calculate_update(
                self.hidden_layer.weights, self.hidden_layer.gradient_weights)
            self.output_layer.weights = self._output_optimizer.calculate_update(
                self.output_layer.weights, self.output_layer.gradient_weights)
        return dxh[:, :self.input_size]
        ### END SOLUTION

    def get_weights(self):
        ### BEGIN SOLUTION
        return self.hidden_layer.weights.copy()
        ### END SOLUTION

    def set_weights(self, weights):
        ### BEGIN SOLUTION
        self.hidden_layer.weights = np.array(weights, dtype=float)
        ### END SOLUTION

    def get_gradient_weights(self):
        ### BEGIN SOLUTION
        return self._gradient_weights
        ### END SOLUTION

    @property
    def weights(self):
        return self.get_weights()

    @weights.setter
    def weights(self, weights):
        self.set_weights(weights)

    @property
    def gradient_weights(self):
        return self.get_gradient_weights()

    @property
    def output_weights(self):
        ### BEGIN SOLUTION
        return self.output_layer.weights
        ### END SOLUTION

    @output_weights.setter
    def output_weights(self, weights):
        ### BEGIN SOLUTION
        self.output_layer.weights = np.array(weights, dtype=float)
        ### END SOLUTION

    @property
    def optimizer(self):
        ### BEGIN SOLUTION
        return self._optimizer
        ### END SOLUTION

    @optimizer.setter
    def optimizer(self, optimizer):
        ### BEGIN SOLUTION
        self._optimizer = optimizer
        self._hidden_optimizer, self._output_optimizer = copy.deepcopy(optimizer), copy.deepcopy(optimizer)
        ### END SOLUTION

    def set_optimizer(self, optimizer):
        self.optimizer = optimizer

    def calculate_regularization_loss(self):
        ### BEGIN SOLUTION
        regularizer = getattr(self._optimizer, "regularizer", None)
        if regularizer is None:
            return 0.0
        return regularizer.norm(self.hidden_layer.weights) + regularizer.norm(self.output_layer.weights)
        ### END SOLUTION

    def initialize(self, weights_initializer, bias_initializer):
        ### BEGIN SOLUTION
        self.hidden_layer.initialize(weights_initializer, bias_initializer)
        self.output_layer.initialize(weights_initializer, bias_initializer)
        ### END SOLUTION

# %% [test] ch04-rnn-test 3
import copy

import numpy as np
import torch

from nnbook.framework import Adam, Sgd
from nnbook import GradingError, call_answer, check_close, check_gradient, check_shape, check_true, relative_error


def _windows(T, bptt):
    return [(s, min(s + bptt, T)) for s in range(0, T, bptt)]


def torch_recurrent_reference(kind, x, w, w_y, e, bptt, h0=None, c0=None):
    """Outputs, input error, gradient of W and of W_y of the truncated graph, computed by torch.nn.RNN /
    torch.nn.LSTM with copied weights: W's rows are [input, hidden, bias]; W's columns for the LSTM are
    the gates in PyTorch's order (input i, forget f, candidate g, output o); PyTorch's second bias is 0.
    Returns also the last hidden (and cell) state."""
    T, n_in = x.shape
    n_h = w.shape[1] // (4 if kind == "lstm" else 1)
    cell = (torch.nn.LSTM if kind == "lstm" else torch.nn.RNN)(n_in, n_h).double()
    with torch.no_grad():
        cell.weight_ih_l0.copy_(torch.tensor(w[:n_in].T))
        cell.weight_hh_l0.copy_(torch.tensor(w[n_in:n_in + n_h].T))
        cell.bias_ih_l0.copy_(torch.tensor(w[-1]))
        cell.bias_hh_l0.zero_()
    wy = torch.tensor(w_y, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    h = torch.zeros(1, 1, n_h) if h0 is None else torch.tensor(h0).reshape(1, 1, n_h)
    c = torch.zeros(1, 1, n_h) if c0 is None else torch.tensor(c0).reshape(1, 1, n_h)
    outs = []
    for s, t in _windows(T, bptt):
        h, c = h.detach(), c.detach()    # the state entering a window is a constant
        if kind == "lstm":
            out, (h, c) = cell(xt[s:t, None, :], (h, c))
        else:
            out, h = cell(xt[s:t, None, :], h)
        outs.append(out[:, 0, :])
    hs = torch.cat(outs)
    y = torch.sigmoid(hs @ wy[:-1] + wy[-1])
    (y * torch.tensor(e)).sum().backward()
    gw = torch.cat([cell.weight_ih_l0.grad.T, cell.weight_hh_l0.grad.T, cell.bias_ih_l0.grad[None]])
    return (y.detach().numpy(), xt.grad.numpy(), gw.numpy(), wy.grad.numpy(),
            h.detach().numpy().ravel(), c.detach().numpy().ravel())


def make_recurrent(cls, n_in, n_h, n_out, bptt, seed, scale=0.5):
    """A layer with seeded random W and W_y set through the API; returns (layer, W, W_y)."""
    rng = np.random.default_rng(seed)
    gates = 4 if cls.__name__ == "LSTM" else 1
    w = rng.normal(scale=scale, size=(n_in + n_h + 1, gates * n_h))
    w_y = rng.normal(scale=scale, size=(n_h + 1, n_out))
    layer = call_answer(cls, n_in, n_h, n_out, bptt, name=cls.__name__)
    call_answer(layer.set_weights, w.copy(), name=f"{cls.__name__}.set_weights")
    try:
        layer.output_weights = w_y.copy()
    except NotImplementedError:
        raise GradingError(f"{cls.__name__}.output_weights is not implemented yet") from None
    except AttributeError as err:
        raise GradingError(f"{cls.__name__}: the property output_weights must be readable and writable ({err})") from None
    return layer, w, w_y


def check_against_torch(cls, n_in, n_h, n_out, T, bptt, seed, what):
    """forward, backward (input error) and both weight gradients of one call against the torch oracle."""
    kind = cls.__name__.lower()
    rng = np.random.default_rng(seed + 1000)
    x, e = rng.normal(size=(T, n_in)), rng.normal(size=(T, n_out))
    layer, w, w_y = make_recurrent(cls, n_in, n_h, n_out, bptt, seed)
    y_ref, dx_ref, gw_ref, gwy_ref, _, _ = torch_recurrent_reference(kind, x, w, w_y, e, bptt)
    y = call_answer(layer.forward, x.copy(), name=f"{cls.__name__}.forward")
    check_shape(y, (T, n_out), f"{cls.__name__}.forward output (time along axis 0)")
    check_close(y, y_ref, f"{cls.__name__}.forward {what}", rtol=1e-8, atol=1e-10)
    dx = call_answer(layer.backward, e.copy(), name=f"{cls.__name__}.backward")
    check_shape(dx, (T, n_in), f"{cls.__name__}.backward error for the previous layer")
    check_close(dx, dx_ref, f"{cls.__name__}.backward error for the previous layer {what}", rtol=1e-7, atol=1e-10)
    gw = call_answer(layer.get_gradient_weights, name=f"{cls.__name__}.get_gradient_weights")
    check_close(gw, gw_ref, f"{cls.__name__}.get_gradient_weights() {what}", rtol=1e-7, atol=1e-10)
    return layer


def check_memory_against_torch(cls, n_in, n_h, n_out, lengths, bptt, seed):
    """With memory on, consecutive calls continue one stream; the state entering each call is a constant."""
    name, kind = cls.__name__, cls.__name__.lower()
    rng = np.random.default_rng(seed + 2000)
    layer, w, w_y = make_recurrent(cls, n_in, n_h, n_out, bptt, seed)
    call_answer(layer.toggle_memory, name=f"{name}.toggle_memory")
    h = c = None
    for call, T in enumerate(lengths):
        x, e = rng.normal(size=(T, n_in)), rng.normal(size=(T, n_out))
        y_ref, dx_ref, gw_ref, _, h, c = torch_recurrent_reference(kind, x, w, w_y, e, bptt, h, c)
        check_close(call_answer(layer.forward, x, name=f"{name}.forward"), y_ref,
                    f"{name}.forward with memory on, call {call + 1} (continue from the last state of the previous "
                    "call)", rtol=1e-8, atol=1e-10)
        check_close(call_answer(layer.backward, e, name=f"{name}.backward"), dx_ref,
                    f"{name}.backward with memory on, call {call + 1}", rtol=1e-7, atol=1e-10)
        check_close(layer.get_gradient_weights(), gw_ref, f"{name}.get_gradient_weights with memory on, call "
                                                           f"{call + 1}", rtol=1e-7, atol=1e-10)
    return layer, w, w_y


def check_update_and_regularization(cls, n_in, n_h, n_out, T, bptt, seed, optimizer):
    """Both matrices updated by the optimizer with the truncated gradients; the regularization loss."""
    from nnbook.framework import L1_Regularizer, L2_Regularizer, Sgd

    name, kind = cls.__name__, cls.__name__.lower()
    rng = np.random.default_rng(seed + 3000)
    x, e = rng.normal(size=(T, n_in)), rng.normal(size=(T, n_out))
    layer, w, w_y = make_recurrent(cls, n_in, n_h, n_out, bptt, seed)
    _, dx_ref, gw_ref, gwy_ref, _, _ = torch_recurrent_reference(kind, x, w, w_y, e, bptt)
    reference = copy.deepcopy(optimizer)
    w_new = copy.deepcopy(reference).calculate_update(w.copy(), gw_ref)
    w_y_new = copy.deepcopy(reference).calculate_update(w_y.copy(), gwy_ref)
    layer.optimizer = optimizer
    call_answer(layer.forward, x, name=f"{name}.forward")
    check_close(call_answer(layer.backward, e, name=f"{name}.backward"), dx_ref,
                f"{name}.backward with an optimizer (the error uses the weights BEFORE the update)", rtol=1e-7, atol=1e-10)
    check_close(layer.get_weights(), w_new, f"{name}: W after backward with {type(optimizer).__name__}", rtol=1e-7,
                atol=1e-10)
    check_close(layer.output_weights, w_y_new, f"{name}: W_y after backward with {type(optimizer).__name__}",
                rtol=1e-7, atol=1e-10)
    layer.set_optimizer(Sgd(0.1))
    check_close(call_answer(layer.calculate_regularization_loss, name=f"{name}.calculate_regularization_loss"), 0.0,
                f"{name}: the regularization loss without a regularizer")
    for reg in (L2_Regularizer(0.3), L1_Regularizer(0.05)):
        opt = Sgd(0.1)
        opt.add_regularizer(reg)
        layer.optimizer = opt
        expected = reg.norm(layer.get_weights()) + reg.norm(np.asarray(layer.output_weights))
        check_close(layer.calculate_regularization_loss(), expected,
                    f"{name}.calculate_regularization_loss() with {type(reg).__name__} (norm of W plus norm of W_y)")


# shapes and memory
layer_m, _, _ = make_recurrent(RNN, 3, 5, 2, 10, seed=0)
x_one = np.tile(np.random.default_rng(0).normal(size=(1, 3)), (2, 1))
y_two = call_answer(layer_m.forward, x_one, name="RNN.forward")
check_true(not np.allclose(y_two[0], y_two[1]),
           "RNN: the same input at two consecutive steps must give different outputs (the hidden state changes)")
y_again = layer_m.forward(x_one)
check_close(y_again, y_two, "RNN with memory off: a second call with the same input must give the same output")
call_answer(layer_m.toggle_memory, name="RNN.toggle_memory")
layer_m.forward(x_one)
check_true(not np.allclose(layer_m.forward(x_one), y_two),
           "RNN with memory on: a second call with the same input must give a different output")
# PyTorch's nn.RNN with copied weights: full BPTT (bptt_length >= T) and truncated
check_against_torch(RNN, 3, 5, 2, 8, 8, seed=1, what="(T=8, bptt_length=8)")
check_against_torch(RNN, 3, 5, 2, 8, 3, seed=2, what="(T=8, bptt_length=3: truncated)")
check_memory_against_torch(RNN, 3, 4, 2, (5, 4), 3, seed=5)
check_update_and_regularization(RNN, 3, 4, 2, 7, 3, seed=6, optimizer=Sgd(0.1))
# central differences, float64
layer_g, w_g, _ = make_recurrent(RNN, 2, 3, 2, 6, seed=3)
x_g = np.random.default_rng(3).normal(size=(6, 2))
e_g = np.random.default_rng(4).normal(size=(6, 2))
layer_g.forward(x_g)
dx_g = layer_g.backward(e_g)


def _loss_of_x(v):
    return float(np.sum(layer_g.forward(v) * e_g))


check_gradient(_loss_of_x, x_g, dx_g, "RNN.backward against central differences", tol=1e-6)
print("RNN: all visible checks passed")

# %% [hidden] ch04-rnn-hidden 4
### BEGIN HIDDEN TESTS
def check_recurrent_hidden(cls):
    name = cls.__name__
    kind = name.lower()
    for n_in, n_h, n_out, T, bptt, seed in [(1, 1, 1, 5, 5, 10), (4, 7, 3, 12, 5, 11), (5, 2, 4, 9, 1, 12),
                                            (3, 6, 2, 10, 20, 13), (2, 4, 1, 13, 4, 14)]:
        check_against_torch(cls, n_in, n_h, n_out, T, bptt, seed, f"(input {n_in}, hidden {n_h}, output {n_out}, "
                                                                   f"T={T}, bptt_length={bptt}, seed {seed})")
    # memory on: three calls continue one stream; the state entering each call is a constant
    layer, w, w_y = check_memory_against_torch(cls, 3, 4, 2, (4, 5, 6), 3, seed=22)
    rng = np.random.default_rng(21)
    # memory toggled off again: back to a zero state
    x = rng.normal(size=(4, 3))
    layer.toggle_memory()
    check_close(layer.forward(x), torch_recurrent_reference(kind, x, w, w_y, np.zeros((4, 2)), 3)[0],
                f"{name}.forward after toggling the memory off again (start from zeros)", rtol=1e-8, atol=1e-10)
    # properties, copies, shapes of the weights
    gates = 4 if kind == "lstm" else 1
    fresh = cls(4, 5, 3, 2)
    check_true(fresh.trainable, f"{name}: the layer is trainable")
    check_true(np.shape(fresh.get_weights()) == (4 + 5 + 1, gates * 5),
               f"{name}.get_weights(): expected shape {(10, gates * 5)}, found {np.shape(fresh.get_weights())}")
    check_true(np.shape(fresh.weights) == (10, gates * 5), f"{name}.weights: expected shape {(10, gates * 5)}")
    check_true(np.shape(fresh.output_weights) == (6, 3), f"{name}.output_weights: expected shape (6, 3)")
    got = fresh.get_weights()
    got[...] = 123.0
    check_true(not np.any(np.asarray(fresh.get_weights()) == 123.0), f"{name}.get_weights() must return a copy")
    fresh.weights = np.full((10, gates * 5), 0.25)
    check_close(fresh.get_weights(), np.full((10, gates * 5), 0.25), f"{name}: set through the `weights` property")
    # initialize: initializers reach both matrices
    fresh.initialize(Constant(0.2), Constant(0.7))
    check_close(fresh.get_weights()[:-1], np.full((9, gates * 5), 0.2), f"{name}.initialize: weights of W")
    check_close(fresh.get_weights()[-1], np.full(gates * 5, 0.7), f"{name}.initialize: bias row of W")
    check_close(np.asarray(fresh.output_weights)[:-1], np.full((5, 3), 0.2), f"{name}.initialize: weights of W_y")
    check_close(np.asarray(fresh.output_weights)[-1], np.full(3, 0.7), f"{name}.initialize: bias row of W_y")
    # the optimizer is really called, with the truncated gradients, for both matrices
    class Spy:
        calls = []

        def __init__(self, lr):
            self.lr, self.regularizer = lr, None

        def add_regularizer(self, regularizer):
            self.regularizer = regularizer

        def calculate_update(self, weight_tensor, gradient_tensor):
            Spy.calls.append((np.array(weight_tensor), np.array(gradient_tensor)))
            return weight_tensor - self.lr * gradient_tensor

    x, e = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    layer, w, w_y = make_recurrent(cls, 3, 4, 2, 3, seed=23)
    _, dx_ref, gw_ref, gwy_ref, _, _ = torch_recurrent_reference(kind, x, w, w_y, e, 3)
    layer.set_optimizer(Spy(0.1))
    Spy.calls.clear()
    layer.forward(x)
    check_close(layer.backward(e), dx_ref, f"{name}.backward with an optimizer (the error uses the weights "
                                           "BEFORE the update)", rtol=1e-7, atol=1e-10)
    shapes = sorted(np.shape(g) for _, g in Spy.calls)
    check_true(shapes == sorted([w.shape, w_y.shape]),
               f"{name}.backward: expected one optimizer call for W {w.shape} and one for W_y {w_y.shape}, "
               f"found calls with gradient shapes {shapes}")
    for weights_before, grad in Spy.calls:
        ref, what = (gw_ref, "W") if grad.shape == w.shape else (gwy_ref, "W_y")
        check_close(grad, ref, f"{name}: the gradient of {what} handed to the optimizer", rtol=1e-7, atol=1e-10)
    check_close(layer.get_weights(), w - 0.1 * gw_ref, f"{name}: W after the optimizer's update", rtol=1e-7,
                atol=1e-10)
    check_close(layer.output_weights, w_y - 0.1 * gwy_ref, f"{name}: W_y after the optimizer's update", rtol=1e-7,
                atol=1e-10)
    check_true(layer.optimizer is not None, f"{name}.optimizer: reads the optimizer back")
    check_update_and_regularization(cls, 4, 3, 2, 9, 4, seed=24, optimizer=Adam(0.01))
    check_update_and_regularization(cls, 2, 5, 3, 6, 6, seed=25, optimizer=Sgd(0.3))
    # central differences for the weight gradient (full and truncated)
    for bptt in (6, 2):
        layer, w, w_y = make_recurrent(cls, 2, 3, 2, bptt, seed=30 + bptt)
        x, e = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))

        def loss_of_w(v):
            layer.set_weights(v)
            return float(np.sum(layer.forward(x) * e))

        def truncated_loss_of_w(v):
            return float(np.sum(torch_recurrent_reference(kind, x, v, w_y, e, bptt)[0] * e))

        layer.forward(x)
        layer.backward(e)
        g = np.array(layer.get_gradient_weights())
        if bptt >= 6:
            check_gradient(loss_of_w, w, g, f"{name} weight gradient against central differences", eps=1e-5, tol=1e-5)
        else:  # the truncated gradient is not the gradient of the loss: compare with torch instead
            check_close(g, torch_recurrent_reference(kind, x, w, w_y, e, bptt)[2],
                        f"{name} truncated weight gradient (bptt_length={bptt})", rtol=1e-7, atol=1e-10)
            full = torch_recurrent_reference(kind, x, w, w_y, e, 6)[2]
            check_true(relative_error(g, full) > 1e-3, f"{name}: with bptt_length={bptt} < T the weight gradient "
                                                       "must be truncated (it equals the full gradient)")
    # a short run in the NeuralNetwork lowers the loss on a task that needs memory
    np.random.seed(5)
    net = NeuralNetwork(Adam(0.01), Xavier(), Constant(0.0))
    net.data_layer, net.loss_layer = framework.DelayedRecall(symbols=3, delay=1, length=10, seed=5), CrossEntropyLoss()
    rec = cls(3, 8, 8, 10)
    rec.toggle_memory()
    for lay in (rec, FullyConnected(8, 3), SoftMax()):
        net.append_layer(lay)
    net.train(150)
    first, last = np.mean(net.loss[:15]), np.mean(net.loss[-15:])
    check_true(last < 0.6 * first, f"{name} in a NeuralNetwork on delayed recall (delay 1): the loss should fall "
                                   f"clearly in 150 iterations; mean of the first 15: {first:.2f}, last 15: {last:.2f}")


check_recurrent_hidden(RNN)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. The LSTM layer
#
# The LSTM {cite}`hochreiter1997long,gers2000learning` adds a cell state $c_t$ that is changed only by
# gated additions. One `FullyConnected` computes the pre-activations of all four gates from
# $[x_t, h_{t-1}, 1]$ with one matrix $W$ of shape `(input_size + hidden_size + 1, 4 * hidden_size)`, whose
# column blocks are, **in this order** (PyTorch's order), the input gate, the forget gate, the candidate
# and the output gate:
#
# $$ [\,a^i_t, a^f_t, a^g_t, a^o_t\,] = [x_t, h_{t-1}, 1]\, W, \qquad
#    i_t = \sigma(a^i_t),\ f_t = \sigma(a^f_t),\ g_t = \tanh(a^g_t),\ o_t = \sigma(a^o_t), $$
#
# $$ c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t), \qquad
#    y_t = \sigma\bigl([h_t, 1]\, W_y\bigr). $$
#
# PyTorch's `nn.LSTM` has two bias vectors; ours is their sum (the tests set PyTorch's second one to zero).
# Going backwards, the error at $c_t$ collects what comes through $h_t$ and what comes from $c_{t+1}$
# through the forget gate, $\partial L/\partial c_t \mathrel{+}= f_{t+1} \odot \partial L/\partial c_{t+1}$:
# when the forget gate is open, the error passes unchanged, which is why the LSTM remembers.

# %% [markdown]
# ### Exercise 3: the `LSTM` layer (7 points)
#
# Write `LSTM(input_size, hidden_size, output_size, bptt_length)` with the same methods, properties and
# conventions as `RNN` (memory, truncation in windows of `bptt_length` for both $h$ and $c$, optimizer,
# regularization loss, initialize); `get_weights()` is $W$ above and `output_weights` is $W_y$. With
# memory on, both $h$ and $c$ carry over to the next call.
#
# *Optional, for speed* (the benchmark below uses the model answer): one matrix product per step for all
# four gates, the input part of $W$ applied to all steps at once, preallocated arrays, and the weight
# gradient as one matrix product over all steps. The model answer also accepts a batch of sequences,
# `(T, batch, input_size)`.

# %% [answer] ch04-lstm
import copy

import numpy as np

from nnbook.framework import BaseLayer


class LSTM(BaseLayer):
    """LSTM: gates [i, f, g, o] = [x_t, h_{t-1}, 1] W; y_t = sigmoid([h_t, 1] W_y); time on axis 0."""

    def __init__(self, input_size, hidden_size, output_size, bptt_length):
        super().__init__()
        ### BEGIN SOLUTION
        self.trainable = True
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.bptt_length = bptt_length
        self._w = np.random.uniform(0.0, 1.0, (input_size + hidden_size + 1, 4 * hidden_size))
        self._w_y = np.random.uniform(0.0, 1.0, (hidden_size + 1, output_size))
        self.hidden_state = np.zeros(hidden_size)
        self.cell_state = np.zeros(hidden_size)
        self.memorize = False
        self._optimizer = self._w_optimizer = self._w_y_optimizer = None
        self._gradient_weights = None
        ### END SOLUTION

    def toggle_memory(self):
        ### BEGIN SOLUTION
        self.memorize = not self.memorize
        ### END SOLUTION

    def _order(self):
        """Internal column order o, i, f (the sigmoid gates) then g; the public order is i, f, g, o."""
        n_h = self.hidden_size
        return np.r_[3 * n_h:4 * n_h, 0:2 * n_h, 2 * n_h:3 * n_h]

    def forward(self, input_tensor):
        ### BEGIN SOLUTION
        x = np.asarray(input_tensor, dtype=float)
        n_in, n_h = self.input_size, self.hidden_size
        T, batch = x.shape[0], x.shape[1:-1]
        if not self.memorize or self.hidden_state.shape != batch + (n_h,):
            self.hidden_state, self.cell_state = np.zeros(batch + (n_h,)), np.zeros(batch + (n_h,))
        w = self._w[:, self._order()]           # a copy with the columns o, i, f, g
        w[:, :3 * n_h] *= 0.5                   # sigmoid(v) = (1 + tanh(v / 2)) / 2: one tanh for all gates
        acts = x @ w[:n_in]                     # the input part of every step in one product
        acts += w[-1]
        w_h = w[n_in:-1]
        hs = np.empty((T + 1,) + batch + (n_h,))   # hs[t + 1] = h_t; hs[0] = the state entering the call
        cs = np.empty_like(hs)
        tanh_c = np.empty((T,) + batch + (n_h,))
        tmp = np.empty(batch + (4 * n_h,))
        hs[0], cs[0] = self.hidden_state, self.cell_state
        for t in range(T):
            a = acts[t]
            a += np.matmul(hs[t], w_h, out=tmp)  # one product for all four gates
            np.tanh(a, out=a)
            s = a[..., :3 * n_h]
            s *= 0.5
            s += 0.5
            o, i, f, g = a[..., :n_h], a[..., n_h:2 * n_h], a[..., 2 * n_h:3 * n_h], a[..., 3 * n_h:]
            c = cs[t + 1]
            np.multiply(f, cs[t], out=c)
            c += i * g
            np.tanh(c, out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=hs[t + 1])
        self.x, self.acts, self.hs, self.cs, self.tanh_c = x, acts, hs, cs, tanh_c
        self.hidden_state, self.cell_state = hs[T].copy(), cs[T].copy()
        y = hs[1:] @ (0.5 * self._w_y[:-1])
        y += 0.5 * self._w_y[-1]
        np.tanh(y, out=y)
        y += 1.0
        y *= 0.5
        self.y = y
        return y
        ### END SOLUTION

    def backward(self, error_tensor):
        ### BEGIN SOLUTION
        n_in, n_h = self.input_size, self.hidden_size
        T = error_tensor.shape[0]
        y, hs, cs, acts, tanh_c = self.y, self.hs, self.cs, self.acts, self.tanh_c
        dy = error_tensor * y * (1.0 - y)
        dy_flat = dy.reshape(-1, dy.shape[-1])
        grad_w_y = np.vstack([hs[1:].reshape(-1, n_h).T @ dy_flat, dy_flat.sum(axis=0)])
        dh_out = dy @ self._w_y[:-1].T
        # everything that does not depend on the recursion, for all steps at once
        o, i, f, g = acts[..., :n_h], acts[..., n_h:2 * n_h], acts[..., 2 * n_h:3 * n_h], acts[..., 3 * n_h:]
        k = np.empty_like(acts)                 # d a = k * (dh for o; dc for i, f, g)
        k[..., :n_h] = tanh_c * o * (1.0 - o)
        k[..., n_h:2 * n_h] = g * i * (1.0 - i)
        k[..., 2 * n_h:3 * n_h] = cs[:-1] * f * (1.0 - f)
        k[..., 3 * n_h:] = i * (1.0 - g * g)
        o_dtanh = o * (1.0 - tanh_c * tanh_c)
        k4 = k.reshape(k.shape[:-1] + (4, n_h))
        d = np.empty_like(acts)
        d4 = d.reshape(k4.shape)
        w = self._w[:, self._order()]
        w_h_t = np.ascontiguousarray(w[n_in:-1].T)
        dh_next, dc_next = np.zeros_like(hs[0]), np.zeros_like(cs[0])
        for t in reversed(range(T)):
            dh = dh_out[t] + dh_next
            dc = dh * o_dtanh[t]
            dc += dc_next
            np.multiply(k4[t][..., 0, :], dh, out=d4[t][..., 0, :])
            np.multiply(k4[t][..., 1:, :], dc[..., None, :], out=d4[t][..., 1:, :])
            if t % self.bptt_length == 0:      # the state entering a window is a constant
                dh_next, dc_next = np.zeros_like(dh), np.zeros_like(dc)
            else:
                dh_next = d[t] @ w_h_t
                dc_next = dc * f[t]
        dx = d @ w[:n_in].T
        d_flat = d.reshape(-1, 4 * n_h)
        grad = np.empty_like(w)
        np.matmul(self.x.reshape(-1, n_in).T, d_flat, out=grad[:n_in])
        np.matmul(hs[:-1].reshape(-1, n_h).T, d_flat, out=grad[n_in:-1])
        grad[-1] = d_flat.sum(axis=0)
        grad_w = np.empty_like(grad)
        grad_w[:, self._order()] = grad         # back to the public order i, f, g, o
        self._gradient_weights = grad_w
        if self._optimizer is not None:
            self._w = self._w_optimizer.calculate_update(self._w, grad_w)
            self._w_y = self._w_y_optimizer.calculate_update(self._w_y, grad_w_y)
        return dx
        ### END SOLUTION

    def get_weights(self):
        ### BEGIN SOLUTION
        return self._w.copy()
        ### END SOLUTION

    def set_weights(self, weights):
        ### BEGIN SOLUTION
        self._w = np.array(weights, dtype=float)
        ### END SOLUTION

    def get_gradient_weights(self):
        ### BEGIN SOLUTION
        return self._gradient_weights
        ### END SOLUTION

    @property
    def weights(self):
        return self.get_weights()

    @weights.setter
    def weights(self, weights):
        self.set_weights(weights)

    @property
    def gradient_weights(self):
        return self.get_gradient_weights()

    @property
    def output_weights(self):
        ### BEGIN SOLUTION
        return self._w_y
        ### END SOLUTION

    @output_weights.setter
    def output_weights(self, weights):
        ### BEGIN SOLUTION
        self._w_y = np.array(weights, dtype=float)
        ### END SOLUTION

    @property
    def optimizer(self):
        ### BEGIN SOLUTION
        return self._optimizer
        ### END SOLUTION

    @optimizer.setter
    def optimizer(self, optimizer):
        ### BEGIN SOLUTION
        self._optimizer = optimizer
        self._w_optimizer, self._w_y_optimizer = copy.deepcopy(optimizer), copy.deepcopy(optimizer)
        ### END SOLUTION

    def set_optimizer(self, optimizer):
        self.optimizer = optimizer

    def calculate_regularization_loss(self):
        ### BEGIN SOLUTION
        regularizer = getattr(self._optimizer, "regularizer", None)
        if regularizer is None:
            return 0.0
        return regularizer.norm(self._w) + regularizer.norm(self._w_y)
        ### END SOLUTION

    def initialize(self, weights_initializer, bias_initializer):
        ### BEGIN SOLUTION
        n_in, n_h, n_out = self.input_size, self.hidden_size, self.output_size
        self._w = np.vstack([weights_initializer.initialize((n_in + n_h, 4 * n_h), n_in + n_h, 4 * n_h),
                             bias_initializer.initialize((1, 4 * n_h), n_in + n_h, 4 * n_h)])
        self._w_y = np.vstack([weights_initializer.initialize((n_h, n_out), n_h, n_out),
                               bias_initializer.initialize((1, n_out), n_h, n_out)])
        ### END SOLUTION

# %% [test] ch04-lstm-test 3
import numpy as np

from nnbook import call_answer, check_close, check_gradient, check_true
from nnbook.framework import Sgd

layer_m, _, _ = make_recurrent(LSTM, 3, 5, 2, 10, seed=40)
x_one = np.tile(np.random.default_rng(40).normal(size=(1, 3)), (2, 1))
y_two = call_answer(layer_m.forward, x_one, name="LSTM.forward")
check_true(not np.allclose(y_two[0], y_two[1]),
           "LSTM: the same input at two consecutive steps must give different outputs (the state changes)")
check_close(layer_m.forward(x_one), y_two, "LSTM with memory off: a second call with the same input must give the "
                                           "same output")
call_answer(layer_m.toggle_memory, name="LSTM.toggle_memory")
layer_m.forward(x_one)
check_true(not np.allclose(layer_m.forward(x_one), y_two),
           "LSTM with memory on: a second call with the same input must give a different output")
check_against_torch(LSTM, 3, 5, 2, 8, 8, seed=41, what="(T=8, bptt_length=8; gate order i, f, g, o)")
check_against_torch(LSTM, 3, 5, 2, 8, 3, seed=42, what="(T=8, bptt_length=3: truncated)")
check_memory_against_torch(LSTM, 3, 4, 2, (5, 4), 3, seed=45)
check_update_and_regularization(LSTM, 3, 4, 2, 7, 3, seed=46, optimizer=Sgd(0.1))
layer_g, _, _ = make_recurrent(LSTM, 2, 3, 2, 6, seed=43)
x_g = np.random.default_rng(43).normal(size=(6, 2))
e_g = np.random.default_rng(44).normal(size=(6, 2))
layer_g.forward(x_g)
dx_g = layer_g.backward(e_g)
check_gradient(lambda v: float(np.sum(layer_g.forward(v) * e_g)), x_g, dx_g,
               "LSTM.backward against central differences", tol=1e-6)
print("LSTM: all visible checks passed")

# %% [hidden] ch04-lstm-hidden 4
### BEGIN HIDDEN TESTS
check_recurrent_hidden(LSTM)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Training on a task that needs memory
#
# `framework.DelayedRecall(symbols, delay, length)` is a data layer that streams random symbols (one-hot)
# and asks, at every step, for the symbol seen `delay` steps earlier. Each `next()` returns the next
# `length` steps of one endless stream, so the recurrent layer runs with its memory on and the gradient
# is truncated at the chunk boundaries (and, inside a chunk, by `bptt_length`). A model without memory can
# only guess: its loss stays at $\ln(\text{symbols})$ per step.
#
# Both layers get the same hidden size and the same optimizer, followed by a `FullyConnected` read-out and
# a `SoftMax`.

# %%
SYMBOLS, HIDDEN = 4, 32


def train_recurrent(cls, delay, iterations=ITERATIONS, seed=0):
    """Loss per step of each training iteration, for an RNN or LSTM on delayed recall."""
    np.random.seed(seed)
    net = NeuralNetwork(Adam(5e-3), Xavier(), Constant(0.0))
    net.data_layer = framework.DelayedRecall(SYMBOLS, delay, CHUNK, seed=seed)
    net.loss_layer = CrossEntropyLoss()
    layer = cls(SYMBOLS, HIDDEN, HIDDEN, CHUNK)
    layer.toggle_memory()
    for lay in (layer, FullyConnected(HIDDEN, SYMBOLS), SoftMax()):
        net.append_layer(lay)
    for _ in nnbook.progress(range(iterations), desc=f"{cls.__name__}, delay {delay}"):
        net.train(1)
    return np.array(net.loss) / CHUNK


def smooth(v, n=50):
    n = max(1, min(n, len(v) // 5))
    return np.convolve(v, np.ones(n) / n, mode="valid")


DELAYS = (2, 8)
curves = {(cls.__name__, d): train_recurrent(cls, d) for cls in (RNN, LSTM) for d in DELAYS}
fig, axes = plt.subplots(1, len(DELAYS), figsize=(11, 3.6), sharey=True)
for ax, d in zip(axes, DELAYS):
    for name in ("RNN", "LSTM"):
        ax.plot(smooth(curves[name, d]), label=name)
    ax.axhline(np.log(SYMBOLS), color="gray", ls="--", label="guessing: ln 4")
    ax.set_title(f"recall the symbol {d} steps back")
    ax.set_xlabel("iteration (20 steps each)")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("cross-entropy per step (smoothed)")
axes[0].legend()
plt.tight_layout()
plt.show()
for (name, d), c in curves.items():
    print(f"{name:4s} delay {d}: loss per step {c[:20].mean():.3f} (first 20 iterations) -> "
          f"{c[-20:].mean():.3f} (last 20)")

# %% [markdown]
# ## 6. The vanishing gradient of the Elman RNN
#
# How much does the output at the last step $T$ care about the hidden state long before? Back-propagation
# multiplies $\partial L/\partial h_t$ once per step by $\operatorname{diag}(1 - h_{t}^2)\,W_{hh}^\top$, so
# its norm shrinks roughly geometrically when the largest singular value of $W_{hh}$, damped by the
# $\tanh'$ factors, is below one {cite}`bengio1994learning,pascanu2013difficulty`. We measure
# $\lVert \partial L/\partial h_t \rVert$ for $L = \sum y_T$ with PyTorch's autograd, using the weights of
# your `RNN` (`get_weights()`, `output_weights`) at three scales of $W_{hh}$, and the same for your
# `LSTM` with its forget-gate bias set high (a common initialization {cite}`gers2000learning`).

# %%
def hidden_gradient_norms(kind, w, w_y, x):
    """||dL/dh_t|| for L = sum(y_T), by autograd through the recurrence (weights as in the exercises)."""
    n_in = x.shape[1]
    n_h = w.shape[1] // (4 if kind == "lstm" else 1)
    W, Wy = torch.tensor(w, requires_grad=True), torch.tensor(w_y)
    h, c, hs = torch.zeros(n_h), torch.zeros(n_h), []
    for x_t in torch.tensor(x):
        a = torch.cat([x_t, h, torch.ones(1)]) @ W
        if kind == "lstm":
            i, f, g, o = torch.sigmoid(a[:n_h]), torch.sigmoid(a[n_h:2 * n_h]), torch.tanh(a[2 * n_h:3 * n_h]), \
                torch.sigmoid(a[3 * n_h:])
            c = f * c + i * g
            h = o * torch.tanh(c)
        else:
            h = torch.tanh(a)
        h.retain_grad()
        hs.append(h)
    torch.sigmoid(torch.cat([hs[-1], torch.ones(1)]) @ Wy).sum().backward()
    return np.array([float(h.grad.norm()) for h in hs])


T_LONG, N_IN, N_H = 60, 4, 32
x_long = np.random.default_rng(7).normal(size=(T_LONG, N_IN))
fig, ax = plt.subplots(figsize=(7, 4))
for scale in (0.5, 1.0, 1.5):
    rnn = RNN(N_IN, N_H, 1, T_LONG)
    np.random.seed(1)
    rnn.initialize(Xavier(), Constant(0.0))
    w = rnn.get_weights()
    w_hh = np.random.default_rng(2).normal(size=(N_H, N_H))
    w[N_IN:N_IN + N_H] = scale * w_hh / np.linalg.norm(w_hh, 2)   # largest singular value = scale
    rnn.set_weights(w)
    ax.semilogy(hidden_gradient_norms("rnn", rnn.get_weights(), rnn.output_weights, x_long),
                label=f"RNN, $\\|W_{{hh}}\\|_2 = {scale}$")
lstm = LSTM(N_IN, N_H, 1, T_LONG)
np.random.seed(1)
lstm.initialize(Xavier(), Constant(0.0))
w = lstm.get_weights()
w[-1, N_H:2 * N_H] = 3.0     # forget-gate bias: f close to 1
lstm.set_weights(w)
ax.semilogy(hidden_gradient_norms("lstm", lstm.get_weights(), lstm.output_weights, x_long), "k--",
            label="LSTM, forget bias 3")
ax.set_xlabel("time step $t$ (the loss is at $t = 60$)")
ax.set_ylabel(r"$\|\partial L / \partial h_t\|$")
ax.set_title("how far back the gradient reaches")
ax.grid(alpha=0.3)
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# With $\lVert W_{hh}\rVert_2 = 0.5$ the gradient loses about a factor of two or more per step: after a
# few dozen steps it is numerically nothing, and truncating BPTT there costs nothing. Larger weights keep
# it alive longer, until the $\tanh$ units saturate. The LSTM's cell path, with forget gates near one,
# passes the error back with little loss: that is the design of the constant error carousel
# {cite}`hochreiter1997long`.

# %% [markdown]
# ## 7. How fast is it?
#
# `benchmarks/bench_ch04.py` times the model answer of exercise 3 (forward and backward, float64, one
# thread) against `torch.nn.LSTM` on the CPU for a few sizes, for a batch of sequences `(T, batch, input)`.
# One matrix product for all four gates per step, the input projection of all steps in one product and
# preallocated arrays make the NumPy layer as fast as PyTorch's on these sizes; the measured numbers are
# on the {doc}`../../book/results` page.
#
# ## Summary
#
# * A composite layer needs a uniform way to read and write the parameters of its parts.
# * `tanh` and the sigmoid are differentiated through their outputs, so activation layers store outputs.
# * An RNN layer is a loop over time in `forward` and a loop backwards in `backward`; the weight
#   gradients are sums over steps; truncation cuts the loop backwards at window boundaries, and memory
#   carries the state (not the gradient) across calls.
# * Copying weights into `torch.nn.RNN` / `torch.nn.LSTM` (mind the gate order and the two biases) turns
#   PyTorch into an oracle for every number the layer computes.
# * The Elman RNN's gradient vanishes geometrically; the LSTM's forget gate keeps it.
#
# The cited works are listed on the {doc}`../../book/references` page.
