"""Chapter 6: the four MNIST models (linear, MLP, MLP + dropout, CNN) in Keras 3 and PyTorch, the
truncated-normal initialiser, weight copying across frameworks, and the training loop that the
notebook and ``benchmarks/bench_ch06.py`` share.

Every model maps flat images ``(batch, 784)`` with values in [0, 1] to 10 logits; the softmax lives
in the loss (``from_logits=True`` / ``F.cross_entropy``), which is the numerically stable way to
compute softmax followed by cross-entropy.

Keras and TensorFlow are imported lazily, so that a PyTorch-only user never pays for them.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

N_INPUT, N_CLASSES = 784, 10
IMAGE = (28, 28)
HIDDEN = (1500, 1500, 1500)
INIT_SD = 0.01          # sd parameter of the truncated normal for weights
TRUNCATE = 2.0          # values beyond TRUNCATE * INIT_SD are redrawn
# Biases start at +0.1, the "slightly positive bias to avoid dead neurons" of the TensorFlow tutorial that
# the exercise sheet follows; in the sheet's threshold notation h = W x - theta that is theta = -0.1.
# A bias of -0.1 switches off every ReLU unit of the second and later layers at the start (their inputs
# are tiny), so no gradient reaches any hidden weight and the MLP and the CNN never train.
BIAS_INIT = 0.1
CONV = ((5, 32), (5, 64))  # (kernel size, feature maps) of the two convolution layers
MODEL_NAMES = ("linear", "mlp", "mlp_dropout", "cnn")
LABELS = {"linear": "linear", "mlp": "MLP 3x1500", "mlp_dropout": "MLP 3x1500 + dropout", "cnn": "CNN"}
SGD_LR = 0.5
ADAM = dict(lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)


# ----------------------------------------------------------------------------- truncated normal
def truncated_normal_sd(sd: float = 1.0, k: float = TRUNCATE) -> float:
    """Standard deviation of N(0, sd^2) restricted to [-k sd, k sd]:
    ``sd * sqrt(1 - 2 k phi(k) / (2 Phi(k) - 1))`` (about 0.8796 sd for k = 2)."""
    phi = math.exp(-k * k / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(k / math.sqrt(2))  # 2 Phi(k) - 1
    return sd * math.sqrt(1 - 2 * k * phi / mass)


def truncated_normal_cdf(x, sd: float = 1.0, k: float = TRUNCATE) -> np.ndarray:
    """CDF of N(0, sd^2) truncated to [-k sd, k sd] (for goodness-of-fit tests)."""
    z = np.clip(np.asarray(x, dtype=np.float64) / sd, -k, k)
    erf = np.vectorize(math.erf, otypes=[float])
    return (erf(z / math.sqrt(2)) + math.erf(k / math.sqrt(2))) / (2 * math.erf(k / math.sqrt(2)))


def ks_statistic(samples, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Kolmogorov-Smirnov distance between the empirical CDF of `samples` and `cdf`."""
    x = np.sort(np.asarray(samples, dtype=np.float64).ravel())
    n = len(x)
    c = cdf(x)
    return float(max(np.max(np.arange(1, n + 1) / n - c), np.max(c - np.arange(n) / n)))


def truncated_normal_numpy(shape, sd: float = INIT_SD, rng=None, k: float = TRUNCATE) -> np.ndarray:
    """Draw N(0, sd^2) and redraw every value beyond k sd until none is left (float32)."""
    rng = np.random.default_rng(rng)
    out = rng.normal(0.0, sd, size=shape)
    bad = np.abs(out) > k * sd
    while bad.any():
        out[bad] = rng.normal(0.0, sd, size=int(bad.sum()))
        bad = np.abs(out) > k * sd
    return out.astype(np.float32)


def torch_trunc_normal_(tensor, sd: float = INIT_SD, k: float = TRUNCATE):
    """In place: PyTorch's truncated normal. Its bounds `a`, `b` are absolute values, not multiples
    of the sd, so they must be scaled: ``a=-k*sd, b=k*sd`` (the defaults -2, 2 would not truncate)."""
    import torch

    return torch.nn.init.trunc_normal_(tensor, mean=0.0, std=sd, a=-k * sd, b=k * sd)


def keras_trunc_normal(seed=None):
    """Keras' truncated normal: values beyond 2 sd are redrawn (the 2 is fixed by Keras)."""
    import keras

    return keras.initializers.TruncatedNormal(mean=0.0, stddev=INIT_SD, seed=seed)


# ----------------------------------------------------------------------------- Keras models
def keras_linear():
    """Softmax regression h = W x - theta with W, theta = 0 (Keras stores W^T as the kernel and
    b = -theta as the bias)."""
    import keras

    return keras.Sequential([keras.Input((N_INPUT,)),
                             keras.layers.Dense(N_CLASSES, kernel_initializer="zeros",
                                                bias_initializer="zeros", name="linear")], name="linear")


def keras_mlp(hidden=HIDDEN, dropout: float = 0.0, seed=None):
    import keras

    layers = [keras.Input((N_INPUT,))]
    for i, n in enumerate(hidden):
        layers.append(keras.layers.Dense(n, activation="relu", name=f"hidden{i + 1}",
                                         kernel_initializer=keras_trunc_normal(None if seed is None else seed + i),
                                         bias_initializer=keras.initializers.Constant(BIAS_INIT)))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout{i + 1}"))
    layers.append(keras.layers.Dense(N_CLASSES, name="output",
                                     kernel_initializer=keras_trunc_normal(None if seed is None else seed + 99),
                                     bias_initializer=keras.initializers.Constant(BIAS_INIT)))
    return keras.Sequential(layers, name="mlp_dropout" if dropout else "mlp")


def keras_cnn(seed=None):
    import keras

    L = keras.layers
    init = lambda i: dict(kernel_initializer=keras_trunc_normal(None if seed is None else seed + i),
                          bias_initializer=keras.initializers.Constant(BIAS_INIT))
    (k1, c1), (k2, c2) = CONV
    return keras.Sequential([
        keras.Input((N_INPUT,)), L.Reshape((*IMAGE, 1), name="to_image"),
        L.Conv2D(c1, k1, padding="same", activation="relu", name="conv1", **init(0)),
        L.MaxPooling2D(2, strides=2, name="pool1"),
        L.Conv2D(c2, k2, padding="same", activation="relu", name="conv2", **init(1)),
        L.MaxPooling2D(2, strides=2, name="pool2"),
        L.Flatten(name="flatten"),
        L.Dense(N_CLASSES, name="output", **init(2)),
    ], name="cnn")


# ----------------------------------------------------------------------------- PyTorch models
def _torch_init(module):
    import torch

    if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)):
        torch_trunc_normal_(module.weight)
        torch.nn.init.constant_(module.bias, BIAS_INIT)


def torch_linear():
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(N_INPUT, N_CLASSES))
    torch.nn.init.zeros_(model[0].weight)
    torch.nn.init.zeros_(model[0].bias)
    return model


def torch_mlp(hidden=HIDDEN, dropout: float = 0.0):
    import torch

    layers, n_in = [], N_INPUT
    for n in hidden:
        layers += [torch.nn.Linear(n_in, n), torch.nn.ReLU()]
        if dropout:
            layers.append(torch.nn.Dropout(dropout))
        n_in = n
    layers.append(torch.nn.Linear(n_in, N_CLASSES))
    model = torch.nn.Sequential(*layers)
    model.apply(_torch_init)
    return model


def torch_cnn():
    import torch

    nn = torch.nn
    (k1, c1), (k2, c2) = CONV
    h, w = IMAGE[0] // 4, IMAGE[1] // 4
    model = nn.Sequential(
        nn.Unflatten(1, (1, *IMAGE)),
        nn.Conv2d(1, c1, k1, padding=k1 // 2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(c1, c2, k2, padding=k2 // 2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(c2 * h * w, N_CLASSES),
    )
    model.apply(_torch_init)
    return model


KERAS_BUILDERS = {"linear": keras_linear, "mlp": keras_mlp, "mlp_dropout": lambda: keras_mlp(dropout=0.5),
                  "cnn": keras_cnn}
TORCH_BUILDERS = {"linear": torch_linear, "mlp": torch_mlp, "mlp_dropout": lambda: torch_mlp(dropout=0.5),
                  "cnn": torch_cnn}
OPTIMIZER = {"linear": "sgd", "mlp": "adam", "mlp_dropout": "adam", "cnn": "adam"}


def dense_params(sizes) -> int:
    """Weights and biases of a chain of dense layers with the given widths: sum (n_in + 1) n_out."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def param_count(name: str) -> int:
    """Parameter count of a named model from its shape, by formula (not by building it)."""
    if name == "linear":
        return dense_params([N_INPUT, N_CLASSES])
    if name in ("mlp", "mlp_dropout"):
        return dense_params([N_INPUT, *HIDDEN, N_CLASSES])
    if name == "cnn":
        (k1, c1), (k2, c2) = CONV
        flat = c2 * (IMAGE[0] // 4) * (IMAGE[1] // 4)
        return (k1 * k1 * 1 + 1) * c1 + (k2 * k2 * c1 + 1) * c2 + (flat + 1) * N_CLASSES
    raise ValueError(f"unknown model {name!r}; use one of {MODEL_NAMES}")


# ----------------------------------------------------------------------------- across frameworks
def keras_weighted_layers(kmodel):
    import keras

    return [l for l in kmodel.layers if isinstance(l, (keras.layers.Dense, keras.layers.Conv2D))]


def torch_weighted_layers(tmodel):
    import torch

    return [m for m in tmodel.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]


def keras_dense_after_conv_to_torch(kernel: np.ndarray, channels: int) -> np.ndarray:
    """A Keras Dense kernel (H*W*C, out) that reads a channels-last flattened feature map, as a torch
    Linear weight (out, C*H*W) that reads a channels-first flattened one (square maps assumed)."""
    n_in, n_out = kernel.shape
    side = math.isqrt(n_in // channels)
    if side * side * channels != n_in:
        raise ValueError(f"a Dense kernel with {n_in} inputs does not read a square map of {channels} channels")
    return kernel.reshape(side, side, channels, n_out).transpose(3, 2, 0, 1).reshape(n_out, n_in)


def copy_keras_to_torch(kmodel, tmodel) -> None:
    """Copy every Dense/Conv2D weight of a Keras model into the matching Linear/Conv2d of a torch
    model, layer by layer in order, converting layouts: Dense kernel (in, out) -> weight (out, in);
    Conv2D kernel HWIO -> OIHW; a Dense after a convolution also gets its inputs reordered from the
    (h, w, c) flatten order of Keras to the (c, h, w) order of torch."""
    import keras
    import torch

    klayers, tlayers = keras_weighted_layers(kmodel), torch_weighted_layers(tmodel)
    if len(klayers) != len(tlayers):
        raise ValueError(f"{len(klayers)} Keras layers with weights but {len(tlayers)} torch layers")
    channels = None  # channels of the last convolution seen, if any
    with torch.no_grad():
        for kl, tl in zip(klayers, tlayers):
            kernel, bias = (np.asarray(w) for w in kl.get_weights())
            if isinstance(kl, keras.layers.Conv2D):
                weight = kernel.transpose(3, 2, 0, 1)
                channels = kernel.shape[-1]
            elif channels is not None:
                weight = keras_dense_after_conv_to_torch(kernel, channels)
                channels = None
            else:
                weight = kernel.T
            if tuple(tl.weight.shape) != weight.shape:
                raise ValueError(f"{kl.name}: converted weight {weight.shape} does not fit torch {tuple(tl.weight.shape)}")
            tl.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            tl.bias.copy_(torch.from_numpy(bias))


# ----------------------------------------------------------------------------- training
def accuracy(logits, labels) -> float:
    """Fraction of rows whose largest logit is at the label."""
    logits = logits.detach().cpu().numpy() if hasattr(logits, "detach") else np.asarray(logits)
    labels = labels.detach().cpu().numpy() if hasattr(labels, "detach") else np.asarray(labels)
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def keras_optimizer(kind: str):
    import keras

    if kind == "sgd":
        return keras.optimizers.SGD(learning_rate=SGD_LR)
    return keras.optimizers.Adam(learning_rate=ADAM["lr"], beta_1=ADAM["beta_1"], beta_2=ADAM["beta_2"],
                                 epsilon=ADAM["epsilon"])


def torch_optimizer(kind: str, params):
    import torch

    if kind == "sgd":
        return torch.optim.SGD(params, lr=SGD_LR)
    return torch.optim.Adam(params, lr=ADAM["lr"], betas=(ADAM["beta_1"], ADAM["beta_2"]), eps=ADAM["epsilon"])


def torch_train_step(model, optimizer, x, y) -> float:
    """One mini-batch step: mean cross-entropy of the logits, backward, update. Returns the loss."""
    import torch.nn.functional as F

    model.train()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def keras_train_step(model, optimizer) -> Callable:
    """A compiled (tf.function) step ``step(x, y) -> loss`` for `model` and `optimizer`."""
    import keras
    import tensorflow as tf

    optimizer.build(model.trainable_variables)

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return step


def torch_logits(model, x, batch: int = 2000) -> np.ndarray:
    import torch

    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        out = [model(torch.as_tensor(x[i:i + batch], device=device)).cpu().numpy() for i in range(0, len(x), batch)]
    return np.concatenate(out)


def keras_logits(model, x, batch: int = 2000) -> np.ndarray:
    return np.concatenate([np.asarray(model(x[i:i + batch], training=False)) for i in range(0, len(x), batch)])


def minibatches(n: int, batch: int, steps: int, seed: int = 0):
    """`steps` index arrays of size `batch`: a fresh permutation of range(n) each epoch, so every
    example is seen once per epoch (the same sequence for both frameworks given the seed)."""
    rng = np.random.default_rng(seed)
    order, pos = rng.permutation(n), 0
    for _ in range(steps):
        if pos + batch > n:
            order, pos = rng.permutation(n), 0
        yield order[pos:pos + batch]
        pos += batch


def train(framework: str, model, data, steps: int, optimizer: str, batch: int = 100, eval_every: int = 100,
          eval_n: int | None = None, seed: int = 0, show_progress: bool = True, desc: str = "") -> dict:
    """Train `model` ("keras" or "torch") on ``data = (x_train, y_train, x_test, y_test)``.

    Every `eval_every` steps (and at the end) the accuracy on the first `eval_n` training and test
    examples is logged (all of them if `eval_n` is None). Returns a dict with lists ``step``,
    ``train``, ``test``, ``loss`` (mean training loss since the last log), ``seconds`` (training time
    of steps 2, 3, ..., evaluation excluded) and ``first_seconds`` (step 1: tracing and warm-up).
    """
    from .runtime import progress

    x_train, y_train, x_test, y_test = data
    ex_train, ey_train = x_train[:eval_n], y_train[:eval_n]
    ex_test, ey_test = x_test[:eval_n], y_test[:eval_n]
    if framework == "torch":
        import torch

        device = next(model.parameters()).device
        opt = torch_optimizer(optimizer, model.parameters())
        xt = torch.as_tensor(x_train, device=device)
        yt = torch.as_tensor(y_train, device=device)
        step = lambda idx: torch_train_step(model, opt, xt[idx], yt[idx])
        logits = lambda x: torch_logits(model, x)
    elif framework == "keras":
        tf_step = keras_train_step(model, keras_optimizer(optimizer))
        step = lambda idx: float(tf_step(x_train[idx], y_train[idx]))
        logits = lambda x: keras_logits(model, x)
    else:
        raise ValueError(f"framework must be 'keras' or 'torch', not {framework!r}")
    hist = {"step": [], "train": [], "test": [], "loss": [], "seconds": 0.0, "first_seconds": 0.0}
    losses, seconds = [], 0.0
    bar = progress(total=steps, desc=desc or framework, **({} if show_progress else {"disable": True}))
    for i, idx in enumerate(minibatches(len(x_train), batch, steps, seed), start=1):
        t0 = time.perf_counter()
        losses.append(step(idx))
        if i == 1:
            hist["first_seconds"] = time.perf_counter() - t0
        else:
            seconds += time.perf_counter() - t0
        bar.update(1)
        if i % eval_every == 0 or i == steps:
            hist["step"].append(i)
            hist["train"].append(accuracy(logits(ex_train), ey_train))
            hist["test"].append(accuracy(logits(ex_test), ey_test))
            hist["loss"].append(float(np.mean(losses)))
            losses = []
            bar.set_postfix(train=f"{hist['train'][-1]:.3f}", test=f"{hist['test'][-1]:.3f}")
    bar.close()
    hist["seconds"] = seconds
    return hist


def seconds_per_100(hist: dict) -> float:
    """Training seconds per 100 iterations from a `train` history (the warm-up step left out)."""
    steps = hist["step"][-1] if hist["step"] else 0
    return 100 * hist["seconds"] / max(steps - 1, 1)
