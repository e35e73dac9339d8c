"""Plausible wrong answers for chapter 6: every test cell must reject them (tests/test_pipeline.py)."""

WRONG = {
    # the number of correct predictions instead of the fraction
    "ch06-accuracy": '''def accuracy(logits, labels):
    """Fraction of rows of `logits` whose arg-max equals the label."""
    logits = logits.detach().cpu().numpy() if hasattr(logits, "detach") else np.asarray(logits)
    labels = labels.detach().cpu().numpy() if hasattr(labels, "detach") else np.asarray(labels)
    return float(np.sum(np.argmax(logits, axis=1) == labels))''',
    # the softmax put inside the model (as in the formula), so the models output probabilities
    "ch06-linear": """def build_linear_keras():
    return keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros", bias_initializer="zeros"),
    ])


def build_linear_torch():
    model = torch.nn.Sequential(torch.nn.Linear(784, 10), torch.nn.Softmax(dim=1))
    torch.nn.init.zeros_(model[0].weight)
    torch.nn.init.zeros_(model[0].bias)
    return model""",
    # normalised with the untruncated normal's constant sigma*sqrt(2 pi): the density is not renormalised
    "ch06-truncsd": """density = sp.exp(-x**2 / (2 * sigma**2))
variance = sp.integrate(x**2 * density, (x, -k * sigma, k * sigma)) / (sigma * sp.sqrt(2 * sp.pi))
trunc_sd = sp.sqrt(sp.simplify(variance))
trunc_sd""",
    # clipping instead of redrawing: the tails pile up at +-2 sd
    "ch06-truncsample": """def truncated_normal(shape, sd, rng):
    return np.clip(rng.normal(0.0, sd, size=shape), -2 * sd, 2 * sd)""",
    # an untruncated normal in Keras, and PyTorch's trunc_normal_ with its default bounds a=-2, b=2
    # (absolute values: with std=0.01 they truncate at 200 sd, i.e. not at all)
    "ch06-mlp": """def build_mlp_keras(hidden=(1500, 1500, 1500), dropout=0.0):
    init = dict(kernel_initializer=keras.initializers.RandomNormal(stddev=0.01),
                bias_initializer=keras.initializers.Constant(0.1))
    layers = [keras.Input((784,))]
    for n in hidden:
        layers.append(keras.layers.Dense(n, activation="relu", **init))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(10, **init))
    return keras.Sequential(layers)


def build_mlp_torch(hidden=(1500, 1500, 1500), dropout=0.0):
    layers, n_in = [], 784
    for n in hidden:
        layers += [torch.nn.Linear(n_in, n), torch.nn.ReLU()]
        if dropout > 0:
            layers.append(torch.nn.Dropout(dropout))
        n_in = n
    layers.append(torch.nn.Linear(n_in, 10))
    model = torch.nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.trunc_normal_(layer.weight, std=0.01)
            torch.nn.init.constant_(layer.bias, 0.1)
    return model""",
    # the default 'valid' padding: 28 -> 24 -> 12 -> 8 -> 4, so the dense layer reads 4*4*64 inputs
    "ch06-cnn": """def build_cnn_keras():
    init = dict(kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01),
                bias_initializer=keras.initializers.Constant(0.1))
    L = keras.layers
    return keras.Sequential([
        keras.Input((784,)), L.Reshape((28, 28, 1)),
        L.Conv2D(32, 5, activation="relu", **init), L.MaxPooling2D(2, strides=2),
        L.Conv2D(64, 5, activation="relu", **init), L.MaxPooling2D(2, strides=2),
        L.Flatten(), L.Dense(10, **init),
    ])


def build_cnn_torch():
    nn = torch.nn
    model = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(4 * 4 * 64, 10),
    )
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.trunc_normal_(layer.weight, std=0.01, a=-0.02, b=0.02)
            nn.init.constant_(layer.bias, 0.1)
    return model""",
    # kernels transposed correctly, but the flatten order (h, w, c) vs (c, h, w) forgotten
    "ch06-copy": """def copy_weights(kmodel, tmodel):
    with torch.no_grad():
        for kl, tl in zip(mm.keras_weighted_layers(kmodel), mm.torch_weighted_layers(tmodel)):
            kernel, bias = kl.get_weights()
            if isinstance(kl, keras.layers.Conv2D):
                weight = kernel.transpose(3, 2, 0, 1)
            else:
                weight = kernel.T
            tl.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            tl.bias.copy_(torch.from_numpy(np.asarray(bias)))""",
    # the loss applied to logits as if they were (log-)probabilities
    "ch06-step": """def train_step_torch(model, optimizer, x, y):
    model.train()
    optimizer.zero_grad()
    loss = F.nll_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def train_step_keras(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return float(loss)""",
    # off by one: measured before each iteration's step (iterations counted from 0); and the curves
    # plotted against the index of the entry, not against the iteration
    "ch06-logging": """import matplotlib.pyplot as plt


def train_and_log(run_step, logits, steps, eval_data, accuracy, every=100):
    x_train, y_train, x_test, y_test = eval_data
    hist = {"step": [], "train": [], "test": []}
    for i in range(steps):
        if i % every == 0:
            hist["step"].append(i)
            hist["train"].append(float(accuracy(logits(x_train), y_train)))
            hist["test"].append(float(accuracy(logits(x_test), y_test)))
        run_step()
    return hist


def plot_accuracy(runs):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for label, hist in runs.items():
        axes[0].plot(hist["train"], label=label)
        axes[1].plot(hist["test"], label=label)
    for ax, part in zip(axes, ("training", "test")):
        ax.set_title(f"{part} accuracy")
        ax.set_xlabel("iteration")
    axes[1].legend()
    return fig""",
}

WRONG_VARIANTS = [
    # the step trains in evaluation mode: dropout (and any layer that acts only in training) is off;
    # and, independent of it (its tests use toy models), the training loss logged in place of the
    # training accuracy
    {
        "ch06-step": """def train_step_torch(model, optimizer, x, y):
    model.eval()
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def train_step_keras(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=False)
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return float(loss)""",
        "ch06-logging": """import matplotlib.pyplot as plt


def train_and_log(run_step, logits, steps, eval_data, accuracy, every=100):
    x_train, y_train, x_test, y_test = eval_data
    hist = {"step": [], "train": [], "test": []}
    for i in range(1, steps + 1):
        loss = run_step()
        if i % every == 0:
            hist["step"].append(i)
            hist["train"].append(float(loss))
            hist["test"].append(float(accuracy(logits(x_test), y_test)))
    return hist


def plot_accuracy(runs):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for label, hist in runs.items():
        axes[0].plot(hist["step"], hist["train"], label=label)
        axes[1].plot(hist["step"], hist["test"], label=label)
    for ax, part in zip(axes, ("training", "test")):
        ax.set_title(f"{part} accuracy")
        ax.set_xlabel("iteration")
    return fig""",
        "_lose": ["ch06-step-hidden", "ch06-logging-test", "ch06-logging-hidden"],
    },
    # a generator of its own with a fixed seed: the result ignores the rng it is given (not reproducible
    # from the caller's seed, the same for every seed)
    {
        "ch06-truncsample": """def truncated_normal(shape, sd, rng):
    rng = np.random.default_rng(0)
    out = rng.normal(0.0, sd, size=shape)
    bad = np.abs(out) > 2 * sd
    while bad.any():
        out[bad] = rng.normal(0.0, sd, size=int(bad.sum()))
        bad = np.abs(out) > 2 * sd
    return out""",
        "_lose": ["ch06-truncsample-hidden"],  # the visible test asks nothing this mistake changes
    },
    # dropout forced on at inference in Keras (training=True fixed in the call), PyTorch right
    {
        "ch06-mlp": """def build_mlp_keras(hidden=(1500, 1500, 1500), dropout=0.0):
    init = dict(kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01),
                bias_initializer=keras.initializers.Constant(0.1))
    x = inputs = keras.Input((784,))
    for n in hidden:
        x = keras.layers.Dense(n, activation="relu", **init)(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x, training=True)
    return keras.Model(inputs, keras.layers.Dense(10, **init)(x))


def build_mlp_torch(hidden=(1500, 1500, 1500), dropout=0.0):
    layers, n_in = [], 784
    for n in hidden:
        layers += [torch.nn.Linear(n_in, n), torch.nn.ReLU()]
        if dropout > 0:
            layers.append(torch.nn.Dropout(dropout))
        n_in = n
    layers.append(torch.nn.Linear(n_in, 10))
    model = torch.nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.trunc_normal_(layer.weight, std=0.01, a=-0.02, b=0.02)
            torch.nn.init.constant_(layer.bias, 0.1)
    return model""",
        "_lose": ["ch06-mlp-hidden"],  # the visible test asks nothing this mistake changes
    },
    # an extra dropout before the read-out, which the exercise's CNN does not have (it acts in training only)
    {
        "ch06-cnn": """def build_cnn_keras():
    init = dict(kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.01),
                bias_initializer=keras.initializers.Constant(0.1))
    L = keras.layers
    return keras.Sequential([
        keras.Input((784,)), L.Reshape((28, 28, 1)),
        L.Conv2D(32, 5, padding="same", activation="relu", **init), L.MaxPooling2D(2, strides=2),
        L.Conv2D(64, 5, padding="same", activation="relu", **init), L.MaxPooling2D(2, strides=2),
        L.Flatten(), L.Dropout(0.5), L.Dense(10, **init),
    ])


def build_cnn_torch():
    nn = torch.nn
    model = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(7 * 7 * 64, 10),
    )
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.trunc_normal_(layer.weight, std=0.01, a=-0.02, b=0.02)
            nn.init.constant_(layer.bias, 0.1)
    return model""",
        "_lose": ["ch06-cnn-hidden"],  # the visible test asks nothing this mistake changes
    },
]
