"""Correct answers for chapter 7 written differently from the model answer: they must get full marks."""

RIGHT = {
    # digits by rng.choice, labels as booleans turned into ints, the split as a tuple of slices
    "ch07-data-make": """def make_series(n, length=30, threshold=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.choice(10, size=(n, length))
    return X, (X.sum(axis=1) >= threshold).astype(int)


def split_series(X, y, n_train=8000):
    train, test = slice(0, n_train), slice(n_train, None)
    return tuple(a[s] for s in (train,) for a in (X, y)) + tuple(a[s] for s in (test,) for a in (X, y))""",
    # exact integer convolution with NumPy object arrays; the probability as a sympy Rational
    # (no `fractions` import here: the test cell must not need the model answer's imports)
    "ch07-prior": """def sum_counts(length, digits=10):
    counts = np.array([1], dtype=object)
    for _ in range(length):
        counts = np.convolve(counts, np.ones(digits, dtype=object))
    return [int(c) for c in counts]


def p_label_zero(length, threshold, digits=10):
    return sp.Rational(sum(sum_counts(length, digits)[:max(0, threshold)]), digits ** length)""",
    # loops over the pairs, NumPy floats
    "ch07-metrics": """def confusion_matrix(y_true, y_pred):
    cm = [[0, 0], [0, 0]]
    for t, p in zip(np.ravel(y_true), np.ravel(y_pred)):
        cm[int(t)][int(p)] += 1
    return np.array(cm)


def accuracy(y_true, y_pred):
    return np.mean(np.ravel(y_true) == np.ravel(y_pred))


def balanced_accuracy(y_true, y_pred):
    t, p = np.ravel(y_true), np.ravel(y_pred)
    recalls = [np.mean(p[t == c] == c) for c in (0, 1) if np.any(t == c)]
    return sum(recalls) / len(recalls)""",
    # a functional Keras model; a time-major PyTorch LSTM fed the input transposed, read out through h_n
    # instead of the output sequence
    "ch07-models": """def build_keras_model(units=200, input_size=1):
    x = keras.Input((None, input_size))
    h = keras.layers.LSTM(units)(x)
    return keras.Model(x, keras.layers.Dense(1, activation="sigmoid")(h))


class TorchLSTMClassifier(torch.nn.Module):
    def __init__(self, units=200, input_size=1):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size, units)
        self.head = torch.nn.Linear(units, 1)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x.transpose(0, 1))
        return self.head(h_n[-1])""",
    # the bias split in half between PyTorch's two biases; weights set through load_state_dict
    "ch07-copy": """def copy_keras_to_torch(keras_model, torch_model):
    weights = [w for layer in keras_model.layers for w in layer.get_weights()]
    kernel, recurrent, bias, w_out, b_out = weights
    state = {"weight_ih_l0": kernel.T, "weight_hh_l0": recurrent.T, "bias_ih_l0": bias / 2, "bias_hh_l0": bias / 2}
    torch_model.lstm.load_state_dict({k: torch.tensor(np.ascontiguousarray(v)) for k, v in state.items()})
    torch_model.head.load_state_dict({"weight": torch.tensor(np.ascontiguousarray(w_out.T)),
                                      "bias": torch.tensor(b_out)})""",
    # a DataLoader with a seeded generator (another valid order), per-sample losses summed over the epoch
    "ch07-train": """from torch.utils.data import DataLoader, TensorDataset


def train_torch(model, X, y, epochs, batch_size=50, lr=1e-3, class_weight=None, seed=0):
    device = next(model.parameters()).device
    data = TensorDataset(torch.tensor(np.asarray(X), dtype=torch.float32),
                         torch.tensor(np.asarray(y), dtype=torch.float32))
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)[:, None]
            per_sample = torch.nn.functional.binary_cross_entropy_with_logits(model(xb), yb, reduction="none")
            if class_weight is not None:
                per_sample = per_sample * (class_weight[1] * yb + class_weight[0] * (1 - yb))
            loss = per_sample.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(per_sample.sum())
            count += len(xb)
        losses.append(total / count)
    return losses""",
    # centred digits by hand, a GRU read through its final state, a loop of its own with NumPy's shuffle
    "ch07-encoding-model": '''import numpy as np
import torch
import torch.nn.functional as F


class DigitGRU(torch.nn.Module):
    """A GRU read through its final state."""

    def __init__(self, input_size, units=12):
        super().__init__()
        self.gru = torch.nn.GRU(input_size, units, batch_first=True)
        self.out = torch.nn.Linear(units, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


def encode_digits(X_int):
    return ((np.asarray(X_int, dtype=np.float32) - 4.5) / 3.0)[:, :, None]


def build_my_model(input_size):
    return DigitGRU(input_size)


def fit_my_model(model, X, y, seed=0):
    rng = np.random.default_rng(seed)
    X = torch.as_tensor(X)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float32)[:, None]
    n1 = float(y.sum())
    w1, w0 = len(y) / (2 * n1), len(y) / (2 * (len(y) - n1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(4):
        for idx in np.array_split(rng.permutation(len(X)), len(X) // 64):
            idx = torch.as_tensor(idx)
            w = torch.where(y[idx] > 0.5, w1, w0)
            loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx], weight=w)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model''',
}

# the training tests must pass for every valid shuffle order and initialisation: the same answers with other seeds
RESEED = {
    "ch07-train": (RIGHT["ch07-train"].replace("manual_seed(seed)", "manual_seed(seed + __SEED__)"), [7, 8, 9]),
    # the chosen model must beat the baseline whatever its initialisation and shuffle order
    "ch07-encoding-model": (
        RIGHT["ch07-encoding-model"]
        .replace("default_rng(seed)", "default_rng(seed + __SEED__)")
        .replace("return DigitGRU(input_size)", "torch.manual_seed(100 + __SEED__)\n    return DigitGRU(input_size)"),
        [7, 8, 9],
    ),
}
