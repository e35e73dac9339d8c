"""Correct answers for chapter 5 written differently from the model answer: they must get full marks."""

RIGHT = {
    # two matrix products on slices of the kernel instead of a concatenation, Glorot normal, keras.ops
    "ch05-rnn-tf": """class TFBasicRNNCell(keras.layers.Layer):
    def __init__(self, input_size, units, **kwargs):
        super().__init__(**kwargs)
        self.input_size, self.units = input_size, units
        self.kernel = self.add_weight(shape=(input_size + units, units),
                                      initializer=keras.initializers.GlorotNormal(seed=1), name="W")
        self.bias = self.add_weight(shape=(units,), initializer="zeros", name="b")

    def zero_state(self, batch_size):
        return [keras.ops.zeros((batch_size, self.units))]

    def call(self, inputs, state):
        h = state[0]
        w_x, w_h = self.kernel[:self.input_size], self.kernel[self.input_size:]
        steps = []
        for x_t in tf.unstack(inputs, axis=1):
            h = keras.ops.tanh(keras.ops.matmul(x_t, w_x) + keras.ops.matmul(h, w_h) + self.bias)
            steps.append(h)
        return keras.ops.stack(steps, axis=1), [h]""",
    # torch's own default initialisation U(-1/sqrt(h), 1/sqrt(h)), addmm, a list as the state
    "ch05-rnn-torch": """import math


class TorchBasicRNNCell(torch.nn.Module):
    def __init__(self, input_size, units):
        super().__init__()
        self.input_size, self.units = input_size, units
        bound = 1 / math.sqrt(units)
        self.kernel = torch.nn.Parameter(torch.nn.init.uniform_(torch.empty(input_size + units, units), -bound, bound))
        self.register_parameter("bias", torch.nn.Parameter(torch.zeros(units)))

    def zero_state(self, batch_size):
        return [torch.zeros(batch_size, self.units)]

    def forward(self, inputs, state):
        h = state[0]
        out = inputs.new_empty(inputs.shape[0], inputs.shape[1], self.units)
        for t in range(inputs.shape[1]):
            h = torch.tanh(torch.addmm(self.bias, torch.cat((inputs[:, t], h), 1), self.kernel))
            out[:, t] = h
        return out, [h]""",
    # gates sliced by index, the forget bias assigned after creating the variable, tf.TensorArray
    "ch05-lstm-tf": """class TFMyLSTMCell(keras.layers.Layer):
    def __init__(self, input_size, units, **kwargs):
        super().__init__(**kwargs)
        self.input_size, self.units = input_size, units
        self.kernel = self.add_weight(shape=(input_size + units, 4 * units), initializer="glorot_normal")
        self.bias = self.add_weight(shape=(4 * units,), initializer="zeros")
        self.bias.assign(tf.concat([tf.zeros(units), tf.ones(units), tf.zeros(2 * units)], 0))

    def zero_state(self, batch_size):
        z = tf.zeros([batch_size, self.units])
        return z, z

    def call(self, inputs, state):
        h, c = state
        u = self.units
        out = tf.TensorArray(tf.float32, size=inputs.shape[1])
        for t in range(inputs.shape[1]):
            z = tf.matmul(tf.concat([inputs[:, t, :], h], -1), self.kernel) + self.bias
            i = tf.math.sigmoid(z[:, :u])
            f = tf.math.sigmoid(z[:, u:2 * u])
            g = tf.math.tanh(z[:, 2 * u:3 * u])
            o = tf.math.sigmoid(z[:, 3 * u:])
            c = f * c + i * g
            h = o * tf.math.tanh(c)
            out = out.write(t, h)
        return tf.transpose(out.stack(), [1, 0, 2]), (h, c)""",
    # separate products for x and h, xavier_uniform_ from torch.nn.init, gates by torch.split
    "ch05-lstm-torch": """class TorchMyLSTMCell(torch.nn.Module):
    def __init__(self, input_size, units):
        super().__init__()
        self.input_size, self.units = input_size, units
        self.kernel = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(input_size + units, 4 * units)))
        self.bias = torch.nn.Parameter(torch.cat([torch.zeros(units), torch.ones(units), torch.zeros(2 * units)]))

    def zero_state(self, batch_size):
        return torch.zeros(batch_size, self.units), torch.zeros(batch_size, self.units)

    def forward(self, inputs, state):
        h, c = state
        n = self.input_size
        hs = []
        for x_t in inputs.unbind(1):
            z = x_t @ self.kernel[:n] + h @ self.kernel[n:] + self.bias
            i, f, g, o = torch.split(z, self.units, dim=1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            hs.append(h)
        return torch.stack(hs, 1), (h, c)""",
    # hand-made variables and einsum instead of Dense / Linear; the Keras one starts from zero weights
    # (the exercise asks for no particular initialisation)
    "ch05-readout": """class TFReadout(keras.layers.Layer):
    def __init__(self, units, out_size, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=(units, out_size), initializer="zeros")
        self.b = self.add_weight(shape=(out_size,), initializer="zeros")

    def call(self, outputs):
        return tf.einsum("btu,uo->bto", outputs, self.w) + self.b


class TorchReadout(torch.nn.Module):
    def __init__(self, units, out_size):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(units, out_size) / units ** 0.5)
        self.b = torch.nn.Parameter(torch.zeros(out_size))

    def forward(self, outputs):
        return torch.einsum("btu,uo->bto", outputs, self.w) + self.b""",
    # the frameworks' own losses
    "ch05-sine-loss": """def sine_loss_tf(outputs, targets):
    return tf.reduce_mean(keras.losses.mean_squared_error(targets, outputs))


def sine_loss_torch(outputs, targets):
    return torch.nn.functional.mse_loss(outputs, targets)""",
    # the global norm computed and applied by hand; keras' optimizer.apply; torch grads scaled in place
    "ch05-train-step": """def tf_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    variables = cell.trainable_variables + readout.trainable_variables
    with tf.GradientTape() as tape:
        state = cell.zero_state(tf.shape(inputs)[0])
        predictions = readout(cell(inputs, state)[0])
        loss = loss_fn(predictions, targets)
    grads = tape.gradient(loss, variables)
    norm = tf.sqrt(tf.add_n([tf.reduce_sum(g * g) for g in grads]))
    factor = tf.minimum(1.0, max_norm / norm)
    optimizer.apply([g * factor for g in grads], variables)
    return loss, norm


def torch_train_step(cell, readout, optimizer, inputs, targets, loss_fn, max_norm=5.0):
    params = [*cell.parameters(), *readout.parameters()]
    optimizer.zero_grad()
    outputs, _ = cell(inputs, cell.zero_state(len(inputs)))
    loss = loss_fn(readout(outputs), targets)
    loss.backward()
    with torch.no_grad():
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
        if norm > max_norm:
            for p in params:
                p.grad.mul_(max_norm / norm)
    optimizer.step()
    return float(loss.detach()), norm.item()""",
    # one step at a time also during the warm-up; a preallocated result
    "ch05-generate": """def generate_tf(cell, readout, curve, warmup):
    state = cell.zero_state(curve.shape[0])
    for t in range(warmup):
        out, state = cell(curve[:, t:t + 1], state)
    p = readout(out)
    result = [p]
    while len(result) < curve.shape[1] - warmup:
        out, state = cell(p, state)
        p = readout(out)
        result.append(p)
    return tf.concat(result, 1)


def generate_torch(cell, readout, curve, warmup):
    n = curve.shape[1] - warmup
    result = torch.empty(curve.shape[0], n, 1)
    out, state = cell(curve[:, :warmup], cell.zero_state(curve.shape[0]))
    p = readout(out[:, -1:])
    for k in range(n):
        result[:, k] = p[:, 0]
        if k + 1 < n:
            out, state = cell(p, state)
            p = readout(out)
    return result""",
    # counts written out term by term; the matching RNN found by a plain search
    "ch05-params": """def rnn_param_count(n_in, units, n_out):
    kernel = (n_in + units) * units
    return int(kernel + units + (units + 1) * n_out)


def lstm_param_count(n_in, units, n_out):
    gates = 4
    return int(gates * (n_in + units + 1) * units + (units + 1) * n_out)


def rnn_units_matching(lstm_units, n_in, n_out):
    goal = lstm_param_count(n_in, lstm_units, n_out)
    best = 1
    for u in range(1, 10 * lstm_units + 10):
        if abs(rnn_param_count(n_in, u, n_out) - goal) < abs(rnn_param_count(n_in, best, n_out) - goal):
            best = u
    return best""",
    # Keras' loss object, log_softmax + gather in torch, recall with keras.ops and a mask
    "ch05-memory-metrics": """def memory_loss_tf(logits, targets):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)(targets, logits)


def memory_loss_torch(logits, targets):
    logp = torch.log_softmax(logits, dim=-1)
    return -logp.gather(-1, targets.long().unsqueeze(-1)).mean()


def recall_accuracy(logits, targets, L):
    def to_numpy(a):
        return a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else keras.ops.convert_to_numpy(a)
    logits, targets = to_numpy(logits), to_numpy(targets)
    T = targets.shape[1]
    mask = np.arange(T) >= T - L
    hits = (logits.argmax(-1) == targets)[:, mask]
    return hits.sum() / hits.size""",
}
