"""Run (or resume) the ambulance handover sweep and draw its figure.

    python experiments/ambulance_handover_figure.py OUT FIGURE.png [--jobs 2]

Left: Cat 2 mean and 90th centile response against the handover limit, one line per
acute bed base (hospital occupancy), with the E51 standards (18 and 40 minutes).
Right: handovers over 60 minutes and corridor hours per day at the same points.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from flowsim.figures import save_figure
from flowsim.sweep import sweep

HERE = Path(__file__).with_name("ambulance_handover.yaml")
HOLD_MIN = 10_000  # the sweep's stand-in for "hold": crews wait for a space


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="folder for the sweep results")
    ap.add_argument("figure", help="PNG file to write")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    import matplotlib.pyplot as plt

    res = sweep(HERE, out=args.out, jobs=args.jobs, progress=False)
    r = res.results
    limits = sorted(r["ed.corridor_care_after_min"].unique())
    labels = ["hold" if v >= HOLD_MIN else f"{v:g}" for v in limits]
    x = np.arange(len(limits))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, (beds, g) in enumerate(r.groupby("acute.beds")):
        kpis = [
            "ambulance_cat2_mean_min",
            "ambulance_cat2_p90_min",
            "ambulance_handover_over_60min_pct",
        ]
        m = g.groupby("ed.corridor_care_after_min")[kpis].agg(["mean", "std", "count"])
        occ = g["acute_occupancy_pct"].mean()
        for kpi, style in (("ambulance_cat2_mean_min", "-o"), ("ambulance_cat2_p90_min", "--s")):
            mean = m[kpi]["mean"].reindex(limits)
            half = 1.96 * m[kpi]["std"].reindex(limits) / np.sqrt(m[kpi]["count"].reindex(limits))
            name = "mean" if kpi.endswith("mean_min") else "90th centile"
            a1.errorbar(
                x + 0.06 * i,
                mean,
                yerr=half,
                fmt=style,
                color=f"C{i}",
                capsize=3,
                label=f"{beds} beds ({occ:.0f}% occupied): {name}",
            )
        a2.plot(
            x + 0.06 * i,
            m["ambulance_handover_over_60min_pct"]["mean"].reindex(limits),
            "-o",
            color=f"C{i}",
            label=f"{beds} beds",
        )
    for y in (18, 40):
        a1.axhline(y, color="grey", lw=0.8, ls=":")
    a1.set_xticks(x, labels)
    a1.set_xlabel("handover limit, minutes (crews released into a corridor of finite places)")
    a1.set_ylabel("Cat 2 response, minutes (95% CI over replications)")
    a1.legend(fontsize="x-small")
    a2.set_xticks(x, labels)
    a2.set_xlabel("handover limit, minutes")
    a2.set_ylabel("handovers over 60 minutes, %")
    a2.legend(fontsize="small")
    fig.suptitle("Worcestershire winter: handover policy and bed base against Cat 2 response")
    fig.tight_layout()
    save_figure(fig, args.figure)


if __name__ == "__main__":
    main()
