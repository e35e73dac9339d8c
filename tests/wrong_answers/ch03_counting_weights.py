"""Plausible wrong answers for chapter 3; every test cell of the chapter must reject them."""

WRONG = {
    # one hidden layer per axis and sense (2n) instead of one per combination of senses (2^n)
    "ch03-mdrnn-count": """
mdrnn_layers = None   # sympy expression in n
mdrnn_weights = None  # sympy expression in n, I, H, K
layers_3d = None      # int
weights_3d = None     # int
mdrnn_layers = 2 * n
mdrnn_weights = mdrnn_layers * (I * H + n * H**2) + mdrnn_layers * H * K
volume = {n: 3, I: 3, H: 16, K: 20}
layers_3d = int(mdrnn_layers.subs(volume))
weights_3d = int(mdrnn_weights.subs(volume))
print("hidden layers:", mdrnn_layers, "=", layers_3d)
""",
    # one recurrent matrix per direction, shared by all axes (instead of one per axis)
    "ch03-mdrnn-build": """
class MDRNN(MDRNNBase):
    def __init__(self, n_dims, input_size, hidden_size, num_classes):
        super().__init__(n_dims)
        directions = 2 ** n_dims
        self.w_in = nn.ModuleList(nn.Linear(input_size, hidden_size, bias=False) for _ in range(directions))
        shared = [nn.Linear(hidden_size, hidden_size, bias=False) for _ in range(directions)]
        self.w_rec = nn.ModuleList(nn.ModuleList([shared[s]] * n_dims) for s in range(directions))
        self.w_out = nn.Linear(directions * hidden_size, num_classes, bias=False)
""",
    # kernels counted with their dilated span (k-1)d+1, receptive field off by one
    "ch03-tcn-count": """
tcn_weights_formula = ((k - 1) * d1 + 1) * n * m1 + ((k - 1) * d2 + 1) * m1 * m2 + ((k - 1) * d3 + 1) * m2 * m3
tcn_params_formula = tcn_weights_formula + m1 + m2 + m3
tcn_rf_formula = (k - 1) * (d1 + d2 + d3)
tcn_weights = int(tcn_weights_formula.subs(tcn))
tcn_params = int(tcn_params_formula.subs(tcn))
tcn_rf = int(tcn_rf_formula.subs(tcn))
""",
    # dilation forgotten: the same count, but a receptive field of 7 instead of 15
    "ch03-tcn-keras": """
def build_tcn_keras(n_in, kernels, dilations, kernel_size=3, use_bias=True):
    layers = [keras.Input((None, n_in))]
    for m, d in zip(kernels, dilations):
        layers.append(keras.layers.Conv1D(m, kernel_size, padding="causal", activation="relu", use_bias=use_bias))
    return keras.Sequential(layers)
""",
    # symmetric ("same") padding: the same count, but the output sees the future
    "ch03-tcn-torch": """
def build_tcn_torch(n_in, kernels, dilations, kernel_size=3, bias=True):
    layers, channels = [], n_in
    for m, d in zip(kernels, dilations):
        layers += [nn.Conv1d(channels, m, kernel_size, dilation=d, padding=(kernel_size - 1) * d // 2, bias=bias),
                   nn.ReLU()]
        channels = m
    return nn.Sequential(*layers)
""",
}

WRONG_VARIANTS = [
    # the ReLUs forgotten: the same counts and the same receptive field, but a linear network
    {
        "ch03-tcn-keras": """def build_tcn_keras(n_in, kernels, dilations, kernel_size=3, use_bias=True):
    layers = [keras.Input((None, n_in))]
    for m, d in zip(kernels, dilations):
        layers.append(keras.layers.Conv1D(m, kernel_size, dilation_rate=d, padding="causal", use_bias=use_bias))
    return keras.Sequential(layers)""",
        "ch03-tcn-torch": """def build_tcn_torch(n_in, kernels, dilations, kernel_size=3, bias=True):
    layers, channels = [], n_in
    for m, d in zip(kernels, dilations):
        layers += [nn.ConstantPad1d(((kernel_size - 1) * d, 0), 0.0),
                   nn.Conv1d(channels, m, kernel_size, dilation=d, bias=bias)]
        channels = m
    return nn.Sequential(*layers)""",
    },
]
