"""Plausible wrong answers for chapter 10: each violates the architectural property its task needs.

The pipeline test replaces every answer cell with its entry here and requires every test cell of the
chapter to lose points with a GradingError.
"""

WRONG = {
    # a bidirectional "generator": it sees the characters it is supposed to predict (not causal)
    "ch10-textgen-model": '''class CharGenerator(nn.Module):
    """Wrong on purpose: a bidirectional LSTM, so logits at t depend on characters after t."""

    def __init__(self, vocab_size, embed_dim=32, hidden_size=128):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, x):
        states, _ = self.lstm(self.embed(x))
        return self.head(states)
''',
    # a fixed-size classifier: Flatten + Dense only works for 64 x 64 images
    "ch10-catsdogs-model": '''def build_cat_dog_classifier():
    """Wrong on purpose: Flatten fixes the image size to 64 x 64."""
    images = keras.Input(shape=(64, 64, 3))
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(images)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    p_dog = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(images, p_dog, name="cats_vs_dogs")
''',
    # a unidirectional tagger: the label of character t cannot use the characters after t
    "ch10-speech-model": '''def build_speech_tagger(vocab_size, embed_dim=16, units=32):
    """Wrong on purpose: a left-to-right LSTM has no right context."""
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embed_dim)(ids)
    x = keras.layers.LSTM(units, return_sequences=True)(x)
    p_inside = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(ids, p_inside, name="speech_tagger")
''',
    # two independent seq2seq models: no shared encoder
    "ch10-translate-model": '''class Translator(nn.Module):
    """Wrong on purpose: each language has its own encoder, nothing is shared."""

    def __init__(self, src_vocab, de_vocab, ru_vocab, embed_dim=32, hidden_size=64):
        super().__init__()
        self.de_src_embed = nn.Embedding(src_vocab, embed_dim)
        self.de_encoder = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.ru_src_embed = nn.Embedding(src_vocab, embed_dim)
        self.ru_encoder = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.de_embed = nn.Embedding(de_vocab, embed_dim)
        self.de_decoder = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.de_out = nn.Linear(hidden_size, de_vocab)
        self.ru_embed = nn.Embedding(ru_vocab, embed_dim)
        self.ru_decoder = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.ru_out = nn.Linear(hidden_size, ru_vocab)

    def forward(self, src, de_in, ru_in):
        _, de_context = self.de_encoder(self.de_src_embed(src))
        _, ru_context = self.ru_encoder(self.ru_src_embed(src))
        de_states, _ = self.de_decoder(self.de_embed(de_in), de_context)
        ru_states, _ = self.ru_decoder(self.ru_embed(ru_in), ru_context)
        return self.de_out(de_states), self.ru_out(ru_states)
''',
    # no bottleneck: the "code" is the flattened feature map, larger than the image itself
    "ch10-autoencoder-model": '''class Compressor(nn.Module):
    """Wrong on purpose: the code is the whole feature map (32 * H/4 * W/4 numbers, more than C * H * W)."""

    def __init__(self, image_shape=(1, 28, 28), code_size=16):
        super().__init__()
        channels, height, width = image_shape
        small = (32, height // 4, width // 4)
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
        )
        self.decoder = nn.Sequential(
            nn.Unflatten(1, small),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, channels, 4, stride=2, padding=1), nn.Sigmoid(),
        )

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))
''',
}

WRONG_VARIANTS = [
    {
        # dropout left on at inference (training=True hard-wired): the logits are random
        "ch10-textgen-model": """class CharGenerator(nn.Module):
    def __init__(self, vocab_size, embed_dim=32, hidden_size=128):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x):
        states, _ = self.lstm(nn.functional.dropout(self.embed(x), 0.3, training=True))
        return self.head(states)""",
        # 'valid' convolutions: small images shrink to nothing
        "ch10-catsdogs-model": """def build_cat_dog_classifier():
    images = keras.Input(shape=(None, None, 3))
    x = images
    for channels in (16, 32, 64):
        x = keras.layers.Conv2D(channels, 3, activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(64, 3, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(images, keras.layers.Dense(1, activation="sigmoid")(x))""",
        # a hand-made backward pass whose outputs are not reversed back: labels misaligned in time
        "ch10-speech-model": """def build_speech_tagger(vocab_size, embed_dim=16, units=32):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embed_dim)(ids)
    forward = keras.layers.LSTM(units, return_sequences=True)(x)
    backward = keras.layers.LSTM(units, return_sequences=True, go_backwards=True)(x)
    both = keras.layers.Concatenate()([forward, backward])
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(both))""",
        # the decoder reads a cached copy of the encoder's feature map: a skip that bypasses the code
        "ch10-autoencoder-model": """class Compressor(nn.Module):
    def __init__(self, image_shape=(1, 28, 28), code_size=16):
        super().__init__()
        channels, height, width = image_shape
        self.small = (32, height // 4, width // 4)
        self.features = nn.Sequential(nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
                                      nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU())
        self.to_code = nn.Linear(int(np.prod(self.small)), code_size)
        self.from_code = nn.Linear(code_size, int(np.prod(self.small)))
        self.up = nn.Sequential(nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
                                nn.ConvTranspose2d(16, channels, 4, stride=2, padding=1), nn.Sigmoid())

    def encode(self, x):
        self._cached = self.features(x)
        return self.to_code(self._cached.flatten(1))

    def decode(self, z):
        return self.up(self.from_code(z).view(-1, *self.small) + self._cached)

    def forward(self, x):
        return self.decode(self.encode(x))""",
    },
    {
        # the last layer without its sigmoid: outputs happen to lie in [0, 1] for many initialisations
        "ch10-catsdogs-model": """def build_cat_dog_classifier():
    images = keras.Input(shape=(None, None, 3))
    x = images
    for channels in (16, 32, 64):
        x = keras.layers.Conv2D(channels, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(images, keras.layers.Dense(1)(x))""",
        # a dropout after the sigmoid: fine at inference, probabilities above 1 in training
        "ch10-speech-model": """def build_speech_tagger(vocab_size, embed_dim=16, units=32):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embed_dim)(ids)
    x = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True))(x)
    p = keras.layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(ids, keras.layers.Dropout(0.5)(p))""",
        "ch10-autoencoder-model": """class Compressor(nn.Module):
    def __init__(self, image_shape=(1, 28, 28), code_size=16):
        super().__init__()
        self.shape = tuple(image_shape)
        pixels = int(np.prod(image_shape))
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 64), nn.ReLU(), nn.Linear(64, code_size))
        self.dec = nn.Sequential(nn.Linear(code_size, 64), nn.ReLU(), nn.Linear(64, pixels), nn.Sigmoid(),
                                 nn.Dropout(0.5))

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return self.dec(z).reshape(-1, *self.shape)

    def forward(self, x):
        return self.decode(self.encode(x))""",
        "_lose": ["ch10-catsdogs-model-hidden", "ch10-speech-model-hidden", "ch10-autoencoder-model-hidden"],
    },
    {
        # tanh in place of the sigmoid: in [0, 1] while the random initialisation keeps the last sum positive
        "ch10-catsdogs-model": """def build_cat_dog_classifier():
    images = keras.Input(shape=(None, None, 3))
    x = images
    for channels in (16, 32, 64):
        x = keras.layers.Conv2D(channels, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(images, keras.layers.Dense(1, activation="tanh")(x))""",
        # dropout forced on at inference (training=True): the labels of one text change from call to call
        "ch10-speech-model": """def build_speech_tagger(vocab_size, embed_dim=16, units=32):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embed_dim)(ids)
    x = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True))(x)
    x = keras.layers.Dropout(0.3)(x, training=True)
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(x))""",
        # a ReLU after the last convolution, before the sigmoid: no pixel can be darker than 0.5
        "ch10-autoencoder-model": """class Compressor(nn.Module):
    def __init__(self, image_shape=(1, 28, 28), code_size=16):
        super().__init__()
        channels, height, width = image_shape
        small = (32, height // 4, width // 4)
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(int(np.prod(small)), code_size),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code_size, int(np.prod(small))), nn.ReLU(), nn.Unflatten(1, small),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, channels, 4, stride=2, padding=1), nn.ReLU(), nn.Sigmoid(),
        )

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))""",
        "_lose": ["ch10-catsdogs-model-hidden", "ch10-speech-model-hidden", "ch10-autoencoder-model-hidden"],
    },
]
