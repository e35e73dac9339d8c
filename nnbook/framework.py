"""A small layer framework in NumPy, the GIVEN code of chapter 4 (the students add recurrent layers).

It follows the course's framework API, so that code written for it drops in unchanged:

* every layer derives from `BaseLayer` (``trainable``, ``testing_phase``) and has
  ``forward(input_tensor)`` and ``backward(error_tensor)``; the first axis is the batch axis
  (for the recurrent layers of chapter 4: the time axis);
* trainable layers hold ``weights`` and, after ``backward``, ``gradient_weights``; they take an
  ``optimizer`` (a property) and ``initialize(weights_initializer, bias_initializer)``;
* `FullyConnected` keeps its bias as the LAST ROW of ``weights`` (the input gets a column of ones);
* optimizers have ``calculate_update(weight_tensor, gradient_tensor)`` and
  ``add_regularizer(regularizer)``; a regularizer's ``calculate_gradient(weights)`` is added to the
  update and its ``norm(weights)`` enters the loss;
* initializers have ``initialize(weights_shape, fan_in, fan_out)``;
* `NeuralNetwork` strings a data layer, layers and a loss layer together.

Missing on purpose (chapter 4's exercises): ``get_weights`` / ``set_weights`` /
``get_gradient_weights``, the TanH and Sigmoid layers, and the RNN and LSTM layers.
"""

from __future__ import annotations

import copy

import numpy as np

from .optim import ADAM, adam_step

# --------------------------------------------------------------------------------------------
# initializers


class Constant:
    def __init__(self, value=0.1):
        self.value = value

    def initialize(self, weights_shape, fan_in, fan_out):
        return np.full(weights_shape, float(self.value))


class UniformRandom:
    def initialize(self, weights_shape, fan_in, fan_out):
        return np.random.uniform(0.0, 1.0, weights_shape)


class Xavier:
    """Glorot: normal with sd sqrt(2 / (fan_in + fan_out))."""

    def initialize(self, weights_shape, fan_in, fan_out):
        return np.random.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), weights_shape)


class He:
    """He: normal with sd sqrt(2 / fan_in)."""

    def initialize(self, weights_shape, fan_in, fan_out):
        return np.random.normal(0.0, np.sqrt(2.0 / fan_in), weights_shape)


# --------------------------------------------------------------------------------------------
# regularizers and optimizers


class L2_Regularizer:  # noqa: N801  (the course's name)
    """norm(w) = alpha / 2 * sum(w**2), whose gradient is alpha * w."""

    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        return self.alpha * weights

    def norm(self, weights):
        return 0.5 * self.alpha * float(np.sum(np.square(weights)))


class L1_Regularizer:  # noqa: N801
    """norm(w) = alpha * sum(|w|), whose (sub)gradient is alpha * sign(w)."""

    def __init__(self, alpha):
        self.alpha = alpha

    def calculate_gradient(self, weights):
        return self.alpha * np.sign(weights)

    def norm(self, weights):
        return self.alpha * float(np.sum(np.abs(weights)))


class Optimizer:
    def __init__(self):
        self.regularizer = None

    def add_regularizer(self, regularizer):
        self.regularizer = regularizer

    def _decay(self, weight_tensor):
        """The regularizer's gradient, added to every update (zero without a regularizer)."""
        return 0.0 if self.regularizer is None else self.regularizer.calculate_gradient(weight_tensor)


class Sgd(Optimizer):
    def __init__(self, learning_rate):
        super().__init__()
        self.learning_rate = learning_rate

    def calculate_update(self, weight_tensor, gradient_tensor):
        return weight_tensor - self.learning_rate * (gradient_tensor + self._decay(weight_tensor))


class SgdWithMomentum(Optimizer):
    """v <- mu v - lr g;  w <- w + v  (PyTorch's SGD with momentum for a constant learning rate)."""

    def __init__(self, learning_rate, momentum_rate):
        super().__init__()
        self.learning_rate, self.momentum_rate = learning_rate, momentum_rate
        self.v = 0.0

    def calculate_update(self, weight_tensor, gradient_tensor):
        g = gradient_tensor + self._decay(weight_tensor)
        self.v = self.momentum_rate * self.v - self.learning_rate * g
        return weight_tensor + self.v


class Adam(Optimizer):
    """Kingma and Ba (2015) with bias correction (`nnbook.optim.adam_step`); mu and rho are beta_1 and
    beta_2, their defaults and eps the sheets' (`nnbook.optim.ADAM`)."""

    def __init__(self, learning_rate, mu=ADAM["beta_1"], rho=ADAM["beta_2"], eps=ADAM["epsilon"]):
        super().__init__()
        self.learning_rate, self.mu, self.rho, self.eps = learning_rate, mu, rho, eps
        self.v = self.r = 0.0
        self.k = 0

    def calculate_update(self, weight_tensor, gradient_tensor):
        g = gradient_tensor + self._decay(weight_tensor)
        self.k += 1
        self.v, self.r, step = adam_step(self.v, self.r, g, self.k, self.learning_rate, self.mu, self.rho, self.eps)
        return weight_tensor - step


# --------------------------------------------------------------------------------------------
# layers


class BaseLayer:
    def __init__(self):
        self.trainable = False
        self.testing_phase = False


class FullyConnected(BaseLayer):
    """y = [x, 1] W with W of shape (input_size + 1, output_size): the bias is W's last row."""

    def __init__(self, input_size, output_size):
        super().__init__()
        self.trainable = True
        self.input_size, self.output_size = input_size, output_size
        self.weights = np.random.uniform(0.0, 1.0, (input_size + 1, output_size))
        self.gradient_weights = None
        self._optimizer = None
        self.input_tensor = None  # [x, 1] of the last forward pass

    @property
    def optimizer(self):
        return self._optimizer

    @optimizer.setter
    def optimizer(self, optimizer):
        self._optimizer = optimizer

    def initialize(self, weights_initializer, bias_initializer):
        w = weights_initializer.initialize((self.input_size, self.output_size), self.input_size, self.output_size)
        b = bias_initializer.initialize((1, self.output_size), self.input_size, self.output_size)
        self.weights = np.vstack([w, b])

    def forward(self, input_tensor):
        self.input_tensor = np.hstack([input_tensor, np.ones((input_tensor.shape[0], 1))])
        return self.input_tensor @ self.weights

    def backward(self, error_tensor):
        self.gradient_weights = self.input_tensor.T @ error_tensor
        error = error_tensor @ self.weights[:-1].T  # before the update: the weights that ran forward
        if self._optimizer is not None:
            self.weights = self._optimizer.calculate_update(self.weights, self.gradient_weights)
        return error


def _pad_same(size, kernel, stride):
    """Zero padding (before, after) so that the output has ceil(size / stride) entries."""
    total = kernel - 1
    return total // 2, total - total // 2


class _WithBias(BaseLayer):
    """A trainable layer with separate weights and bias: the bias gets its own copy of the optimizer
    (an optimizer with state, such as Adam's moments, must not mix the two)."""

    @property
    def optimizer(self):
        return self._optimizer

    @optimizer.setter
    def optimizer(self, optimizer):
        self._optimizer = optimizer
        self._bias_optimizer = copy.deepcopy(optimizer)

    def _update(self):
        """One optimizer step for the weights and one for the bias, from the gradients just computed."""
        if self._optimizer is not None:
            self.weights = self._optimizer.calculate_update(self.weights, self.gradient_weights)
            self.bias = self._bias_optimizer.calculate_update(self.bias, self.gradient_bias)


class Conv(_WithBias):
    """2-D convolution (cross-correlation, as in every framework) with stride and 'same' padding.

    Input (batch, channels, y, x); ``convolution_shape`` = (channels, m, n);
    weights (num_kernels, channels, m, n); bias (num_kernels,); output
    (batch, num_kernels, ceil(y / sy), ceil(x / sx)).
    """

    def __init__(self, stride_shape, convolution_shape, num_kernels):
        super().__init__()
        self.trainable = True
        self.stride_shape = tuple(stride_shape) if np.ndim(stride_shape) else (stride_shape, stride_shape)
        self.convolution_shape = tuple(convolution_shape)
        self.num_kernels = num_kernels
        self.weights = np.random.uniform(0.0, 1.0, (num_kernels, *self.convolution_shape))
        self.bias = np.random.uniform(0.0, 1.0, num_kernels)
        self.gradient_weights = self.gradient_bias = None
        self._optimizer = self._bias_optimizer = None

    def initialize(self, weights_initializer, bias_initializer):
        c, m, n = self.convolution_shape
        self.weights = weights_initializer.initialize(self.weights.shape, c * m * n, self.num_kernels * m * n)
        self.bias = bias_initializer.initialize(self.bias.shape, c * m * n, self.num_kernels * m * n)

    def _columns(self, x):
        """im2col: (batch, c*m*n, out_y*out_x), one column per output position."""
        _, m, n = self.convolution_shape
        sy, sx = self.stride_shape
        (py0, py1), (px0, px1) = _pad_same(x.shape[2], m, sy), _pad_same(x.shape[3], n, sx)
        xp = np.pad(x, ((0, 0), (0, 0), (py0, py1), (px0, px1)))
        oy, ox = -(-x.shape[2] // sy), -(-x.shape[3] // sx)
        cols = np.empty((x.shape[0], x.shape[1], m, n, oy, ox))
        for i in range(m):
            for j in range(n):
                cols[:, :, i, j] = xp[:, :, i : i + sy * oy : sy, j : j + sx * ox : sx]
        return cols.reshape(x.shape[0], -1, oy * ox), (oy, ox), (py0, px0)

    def forward(self, input_tensor):
        self.input_shape = input_tensor.shape
        self.cols, (oy, ox), _ = self._columns(input_tensor)
        out = np.einsum("kc,bcp->bkp", self.weights.reshape(self.num_kernels, -1), self.cols)
        return (out + self.bias[None, :, None]).reshape(input_tensor.shape[0], self.num_kernels, oy, ox)

    def backward(self, error_tensor):
        b, c, y, x = self.input_shape
        _, m, n = self.convolution_shape
        sy, sx = self.stride_shape
        e = error_tensor.reshape(b, self.num_kernels, -1)
        self.gradient_weights = np.einsum("bkp,bcp->kc", e, self.cols).reshape(self.weights.shape)
        self.gradient_bias = e.sum(axis=(0, 2))
        dcols = np.einsum("kc,bkp->bcp", self.weights.reshape(self.num_kernels, -1), e)
        dcols = dcols.reshape(b, c, m, n, *error_tensor.shape[2:])
        (py0, py1), (px0, px1) = _pad_same(y, m, sy), _pad_same(x, n, sx)
        oy, ox = error_tensor.shape[2:]
        dxp = np.zeros((b, c, y + py0 + py1, x + px0 + px1))
        for i in range(m):  # col2im: scatter every column entry back to its input pixel
            for j in range(n):
                dxp[:, :, i : i + sy * oy : sy, j : j + sx * ox : sx] += dcols[:, :, i, j]
        self._update()
        return dxp[:, :, py0 : py0 + y, px0 : px0 + x]


class BatchNormalization(_WithBias):
    """Batch normalisation over the batch (and, for images, the spatial) axes; weights = gamma,
    bias = beta. Training uses batch statistics and updates moving averages (momentum 0.8);
    ``testing_phase`` uses the moving averages."""

    def __init__(self, channels, momentum=0.8, eps=1e-10):
        super().__init__()
        self.trainable = True
        self.channels, self.momentum, self.eps = channels, momentum, eps
        self.initialize(None, None)
        self.moving_mean = self.moving_var = None
        self.gradient_weights = self.gradient_bias = None
        self._optimizer = self._bias_optimizer = None

    def initialize(self, weights_initializer, bias_initializer):
        self.weights, self.bias = np.ones(self.channels), np.zeros(self.channels)

    def reformat(self, tensor):
        """(b, c, y, x) <-> (b*y*x, c); the way back needs the shape of the last 4-D input."""
        if tensor.ndim == 4:
            return tensor.transpose(0, 2, 3, 1).reshape(-1, self.channels)
        b, c, y, x = self.image_shape
        return tensor.reshape(b, y, x, c).transpose(0, 3, 1, 2)

    def forward(self, input_tensor):
        image = input_tensor.ndim == 4
        if image:
            self.image_shape = input_tensor.shape
        x = self.reformat(input_tensor) if image else input_tensor
        if self.testing_phase:
            mean, var = self.moving_mean, self.moving_var
        else:
            mean, var = x.mean(axis=0), x.var(axis=0)
            if self.moving_mean is None:
                self.moving_mean, self.moving_var = mean, var
            else:
                self.moving_mean = self.momentum * self.moving_mean + (1 - self.momentum) * mean
                self.moving_var = self.momentum * self.moving_var + (1 - self.momentum) * var
        self.x, self.mean, self.var = x, mean, var
        self.x_hat = (x - mean) / np.sqrt(var + self.eps)
        out = self.weights * self.x_hat + self.bias
        return self.reformat(out) if image else out

    def backward(self, error_tensor):
        image = error_tensor.ndim == 4
        e = self.reformat(error_tensor) if image else error_tensor
        self.gradient_weights = np.sum(e * self.x_hat, axis=0)
        self.gradient_bias = np.sum(e, axis=0)
        d_hat = e * self.weights
        n = e.shape[0]
        inv_std = 1.0 / np.sqrt(self.var + self.eps)
        # the usual closed form of the gradient through the batch mean and variance
        dx = inv_std / n * (n * d_hat - d_hat.sum(axis=0) - self.x_hat * np.sum(d_hat * self.x_hat, axis=0))
        self._update()
        return self.reformat(dx) if image else dx


class ReLU(BaseLayer):
    def forward(self, input_tensor):
        self.mask = input_tensor > 0
        return input_tensor * self.mask

    def backward(self, error_tensor):
        return error_tensor * self.mask


class Flatten(BaseLayer):
    def forward(self, input_tensor):
        self.shape = input_tensor.shape
        return input_tensor.reshape(input_tensor.shape[0], -1)

    def backward(self, error_tensor):
        return error_tensor.reshape(self.shape)


class SoftMax(BaseLayer):
    def forward(self, input_tensor):
        z = np.exp(input_tensor - input_tensor.max(axis=1, keepdims=True))
        self.prediction = z / z.sum(axis=1, keepdims=True)
        return self.prediction

    def backward(self, error_tensor):
        y = self.prediction
        return y * (error_tensor - np.sum(error_tensor * y, axis=1, keepdims=True))


class CrossEntropyLoss:
    """L = -sum over the batch of log(prediction at the true class); labels one-hot."""

    eps = np.finfo(float).eps

    def forward(self, prediction_tensor, label_tensor):
        self.prediction = prediction_tensor
        return float(-np.sum(label_tensor * np.log(prediction_tensor + self.eps)))

    def backward(self, label_tensor):
        return -label_tensor / (self.prediction + self.eps)


class L2Loss:
    """L = sum((prediction - label)**2); for gradient checks."""

    def forward(self, prediction_tensor, label_tensor):
        self.diff = prediction_tensor - label_tensor
        return float(np.sum(np.square(self.diff)))

    def backward(self, label_tensor):
        return 2 * self.diff


# --------------------------------------------------------------------------------------------
# the network


class NeuralNetwork:
    """data_layer.next() -> (input_tensor, label_tensor); layers; loss_layer.

    `append_layer` gives every trainable layer its own copy of the optimizer and initializes it;
    the loss of each training iteration (data loss plus every regularization loss) goes to `loss`.
    """

    def __init__(self, optimizer, weights_initializer, bias_initializer):
        self.optimizer = optimizer
        self.weights_initializer, self.bias_initializer = weights_initializer, bias_initializer
        self.loss = []
        self.layers = []
        self.data_layer = None
        self.loss_layer = None
        self._phase = "train"

    @property
    def phase(self):
        return self._phase

    @phase.setter
    def phase(self, value):
        if value not in ("train", "test"):
            raise ValueError(f"phase must be 'train' or 'test', not {value!r}")
        self._phase = value
        for layer in self.layers:
            layer.testing_phase = value == "test"

    def append_layer(self, layer):
        if layer.trainable:
            layer.optimizer = copy.deepcopy(self.optimizer)
            layer.initialize(self.weights_initializer, self.bias_initializer)
        self.layers.append(layer)

    def regularization_loss(self):
        total = 0.0
        for layer in self.layers:
            if hasattr(layer, "calculate_regularization_loss"):
                total += layer.calculate_regularization_loss()
            elif layer.trainable and getattr(layer.optimizer, "regularizer", None) is not None:
                total += layer.optimizer.regularizer.norm(layer.weights)
        return total

    def forward(self):
        self.input_tensor, self.label_tensor = self.data_layer.next()
        x = self.input_tensor
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss_layer.forward(x, self.label_tensor) + self.regularization_loss()

    def backward(self):
        error = self.loss_layer.backward(self.label_tensor)
        for layer in reversed(self.layers):
            error = layer.backward(error)
        return error

    def train(self, iterations):
        self.phase = "train"
        for _ in range(iterations):
            self.loss.append(self.forward())
            self.backward()
        return self.loss

    def test(self, input_tensor):
        self.phase = "test"
        x = input_tensor
        for layer in self.layers:
            x = layer.forward(x)
        self.phase = "train"
        return x


# --------------------------------------------------------------------------------------------
# a sequence task for the recurrent layers: a data layer of this framework's API (``next()``), used by
# chapter 4's notebook as ``framework.DelayedRecall``; it stays here because chapter modules import only
# shared ones (tests/test_border.py), so framework cannot re-export it from seqtasks


class DelayedRecall:
    """A stream of random symbols (one-hot, ``symbols`` of them); the label at time t is the symbol
    seen ``delay`` steps earlier (at the first ``delay`` steps of the stream: symbol 0). Time is the
    batch axis: each ``next()`` returns the next ``length`` steps of ONE long stream, so a layer
    that keeps its memory across calls can recall symbols from the previous chunk."""

    def __init__(self, symbols=4, delay=3, length=20, seed=0):
        self.symbols, self.delay, self.length = symbols, delay, length
        self.rng = np.random.default_rng(seed)
        self.history = np.zeros(delay, dtype=int)  # the last `delay` symbols of the stream

    def next(self):
        s = self.rng.integers(0, self.symbols, self.length)
        stream = np.concatenate([self.history, s])
        self.history = stream[len(stream) - self.delay :]
        eye = np.eye(self.symbols)
        return eye[s], eye[stream[: self.length]]
