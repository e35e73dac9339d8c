"""Plausible wrong answers for chapter 8: every test cell must reject them (tests/test_pipeline.py)."""

# a true convolution: the kernel flipped, as in signal processing, instead of the framework's cross-correlation
FLIPPED_FORWARD = '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def h_conv2d(x, w):
    """Cross-correlation of images x (B, C, H, W) with kernels w (O, C, kh, kw), stride 1, no padding."""
    x, w = np.asarray(x), np.asarray(w)
    windows = sliding_window_view(x, w.shape[2:], axis=(2, 3))            # (B, C, Ho, Wo, kh, kw)
    return np.einsum("bcijpq,ocpq->boij", windows, w[:, :, ::-1, ::-1], optimize=True)'''

# kernel height and width swapped when the windows are taken: right for square kernels only
SWAPPED_AXES_FORWARD = '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def h_conv2d(x, w):
    """Cross-correlation of images x (B, C, H, W) with kernels w (O, C, kh, kw), stride 1, no padding."""
    x, w = np.asarray(x), np.asarray(w)
    O, C, kh, kw = w.shape
    windows = sliding_window_view(x, (kw, kh), axis=(2, 3))              # (B, C, Ho, Wo, kw, kh)
    return np.einsum("bcijpq,ocqp->boij", windows, w, optimize=True)'''

# the input gradient as a full correlation with the kernel NOT flipped
UNFLIPPED_INPUT_GRAD = '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def h_conv2d_grad(x, w, grad_out):
    """Gradients of L with respect to x and w given grad_out = dL/dy; returns (grad_x, grad_w)."""
    x, w, g = np.asarray(x), np.asarray(w), np.asarray(grad_out)
    O, C, kh, kw = w.shape
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))              # (B, C, Ho, Wo, kh, kw)
    grad_w = np.einsum("boij,bcijpq->ocpq", g, windows, optimize=True)
    padded = np.pad(g, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    g_windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))       # (B, O, H, W, kh, kw)
    grad_x = np.einsum("bohvpq,ocpq->bchv", g_windows, w, optimize=True)
    return grad_x, grad_w'''

# the kernel gradient averaged over the batch instead of summed
MEAN_KERNEL_GRAD = '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def h_conv2d_grad(x, w, grad_out):
    """Gradients of L with respect to x and w given grad_out = dL/dy; returns (grad_x, grad_w)."""
    x, w, g = np.asarray(x), np.asarray(w), np.asarray(grad_out)
    O, C, kh, kw = w.shape
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))
    grad_w = np.einsum("boij,bcijpq->ocpq", g, windows, optimize=True) / len(x)
    padded = np.pad(g, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    g_windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))
    grad_x = np.einsum("bohvpq,ocpq->bchv", g_windows, w[:, :, ::-1, ::-1], optimize=True)
    return grad_x, grad_w'''

# "only the kernel is learnt": the input gets no gradient, so nothing flows to earlier layers
NO_INPUT_GRAD = '''from nnbook import autodiff as ad


def conv2d(x, w):
    """Differentiable cross-correlation of x (B, C, H, W) with w (O, C, kh, kw)."""
    x, w = ad.tensor(x), ad.tensor(w)

    def backward(grad_out):
        grad_x, grad_w = h_conv2d_grad(x.data, w.data, grad_out)
        return None, grad_w

    return ad.Tensor(h_conv2d(x.data, w.data), parents=(x, w), backward=backward, op="conv2d")'''

# the gradients handed back in the wrong order
SWAPPED_GRADS = '''from nnbook import autodiff as ad


def conv2d(x, w):
    """Differentiable cross-correlation of x (B, C, H, W) with w (O, C, kh, kw)."""
    x, w = ad.tensor(x), ad.tensor(w)

    def backward(grad_out):
        grad_x, grad_w = h_conv2d_grad(x.data, w.data, grad_out)
        return grad_w, grad_x

    return ad.Tensor(h_conv2d(x.data, w.data), parents=(x, w), backward=backward, op="conv2d")'''

# the bias added to the array, outside the graph: the output is right, the bias never learns
BIAS_WITHOUT_GRADIENT = '''import numpy as np
from nnbook import autodiff as ad


class Conv2D(ad.Module):
    """Convolution layer: conv2d(x, weight) + bias, weight (O, C, kh, kw), bias (O,)."""

    def __init__(self, in_channels, out_channels, kernel_size, rng=None):
        kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else tuple(kernel_size)
        rng = ad.default_rng(rng)
        bound = 1 / np.sqrt(in_channels * kh * kw)
        self.weight = ad.Parameter(rng.uniform(-bound, bound, (out_channels, in_channels, kh, kw)).astype(np.float32))
        self.bias = ad.Parameter(np.zeros(out_channels, dtype=np.float32))

    def forward(self, x):
        return ad.add(conv2d(x, self.weight), self.bias.data[:, None, None])'''

# every step adds its gradients to the previous ones: no zero_grad
NO_ZERO_GRAD = '''import numpy as np
from nnbook import autodiff as ad


class CNN(ad.Module):
    """MNIST images (B, 1, 28, 28) -> 10 logits."""

    def __init__(self, rng=None):
        rng = ad.default_rng(rng)
        self.conv1 = Conv2D(1, 8, 5, rng)
        self.conv2 = Conv2D(8, 16, 5, rng)
        self.out = ad.Linear(16 * 4 * 4, 10, rng)

    def forward(self, x):
        x = ad.maxpool2x2(ad.relu(self.conv1(x)))
        x = ad.maxpool2x2(ad.relu(self.conv2(x)))
        return self.out(ad.flatten(x))


def train_step(model, optimizer, x, y):
    """One step of training on the batch (x, y); returns the loss before the update as a float."""
    loss = ad.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()'''

# no convolution at all: an MLP on the flattened image, and the loss after the update
MLP_NOT_CNN = '''import numpy as np
from nnbook import autodiff as ad


class CNN(ad.Module):
    """MNIST images (B, 1, 28, 28) -> 10 logits."""

    def __init__(self, rng=None):
        rng = ad.default_rng(rng)
        self.hidden = ad.Linear(28 * 28, 64, rng)
        self.out = ad.Linear(64, 10, rng)

    def forward(self, x):
        return self.out(ad.relu(self.hidden(ad.flatten(x))))


def train_step(model, optimizer, x, y):
    """One step of training on the batch (x, y); returns the loss before the update as a float."""
    optimizer.zero_grad()
    ad.cross_entropy(model(x), y).backward()
    optimizer.step()
    return ad.cross_entropy(model(x), y).item()'''

WRONG = {
    "ch08-conv-forward": FLIPPED_FORWARD,
    "ch08-conv-grad": UNFLIPPED_INPUT_GRAD,
    "ch08-conv-fn": NO_INPUT_GRAD,
    "ch08-conv-layer": BIAS_WITHOUT_GRADIENT,
    "ch08-cnn": MLP_NOT_CNN,
}

# each alone, with every other answer correct
WRONG_VARIANTS = [
    {"ch08-conv-forward": SWAPPED_AXES_FORWARD},
    {"ch08-conv-grad": MEAN_KERNEL_GRAD},
    {"ch08-conv-fn": SWAPPED_GRADS},
    {"ch08-conv-layer": BIAS_WITHOUT_GRADIENT},
    {"ch08-cnn": NO_ZERO_GRAD, "_lose": ["ch08-cnn-hidden"]},
]
