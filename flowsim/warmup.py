"""Warm-up detection by MSER-5 (White, 1997; Hoad, Robinson & Davies, 2010).

The daily series is cut into batches of 5 observations; for each candidate
truncation point d (in batches, up to half the series) the marginal standard
error rule computes ``MSER(d) = sum_{i>d} (Y_i - mean_d)^2 / (n - d)^2`` and the
recommended warm-up is the d that minimises it, times the batch size.
"""

from __future__ import annotations

import numpy as np


def mser(series: np.ndarray, batch: int = 5) -> int:
    """Recommended number of observations to delete from the start of ``series``."""
    x = np.asarray(series, dtype=float)
    x = x[~np.isnan(x)]
    n_batches = x.size // batch
    if n_batches < 4:
        return 0
    y = x[: n_batches * batch].reshape(n_batches, batch).mean(axis=1)
    best_d, best = 0, np.inf
    for d in range(n_batches // 2 + 1):
        tail = y[d:]
        stat = float(((tail - tail.mean()) ** 2).sum()) / tail.size**2
        if stat < best:
            best_d, best = d, stat
    return best_d * batch


MSER_SERIES = ("acute_occupied", "acute_delayed", "ed_in_department", "community_occupied")
#: MSER looks at the first 180 days only: over a whole year, seasonal demand and winter
#: escalation beds make later drift look like initialisation bias.
MSER_WINDOW_DAYS = 180


def recommended_warmup_days(census, columns=MSER_SERIES, batch: int = 5) -> int:
    """MSER-5 warm-up (days) on the first 180 days of the midnight census, the
    largest over the series."""
    head = census.iloc[:MSER_WINDOW_DAYS]
    return max((mser(head[c].to_numpy(), batch) for c in columns if c in head), default=0)
