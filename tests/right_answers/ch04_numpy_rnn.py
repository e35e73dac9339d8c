"""Correct answers for chapter 4 written differently from the model answer: they must get full marks.

The recurrent layers here are plain NumPy (no FullyConnected parts), keep their states in lists,
compute the sigmoid with exp, and truncate by back-propagating each window on its own."""

RIGHT = {
    # copies through np.copy / .copy(), shape compared as tuples
    "ch04-weights": """import numpy as np

from nnbook import framework


class WeightsAPI:
    def get_weights(self):
        return np.copy(self.weights).astype(np.float64)

    def set_weights(self, weights):
        weights = np.asarray(weights, dtype=np.float64).copy()
        if tuple(weights.shape) != tuple(self.weights.shape):
            raise ValueError("shape mismatch: layer has %s, given %s" % (self.weights.shape, weights.shape))
        self.weights = weights

    def get_gradient_weights(self):
        return self.gradient_weights


class FullyConnected(WeightsAPI, framework.FullyConnected):
    pass


class Conv(WeightsAPI, framework.Conv):
    pass


class BatchNormalization(WeightsAPI, framework.BatchNormalization):
    pass""",
    # the sigmoid with exp on an input clipped to [-30, 30]; derivatives written out with explicit products
    "ch04-activations": """import numpy as np

from nnbook.framework import BaseLayer


class TanH(BaseLayer):
    def forward(self, input_tensor):
        self.activations = np.tanh(np.asarray(input_tensor, dtype=float))
        return self.activations.copy()

    def backward(self, error_tensor):
        return error_tensor - error_tensor * self.activations * self.activations


class Sigmoid(BaseLayer):
    def forward(self, input_tensor):
        x = np.clip(np.asarray(input_tensor, dtype=float), -30, 30)  # saturated: 1e-13 off at -50
        self.activations = 1.0 / (1.0 + np.exp(-x))
        return self.activations.copy()

    def backward(self, error_tensor):
        s = self.activations
        return error_tensor * (s - s * s)""",
    "ch04-rnn": """import copy

import numpy as np

from nnbook.framework import BaseLayer


class RNN(BaseLayer):
    def __init__(self, input_size, hidden_size, output_size, bptt_length):
        super().__init__()
        self.trainable = True
        self.sizes = (input_size, hidden_size, output_size)
        self.bptt_length = bptt_length
        self.W = np.random.rand(input_size + hidden_size + 1, hidden_size)
        self.V = np.random.rand(hidden_size + 1, output_size)
        self.state = np.zeros(hidden_size)
        self.keep = False
        self.opts = None
        self._optimizer = None
        self.grad_W = None

    def toggle_memory(self):
        self.keep = not self.keep

    def forward(self, input_tensor):
        n_in, n_h, n_out = self.sizes
        h = self.state if self.keep else np.zeros(n_h)
        self.inputs, self.hiddens = [], []
        for x in input_tensor:
            v = np.concatenate([x, h, [1.0]])
            h = np.tanh(v @ self.W)
            self.inputs.append(v)
            self.hiddens.append(h)
        self.state = h
        hid = np.array(self.hiddens)
        self.out = 1.0 / (1.0 + np.exp(-(hid @ self.V[:-1] + self.V[-1])))
        return self.out

    def backward(self, error_tensor):
        n_in, n_h, n_out = self.sizes
        T = len(error_tensor)
        d_out = error_tensor * self.out * (1.0 - self.out)
        hid = np.array(self.hiddens)
        grad_V = np.concatenate([hid, np.ones((T, 1))], axis=1).T @ d_out
        dh_from_y = d_out @ self.V[:-1].T
        grad_W = np.zeros_like(self.W)
        dx = np.zeros((T, n_in))
        for start in range(0, T, self.bptt_length):     # each window back-propagated on its own
            stop = min(start + self.bptt_length, T)
            carry = np.zeros(n_h)
            for t in range(stop - 1, start - 1, -1):
                dpre = (dh_from_y[t] + carry) * (1.0 - self.hiddens[t] ** 2)
                grad_W += np.outer(self.inputs[t], dpre)
                dv = self.W @ dpre
                dx[t] = dv[:n_in]
                carry = dv[n_in:n_in + n_h]
        self.grad_W = grad_W
        if self.opts is not None:
            self.W = self.opts[0].calculate_update(self.W, grad_W)
            self.V = self.opts[1].calculate_update(self.V, grad_V)
        return dx

    def get_weights(self):
        return self.W.copy()

    def set_weights(self, weights):
        self.W = np.array(weights, dtype=float)

    def get_gradient_weights(self):
        return self.grad_W

    weights = property(get_weights, set_weights)
    gradient_weights = property(get_gradient_weights)

    @property
    def output_weights(self):
        return self.V.copy()

    @output_weights.setter
    def output_weights(self, value):
        self.V = np.array(value, dtype=float)

    @property
    def optimizer(self):
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value):
        self._optimizer = value
        self.opts = (copy.deepcopy(value), copy.deepcopy(value))

    def set_optimizer(self, optimizer):
        self.optimizer = optimizer

    def calculate_regularization_loss(self):
        if self._optimizer is None or self._optimizer.regularizer is None:
            return 0
        return self._optimizer.regularizer.norm(self.W) + self._optimizer.regularizer.norm(self.V)

    def initialize(self, weights_initializer, bias_initializer):
        n_in, n_h, n_out = self.sizes
        self.W = np.concatenate([weights_initializer.initialize((n_in + n_h, n_h), n_in + n_h, n_h),
                                 bias_initializer.initialize((1, n_h), 1, n_h)])
        self.V = np.concatenate([weights_initializer.initialize((n_h, n_out), n_h, n_out),
                                 bias_initializer.initialize((1, n_out), 1, n_out)])""",
    "ch04-lstm": """import copy

import numpy as np

from nnbook.framework import BaseLayer


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


class LSTM(BaseLayer):
    def __init__(self, input_size, hidden_size, output_size, bptt_length):
        super().__init__()
        self.trainable = True
        self.sizes = (input_size, hidden_size, output_size)
        self.bptt_length = bptt_length
        self.W = np.random.rand(input_size + hidden_size + 1, 4 * hidden_size)
        self.V = np.random.rand(hidden_size + 1, output_size)
        self.h_state = np.zeros(hidden_size)
        self.c_state = np.zeros(hidden_size)
        self.keep = False
        self._optimizer = None
        self.opts = None
        self.grad_W = None

    def toggle_memory(self):
        self.keep = not self.keep

    def forward(self, input_tensor):
        n_in, n_h, n_out = self.sizes
        if not self.keep:
            self.h_state, self.c_state = np.zeros(n_h), np.zeros(n_h)
        h, c = self.h_state, self.c_state
        self.cache = []
        outs = []
        for x in input_tensor:
            v = np.concatenate([x, h, [1.0]])
            a = v @ self.W
            i, f = _sig(a[:n_h]), _sig(a[n_h:2 * n_h])
            g, o = np.tanh(a[2 * n_h:3 * n_h]), _sig(a[3 * n_h:])
            c_prev = c
            c = f * c_prev + i * g
            h = o * np.tanh(c)
            y = _sig(np.append(h, 1.0) @ self.V)
            self.cache.append((v, i, f, g, o, c_prev, c, h, y))
            outs.append(y)
        self.h_state, self.c_state = h, c
        return np.array(outs)

    def backward(self, error_tensor):
        n_in, n_h, n_out = self.sizes
        T = len(error_tensor)
        grad_W, grad_V = np.zeros_like(self.W), np.zeros_like(self.V)
        dx = np.zeros((T, n_in))
        for start in range(0, T, self.bptt_length):
            stop = min(start + self.bptt_length, T)
            dh_next, dc_next = np.zeros(n_h), np.zeros(n_h)
            for t in range(stop - 1, start - 1, -1):
                v, i, f, g, o, c_prev, c, h, y = self.cache[t]
                dy = error_tensor[t] * y * (1.0 - y)
                grad_V += np.outer(np.append(h, 1.0), dy)
                dh = self.V[:-1] @ dy + dh_next
                tc = np.tanh(c)
                dc = dh * o * (1.0 - tc ** 2) + dc_next
                da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                     dc * i * (1 - g ** 2), dh * tc * o * (1 - o)])
                grad_W += np.outer(v, da)
                dv = self.W @ da
                dx[t] = dv[:n_in]
                dh_next, dc_next = dv[n_in:n_in + n_h], dc * f
        self.grad_W = grad_W
        if self.opts is not None:
            self.W = self.opts[0].calculate_update(self.W, grad_W)
            self.V = self.opts[1].calculate_update(self.V, grad_V)
        return dx

    def get_weights(self):
        return self.W.copy()

    def set_weights(self, weights):
        self.W = np.array(weights, dtype=float)

    def get_gradient_weights(self):
        return self.grad_W

    weights = property(get_weights, set_weights)
    gradient_weights = property(get_gradient_weights)

    @property
    def output_weights(self):
        return self.V.copy()

    @output_weights.setter
    def output_weights(self, value):
        self.V = np.array(value, dtype=float)

    @property
    def optimizer(self):
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value):
        self._optimizer = value
        self.opts = (copy.deepcopy(value), copy.deepcopy(value))

    def set_optimizer(self, optimizer):
        self.optimizer = optimizer

    def calculate_regularization_loss(self):
        if self._optimizer is None or self._optimizer.regularizer is None:
            return 0
        return self._optimizer.regularizer.norm(self.W) + self._optimizer.regularizer.norm(self.V)

    def initialize(self, weights_initializer, bias_initializer):
        n_in, n_h, n_out = self.sizes
        self.W = np.concatenate([weights_initializer.initialize((n_in + n_h, 4 * n_h), n_in + n_h, 4 * n_h),
                                 bias_initializer.initialize((1, 4 * n_h), 1, 4 * n_h)])
        self.V = np.concatenate([weights_initializer.initialize((n_h, n_out), n_h, n_out),
                                 bias_initializer.initialize((1, n_out), 1, n_out)])""",
}

# The short training run in the hidden tests must not hinge on how an answer draws its random numbers:
# the right answers again, each first drawing a seed-dependent number of values from NumPy's global
# generator (the one the initializers use), so that the network trains from other initial weights.
_DRAW = "        self.trainable = True\n"
assert all(RIGHT[g].count(_DRAW) == 1 for g in ("ch04-rnn", "ch04-lstm"))
RESEED = {
    g: (RIGHT[g].replace(_DRAW, _DRAW + "        np.random.rand(7 * __SEED__ + 1)\n"), [1, 2, 3, 4])
    for g in ("ch04-rnn", "ch04-lstm")
}
