"""PROVISIONAL: replaced by the misc-seams branch."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split


def holdout_split(*arrays, test_size, random_state=None, stratify=None):
    if stratify is not None:
        _, counts = np.unique(stratify, return_counts=True)
        if counts.min() < 2:
            stratify = None
    return train_test_split(*arrays, test_size=test_size, random_state=random_state,
                            stratify=stratify)
