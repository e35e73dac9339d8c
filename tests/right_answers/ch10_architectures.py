"""Correct answers for chapter 10 written differently from the model answer: they must get full marks."""

RIGHT = {
    # a two-layer GRU with dropout between the layers (active only in training), returning logits
    "ch10-textgen-model": """class CharGenerator(nn.Module):
    def __init__(self, vocab_size, embed_dim=32, hidden_size=128):
        super().__init__()
        self.table = nn.Embedding(vocab_size, embed_dim)
        self.rnn = nn.GRU(embed_dim, hidden_size, num_layers=2, dropout=0.1, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, x):
        return self.out(self.rnn(self.table(x))[0])""",
    # Sequential API, batch normalisation, global max pooling, dropout before a separate sigmoid
    "ch10-catsdogs-model": """def build_cat_dog_classifier():
    return keras.Sequential([
        keras.Input(shape=(None, None, 3)),
        keras.layers.Conv2D(8, 5, padding="same"),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.GlobalMaxPooling2D(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1),
        keras.layers.Activation("sigmoid"),
    ])""",
    # a hand-made bidirectional layer: the backward LSTM's outputs reversed back into time order
    "ch10-speech-model": """def build_speech_tagger(vocab_size, embed_dim=16, units=32):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embed_dim)(ids)
    forward = keras.layers.LSTM(units, return_sequences=True)(x)
    backward = keras.layers.LSTM(units, return_sequences=True, go_backwards=True)(x)
    backward = keras.layers.Lambda(lambda t: keras.ops.flip(t, axis=1))(backward)
    both = keras.layers.Concatenate()([forward, backward])
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(both))""",
    # LSTMs instead of GRUs, one embedding table per language, the context as (h, c)
    "ch10-translate-model": """class Translator(nn.Module):
    def __init__(self, src_vocab, de_vocab, ru_vocab, embed_dim=32, hidden_size=64):
        super().__init__()
        self.embeds = nn.ModuleDict({"en": nn.Embedding(src_vocab, embed_dim), "de": nn.Embedding(de_vocab, embed_dim),
                                     "ru": nn.Embedding(ru_vocab, embed_dim)})
        self.encoder = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.decoders = nn.ModuleDict({lang: nn.LSTM(embed_dim, hidden_size, batch_first=True)
                                       for lang in ("de", "ru")})
        self.heads = nn.ModuleDict({"de": nn.Linear(hidden_size, de_vocab), "ru": nn.Linear(hidden_size, ru_vocab)})

    def forward(self, src, de_in, ru_in):
        _, state = self.encoder(self.embeds["en"](src))
        outs = []
        for lang, tokens in (("de", de_in), ("ru", ru_in)):
            states, _ = self.decoders[lang](self.embeds[lang](tokens), state)
            outs.append(self.heads[lang](states))
        return tuple(outs)""",
    # a fully connected autoencoder with dropout in the encoder (training only)
    "ch10-autoencoder-model": """class Compressor(nn.Module):
    def __init__(self, image_shape=(1, 28, 28), code_size=16):
        super().__init__()
        self.image_shape = tuple(image_shape)
        pixels = int(np.prod(image_shape))
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(pixels, 64), nn.Tanh(), nn.Dropout(0.2),
                                 nn.Linear(64, code_size))
        self.dec = nn.Sequential(nn.Linear(code_size, 64), nn.Tanh(), nn.Linear(64, pixels), nn.Sigmoid())

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return self.dec(z).reshape(-1, *self.image_shape)

    def forward(self, x):
        return self.decode(self.encode(x))""",
}

# grading-sensitive cells (random initialisations): the same correct models, initialised from other
# seeds inside the answer, must pass every time
RESEED = {
    "ch10-catsdogs-model": (
        """def build_cat_dog_classifier():
    keras.utils.set_random_seed(__SEED__)
    images = keras.Input(shape=(None, None, 3))
    x = images
    for channels in (8, 16, 16):
        x = keras.layers.Conv2D(channels, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(images, keras.layers.Dense(1, activation="sigmoid")(x))""",
        [101, 202, 303],
    ),
    "ch10-speech-model": (
        """def build_speech_tagger(vocab_size, embed_dim=16, units=32):
    keras.utils.set_random_seed(__SEED__)
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embed_dim)(ids)
    x = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))(x)
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(x))""",
        [11, 22, 33],
    ),
}
