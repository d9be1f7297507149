"""The warm-up rule for a replication's midnight census: MSER-5 on its busiest series.

The MSER-5 statistic itself lives in :mod:`flowsim.stats`; this module says which
series of the census it looks at, and over which window.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from flowsim.stats import mser

__all__ = ["MSER_SERIES", "MSER_WINDOW_DAYS", "recommended_warmup_days"]

MSER_SERIES = ("acute_occupied", "acute_delayed", "ed_in_department", "community_occupied")
#: MSER looks at the first 180 days only: over a whole year, seasonal demand and winter
#: escalation beds make later drift look like initialisation bias.
MSER_WINDOW_DAYS = 180


def recommended_warmup_days(
    census: pd.DataFrame, columns: Sequence[str] = MSER_SERIES, batch: int = 5
) -> int:
    """MSER-5 warm-up in days on the first 180 days of the midnight census.

    Parameters
    ----------
    census : pandas.DataFrame
        One row per simulated day (warm-up included).
    columns : sequence of str
        Series to test; those absent from ``census`` are skipped.
    batch : int
        MSER batch size.

    Returns
    -------
    int
        The largest recommendation over the series (0 if none is present).
    """
    head = census.iloc[:MSER_WINDOW_DAYS]
    return max((mser(head[c].to_numpy(), batch) for c in columns if c in head), default=0)
