"""Real data sets that work offline, all returned as one small :class:`Dataset` type.

=================  ===========================  ==========  ========  =======  ==================
name               source                       train/test  features  classes  X
=================  ===========================  ==========  ========  =======  ==================
``digits``         scikit-learn's bundled copy  1347/450    64        10       pixels / 16, [0, 1]
``mnist1d``        ``mnist1d`` package (extra)  4000/1000   40        10       mean 0, std 1
``fashion-mnist``  IDX files (Debian package)   60000/10000 784       10       pixels / 255, [0, 1]
user ``.csv``      header row, label column     75 %/25 %   numeric   any      as in the file
user ``.csv``      by :func:`load_table`        75 %/25 %   any       any      a data frame
user ``.npz``      ``X, y`` or a given split    75 %/25 %   numeric   any      as in the file
=================  ===========================  ==========  ========  =======  ==================

:func:`load` takes a name or a path and dispatches; :func:`read_idx` reads one IDX file. Every
``X`` of a :class:`Dataset` is float32 of shape ``(n_samples, n_features)``; labels of the named
sets are int64. :func:`load_table` returns a :class:`Table` instead, whose ``X`` is a pandas data
frame with text columns and missing cells (the spellings in :data:`MISSING_VALUES`), for
:mod:`nntricks.tabular` to encode.
Nothing is downloaded and nothing is written to disk (except MNIST-1D under an explicit
``cache_dir``). Splits made here are seeded (``random_state=0`` by default) and stratified
when the classes allow it.
"""

from ._builtin import FASHION_MNIST_DIR, load_digits, load_fashion_mnist, load_mnist1d
from ._dataset import DataFileNotFoundError, Dataset, OptionalDependencyError, Table
from ._files import (
    MISSING_VALUES,
    load_csv,
    load_npz,
    load_table,
    read_csv,
    read_npz,
    read_table,
)
from ._idx import read_idx
from ._load import DEFAULT, available, load

__all__ = [
    "DEFAULT",
    "FASHION_MNIST_DIR",
    "MISSING_VALUES",
    "DataFileNotFoundError",
    "Dataset",
    "OptionalDependencyError",
    "Table",
    "available",
    "load",
    "load_csv",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist1d",
    "load_npz",
    "read_npz",
    "load_table",
    "read_csv",
    "read_idx",
    "read_table",
]
