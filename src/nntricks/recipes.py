"""The main job's recipes: the notes' tricks chosen for each bundled data set.

``nntricks train`` starts from the recipe of its ``--data`` (the ``general`` one for a CSV or
``.npz`` file); every option given on the command line overrides the recipe's value. Each recipe
switches on, where they help, mean subtraction or standardization (§2.5), He initialization for
ReLU (§2.6), dropout (§2.3), L2 (§2.2), Adam (§2.9), the schedule ``α0·τ/max(t, τ)`` (§2.7), and
a stopping rule that dropout's noise does not fool: early stopping on the validation *score* of
a held-out tenth of the training set, with the best epoch's weights restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["GENERAL", "RECIPES", "Recipe", "recipe_for"]


@dataclass(frozen=True)
class Recipe:
    """Estimator parameters and input preprocessing for one data set.

    Attributes
    ----------
    name : str
    params : dict
        Keyword arguments of ``MLPClassifier``/``MLPRegressor``.
    preprocess : {"none", "center", "standardize", "whiten"}
    """

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    preprocess: str = "center"

    def describe(self) -> str:
        """One line naming every trick of the recipe."""
        p = self.params
        parts = [
            "-".join(map(str, p["hidden_layer_sizes"])) + f" {p['activation']} units",
            f"{p['init']} init",
            f"input dropout {p['input_dropout']:g}" if p.get("input_dropout") else None,
            f"dropout {p['dropout']:g}" if p.get("dropout") else "no dropout",
            "batch norm" if p.get("batch_norm") else None,
            f"L2 alpha={p['alpha']:g}" if p.get("alpha") else "no L2",
            f"{p['solver']} at {p['learning_rate_init']:g}",
            (f"schedule α0·τ/max(t, τ) with τ={p['lr_tau']:g} epochs"
             if p.get("learning_rate") == "inverse" else f"{p['learning_rate']} rate"),
            f"batch {p['batch_size']}",
            {"none": "raw input", "center": "mean-subtracted input",
             "standardize": "standardized input", "whiten": "whitened input"}[self.preprocess],
            (f"early stopping on {p['validation_fraction']:g} of the training set "
             f"(patience {p['n_iter_no_change']} epochs, best weights kept)"
             if p.get("early_stopping") else None),
            (f"stopping when the training loss stalls (patience {p['n_iter_no_change']} epochs)"
             if not p.get("early_stopping") else None),
            f"at most {p['max_iter']} epochs",
            p["dtype"],
        ]
        return f"recipe {self.name}: " + ", ".join(part for part in parts if part)


_COMMON = dict(activation="relu", init="he", solver="adam", learning_rate="inverse",
               early_stopping=True, validation_fraction=0.1, dtype="float32", random_state=0)

RECIPES: dict[str, Recipe] = {
    # 1,347 training images: too few to spare a validation part that ranks epochs, so the
    # scikit-learn rule on the training loss stops it.
    "digits": Recipe("digits", dict(
        _COMMON, hidden_layer_sizes=(256,), dropout=0.3, alpha=1e-3, learning_rate_init=3e-3,
        lr_tau=20.0, batch_size=64, max_iter=100, n_iter_no_change=20, early_stopping=False),
        "center"),
    # 4,000 training sequences: a validation tenth ranks epochs too coarsely (early stopping
    # cost 4 points here), so more dropout and L2 and the training-loss rule instead.
    "mnist1d": Recipe("mnist1d", dict(
        _COMMON, hidden_layer_sizes=(512, 512), dropout=0.3, alpha=1e-2,
        learning_rate_init=1e-3, lr_tau=20.0, batch_size=64, max_iter=300,
        n_iter_no_change=20, early_stopping=False), "standardize"),
    "fashion-mnist": Recipe("fashion-mnist", dict(
        _COMMON, hidden_layer_sizes=(512, 256), input_dropout=0.2, dropout=0.3, alpha=0.02,
        learning_rate_init=1e-3, lr_tau=10.0, batch_size=128, max_iter=100,
        n_iter_no_change=15), "center"),
}
"""The recipe of each bundled data set, by ``--data`` name."""

GENERAL = Recipe("general", dict(
    _COMMON, hidden_layer_sizes=(256,), dropout=0.2, alpha=1e-3, learning_rate_init=3e-3,
    lr_tau=20.0, batch_size=64, max_iter=200, n_iter_no_change=20), "standardize")
"""The recipe for a CSV or ``.npz`` file of your own."""


def recipe_for(data: str) -> Recipe:
    """The recipe of the data set ``data`` (a bundled name), else :data:`GENERAL`."""
    return RECIPES.get(data, GENERAL)
