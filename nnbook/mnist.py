"""MNIST: find it, verify it, load it.

Search order: the `folder` argument, then ``$MNIST_DIR``, then `SHARED_DIR` (``../shared/data/mnist``
beside the checkout, where CI keeps MNIST: the project's one default), then the cache folder
(``$NNBOOK_CACHE`` or ``~/.cache/nnbook``)``/mnist``. Files are the four standard IDX files, gzipped
or not. The decompressed bytes are checked against the canonical MD5s, so that a corrupt or
truncated file gives a clear error instead of a silently wrong data set. Missing files are
downloaded into the cache only when the network is there; nothing that exists is ever overwritten.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

FILES = {  # name -> (decompressed bytes, MD5 of the decompressed bytes)
    "train-images-idx3-ubyte": (47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": (60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": (7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": (10_008, "27ae3e4e09519cfbb04c329615203637"),
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# the project's default MNIST folder (CI and the development machines keep MNIST there, never in git)
SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mnist"


class MnistError(RuntimeError):
    """MNIST is missing or damaged; the message says how to fix it."""


def cache_dir() -> Path:
    return Path(os.environ.get("NNBOOK_CACHE", Path.home() / ".cache" / "nnbook")) / "mnist"


def read_bytes(path: Path) -> bytes:
    """The decompressed content of an IDX file (gzip detected by its magic bytes)."""
    raw = Path(path).read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, gzip.BadGzipFile) as err:
        raise MnistError(
            f"{path}: the gzip stream is damaged or truncated ({err}); delete the file and fetch it again"
        ) from err


def parse_idx(data: bytes, source: str = "IDX data") -> np.ndarray:
    """Parse IDX bytes (magic 0,0,type,ndim; big-endian dims; data) into an array."""
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _DTYPES:
        raise MnistError(f"{source}: not an IDX file (bad magic number {data[:4].hex()})")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistError(f"{source}: truncated header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(_DTYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise MnistError(
            f"{source}: header promises {expected} data bytes for shape {shape}, "
            f"found {len(data) - header}: the file is truncated or damaged"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def _locate(name: str, folders: list[Path]) -> Path | None:
    for folder in folders:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                return candidate
    return None


def _download(name: str, target: Path) -> Path:
    """Fetch `name` into `target` atomically (temporary file, verified, then renamed)."""
    target.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in MIRRORS:
        try:
            with urllib.request.urlopen(mirror + name + ".gz", timeout=30) as response:
                payload = response.read()
            _verify(name, gzip.decompress(payload), mirror + name + ".gz")
        except Exception as err:  # network down, mirror gone or bad payload: try the next one
            errors.append(f"{mirror}: {err}")
            continue
        fd, tmp = tempfile.mkstemp(dir=target, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
        final = target / f"{name}.gz"
        os.replace(tmp, final)
        return final
    raise MnistError("could not download " + name + ":\n  " + "\n  ".join(errors))


def _verify(name: str, data: bytes, source) -> None:
    size, md5 = FILES[name]
    if len(data) != size:
        raise MnistError(
            f"{source}: expected {size:,} decompressed bytes, found {len(data):,} "
            f"(truncated or not MNIST); replace the file with a fresh copy"
        )
    digest = hashlib.md5(data).hexdigest()
    if digest != md5:
        raise MnistError(
            f"{source}: MD5 of the decompressed bytes is {digest}, expected {md5} "
            f"(the file is damaged); replace it with a fresh copy"
        )


def search_folders(folder=None) -> list[Path]:
    """The search order: `folder`, ``$MNIST_DIR``, `SHARED_DIR`, the cache folder (the module's docstring)."""
    return [Path(p).expanduser() for p in (folder, os.environ.get("MNIST_DIR")) if p] + [SHARED_DIR, cache_dir()]


def find_dir(folder=None) -> Path | None:
    """The first folder of the search order that holds all four files (gzipped or not), else None; the
    grader's box mounts it for the submissions' kernels."""
    for candidate in search_folders(folder):
        if all(_locate(name, [candidate]) for name in FILES):
            return candidate
    return None


def find_files(folder=None, download: bool = True) -> dict[str, Path]:
    """Where each of the four files lies, downloading the missing ones into the cache if allowed."""
    folders = search_folders(folder)
    found = {}
    for name in FILES:
        path = _locate(name, folders)
        if path is None:
            if not download:
                raise MnistError(_missing_message(name, folders))
            try:
                path = _download(name, cache_dir())
            except MnistError as err:
                raise MnistError(_missing_message(name, folders) + f"\nDownload failed: {err}") from err
        found[name] = path
    return found


def _missing_message(name: str, folders: list[Path]) -> str:
    looked = "\n  ".join(str(f) for f in folders)
    return (
        f"MNIST file {name}(.gz) not found. Looked in:\n  {looked}\n"
        f"Fix: set MNIST_DIR to a folder with the four standard MNIST files "
        f"(or put them in {SHARED_DIR}), or connect to the internet so that "
        f"they can be downloaded into {cache_dir()}."
    )


def load_mnist(folder=None, download: bool = True):
    """Return ``(x_train, y_train, x_test, y_test)``: uint8 images (N, 28, 28) and labels (N,)."""
    paths = find_files(folder, download)
    arrays = {}
    for name, path in paths.items():
        data = read_bytes(path)
        _verify(name, data, path)
        arrays[name] = parse_idx(data, str(path))
    return (
        arrays["train-images-idx3-ubyte"],
        arrays["train-labels-idx1-ubyte"],
        arrays["t10k-images-idx3-ubyte"],
        arrays["t10k-labels-idx1-ubyte"],
    )


def load_mnist_float(folder=None, download: bool = True, limit_train: int | None = None, limit_test: int | None = None):
    """Images scaled to float32 in [0, 1], flattened to 784 features; labels int64. Optional limits
    take the first examples (for test mode)."""
    x_train, y_train, x_test, y_test = load_mnist(folder, download)

    def prep(x, y, limit):
        x, y = x[:limit], y[:limit]
        return (x.reshape(len(x), -1).astype(np.float32) / 255.0), y.astype(np.int64)

    return (*prep(x_train, y_train, limit_train), *prep(x_test, y_test, limit_test))
