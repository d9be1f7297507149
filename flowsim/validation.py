"""Queueing-theory validation: the model reduced to systems with known answers.

Each reduction in ``configs/validation/`` switches off everything but one part of
the model and makes it a textbook queue:

- ``ed_mmc``: A&E clinicians as M/M/c -> Erlang C probability of waiting and
  mean wait ``Wq = C(c, a) / (c mu - lambda)``.
- ``beds_loss``: a bed pool with diversion when full as M/M/c/c -> Erlang B
  blocking probability (the share of direct admissions diverted).
- ``beds_queue``: the same pool with a queue (exit block) as M/M/c -> Erlang C.
- ``tandem``: A&E -> beds -> community with blocking after service; Little's law
  ``L = lambda W`` in every setting (midnight census mean vs arrival rate x mean
  time in the setting, measured independently).

A check passes when the formula lies within the model's 99.9% confidence interval
across replications (t with n-1 df), widened by 1% of the expected value for the
bias of a finite run started empty. Both parts are stated in the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from flowsim.config import Scenario, load_scenario
from flowsim.executors import map_tasks
from flowsim.model import simulate_replication
from flowsim.records import Replication
from flowsim.stats import JUDGE_BIAS_ALLOWANCE, JUDGE_CONFIDENCE, judge

VALIDATION_DIR = Path(__file__).resolve().parent.parent / "configs" / "validation"
CONFIDENCE = JUDGE_CONFIDENCE
BIAS_ALLOWANCE = JUDGE_BIAS_ALLOWANCE


# ------------------------------------------------------------------ formulas


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` Erlangs (recursion
    B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c (a < c): C = c B / (c - a (1 - B))."""
    if a >= c:
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of M/M/c: Wq = C(c, a) / (c mu - lambda), a = lambda / mu."""
    a = lam / mu
    return erlang_c(c, a) / (c * mu - lam)


# ------------------------------------------------------------------ reductions


def _window(rep: Replication, t: np.ndarray) -> np.ndarray:
    return (t >= rep.warmup_min) & (t < rep.end_min)


def measure_ed_mmc(rep: Replication) -> dict[str, float]:
    e = rep.ed
    m = _window(rep, e["arrival"]) & ~np.isnan(e["seen"])
    wait = e["seen"][m] - e["arrival"][m]
    return {"p_wait": float((wait > 1e-9).mean()), "mean_wait_min": float(wait.mean())}


def measure_beds(rep: Replication) -> dict[str, float]:
    a = rep.acute
    adm = a["admit"]
    m = _window(rep, a["request"])
    n_div = float(_window(rep, a["diverted"]).sum())
    n_arr = float(m.sum()) + n_div
    wait = (adm - a["request"])[m & ~np.isnan(adm)]
    return {
        "p_diverted": n_div / n_arr if n_arr else math.nan,
        "p_wait": float((wait > 1e-9).mean()) if wait.size else math.nan,
        "mean_wait_days": float(wait.mean()) / 1440.0 if wait.size else math.nan,
    }


def _little(rep: Replication, start: np.ndarray, end: np.ndarray, census: str) -> tuple:
    """(L from the midnight census, lambda * W from event records) for one setting.

    lambda counts entries in the period per day; W is the mean time in the setting of
    those entries (still-present patients censored at the end, which biases W down
    by a negligible amount when stays are short relative to the period)."""
    w0, w1 = rep.warmup_min, rep.end_min
    m = (start >= w0) & (start < w1)
    stay = np.where(np.isnan(end[m]), w1, end[m]) - start[m]
    lam = m.sum() / ((w1 - w0) / 1440.0)
    c = rep.census
    c = c[(c["day"] >= w0 / 1440.0) & (c["day"] < w1 / 1440.0)]
    return float(c[census].mean()), float(lam * stay.mean() / 1440.0)


def measure_tandem(rep: Replication) -> dict[str, float]:
    e, a, cm = rep.ed, rep.acute, rep.community
    out = {}
    out["ed_L"], out["ed_lambdaW"] = _little(rep, e["arrival"], e["depart"], "ed_in_department")
    out["acute_L"], out["acute_lambdaW"] = _little(rep, a["admit"], a["leave"], "acute_occupied")
    out["community_L"], out["community_lambdaW"] = _little(
        rep, cm["admit"], cm["leave"], "community_occupied"
    )
    m = _window(rep, e["arrival"])
    space_wait = e["seen"][m] - e["arrival"][m]
    trolley = e["depart"][m] - e["dta"][m]
    acute_stay = (a["leave"] - a["admit"])[_window(rep, a["admit"])]
    out["ed_wait_for_space_h"] = float(np.nanmean(space_wait)) / 60.0
    out["ed_blocked_h"] = float(np.nanmean(trolley)) / 60.0
    out["p_blocked_ed"] = float(np.nanmean(trolley > 1e-9))
    out["acute_stay_h"] = float(np.nanmean(acute_stay)) / 60.0
    return out


MEASURES = {
    "ed_mmc": measure_ed_mmc,
    "beds_loss": measure_beds,
    "beds_queue": measure_beds,
    "tandem": measure_tandem,
}


def _measure_task(task: tuple[str, Scenario, int, int]) -> dict[str, float]:
    name, scn, seed, rep = task
    return MEASURES[name](simulate_replication(scn, seed, rep))


def load_reduction(name: str) -> Scenario:
    return load_scenario(VALIDATION_DIR / f"{name}.yaml")


def measure(
    name: str,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    scenario: Scenario | None = None,
) -> pd.DataFrame:
    """Per-replication measurements of one reduction."""
    scn = scenario or load_reduction(name)
    reps = replications or scn.run.replications
    seed = scn.run.seed if seed is None else seed
    rows = map_tasks(_measure_task, [(name, scn, seed, r) for r in range(reps)], jobs=jobs)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Check:
    reduction: str
    quantity: str
    expected: float
    formula: str


def expected_values() -> list[Check]:
    """The textbook answer for each reduction, from its own config parameters."""
    out = []
    s = load_reduction("ed_mmc")
    lam = s.ed.walkin_arrivals_per_day / 1440.0
    mu = 1.0 / s.ed.assessment_min.expected
    c = s.ed.clinicians_by_hour[0]
    out += [
        Check("ed_mmc", "p_wait", erlang_c(c, lam / mu), f"Erlang C(c={c}, a={lam / mu:g})"),
        Check("ed_mmc", "mean_wait_min", mmc_mean_wait(c, lam, mu), "Wq = C / (c mu - lambda)"),
    ]
    s = load_reduction("beds_loss")
    a = s.acute.direct_admissions_per_day * s.acute.emergency_los_days.expected
    out.append(
        Check(
            "beds_loss",
            "p_diverted",
            erlang_b(s.acute.beds, a),
            f"Erlang B(c={s.acute.beds}, a={a:g})",
        )
    )
    s = load_reduction("beds_queue")
    lam = s.acute.direct_admissions_per_day
    mu = 1.0 / s.acute.emergency_los_days.expected
    out += [
        Check(
            "beds_queue",
            "p_wait",
            erlang_c(s.acute.beds, lam / mu),
            f"Erlang C(c={s.acute.beds}, a={lam / mu:g})",
        ),
        Check(
            "beds_queue",
            "mean_wait_days",
            mmc_mean_wait(s.acute.beds, lam, mu),
            "Wq = C / (c mu - lambda)",
        ),
    ]
    return out


def queueing_checks(replications: int | None = None, jobs: int = 1) -> pd.DataFrame:
    """Run every reduction and compare with its formula: one row per check."""
    rows = []
    measured: dict[str, pd.DataFrame] = {}
    for chk in expected_values():
        if chk.reduction not in measured:
            measured[chk.reduction] = measure(chk.reduction, replications, jobs=jobs)
        rows.append(
            {
                "reduction": chk.reduction,
                "quantity": chk.quantity,
                "formula": chk.formula,
                "expected": chk.expected,
                **judge(measured[chk.reduction][chk.quantity].to_numpy(), chk.expected),
            }
        )
    t = measure("tandem", replications, jobs=jobs)
    for setting in ("ed", "acute", "community"):
        # Little's law: census mean L against lambda * W of the same replication; the
        # per-replication difference should be zero in expectation.
        lw = t[f"{setting}_lambdaW"].to_numpy()
        r = judge(t[f"{setting}_L"].to_numpy() - lw, 0.0)
        r["tolerance"] += BIAS_ALLOWANCE * float(np.mean(lw))
        r["passed"] = bool(abs(r["model_mean"]) <= r["tolerance"])
        rows.append(
            {
                "reduction": "tandem",
                "quantity": f"{setting}: L - lambda W",
                "formula": "Little's law L = lambda W",
                "expected": 0.0,
                **r,
            }
        )
    return pd.DataFrame(rows)


def format_checks(df: pd.DataFrame) -> str:
    lines = [
        f"{'reduction':11s} {'quantity':24s} {'formula':30s} {'expected':>10s} "
        f"{'model':>10s} {'99.9% CI':>22s}  result"
    ]
    for r in df.itertuples():
        ci = f"[{r.ci_low:.4g}, {r.ci_high:.4g}]"
        lines.append(
            f"{r.reduction:11s} {r.quantity:24s} {r.formula:30s} {r.expected:10.4g} "
            f"{r.model_mean:10.4g} {ci:>22s}  {'pass' if r.passed else 'FAIL'}"
        )
    lines.append(
        f"\nPass: |model - formula| <= {CONFIDENCE:.1%} t-interval half-width + "
        f"{BIAS_ALLOWANCE:.0%} of the formula value (start-up bias allowance)."
    )
    return "\n".join(lines)
