"""Correct answers for chapter 8 written differently from the model answer: they must get full marks."""

RIGHT = {
    # a loop over the kernel positions, each adding a shifted slice times a channel-mixing matrix
    "ch08-conv-forward": """import numpy as np


def h_conv2d(x, w):
    B, C, H, W = np.shape(x)
    O, _, kh, kw = np.shape(w)
    Ho, Wo = H - kh + 1, W - kw + 1
    out = np.zeros((B, O, Ho, Wo), dtype=np.result_type(x, w))
    for p in range(kh):
        for q in range(kw):
            out += np.einsum("bchw,oc->bohw", x[:, :, p:p + Ho, q:q + Wo], w[:, :, p, q])
    return out""",
    # the textbook way: grad_w by windows and einsum, grad_x as a full correlation of the padded
    # output gradient with the flipped kernel; returned as a list
    "ch08-conv-grad": """import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def h_conv2d_grad(x, w, grad_out):
    O, C, kh, kw = w.shape
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))
    grad_w = np.einsum("boij,bcijpq->ocpq", grad_out, windows, optimize=True)
    padded = np.pad(grad_out, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    g_windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))
    grad_x = np.einsum("bohvpq,ocpq->bchv", g_windows, w[:, :, ::-1, ::-1], optimize=True)
    return [grad_x, grad_w]""",
    # the operation as a small class with a bound method as its gradient rule
    "ch08-conv-fn": """from nnbook import autodiff as ad


class _Conv:
    def __init__(self, x, w):
        self.x, self.w = x, w

    def grads(self, g):
        gx, gw = h_conv2d_grad(self.x.data, self.w.data, g)
        return gx, gw


def conv2d(x, w):
    x = x if isinstance(x, ad.Tensor) else ad.Tensor(x)
    w = w if isinstance(w, ad.Tensor) else ad.Tensor(w)
    return ad.Tensor(h_conv2d(x.data, w.data), parents=[x, w], backward=_Conv(x, w).grads)""",
    # bias stored as (O, 1, 1), normal initialisation, operators instead of ad.add
    "ch08-conv-layer": """import numpy as np
from nnbook import autodiff as ad


class Conv2D(ad.Module):
    def __init__(self, in_channels, out_channels, kernel_size, rng=None):
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size, kernel_size)
        rng = np.random.default_rng() if rng is None else rng
        fan_in = in_channels * kernel_size[0] * kernel_size[1]
        self.weight = ad.Parameter(rng.normal(0, np.sqrt(2 / fan_in), (out_channels, in_channels, *kernel_size)))
        self.bias = ad.Parameter(np.zeros((out_channels, 1, 1)))

    def forward(self, x):
        return conv2d(x, self.weight) + self.bias""",
    # another architecture (a Sequential with a hidden dense layer), zero_grad on the model
    "ch08-cnn": """import numpy as np
from nnbook import autodiff as ad


class CNN(ad.Module):
    def __init__(self):
        self.net = ad.Sequential(
            Conv2D(1, 8, 3), ad.ReLU(), ad.MaxPool2x2(),      # 26 -> 13
            Conv2D(8, 16, 3), ad.ReLU(), ad.MaxPool2x2(),     # 11 -> 5
            ad.Flatten(), ad.Linear(16 * 5 * 5, 32), ad.ReLU(), ad.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


def train_step(model, optimizer, x, y):
    model.zero_grad()
    loss = ad.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.data)""",
}
