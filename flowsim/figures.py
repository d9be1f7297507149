"""Saving figures: the one helper every figure writer uses.

Figures are drawn with matplotlib's object API on a figure that uses
``constrained_layout`` (so labels and outside legends do not overlap), saved at one
resolution, and closed, so a long sweep does not accumulate open figures. Nothing here
selects a matplotlib backend: scripts and the CLI run headless because saving a
figure needs no display, and users choose their own backend.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from matplotlib.figure import Figure

#: Resolution of saved PNG files (dots per inch).
DPI = 110


def _figure(obj) -> Figure:
    """The figure of a Figure, an Axes, or an array of Axes."""
    if isinstance(obj, Figure):
        return obj
    fig = getattr(obj, "figure", None)
    if fig is None and hasattr(obj, "flat"):
        fig = getattr(next(iter(obj.flat), None), "figure", None)
    if not isinstance(fig, Figure):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(obj).__name__}")
    return fig


def _close(fig: Figure) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def save_figure(obj, path: str | Path, dpi: int = DPI, close: bool = True) -> Path:
    """Save a figure as PNG (or any format matplotlib knows from the suffix).

    Parameters
    ----------
    obj : Figure or Axes or array of Axes
        What a plot function returned.
    path : str or Path
        Target file; its folder must exist.
    dpi : int
        Resolution.
    close : bool
        Close the figure after saving (default).

    Returns
    -------
    Path
        The file written.
    """
    fig = _figure(obj)
    path = Path(path)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if close:
        _close(fig)
    return path


def figure_png_base64(obj, dpi: int = DPI, close: bool = False) -> str:
    """A figure as base64-encoded PNG, for embedding in a self-contained HTML page."""
    fig = _figure(obj)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    if close:
        _close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")
