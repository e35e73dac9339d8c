"""Plausible wrong answers for chapter 7: every test cell must reject them (tests/test_pipeline.py)."""

WRONG = {
    # "above 100" read as strictly greater: series that sum to exactly the threshold get label 0
    "ch07-data-make": '''def make_series(n, length=30, threshold=100, seed=0):
    """n series of `length` uniform digits 0..9 and their labels (sum >= threshold)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 10, size=(n, length))
    y = (X.sum(axis=1) > threshold).astype(np.int64)
    return X, y


def split_series(X, y, n_train=8000):
    """The first n_train series train, the others test: X_train, y_train, X_test, y_test."""
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]''',
    # right convolution, but P(sum <= threshold) instead of P(sum < threshold)
    "ch07-prior": '''from fractions import Fraction


def sum_counts(length, digits=10):
    """Exact counts of the series of `length` digits 0..digits-1 by their sum."""
    counts = [1]
    for _ in range(length):
        new = [0] * (len(counts) + digits - 1)
        for s, c in enumerate(counts):
            for d in range(digits):
                new[s + d] += c
        counts = new
    return counts


def p_label_zero(length, threshold, digits=10):
    """Exact P(sum < threshold) for `length` uniform digits 0..digits-1."""
    counts = sum_counts(length, digits)
    return Fraction(sum(counts[:max(0, threshold + 1)]), digits**length)''',
    # confusion matrix with the prediction in the rows, so "balanced accuracy" becomes mean precision
    "ch07-metrics": '''def confusion_matrix(y_true, y_pred):
    """[[TN, FP], [FN, TP]]: rows the true class, columns the predicted class."""
    t = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(y_pred).astype(int).ravel()
    return np.bincount(2 * p + t, minlength=4).reshape(2, 2)


def accuracy(y_true, y_pred):
    """Share of correct predictions."""
    cm = confusion_matrix(y_true, y_pred)
    return np.trace(cm) / cm.sum()


def balanced_accuracy(y_true, y_pred):
    """Mean recall over the classes that occur in y_true."""
    cm = confusion_matrix(y_true, y_pred)
    support = cm.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(cm)[present] / support[present]))''',
    # every step read out: Keras returns a sequence of outputs, PyTorch averages the hidden states over time
    "ch07-models": '''def build_keras_model(units=200, input_size=1):
    """Input (batch, T, input_size) -> LSTM(units) at the last step -> Dense(1, sigmoid)."""
    return keras.Sequential([
        keras.Input((None, input_size)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


class TorchLSTMClassifier(torch.nn.Module):
    """nn.LSTM (batch_first) -> last step -> nn.Linear(units, 1); forward returns the logit."""

    def __init__(self, units=200, input_size=1):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size, units, batch_first=True)
        self.head = torch.nn.Linear(units, 1)

    def forward(self, x):
        outputs, _ = self.lstm(x)
        return self.head(outputs.mean(dim=1))''',
    # Keras' single bias copied into both PyTorch biases: the gates see it twice
    "ch07-copy": '''def copy_keras_to_torch(keras_model, torch_model):
    """Copy LSTM + Dense weights from Keras into torch_model.lstm / torch_model.head (in place)."""
    lstm = next(l for l in keras_model.layers if isinstance(l, keras.layers.LSTM))
    dense = next(l for l in keras_model.layers if isinstance(l, keras.layers.Dense))
    kernel, recurrent, bias = lstm.get_weights()
    w_out, b_out = dense.get_weights()
    with torch.no_grad():
        torch_model.lstm.weight_ih_l0.copy_(torch.tensor(kernel.T))
        torch_model.lstm.weight_hh_l0.copy_(torch.tensor(recurrent.T))
        torch_model.lstm.bias_ih_l0.copy_(torch.tensor(bias))
        torch_model.lstm.bias_hh_l0.copy_(torch.tensor(bias))
        torch_model.head.weight.copy_(torch.tensor(w_out.T))
        torch_model.head.bias.copy_(torch.tensor(b_out))''',
    # class_weight accepted but never applied: the plain loss, which sits at the majority class
    "ch07-train": '''def train_torch(model, X, y, epochs, batch_size=50, lr=1e-3, class_weight=None, seed=0):
    """Train a logit model with (weighted) BCE and Adam; return the mean loss of each epoch."""
    device = next(model.parameters()).device
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device).reshape(-1, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    generator = torch.Generator().manual_seed(seed)
    history = []
    model.train()
    for _ in nnbook.progress(range(epochs), desc="PyTorch epochs"):
        order = torch.randperm(len(X), generator=generator).to(device)
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        history.append(total / len(X))
    return history''',
    # a model that ignores the series: one learnt logit, so every series gets the same label
    "ch07-encoding-model": '''class ConstantModel(torch.nn.Module):
    """Ignores the series: one learnt logit for every input."""

    def __init__(self):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return self.bias.expand(x.shape[0], 1)


def encode_digits(X_int):
    return series.encode(X_int)


def build_my_model(input_size):
    return ConstantModel()


def fit_my_model(model, X, y, seed=0):
    train_torch(model, X, y, 3, lr=1e-2, class_weight=series.balanced_class_weight(y), seed=seed)''',
}

WRONG_VARIANTS = [
    {
        # the epoch's loss as the plain mean of the batch losses: the smaller last batch counts as much
        # as a full one (invisible with one full batch)
        "ch07-train": """def train_torch(model, X, y, epochs, batch_size=50, lr=1e-3, class_weight=None, seed=0):
    device = next(model.parameters()).device
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device).reshape(-1, 1)
    weights = None
    if class_weight is not None:
        weights = torch.where(y > 0.5, float(class_weight[1]), float(class_weight[0]))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    generator = torch.Generator().manual_seed(seed)
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(device)
        batch_losses = []
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx],
                                                      weight=None if weights is None else weights[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history.append(float(np.mean(batch_losses)))
    return history""",
        # a dropout on the last step that only acts in training: the model that is trained is another one
        "ch07-models": """def build_keras_model(units=200, input_size=1):
    return keras.Sequential([keras.Input((None, input_size)), keras.layers.LSTM(units), keras.layers.Dropout(0.3),
                             keras.layers.Dense(1, activation="sigmoid")])


class TorchLSTMClassifier(torch.nn.Module):
    def __init__(self, units=200, input_size=1):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size, units, batch_first=True)
        self.drop = torch.nn.Dropout(0.3)
        self.head = torch.nn.Linear(units, 1)

    def forward(self, x):
        return self.head(self.drop(self.lstm(x)[0][:, -1]))""",
    },
    {
        # trains in whatever mode the model comes in (here evaluation mode): layers that act only in
        # training are off during training
        "ch07-train": """def train_torch(model, X, y, epochs, batch_size=50, lr=1e-3, class_weight=None, seed=0):
    device = next(model.parameters()).device
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device).reshape(-1, 1)
    weights = None
    if class_weight is not None:
        weights = torch.where(y > 0.5, float(class_weight[1]), float(class_weight[0]))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    generator = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(device)
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx],
                                                      weight=None if weights is None else weights[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        history.append(total / len(X))
    return history""",
    },
    {
        # the order drawn from the global random state, not from the seed it is given: the run is not
        # reproducible (visible tests use one full batch, where the order does not matter); fit_my_model,
        # which calls train_torch, inherits it
        "ch07-train": """def train_torch(model, X, y, epochs, batch_size=50, lr=1e-3, class_weight=None, seed=0):
    device = next(model.parameters()).device
    X = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    y = torch.as_tensor(np.asarray(y), dtype=torch.float32, device=device).reshape(-1, 1)
    weights = None
    if class_weight is not None:
        weights = torch.where(y > 0.5, float(class_weight[1]), float(class_weight[0]))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    history = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X)).to(device)
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx],
                                                      weight=None if weights is None else weights[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        history.append(total / len(X))
    return history""",
        "_lose": ["ch07-train-hidden", "ch07-encoding-model-hidden"],
    },
]
