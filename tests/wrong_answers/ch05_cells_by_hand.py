"""Plausible wrong answers for chapter 5: every test cell must reject them (tests/test_pipeline.py)."""

RNN_TF = '''class TFBasicRNNCell(keras.layers.Layer):
    """h_t = tanh([x_t, h_{t-1}] kernel + bias), run over (batch, time, input_size); state = (h,)."""

    def __init__(self, input_size, units, **kwargs):
        super().__init__(**kwargs)
        self.input_size, self.units = input_size, units
        self.kernel = self.add_weight(shape=(input_size + units, units), initializer="glorot_uniform",
                                      name="kernel")
        self.bias = self.add_weight(shape=(units,), initializer="zeros", name="bias")

    def zero_state(self, batch_size):
        return (tf.zeros((batch_size, self.units)),)

    def call(self, inputs, state):
        (h,) = state
        outputs = []
        for t in range(inputs.shape[1]):
            h = tf.tanh(tf.concat([h, inputs[:, t]], axis=1) @ self.kernel + self.bias)
            outputs.append(h)
        return tf.stack(outputs, axis=1), (h,)'''

RNN_TORCH = '''class TorchBasicRNNCell(torch.nn.Module):
    """h_t = tanh([x_t, h_{t-1}] kernel + bias), run over (batch, time, input_size); state = (h,)."""

    def __init__(self, input_size, units):
        super().__init__()
        self.input_size, self.units = input_size, units
        limit = np.sqrt(6.0 / (input_size + 2 * units))
        self.kernel = torch.nn.Parameter(torch.empty(input_size + units, units).uniform_(-limit, limit))
        self.bias = torch.nn.Parameter(torch.zeros(units))

    def zero_state(self, batch_size):
        return (torch.zeros(batch_size, self.units),)

    def forward(self, inputs, state):
        (h,) = state
        outputs = []
        for t in range(inputs.shape[1]):
            outputs.append(h)
            h = torch.tanh(torch.cat([inputs[:, t], h], dim=1) @ self.kernel + self.bias)
        return torch.stack(outputs, dim=1), (h,)'''

LSTM_TF = '''class TFMyLSTMCell(keras.layers.Layer):
    """An LSTM cell written by hand; gate order i, f, g, o; state = (h, c)."""

    def __init__(self, input_size, units, **kwargs):
        super().__init__(**kwargs)
        self.input_size, self.units = input_size, units
        self.kernel = self.add_weight(shape=(input_size + units, 4 * units), initializer="glorot_uniform",
                                      name="kernel")
        forget_one = np.concatenate([np.zeros(units), np.ones(units), np.zeros(2 * units)]).astype("float32")
        self.bias = self.add_weight(shape=(4 * units,), initializer=keras.initializers.Constant(forget_one),
                                    name="bias")

    def zero_state(self, batch_size):
        return (tf.zeros((batch_size, self.units)), tf.zeros((batch_size, self.units)))

    def call(self, inputs, state):
        h, c = state
        outputs = []
        for t in range(inputs.shape[1]):
            z = tf.concat([inputs[:, t], h], axis=1) @ self.kernel + self.bias
            z_i, z_f, z_o, z_g = tf.split(z, 4, axis=1)
            c = tf.sigmoid(z_f) * c + tf.sigmoid(z_i) * tf.tanh(z_g)
            h = tf.sigmoid(z_o) * tf.tanh(c)
            outputs.append(h)
        return tf.stack(outputs, axis=1), (h, c)'''

LSTM_TORCH = '''class TorchMyLSTMCell(torch.nn.Module):
    """An LSTM cell written by hand; gate order i, f, g, o; state = (h, c)."""

    def __init__(self, input_size, units):
        super().__init__()
        self.input_size, self.units = input_size, units
        limit = np.sqrt(6.0 / (input_size + 5 * units))
        self.kernel = torch.nn.Parameter(torch.empty(input_size + units, 4 * units).uniform_(-limit, limit))
        bias = torch.zeros(4 * units)
        bias[units:2 * units] = 1.0
        self.bias = torch.nn.Parameter(bias)

    def zero_state(self, batch_size):
        return (torch.zeros(batch_size, self.units), torch.zeros(batch_size, self.units))

    def forward(self, inputs, state):
        c, h = state
        outputs = []
        for t in range(inputs.shape[1]):
            z = torch.cat([inputs[:, t], h], dim=1) @ self.kernel + self.bias
            z_i, z_f, z_g, z_o = z.chunk(4, dim=1)
            c = torch.sigmoid(z_f) * c + torch.sigmoid(z_i) * torch.tanh(z_g)
            h = torch.sigmoid(z_o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (c, h)'''

WRONG = {
    # the concatenation in the wrong order, [h, x] instead of [x, h]: the kernel's rows are misread
    "ch05-rnn-tf": RNN_TF,
    # the outputs lag one step: h_{t-1} is recorded before the update
    "ch05-rnn-torch": RNN_TORCH,
    # the gate blocks read in the order i, f, o, g
    "ch05-lstm-tf": LSTM_TF,
    # the state tuple reversed: (c, h) instead of (h, c)
    "ch05-lstm-torch": LSTM_TORCH,
    # TF: a tanh on the read-out ("the targets lie in [-1, 1]"); torch: the last step only
    "ch05-readout": '''class TFReadout(keras.layers.Layer):
    """(batch, time, units) -> (batch, time, out_size), one affine map shared by all steps."""

    def __init__(self, units, out_size, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(out_size, activation="tanh")
        self.dense.build((None, units))

    def call(self, outputs):
        return self.dense(outputs)


class TorchReadout(torch.nn.Module):
    """(batch, time, units) -> (batch, time, out_size), one affine map shared by all steps."""

    def __init__(self, units, out_size):
        super().__init__()
        self.linear = torch.nn.Linear(units, out_size)

    def forward(self, outputs):
        return self.linear(outputs[:, -1:]).expand(-1, outputs.shape[1], -1)''',
    # the loss shifted by one step, as if the data were not aligned already
    "ch05-sine-loss": '''def sine_loss_tf(outputs, targets):
    """Mean over batch, time and features of (outputs - targets)**2; output t predicts target t."""
    return tf.reduce_mean(tf.square(outputs[:, :-1] - targets[:, 1:]))


def sine_loss_torch(outputs, targets):
    """Mean over batch, time and features of (outputs - targets)**2; output t predicts target t."""
    return torch.mean((outputs[:, :-1] - targets[:, 1:]) ** 2)''',
    # clipping each variable's gradient on its own instead of by the global norm
    "ch05-train-step": '''def tf_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    """One clipped gradient step in TensorFlow; returns (loss, global norm before clipping)."""
    variables = list(cell.trainable_variables) + list(readout.trainable_variables)
    with tf.GradientTape() as tape:
        outputs, _ = cell(inputs, cell.zero_state(inputs.shape[0]))
        loss = loss_fn(readout(outputs), targets)
    grads = tape.gradient(loss, variables)
    norm = tf.linalg.global_norm(grads)
    clipped = [tf.clip_by_norm(g, max_norm) for g in grads]
    optimizer.apply_gradients(zip(clipped, variables))
    return loss, norm


def torch_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    """One clipped gradient step in PyTorch; returns (loss, global norm before clipping)."""
    parameters = list(cell.parameters()) + list(readout.parameters())
    outputs, _ = cell(inputs, cell.zero_state(inputs.shape[0]))
    loss = loss_fn(readout(outputs), targets)
    optimizer.zero_grad()
    loss.backward()
    norm = torch.sqrt(sum((p.grad ** 2).sum() for p in parameters))
    for p in parameters:
        torch.nn.utils.clip_grad_norm_([p], max_norm)
    optimizer.step()
    return loss.item(), float(norm)''',
    # TF: the state is not carried on (every generated step starts from the zero state);
    # torch: teacher forcing, the true samples fed in instead of the predictions
    "ch05-generate": '''def generate_tf(cell, readout, curve, warmup):
    """Warm up on curve[:, :warmup], then feed predictions back; returns predictions of curve[:, warmup:]."""
    outputs, state = cell(curve[:, :warmup], cell.zero_state(curve.shape[0]))
    prediction = readout(outputs[:, -1:])
    generated = [prediction]
    for _ in range(curve.shape[1] - warmup - 1):
        outputs, _ = cell(prediction, cell.zero_state(curve.shape[0]))
        prediction = readout(outputs)
        generated.append(prediction)
    return tf.concat(generated, axis=1)


def generate_torch(cell, readout, curve, warmup):
    """Warm up on curve[:, :warmup], then feed predictions back; returns predictions of curve[:, warmup:]."""
    outputs, state = cell(curve[:, :warmup], cell.zero_state(curve.shape[0]))
    prediction = readout(outputs[:, -1:])
    generated = [prediction]
    for t in range(warmup, curve.shape[1] - 1):
        outputs, state = cell(curve[:, t:t + 1], state)
        prediction = readout(outputs)
        generated.append(prediction)
    return torch.cat(generated, dim=1)''',
    # the read-out forgotten in the counts, and "twice the units" for the matching RNN
    "ch05-params": '''def rnn_param_count(n_in, units, n_out):
    """kernel (n_in + units) x units, bias units, read-out units x n_out + n_out."""
    return (n_in + units) * units + units


def lstm_param_count(n_in, units, n_out):
    """kernel (n_in + units) x 4 units, bias 4 units, read-out units x n_out + n_out."""
    return 4 * ((n_in + units) * units + units)


def rnn_units_matching(lstm_units, n_in, n_out):
    """Basic-RNN units whose parameter count is closest to the LSTM's (smaller one on a tie)."""
    return 2 * lstm_units''',
    # recall measured over all positions (the easy blanks included)
    "ch05-memory-metrics": '''def memory_loss_tf(logits, targets):
    """Mean cross-entropy over all batch x time outputs."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits))


def memory_loss_torch(logits, targets):
    """Mean cross-entropy over all batch x time outputs."""
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def recall_accuracy(logits, targets, L):
    """Share of correct arg-max predictions over the last L steps."""
    logits = logits.detach().cpu().numpy() if hasattr(logits, "detach") else np.asarray(logits)
    targets = targets.detach().cpu().numpy() if hasattr(targets, "detach") else np.asarray(targets)
    return float(np.mean(logits.argmax(axis=-1) == targets))''',
}

RNN_TORCH_LAG = """            outputs.append(h)
            h = torch.tanh(torch.cat([inputs[:, t], h], dim=1) @ self.kernel + self.bias)"""
RNN_TORCH_RIGHT = """            h = torch.tanh(torch.cat([inputs[:, t], h], dim=1) @ self.kernel + self.bias)
            outputs.append(h)"""

TRAIN_TF = '''def tf_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    """One clipped gradient step in TensorFlow; returns (loss, global norm before clipping)."""
    variables = list(cell.trainable_variables) + list(readout.trainable_variables)
    with tf.GradientTape() as tape:
        outputs, _ = cell(inputs, cell.zero_state(inputs.shape[0]))
        loss = loss_fn(readout(outputs), targets)
    grads = tape.gradient(loss, variables)
    clipped, norm = tf.clip_by_global_norm(grads, max_norm)
    optimizer.apply_gradients(zip(clipped, variables, strict=True))
    return loss, norm
'''

# the torch step with the gradients never zeroed: every call adds its gradient to those of the calls before
TRAIN_NO_ZERO = (
    TRAIN_TF
    + '''

def torch_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    """One clipped gradient step in PyTorch; returns (loss, global norm before clipping)."""
    parameters = list(cell.parameters()) + list(readout.parameters())
    outputs, _ = cell(inputs, cell.zero_state(inputs.shape[0]))
    loss = loss_fn(readout(outputs), targets)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    optimizer.step()
    return loss.item(), float(norm)'''
)

# the torch step runs the cell on from the final state of the call before (a "stateful" training loop)
TRAIN_CARRY_STATE = (
    TRAIN_TF
    + '''

def torch_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    """One clipped gradient step in PyTorch; returns (loss, global norm before clipping)."""
    parameters = list(cell.parameters()) + list(readout.parameters())
    state = getattr(cell, "carried_state", None)
    if state is None or state[0].shape[0] != inputs.shape[0]:
        state = cell.zero_state(inputs.shape[0])
    outputs, final = cell(inputs, state)
    cell.carried_state = tuple(s.detach() for s in final)
    loss = loss_fn(readout(outputs), targets)
    optimizer.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    optimizer.step()
    return loss.item(), float(norm)'''
)

# the TF loss handed back as a Python float: right value, but the tape cannot differentiate it
SINE_LOSS_FLOAT = '''def sine_loss_tf(outputs, targets):
    """Mean over batch, time and features of (outputs - targets)**2; output t predicts target t."""
    return float(tf.reduce_mean(tf.square(outputs - targets)))


def sine_loss_torch(outputs, targets):
    """Mean over batch, time and features of (outputs - targets)**2; output t predicts target t."""
    return torch.mean((outputs - targets) ** 2)'''

# the TF memory loss as .numpy(): right value, not differentiable
MEMORY_NUMPY = '''def memory_loss_tf(logits, targets):
    """Mean cross-entropy over all batch x time outputs."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)).numpy()


def memory_loss_torch(logits, targets):
    """Mean cross-entropy over all batch x time outputs."""
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def recall_accuracy(logits, targets, L):
    """Share of correct arg-max predictions over the last L steps."""
    logits = logits.detach().cpu().numpy() if hasattr(logits, "detach") else np.asarray(logits)
    targets = targets.detach().cpu().numpy() if hasattr(targets, "detach") else np.asarray(targets)
    return float(np.mean(logits[:, -L:].argmax(axis=-1) == targets[:, -L:]))'''

# the Keras read-out's Dense never built in __init__: its variables appear only at the first call, too late
# for a training step that collects them first (the torch read-out is right)
READOUT_UNBUILT = '''class TFReadout(keras.layers.Layer):
    """(batch, time, units) -> (batch, time, out_size), one affine map shared by all steps."""

    def __init__(self, units, out_size, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(out_size)

    def call(self, outputs):
        return self.dense(outputs)


class TorchReadout(torch.nn.Module):
    """(batch, time, units) -> (batch, time, out_size), one affine map shared by all steps."""

    def __init__(self, units, out_size):
        super().__init__()
        self.linear = torch.nn.Linear(units, out_size)

    def forward(self, outputs):
        return self.linear(outputs)'''

WRONG_VARIANTS = [
    {
        # TensorFlow 1's BasicLSTMCell convention: forget bias 0 in the variable, +1 added inside the call
        "ch05-lstm-tf": LSTM_TF.replace(
            """            z_i, z_f, z_o, z_g = tf.split(z, 4, axis=1)
            c = tf.sigmoid(z_f) * c""",
            """            z_i, z_f, z_g, z_o = tf.split(z, 4, axis=1)
            c = tf.sigmoid(z_f + 1.0) * c""",
        ).replace("initializer=keras.initializers.Constant(forget_one)", 'initializer="zeros"'),
        # the state tuple right, but h computed from the old cell c_{t-1} (the two updates swapped)
        "ch05-lstm-torch": LSTM_TORCH.replace("        c, h = state", "        h, c = state")
        .replace("(torch.stack(outputs, dim=1), (c, h)", "(torch.stack(outputs, dim=1), (h, c)")
        .replace("return torch.stack(outputs, dim=1), (c, h)", "return torch.stack(outputs, dim=1), (h, c)")
        .replace(
            """            c = torch.sigmoid(z_f) * c + torch.sigmoid(z_i) * torch.tanh(z_g)
            h = torch.sigmoid(z_o) * torch.tanh(c)""",
            """            h = torch.sigmoid(z_o) * torch.tanh(c)
            c = torch.sigmoid(z_f) * c + torch.sigmoid(z_i) * torch.tanh(z_g)""",
        ),
        # loss and recall right, but the torch loss summed over time (mean over the batch only)
        "ch05-memory-metrics": '''def memory_loss_tf(logits, targets):
    """Mean cross-entropy over all batch x time outputs."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)[:, -1])


def memory_loss_torch(logits, targets):
    """Mean cross-entropy over all batch x time outputs."""
    per_step = torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    return per_step.sum(dim=1).mean()


def recall_accuracy(logits, targets, L):
    """Share of correct arg-max predictions over the last L steps."""
    logits = logits.detach().cpu().numpy() if hasattr(logits, "detach") else np.asarray(logits)
    targets = targets.detach().cpu().numpy() if hasattr(targets, "detach") else np.asarray(targets)
    return float(np.mean(logits[:, -L:].argmax(axis=-1) == targets[:, -L:]))''',
        "ch05-train-step": TRAIN_NO_ZERO,
        "ch05-sine-loss": SINE_LOSS_FLOAT,
        # one call of the step on a fresh model cannot see the gradients that were never zeroed
        "_lose": [
            *(
                f"ch05-{g}-{kind}"
                for g in ("lstm-tf", "lstm-torch", "memory-metrics", "sine-loss")
                for kind in ("test", "hidden")
            ),
            "ch05-train-step-hidden",
        ],
    },
    {
        # the RNN cells with zero initial weights (no symmetry breaking) but right otherwise; only the
        # hidden tests look at the initialisation
        "ch05-rnn-tf": RNN_TF.replace(
            "tf.concat([h, inputs[:, t]], axis=1)", "tf.concat([inputs[:, t], h], axis=1)"
        ).replace('initializer="glorot_uniform"', 'initializer="zeros"'),
        "ch05-rnn-torch": RNN_TORCH.replace(RNN_TORCH_LAG, RNN_TORCH_RIGHT).replace(
            ".uniform_(-limit, limit)", ".normal_(0.0, 1.0)"
        ),
        "ch05-readout": READOUT_UNBUILT,
        "ch05-memory-metrics": MEMORY_NUMPY,
        "ch05-train-step": TRAIN_CARRY_STATE,
        "_lose": [
            "ch05-rnn-tf-hidden",
            "ch05-rnn-torch-hidden",
            "ch05-readout-test",
            "ch05-readout-hidden",
            "ch05-memory-metrics-test",
            "ch05-memory-metrics-hidden",
            "ch05-train-step-hidden",
        ],
    },
]
