"""Datasets: an embedded default that always works, MNIST and Fashion-MNIST on demand.

Every loader returns the same thing, ``((x_train, t_train), (x_test, t_test))``:

* ``x``: float32 images, scaled to [0, 1] (``normalize=True``) or kept on the raw pixel
  scale (``normalize=False``: 0..16 for digits, 0..255 for MNIST), of shape ``(N, D)``
  with ``D = H * W`` (``flatten=True``) or ``(N, 1, H, W)`` (``flatten=False``, one channel);
* ``t``: int64 class indices 0..9 of shape ``(N,)``, or float32 one-hot rows of shape
  ``(N, 10)`` (``one_hot=True``).

Three datasets
--------------
``load_digits``
    scikit-learn's bundled 8x8 handwritten digits (1,797 images, pixel values 0..16).  It
    ships inside scikit-learn, so it needs no network: it is the default everywhere in the
    book, and what to use offline.  The data come as one pool; we split it once into
    1,438 training and 359 test images (a 20 % test fraction), stratified by class and
    seeded, with the NumPy-only split below, so every machine sees the same split.
``load_mnist`` / ``load_fashion_mnist``
    the 70,000 28x28 images (60,000 train, 10,000 test) of MNIST (LeCun, Cortes and
    Burges) and of Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), downloaded on first use.

How a download is made safe
---------------------------
Each dataset is four gzipped IDX files (train/test images and labels).  On first use
:func:`load_mnist` fetches them with pooch (https://www.fatiando.org/pooch) into a per-user
cache folder, see :func:`get_data_dir`.  pooch streams each file to a temporary name in that
folder, checks its SHA-256 against the value recorded in :data:`SOURCES`, and only then renames
it into place; a mismatch or an interrupted transfer deletes the temporary file.  A cached file
whose hash no longer matches is deleted before anything else happens.  The mirrors are tried in
order, each with a short connection timeout (:data:`TIMEOUT`), and when none of them delivers a
verified file a :class:`DownloadError` says which were tried and that :func:`load_digits` works
offline.

The verified files are parsed with NumPy alone (see :func:`read_idx`) and saved as one
uncompressed ``.npz`` next to them, written under a temporary name and renamed with
:func:`os.replace`, so a reader never sees half a file.  The ``.npz`` records the SHA-256
of its four sources and is read with ``allow_pickle=False``; a damaged or outdated one is
rebuilt.  No pickle is read or written anywhere.

Stratified splits
-----------------
:func:`train_val_split`, the digits split and ``subset=`` all use one rule: class ``c``
with ``n_c`` examples gives ``k_c`` of them to the held-out part, where the ``k_c`` are
``n_c * fraction`` rounded down and then topped up, largest remainder first, until they
add up to ``round(N * fraction)``.  Which examples go is decided by sorting uniform
random keys drawn from ``np.random.default_rng(seed)``; both parts keep the original
order.

.. _pooch: https://www.fatiando.org/pooch/
"""

from __future__ import annotations

import functools
import gzip
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pooch

from lib import checks

__all__ = [
    "DATA_DIR_ENV",
    "DATASETS",
    "SOURCES",
    "TIMEOUT",
    "DownloadError",
    "Source",
    "get_data_dir",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
    "train_val_split",
]

N_CLASSES = 10

#: Environment variable naming the folder for downloaded datasets (``cache_dir`` wins).
DATA_DIR_ENV = "NN_TRAINING_BOOK_DATA"

#: ``(connect, read)`` timeouts in seconds for each request: an unreachable mirror costs
#: at most the first number, a stalled transfer the second.
TIMEOUT = (3.0, 30.0)

DIGITS_TEST_FRACTION = 0.2
DIGITS_SEED = 0
SUBSET_SEED = 0

_ROLES = ("x_train", "t_train", "x_test", "t_test")


class DownloadError(OSError):
    """No mirror delivered a file whose SHA-256 matches the published one.

    A subclass of :class:`OSError`, so code that already handles network failures with
    ``except OSError`` handles this one too.  The message lists every mirror tried with
    the reason it failed, and points to :func:`load_digits`, which works offline.
    """


@dataclass(frozen=True)
class Source:
    """Where a downloadable dataset lives and what its files must hash to.

    Attributes
    ----------
    title : str
        Name used in messages, e.g. ``"MNIST"``.
    mirrors : tuple of str
        Base URLs tried in order; a file's URL is the base followed by its file name.
    files : dict
        ``{role: (file_name, sha256_hex)}`` for the roles ``"x_train"``, ``"t_train"``,
        ``"x_test"``, ``"t_test"``: gzipped IDX files of images ``(N, H, W)`` and labels
        ``(N,)``.
    """

    title: str
    mirrors: tuple
    files: dict

    def hashes(self) -> tuple:
        """The four SHA-256 hex digests, in the order of the roles."""
        return tuple(self.files[role][1] for role in _ROLES)


# SHA-256 of the files as distributed.  They are the values TensorFlow Datasets records
# for these URLs (tensorflow_datasets/url_checksums/mnist.txt and fashion_mnist.txt) and
# the ones other loaders pin; Zalando publishes the MD5 of the same Fashion-MNIST files.
# A mirror is only useful if it serves byte-identical copies, which the check enforces.
SOURCES = {
    "mnist": Source(
        title="MNIST",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        files={
            "x_train": (
                "train-images-idx3-ubyte.gz",
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            ),
            "t_train": (
                "train-labels-idx1-ubyte.gz",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            ),
            "x_test": (
                "t10k-images-idx3-ubyte.gz",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            ),
            "t_test": (
                "t10k-labels-idx1-ubyte.gz",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            ),
        },
    ),
    "fashion_mnist": Source(
        title="Fashion-MNIST",
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        files={
            "x_train": (
                "train-images-idx3-ubyte.gz",
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            ),
            "t_train": (
                "train-labels-idx1-ubyte.gz",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            ),
            "x_test": (
                "t10k-images-idx3-ubyte.gz",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            ),
            "t_test": (
                "t10k-labels-idx1-ubyte.gz",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            ),
        },
    ),
}


# ---------------------------------------------------------------------------------------
# Stratified splits
# ---------------------------------------------------------------------------------------


def _class_indices(t: np.ndarray) -> np.ndarray:
    """Class index per example, from labels ``t`` of shape (N,) or one-hot (N, C)."""
    t = np.asarray(t)
    if t.ndim == 2:
        return t.argmax(axis=1)
    if t.ndim != 1:
        raise ValueError(f"t must have shape (N,) or (N, C), got {t.shape}")
    return t


def _stratified_indices(labels: np.ndarray, n_held: int, rng: np.random.Generator):
    """Split ``range(N)`` into a kept and a held-out part with the class proportions kept.

    Parameters
    ----------
    labels : ndarray of shape (N,)
        The class of each example.
    n_held : int
        Size of the held-out part, 0 <= n_held <= N.
    rng : numpy.random.Generator
        Decides which examples are held out.

    Returns
    -------
    kept : ndarray of int64, of shape (N - n_held,)
        Increasing indices.
    held : ndarray of int64, of shape (n_held,)
        Increasing indices.
    """
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    share = counts * (n_held / len(labels))
    per_class = np.floor(share).astype(np.int64)
    short = n_held - int(per_class.sum())
    by_remainder = np.argsort(-(share - per_class), kind="stable")
    per_class[by_remainder[:short]] += 1

    order = np.argsort(rng.random(len(labels)), kind="stable")
    held = np.zeros(len(labels), dtype=bool)
    for c in range(len(classes)):
        members = order[inverse[order] == c]
        held[members[: per_class[c]]] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def train_val_split(x, t, val_fraction=0.2, seed=0):
    """Split a training set into training and validation parts, stratified by class.

    Each class keeps its share in both parts (see the module docstring for the exact
    rule); the same ``seed`` gives the same split.  Both parts keep the original order
    and are new arrays: the inputs are not modified.

    Parameters
    ----------
    x : array_like of shape (N, ...)
        The examples.
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.
    val_fraction : float, default 0.2
        Share of the examples that goes to validation, in (0, 1).
    seed : int, default 0
        Seed of ``np.random.default_rng`` choosing which examples go.

    Returns
    -------
    ((x_train, t_train), (x_val, t_val))
        ndarrays; the validation part holds ``round(N * val_fraction)`` examples.

    Raises
    ------
    ValueError
        If ``x`` and ``t`` differ in length, or ``val_fraction`` is outside (0, 1) or
        leaves one part empty.
    """
    x = np.asarray(x)
    t = np.asarray(t)
    if len(x) != len(t):
        raise ValueError(f"x and t must have the same length, got {len(x)} and {len(t)}")
    val_fraction = checks.number("val_fraction", val_fraction, 0.0, 1.0, low_open=True,
                                 high_open=True)
    n_val = round(len(x) * val_fraction)
    if not 0 < n_val < len(x):
        raise ValueError(
            f"val_fraction must leave at least one example in each part, got {val_fraction} "
            f"of {len(x)} examples, which leaves one part empty"
        )
    kept, held = _stratified_indices(_class_indices(t), n_val, np.random.default_rng(seed))
    return (x[kept], t[kept]), (x[held], t[held])


# ---------------------------------------------------------------------------------------
# From stored pixels to what a network eats
# ---------------------------------------------------------------------------------------


def _prepare(images, labels, pixel_max, normalize, flatten, one_hot):
    """Fresh float32 inputs and int64 (or one-hot float32) targets.

    Parameters
    ----------
    images : ndarray of shape (N, H, W)
        Integer pixels; never modified.
    labels : ndarray of shape (N,)
        Class indices; never modified.
    pixel_max : int
        The largest possible pixel value, which ``normalize`` maps to 1.0.
    normalize, flatten, one_hot : bool
        As for :func:`load_digits`.

    Returns
    -------
    x : ndarray of shape (N, H * W) or (N, 1, H, W)
    t : ndarray of shape (N,) or (N, 10)
    """
    x = images.astype(np.float32)
    if normalize:
        x /= float(pixel_max)
    x = x.reshape(len(x), -1) if flatten else x[:, np.newaxis, :, :]
    t = labels.astype(np.int64)
    if one_hot:
        t = np.eye(N_CLASSES, dtype=np.float32)[t]
    return x, t


def _check_labels(labels: np.ndarray, what: str) -> None:
    """Raise ValueError, naming ``what``, unless every label is a class index 0..9."""
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise ValueError(
            f"{what} must hold class indices 0..{N_CLASSES - 1}, "
            f"got values in [{labels.min()}, {labels.max()}]"
        )


# ---------------------------------------------------------------------------------------
# The embedded default: scikit-learn's digits
# ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _digits_split():
    """The digits split once per process: read-only uint8 images (N, 8, 8), int64 labels.

    The cached arrays are made read-only so that nothing can change them; the public
    loader always hands out converted copies.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.uint8)
    labels = bunch.target.astype(np.int64)
    n_test = round(len(labels) * DIGITS_TEST_FRACTION)
    train, test = _stratified_indices(labels, n_test, np.random.default_rng(DIGITS_SEED))
    arrays = (images[train], labels[train], images[test], labels[test])
    for a in arrays:
        a.flags.writeable = False
    return arrays


def load_digits(normalize=True, flatten=True, one_hot=False):
    """scikit-learn's bundled 8x8 handwritten digits, split once into train and test.

    1,797 images of the digits 0-9 (pixel values 0..16), no download needed.  The split
    is stratified and seeded: 1,438 training and 359 test images, the same on every
    machine.  The images are read once per process; every call returns fresh arrays,
    which the caller may modify freely.

    Parameters
    ----------
    normalize : bool, default True
        Divide the pixels by 16 so that they lie in [0, 1].
    flatten : bool, default True
        ``x`` of shape (N, 64); otherwise (N, 1, 8, 8).
    one_hot : bool, default False
        ``t`` as float32 one-hot rows of shape (N, 10); otherwise int64 indices of shape
        (N,).

    Returns
    -------
    ((x_train, t_train), (x_test, t_test))
        With N = 1,438 training and 359 test images.
    """
    x_train, t_train, x_test, t_test = _digits_split()
    options = (16, normalize, flatten, one_hot)
    return _prepare(x_train, t_train, *options), _prepare(x_test, t_test, *options)


# ---------------------------------------------------------------------------------------
# Downloaded datasets: IDX files, the cache folder, mirrors
# ---------------------------------------------------------------------------------------

_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path) -> np.ndarray:
    """Read a (gzipped) IDX file, the format MNIST and Fashion-MNIST are distributed in.

    An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
    big-endian uint32 sizes, then the values in C order, big-endian.  Type ``0x08``
    (unsigned bytes) is what the image files (ndim 3: N, rows, columns) and the label
    files (ndim 1: N) use.  Files ending in ``.gz`` are decompressed first.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray
        In native byte order, of the shape the header gives.

    Raises
    ------
    ValueError
        If the file is not a well-formed IDX file.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file: bad magic number {data[:4]!r}")
    dtype, ndim = _IDX_TYPES[data[2]], data[3]
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise ValueError(f"{path} is not an IDX file: header cut short")
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = offset + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{path}: header promises {expected} bytes, file has {len(data)}")
    values = np.frombuffer(data, dtype=dtype, offset=offset).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def get_data_dir(cache_dir=None) -> Path:
    """The folder downloaded datasets are kept in (not created here).

    In order of precedence: the ``cache_dir`` argument; the environment variable
    ``NN_TRAINING_BOOK_DATA`` (:data:`DATA_DIR_ENV`); the per-user cache folder of the
    operating system (``~/.cache/nn-training-book`` on Linux, as ``pooch.os_cache`` gives).
    Each dataset has a subfolder of its own.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional

    Returns
    -------
    pathlib.Path
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(pooch.os_cache("nn-training-book"))


def _discard_if_corrupt(path: Path, sha256: str) -> None:
    """Delete ``path`` if it exists and its SHA-256 is not ``sha256``."""
    if path.exists() and pooch.file_hash(str(path), alg="sha256") != sha256:
        path.unlink()


def _fetch(source: Source, folder: Path) -> dict:
    """Make sure the four files of ``source`` are in ``folder`` and verified.

    Mirrors are tried in order, starting each file with the mirror that served the
    previous one.  Returns ``{role: path}``.  Raises DownloadError as soon as one file
    cannot be had from any mirror.
    """
    import requests

    folder.mkdir(parents=True, exist_ok=True)
    downloader = pooch.HTTPDownloader(progressbar=False, timeout=TIMEOUT)
    mirrors = list(source.mirrors)
    paths = {}
    for role in _ROLES:
        name, sha256 = source.files[role]
        _discard_if_corrupt(folder / name, sha256)
        failures = []
        for mirror in list(mirrors):
            url = mirror + name
            try:
                paths[role] = Path(
                    pooch.retrieve(
                        url,
                        known_hash=f"sha256:{sha256}",
                        fname=name,
                        path=folder,
                        downloader=downloader,
                    )
                )
            except (ValueError, requests.exceptions.RequestException) as err:
                failures.append(f"  {url}\n    {_reason(err)}")
                continue
            mirrors.remove(mirror)
            mirrors.insert(0, mirror)
            break
        else:
            raise DownloadError(
                f"could not download {source.title} file {name!r}; tried, in order:\n"
                + "\n".join(failures)
                + f"\nNothing unverified was kept in {folder}. Check the internet "
                "connection and try again, or use load_digits(), which is bundled with "
                "scikit-learn and works offline."
            )
    return paths


def _reason(err: Exception, limit: int = 160) -> str:
    """Why a mirror failed, in one line: the root cause when requests wraps one."""
    wrapped = err.args[0] if err.args else None
    cause = getattr(wrapped, "reason", None)
    shown = cause if isinstance(cause, Exception) else err
    lines = str(shown).strip().splitlines()
    line = lines[0] if lines else ""
    if len(line) > limit:
        line = line[: limit - 3] + "..."
    return f"{type(shown).__name__}: {line}"


def _read_npz(path: Path, hashes: tuple):
    """The cached arrays, or None if the file is missing, damaged or from other sources."""
    if not path.exists():
        return None
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as stored:
            if tuple(stored["sha256"].tolist()) != hashes:
                return None
            return {role: stored[role] for role in _ROLES}
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        path.unlink()
        return None


def _write_npz_atomically(path: Path, arrays: dict) -> None:
    """Save ``arrays`` to ``path`` so that no reader ever sees a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _build_arrays(source: Source, folder: Path) -> dict:
    """Download (if needed) and parse the IDX files; check that they fit together."""
    paths = _fetch(source, folder)
    arrays = {role: read_idx(paths[role]) for role in _ROLES}
    for split in ("train", "test"):
        x, t = arrays[f"x_{split}"], arrays[f"t_{split}"]
        if x.dtype != np.uint8 or x.ndim != 3 or t.ndim != 1 or len(x) != len(t):
            raise ValueError(
                f"{source.title} {split} files are not uint8 images (N, H, W) with labels "
                f"(N,): got images {x.dtype} {x.shape}, labels {t.shape}"
            )
        _check_labels(t, f"{source.title} {split} labels")
    return arrays


def _load_remote(name, normalize, flatten, one_hot, subset, cache_dir):
    """:func:`load_mnist` and :func:`load_fashion_mnist`, for the dataset ``name``."""
    source = SOURCES[name]
    folder = get_data_dir(cache_dir) / name
    npz = folder / f"{name}.npz"
    arrays = _read_npz(npz, source.hashes())
    if arrays is None:
        arrays = _build_arrays(source, folder)
        _write_npz_atomically(npz, {**arrays, "sha256": np.array(source.hashes())})
    x_train, t_train = arrays["x_train"], arrays["t_train"]
    if subset is not None:
        subset = checks.integer("subset", subset, 1, len(t_train))
        rng = np.random.default_rng(SUBSET_SEED)
        _, chosen = _stratified_indices(t_train, subset, rng)
        x_train, t_train = x_train[chosen], t_train[chosen]
    options = (255, normalize, flatten, one_hot)
    return (
        _prepare(x_train, t_train, *options),
        _prepare(arrays["x_test"], arrays["t_test"], *options),
    )


def load_mnist(normalize=True, flatten=True, one_hot=False, subset=None, cache_dir=None):
    """MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28.

    Downloaded on first use (about 11 MB) into ``get_data_dir(cache_dir) / "mnist"``
    and verified by SHA-256; later calls read the cached ``.npz`` and need no network.

    Parameters
    ----------
    normalize : bool, default True
        Divide the pixels by 255 so that they lie in [0, 1].
    flatten : bool, default True
        ``x`` of shape (N, 784); otherwise (N, 1, 28, 28).
    one_hot : bool, default False
        ``t`` as float32 one-hot rows of shape (N, 10); otherwise int64 indices of shape
        (N,).
    subset : int, optional
        The number of training images to keep, 1 to 60,000, drawn stratified by class with a
        fixed seed (the same images every time); the test set is always whole.
    cache_dir : str or os.PathLike, optional
        Folder for the data, overriding ``NN_TRAINING_BOOK_DATA`` and the per-user default
        (see :func:`get_data_dir`).

    Returns
    -------
    ((x_train, t_train), (x_test, t_test))
        With N = 60,000 (or ``subset``) training and 10,000 test images.

    Raises
    ------
    DownloadError
        (an ``OSError``) When the files are not cached and no mirror works.
    """
    return _load_remote("mnist", normalize, flatten, one_hot, subset, cache_dir)


def load_fashion_mnist(normalize=True, flatten=True, one_hot=False, subset=None, cache_dir=None):
    """Fashion-MNIST: Zalando's article images, 10 classes, laid out exactly like MNIST.

    Classes: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot.  Downloaded on first use (about 30 MB) into
    ``get_data_dir(cache_dir) / "fashion_mnist"``; arguments and result as in
    :func:`load_mnist`.
    """
    return _load_remote("fashion_mnist", normalize, flatten, one_hot, subset, cache_dir)


#: Loaders by name, for :func:`load_dataset`.
DATASETS = {
    "digits": load_digits,
    "mnist": load_mnist,
    "fashion_mnist": load_fashion_mnist,
}


def load_dataset(name="digits", **kw):
    """Load a dataset by name: ``"digits"``, ``"mnist"`` or ``"fashion_mnist"``.

    Parameters
    ----------
    name : str, default "digits"
        A key of :data:`DATASETS`.
    **kw
        Passed to the loader, e.g. ``load_dataset("mnist", subset=6000)``.

    Returns
    -------
    ((x_train, t_train), (x_test, t_test))
        As the loader returns them.
    """
    return DATASETS[checks.one_of("name", name, DATASETS)](**kw)
