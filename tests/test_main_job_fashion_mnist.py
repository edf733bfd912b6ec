"""The main job on the real Fashion-MNIST: its recipe, untouched, reaches 90.5 % (issue 14).

Slow (two to four minutes of training); it needs Debian's ``dataset-fashion-mnist``, which CI
installs.
"""

import json

from conftest import require_system
from nntricks.cli import main
from nntricks.datasets import FASHION_MNIST_DIR


def test_the_fashion_mnist_recipe_reaches_90_5_percent_with_its_default_seed(tmp_path):
    require_system((FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").is_file(),
                   "the real Fashion-MNIST files are absent (apt-get install "
                   "dataset-fashion-mnist)")
    assert main(["train", "--data", "fashion-mnist", "--quiet", "--output", str(tmp_path)]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["recipe"] == "fashion-mnist" and metrics["overridden"] == []
    assert metrics["test_accuracy"] >= 0.905, metrics["test_accuracy"]
