"""§2.5: none vs mean-centering vs standardization vs whitening, on badly scaled features."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim
from ..preprocessing import MeanCenter, Standardize, Whiten
from ._common import CROSS_ENTROPY, Data, digits, fmt, mlp, train
from ._report import Judgement, LabResult, Table

NAME = "preprocessing"
TITLE = "Data preprocessing: centering, standardization, whitening"
SECTION = "§2.5"


def badly_scaled(data: Data, seed: int) -> tuple[Data, np.ndarray, np.ndarray]:
    """The same images with each pixel in its own unit: ``x·s_j + c_j``.

    ``s_j = 10^u`` with ``u ~ U[−1.5, 1.5]`` (a factor of 1000 between features) and offsets
    ``c_j ~ 10·s_j·U[−1, 1]``, as when features are measured in unrelated units.
    """
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-1.5, 1.5, data.n_features)
    shift = 10.0 * scale * rng.uniform(-1, 1, data.n_features)
    bad = Data((data.X_train * scale + shift).astype(np.float32), data.y_train,
               (data.X_val * scale + shift).astype(np.float32), data.y_val,
               f"{data.name.split(' (')[0]} with badly scaled pixels")
    return bad, scale, shift


def _trains_better(row: dict, raw: dict) -> bool:
    """``row`` ends with a finite training loss below the raw input's (or raw input diverged)."""
    loss, raw_loss = row["final_loss"], raw["final_loss"]
    return bool(np.isfinite(loss) and (not np.isfinite(raw_loss) or loss < raw_loss))


def _is_white(row: dict, tolerance: float = 1e-6) -> bool:
    """Unit variances and no correlation, within ``tolerance``."""
    return bool(abs(row["var1"] - 1) < tolerance and abs(row["var2"] - 1) < tolerance
                and abs(row["correlation"]) < tolerance)


def judge(table: Table, plane: Table) -> Judgement:
    """The notes' claim, decided by the training table and the 2-D covariances.

    Mean-centering and standardization each end with a lower training loss than the raw
    (badly scaled) input, and PCA and ZCA whitening leave unit variances and no correlation.
    """
    raw = table.row("none")
    return Judgement({
        "mean-centering trains better than raw input":
            _trains_better(table.row("mean-centering"), raw),
        "standardization trains better than raw input":
            _trains_better(table.row("standardization"), raw),
        "whitening gives the identity covariance":
            _is_white(plane.row("PCA whitened")) and _is_white(plane.row("ZCA whitened")),
    })


def _covariance_summary(Z: np.ndarray) -> tuple[float, float, float]:
    cov = np.cov(Z, rowvar=False, bias=True)
    return float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))


def run(seed: int = 0, quick: bool = False) -> LabResult:
    """Train the same network on each preprocessed copy; scatter 2-D data before/after whitening.

    Every transformer is fitted on the training part only and then applied to the validation
    part, as the notes require.
    """
    hidden, epochs = ([32], 5) if quick else ([64], 30)
    rate, momentum = 0.01, 0.9
    bad, scale, _ = badly_scaled(digits(), seed)
    transforms = {
        "none": None,
        "mean-centering": MeanCenter(),
        "standardization": Standardize(),
        "PCA whitening": Whiten("pca"),
        "ZCA whitening": Whiten("zca"),
    }
    runs = {}
    table = Table(
        f"{bad.name} (scales from {scale.min():.3g} to {scale.max():.3g}); network "
        f"64-{'-'.join(map(str, hidden))}-10 tanh, SGD α={rate} momentum {momentum}, batch 32, "
        f"{epochs} epochs",
        {"preprocessing": "preprocessing", "std_min": "input std, smallest",
         "std_max": "input std, largest", "initial_loss": "loss at epoch 0",
         "first_loss": "loss after 1 epoch", "final_loss": f"loss after {epochs} epochs",
         "val_accuracy": "validation accuracy"})
    for label, transform in transforms.items():
        if transform is None:
            data = bad
        else:
            transform.fit(bad.X_train)
            data = Data(transform.transform(bad.X_train).astype(np.float32), bad.y_train,
                        transform.transform(bad.X_val).astype(np.float32), bad.y_val, label)
        network = mlp(data.n_features, hidden, data.n_classes, "tanh")
        curves = runs[label] = train(network, lambda r: optim.sgd(r, momentum=momentum), data,
                                     epochs=epochs, learning_rate=rate, batch_size=32,
                                     seed=seed)
        spread = data.X_train.std(axis=0)
        spread = spread[spread > 1e-8 * spread.max()]  # not the directions whitening zeroed
        table.add(preprocessing=label, std_min=float(spread.min()),
                  std_max=float(spread.max()), initial_loss=curves.initial_loss,
                  first_loss=curves.loss[0] if curves.loss else float("nan"),
                  final_loss=curves.final_loss,
                  val_accuracy=curves.val_accuracy[-1] if curves.val_accuracy else float("nan"))

    # 2-D picture: correlated, off-centre, badly scaled Gaussian data
    rng = np.random.default_rng(seed)
    points = rng.standard_normal((300 if quick else 500, 2)) @ np.array([[3.0, 0.0],
                                                                          [2.0, 0.6]])
    points += np.array([4.0, -2.0])
    views = {"raw data": points,
             "PCA whitened": Whiten("pca", epsilon=0.0).fit_transform(points),
             "ZCA whitened": Whiten("zca", epsilon=0.0).fit_transform(points)}
    plane = Table("2-D example: covariance of the training points",
                  {"data": "data", "var1": "variance x₁", "var2": "variance x₂",
                   "correlation": "correlation"})
    for label, Z in views.items():
        var1, var2, correlation = _covariance_summary(Z)
        plane.add(data=label, var1=var1, var2=var2, correlation=correlation)

    fig = Figure(figsize=(16, 4.6), layout="constrained")
    fig.suptitle("Preprocessing the input (notes §2.5)")
    ax_l, *ax_2d = fig.subplots(1, 4, width_ratios=[1.6, 1, 1, 1])
    for label, curves in runs.items():
        epochs_axis, losses = curves.loss_from_start
        ax_l.plot(epochs_axis, losses, "o-" if label == "none" else "-", ms=3, label=label)
    ax_l.set_yscale("log")
    ax_l.set_title(f"training on {bad.name}")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel(CROSS_ENTROPY + ", log scale")
    ax_l.grid(True, alpha=0.3)
    ax_l.legend(fontsize=8)
    for ax, (label, Z), color in zip(ax_2d, views.items(), ("gray", "tab:green", "tab:purple"),
                                     strict=True):
        var1, var2, corr = _covariance_summary(Z)
        ax.scatter(Z[:, 0], Z[:, 1], s=6, alpha=0.6, color=color,
                   label=f"samples: var {var1:.2g}, {var2:.2g}; corr {corr:+.2f}")
        ax.axhline(0, color="k", lw=0.6)
        ax.axvline(0, color="k", lw=0.6)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(label)
        ax.set_xlabel("feature 1 (data units)" if label == "raw data"
                      else "whitened feature 1 (standard deviations)")
        ax.set_ylabel("feature 2 (data units)" if label == "raw data"
                      else "whitened feature 2 (standard deviations)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")

    final = dict(zip(table.labels, table.column("final_loss"), strict=True))
    accuracy = dict(zip(table.labels, table.column("val_accuracy"), strict=True))
    none = runs["none"]
    most_accurate = max(accuracy, key=lambda k: accuracy[k] if np.isfinite(accuracy[k]) else -1)
    best = min(final, key=lambda k: final[k] if np.isfinite(final[k]) else np.inf)
    raw, pca, zca = (plane.row(label) for label in views)
    judgement = judge(table, plane)
    caption = (
        "The notes (§2.5) recommend subtracting the training mean, dividing each feature by its "
        "training standard deviation so that features in different units count alike, and "
        "(less often) whitening, which makes the covariance the identity. Here the digits' "
        f"pixels were rescaled by factors from {scale.min():.2g} to {scale.max():.2g} and "
        "shifted; the same network and SGD settings then reach, after "
        f"{epochs} epochs, a training loss of "
        + ", ".join(f"{fmt(final[k])} ({label_short(k)}; {fmt(100 * accuracy[k])} % "
                    "validation accuracy)" if i == 0 else
                    f"{fmt(final[k])} ({label_short(k)}; {fmt(100 * accuracy[k])} %)"
                    for i, k in enumerate(final))
        + (f" — the unprocessed data diverged in epoch {none.diverged_at}"
           if none.diverged_at is not None else "")
        + f". Lowest training loss: {best}; highest validation accuracy: {most_accurate}. "
        f"On the 2-D example the raw variances are {raw['var1']:.3g} and {raw['var2']:.3g} "
        f"with correlation {raw['correlation']:+.2f}; after PCA whitening they are "
        f"{pca['var1']:.3g}, {pca['var2']:.3g} ({pca['correlation']:+.1e}) and after ZCA "
        f"{zca['var1']:.3g}, {zca['var2']:.3g} ({zca['correlation']:+.1e}). "
        + judgement.sentence()
    )
    return LabResult(NAME, TITLE, SECTION, caption, [table, plane], fig, seed, quick,
                     judgement)


def label_short(label: str) -> str:
    """A preprocessing label for running text."""
    return {"none": "raw"}.get(label, label)
