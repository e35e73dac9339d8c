"""Correct answers for chapter 3 written differently from the model answer: they must get full marks."""

RIGHT = {
    # the formula factored, the numbers as a float and a sympy integer (both whole numbers)
    "ch03-mdrnn-count": """mdrnn_layers = sp.Pow(2, n)
mdrnn_weights = sp.Pow(2, n) * H * (I + n * H + K)
layers_3d = float(2 ** 3)
weights_3d = mdrnn_weights.subs({n: 3, I: 3, H: 16, K: 20})""",
    # the lists filled with append, the recurrent weights built per axis first
    "ch03-mdrnn-build": """class MDRNN(MDRNNBase):
    def __init__(self, n_dims, input_size, hidden_size, num_classes):
        super().__init__(n_dims)
        self.w_in = nn.ModuleList()
        self.w_rec = nn.ModuleList()
        for _ in range(2 ** n_dims):
            self.w_in.append(nn.Linear(input_size, hidden_size, bias=False))
            per_axis = nn.ModuleList()
            for _ in range(n_dims):
                per_axis.append(nn.Linear(hidden_size, hidden_size, bias=False))
            self.w_rec.append(per_axis)
        self.w_out = nn.Linear(hidden_size * 2 ** n_dims, num_classes, bias=False)""",
    # layer by layer in a loop, the receptive field by sympy's sum, counts as floats
    "ch03-tcn-count": """channels = [n, m1, m2, m3]
tcn_weights_formula = sum(k * channels[i] * channels[i + 1] for i in range(3))
tcn_params_formula = sum(k * channels[i] * channels[i + 1] + channels[i + 1] for i in range(3))
tcn_rf_formula = 1 + sum((k - 1) * d for d in (d1, d2, d3))
tcn_weights = float(tcn_weights_formula.subs(tcn))
tcn_params = float(tcn_params_formula.subs(tcn))
tcn_rf = tcn_rf_formula.subs(tcn)""",
    # the functional API, the ReLU as a layer of its own
    "ch03-tcn-keras": """def build_tcn_keras(n_in, kernels, dilations, kernel_size=3, use_bias=True):
    inputs = keras.Input(shape=(None, n_in))
    x = inputs
    for m, d in zip(kernels, dilations):
        x = keras.layers.Conv1D(m, kernel_size, dilation_rate=d, padding="causal", use_bias=use_bias)(x)
        x = keras.layers.ReLU()(x)
    return keras.Model(inputs, x)""",
    # a hand-written module with its own parameters (all weights first, then the biases)
    "ch03-tcn-torch": """import torch.nn.functional as F


class HandTCN(nn.Module):
    def __init__(self, n_in, kernels, dilations, kernel_size, bias):
        super().__init__()
        sizes = [n_in, *kernels]
        self.weights = nn.ParameterList(
            nn.Parameter(torch.randn(m, c, kernel_size) / (c * kernel_size) ** 0.5) for c, m in zip(sizes, kernels))
        self.biases = nn.ParameterList(nn.Parameter(torch.zeros(m)) for m in kernels) if bias else None
        self.dilations = list(dilations)
        self.k = kernel_size

    def forward(self, x):
        for i, (w, d) in enumerate(zip(self.weights, self.dilations)):
            b = None if self.biases is None else self.biases[i]
            x = F.conv1d(F.pad(x, ((self.k - 1) * d, 0)), w, b, dilation=d)
            x = F.relu(x)
        return x


def build_tcn_torch(n_in, kernels, dilations, kernel_size=3, bias=True):
    return HandTCN(n_in, kernels, dilations, kernel_size, bias)""",
}
