"""Correct answers for chapter 6 written differently from the model answer: they must get full marks."""

RIGHT = {
    # torch's arg-max for both kinds of input, the result as a NumPy float32
    "ch06-accuracy": """def accuracy(logits, labels):
    logits, labels = torch.as_tensor(np.asarray(logits)), torch.as_tensor(np.asarray(labels))
    return np.float32((logits.argmax(dim=1) == labels).float().mean().item())""",
    # a functional Keras model; a PyTorch module class of its own around nn.Linear
    "ch06-linear": """def build_linear_keras():
    x = keras.Input((784,))
    h = keras.layers.Dense(10, kernel_initializer=keras.initializers.Zeros(), bias_initializer="zeros")(x)
    return keras.Model(x, h)


class ZeroLinear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(784, 10)
        with torch.no_grad():
            self.fc.weight.zero_()
            self.fc.bias.zero_()

    def forward(self, x):
        return self.fc(x)


def build_linear_torch():
    return ZeroLinear()""",
    # the closed form with the standard normal's pdf and erf, written out
    "ch06-truncsd": """pdf_k = sp.exp(-k**2 / 2) / sp.sqrt(2 * sp.pi)
trunc_sd = sigma * sp.sqrt(1 - 2 * k * pdf_k / sp.erf(k / sp.sqrt(2)))
trunc_sd""",
    # redraw by flat indices, standard normals scaled afterwards
    "ch06-truncsample": """def truncated_normal(shape, sd, rng):
    flat = rng.standard_normal(int(np.prod(shape)))
    bad = np.flatnonzero(np.abs(flat) > 2)
    while bad.size:
        flat[bad] = rng.standard_normal(bad.size)
        bad = bad[np.abs(flat[bad]) > 2]
    return (flat * sd).reshape(shape)""",
    # functional Keras models; PyTorch: named layers, and a module class of its own for the CNN
    "ch06-mlp": """def build_mlp_keras(hidden=(1500, 1500, 1500), dropout=0.0):
    x = inputs = keras.Input((784,))
    for n in hidden:
        x = keras.layers.Dense(n, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01),
                               bias_initializer=keras.initializers.Constant(0.1))(x)
        x = keras.layers.ReLU()(x)
        if dropout:
            x = keras.layers.Dropout(dropout)(x)
    out = keras.layers.Dense(10, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01),
                             bias_initializer=keras.initializers.Constant(0.1))(x)
    return keras.Model(inputs, out)


from collections import OrderedDict


def build_mlp_torch(hidden=(1500, 1500, 1500), dropout=0.0):
    # named layers in an OrderedDict (the chapter's later cells walk the model as a sequence)
    sizes, parts = [784, *hidden, 10], OrderedDict()
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        parts[f"dense{i}"] = torch.nn.Linear(a, b)
        torch.nn.init.trunc_normal_(parts[f"dense{i}"].weight, std=0.01, a=-0.02, b=0.02)
        torch.nn.init.constant_(parts[f"dense{i}"].bias, 0.1)
        if i < len(hidden):
            parts[f"relu{i}"] = torch.nn.ReLU()
            if dropout:
                parts[f"drop{i}"] = torch.nn.Dropout(dropout)
    return torch.nn.Sequential(parts)""",
    # a functional Keras model; a PyTorch module class of its own that flattens its maps channels last
    "ch06-cnn": """def build_cnn_keras():
    init = dict(kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01),
                bias_initializer=keras.initializers.Constant(0.1))
    x = inputs = keras.Input((784,))
    x = keras.layers.Reshape((28, 28, 1))(x)
    for maps in (32, 64):
        x = keras.layers.Conv2D(maps, (5, 5), padding="same", activation="relu", **init)(x)
        x = keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))(x)
    return keras.Model(inputs, keras.layers.Dense(10, **init)(keras.layers.Flatten()(x)))


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = torch.nn.Conv2d(32, 64, 5, padding=2)
        self.fc = torch.nn.Linear(64 * 7 * 7, 10)
        for layer in (self.conv1, self.conv2, self.fc):
            torch.nn.init.trunc_normal_(layer.weight, std=0.01, a=-0.02, b=0.02)
            torch.nn.init.constant_(layer.bias, 0.1)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc(x.permute(0, 2, 3, 1).flatten(1))  # channels last: another valid flatten order


def build_cnn_torch():
    return CNN()""",
    # the layers found by their weights, copied with load_state_dict
    "ch06-copy": """def copy_weights(kmodel, tmodel):
    targets = [m for m in tmodel.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    sources = [layer for layer in kmodel.layers if layer.get_weights()]
    maps = None
    for source, target in zip(sources, targets):
        kernel, bias = source.get_weights()
        if kernel.ndim == 4:
            weight = np.transpose(kernel, (3, 2, 0, 1))
            maps = kernel.shape[-1]
        else:
            if maps is not None:
                side = int(np.sqrt(kernel.shape[0] // maps))
                kernel = kernel.reshape(side, side, maps, -1).transpose(2, 0, 1, 3).reshape(kernel.shape)
                maps = None
            weight = kernel.T
        target.load_state_dict({"weight": torch.tensor(np.ascontiguousarray(weight)), "bias": torch.tensor(bias)})""",
    # log-softmax and NLL by hand in PyTorch; keras.ops and optimizer.apply in Keras
    "ch06-step": """def train_step_torch(model, optimizer, x, y):
    model.train()
    for p in model.parameters():
        p.grad = None
    loss = -torch.log_softmax(model(x), dim=1).gather(1, y.long()[:, None]).mean()
    loss.backward()
    optimizer.step()
    return loss.item()


def train_step_keras(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        log_p = logits - keras.ops.logsumexp(logits, axis=1, keepdims=True)
        loss = -keras.ops.mean(keras.ops.take_along_axis(log_p, keras.ops.cast(y, "int32")[:, None], axis=1))
    optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    return float(loss)""",
    # a while loop with its own counter, NumPy floats; one axes drawn by nnbook.plots.plot_curves
    "ch06-logging": """import numpy as np

from nnbook.plots import plot_curves


def train_and_log(run_step, logits, steps, eval_data, accuracy, every=100):
    parts = {"train": eval_data[:2], "test": eval_data[2:]}
    log = {"step": [], "train": [], "test": []}
    done = 0
    while done < steps:
        run_step()
        done += 1
        if done % every:
            continue
        log["step"].append(done)
        for part, (x, y) in parts.items():
            log[part].append(np.float64(accuracy(logits(x), y)))
    return log


def plot_accuracy(runs):
    curves = {}
    for label, h in runs.items():
        curves[f"{label}: train"] = (h["step"], h["train"])
        curves[f"{label}: test"] = (h["step"], h["test"])
    ax = plot_curves(curves, title="training (solid) and test (dashed) accuracy", xlabel="iteration")
    return ax.figure""",
}
