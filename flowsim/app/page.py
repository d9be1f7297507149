"""The Streamlit page of the summit app (run by ``flowsim app``; see flowsim.app).

Only layout and widgets live here; every decision is a call into the plain modules
of this package or the public flowsim API.
"""

from __future__ import annotations

import math
import time
import warnings

import streamlit as st

from flowsim.app import options as opt
from flowsim.app.cache import baseline_key, comparison_key
from flowsim.app.diagram import DAILY_COLUMNS, system_diagram_dot
from flowsim.app.downloads import board_report_html, tables_excel, tables_zip
from flowsim.app.figures import forest_figure
from flowsim.app.jobs import JobManager
from flowsim.app.kpi_text import (
    format_with_unit,
    interval_text,
    kpi_definition,
    kpi_label,
    page_headline_kpis,
)
from flowsim.app.ranking import RANK_BY, breach_label, rank_options, ranking_for_display
from flowsim.app.settings import AppSettings
from flowsim.app.timeline import daily_means, monthly_means
from flowsim.app.uploads import read_upload
from flowsim.comparison import build_scenarios
from flowsim.config import load_scenario
from flowsim.errors import ConfigError
from flowsim.interventions import REGISTRY

POLL_SECONDS = 1.0
ss = st.session_state


# ----------------------------------------------------------------- shared resources
@st.cache_resource
def job_manager(settings: AppSettings) -> JobManager:
    """One pool of worker processes per server, shared by every browser session."""
    return JobManager(settings)


@st.cache_resource(show_spinner=False)
def base_scenario(base: str):
    """The base scenario, or the ConfigError explaining why it cannot be loaded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return load_scenario(base)
        except ConfigError as exc:
            return exc


def show_problems(title: str, problems) -> None:
    st.error(title + "\n\n" + "\n".join(f"- `{p.key}` = `{p.value!r}`: {p.rule}" for p in problems))


@st.cache_data(max_entries=4, show_spinner="Preparing the downloads...")
def downloads(key: str, cache_dir: str, base_file: str | None, _exp) -> dict[str, bytes]:
    """The four downloads of one cached comparison (made once per result)."""
    from flowsim.app.cache import ResultCache

    res = ResultCache(cache_dir).get(key)
    return {
        "html": board_report_html(res).encode(),
        "zip": tables_zip(res),
        "xlsx": tables_excel(res),
        "yaml": opt.experiment_yaml(_exp, base_file).encode(),
    }


def money(x: float) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    return f"£{x / 1e6:,.2f}m" if abs(x) >= 1e6 else f"£{x:,.0f}"


def query_number(name: str, default, cast, lo, hi):
    """A run setting preset by the link (``?days=30``); the default if absent or bad."""
    try:
        x = cast(st.query_params.get(name, default))
    except (TypeError, ValueError):
        return cast(default)
    return x if lo <= x <= hi else cast(default)


def base_label(base: str) -> str:
    if base in ss.uploaded_bases:
        return f"Uploaded: {ss.uploaded_bases[base]}"
    return base.replace("_", " ").title()


def adopt_upload(manager: JobManager, up, data: bytes) -> None:
    """Button callback: make an uploaded file the page's scenario or option set."""
    if up.kind == "scenario":
        path = str(manager.cache.keep_upload(data))
        ss.uploaded_bases[path] = up.name
        ss.base = path
        ss.base_choice = base_label(path)
        return
    exp = up.experiment
    if exp.base not in opt.COUNTIES:
        ss.uploaded_bases[exp.base] = exp.base
    ss.base = exp.base
    ss.base_choice = base_label(exp.base)
    ss.packages = opt.packages_of(exp)
    ss.reps = exp.replications
    ss.seed = exp.seed
    scn = base_scenario(exp.base)
    ss.days = float(exp.days if exp.days is not None else scn.run.days)
    ss.warmup = float(exp.warmup_days if exp.warmup_days is not None else scn.run.warmup_days)
    ss.exp_name = exp.name
    ss.exp_description = exp.description


def poll(manager: JobManager, key: str, what: str) -> None:
    """Show progress of a running job; rerun the page when it has finished."""

    @st.fragment(run_every=POLL_SECONDS)
    def _progress() -> None:
        s = manager.status(key)
        if s.state == "running":
            text = (
                f"{what}: {s.done} of {s.total} replications done ({s.elapsed_s:.0f} s)"
                if s.total
                else f"{what}: starting workers ({s.elapsed_s:.0f} s)"
            )
            st.progress(s.fraction, text=text)
        else:
            st.rerun()

    _progress()


def sidebar(manager: JobManager):
    """County, run settings and upload; returns the base scenario."""
    with st.sidebar:
        st.header("Scenario")
        # Labels as options (AppTest does not apply format_func), mapped back to bases.
        bases = {base_label(b): b for b in [*opt.COUNTIES, *ss.uploaded_bases]}
        choice = st.selectbox(
            "County system",
            list(bases),
            key="base_choice",
            help="The packaged calibration of each county, or a scenario file you uploaded.",
        )
        ss.base = bases[choice]
        scn = base_scenario(ss.base)
        if isinstance(scn, ConfigError):
            show_problems("This scenario cannot be loaded:", scn.problems)
            st.stop()
        ss.setdefault("reps", query_number("replications", 5, int, 1, 100))
        ss.setdefault("days", query_number("days", scn.run.days, float, 1.0, 3650.0))
        ss.setdefault("warmup", query_number("warmup", scn.run.warmup_days, float, 0.0, 3650.0))
        ss.setdefault("seed", int(scn.run.seed))
        st.header("Run settings")
        st.number_input("Replications per option", 1, 100, key="reps", step=1)
        st.number_input("Days reported", 1.0, 3650.0, key="days", step=1.0)
        st.number_input("Warm-up days (not reported)", 0.0, 3650.0, key="warmup", step=1.0)
        st.number_input("Random seed", 0, 2**31 - 1, key="seed", step=1)
        st.caption(
            "Every option sees the same patients as the baseline (common random numbers), "
            "so differences are paired. More replications give narrower intervals."
        )

        st.header("Upload a file")
        up_file = st.file_uploader(
            "Experiment or scenario (YAML)",
            type=["yaml", "yml"],
            help="An experiment file (like experiments/worcestershire_summit.yaml) loads its "
            "options; a scenario file becomes the system to test.",
        )
        if up_file is not None:
            data = up_file.getvalue()
            up = read_upload(up_file.name, data)
            if not up.ok:
                show_problems(
                    f"{up_file.name} cannot be used ({len(up.problems)} "
                    f"problem{'' if len(up.problems) == 1 else 's'}):",
                    up.problems,
                )
            else:
                what = (
                    f"experiment with {len(up.experiment.scenarios) - 1} options"
                    if up.kind == "experiment"
                    else "scenario"
                )
                st.success(f"{up_file.name}: a valid {what}.")
                for w in up.warnings:
                    st.warning(w)
                if up.kind == "experiment" and (lost := opt.not_kept(up.experiment)):
                    st.warning("The page will not keep " + "; ".join(lost) + ".")
                st.button(
                    "Use this file", on_click=adopt_upload, args=(manager, up, data), key="adopt"
                )

    return scn


def baseline_tab(manager: JobManager, scn, run_choice, run_overrides) -> None:
    """Headline KPIs, the system diagram and charts of the baseline."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bscn = scn.with_overrides(run_overrides)
    except ConfigError as exc:
        show_problems("The run settings are not valid:", exc.problems)
        bscn = None
    if bscn is not None:
        bkey = baseline_key(bscn, run_choice.replications, run_choice.seed)
        manager.submit_baseline(
            ss.base, run_overrides, run_choice.replications, run_choice.seed, bkey
        )
        status = manager.status(bkey)
        if status.state == "failed":
            st.error(f"The baseline run failed: {status.error}")
            manager.forget_failure(bkey)
        elif status.state != "done":
            st.info("Running the baseline in the background; the other tabs can be used now.")
            poll(manager, bkey, "Baseline")
        else:
            bres = manager.result(bkey)
            summ = bres.summary.set_index("kpi")
            st.subheader("Headline figures (mean over replications, 95% CI)")
            cols = st.columns(4)
            for i, k in enumerate(page_headline_kpis()):
                r = summ.loc[k]
                ci = interval_text(k, r["ci_low"], r["ci_high"])
                with cols[i % 4]:
                    st.metric(kpi_label(k), format_with_unit(k, r["mean"]), help=kpi_definition(k))
                    st.caption(ci)
            st.subheader("Where patients wait")
            census = bres.daily[list(DAILY_COLUMNS)].mean().to_dict()
            st.graphviz_chart(system_diagram_dot(summ["mean"].to_dict(), census), width="stretch")
            st.caption(
                "Mean midnight counts over the reporting period. Arrows in amber or red "
                "carry a queue; P1-P3 are the discharge pathways (home with care, "
                "community bed, care home)."
            )
            st.subheader("Day by day (mean over replications)")
            d = daily_means(
                bres.daily,
                bscn,
                [
                    "acute_occupied",
                    "acute_beds_available",
                    "acute_delayed",
                    "ed_pct_within_4h",
                    "elective_waiting_list",
                ],
            )
            c1, c2 = st.columns(2)
            with c1:
                st.markdown("**Acute beds: occupied and available**")
                st.line_chart(
                    d[["acute_occupied", "acute_beds_available"]].rename(
                        columns={"acute_occupied": "occupied", "acute_beds_available": "available"}
                    ),
                    y_label="beds",
                )
                st.markdown("**Medically fit patients still in acute beds**")
                st.line_chart(
                    d[["acute_delayed"]].rename(columns={"acute_delayed": "patients"}),
                    y_label="patients",
                )
            with c2:
                st.markdown("**A&E: % seen within 4 hours (by arrival day)**")
                st.line_chart(
                    d[["ed_pct_within_4h"]].rename(columns={"ed_pct_within_4h": "% within 4 h"}),
                    y_label="%",
                )
                st.markdown("**Elective waiting list**")
                st.line_chart(
                    d[["elective_waiting_list"]].rename(
                        columns={"elective_waiting_list": "pathways"}
                    ),
                    y_label="pathways",
                )
            st.markdown("**Month by month (mean per day)**")
            m = monthly_means(d).rename(
                columns={
                    "days": "days reported",
                    "acute_occupied": "beds occupied",
                    "acute_beds_available": "beds available",
                    "acute_delayed": "delayed patients",
                    "ed_pct_within_4h": "% within 4 h",
                    "elective_waiting_list": "waiting list",
                }
            )
            st.table(m.style.format("{:,.0f}").format("{:.1f}", subset=["% within 4 h"]))


def options_tab(scn) -> None:
    """Build options with sliders, see their cost, combine them into packages."""
    st.subheader("Build an option")
    names = list(REGISTRY)
    labels = {n.replace("_", " ").capitalize(): n for n in names}
    iv_name = labels[st.selectbox("Intervention", list(labels), key="iv")]
    iv = REGISTRY[iv_name]
    st.markdown(iv.description)
    sizes = {}
    for s in opt.sliders(iv_name):
        if s.whole:
            sizes[s.name] = st.slider(
                s.label,
                int(s.minimum),
                int(s.maximum),
                int(s.default),
                int(s.step),
                key=f"sl_{iv_name}_{s.name}",
                help=s.help,
            )
        else:
            sizes[s.name] = st.slider(
                s.label,
                s.minimum,
                s.maximum,
                s.default,
                s.step,
                key=f"sl_{iv_name}_{s.name}",
                help=s.help,
            )
    spec = opt.option_spec(iv_name, sizes)
    cost = opt.annual_cost(scn, [spec])
    st.metric("Annual cost of this option", money(cost), help=iv.cost_basis)
    st.caption(f"Cost basis: {iv.cost_basis}. Changes: `{iv.changes_text}`.")
    if st.button("Add option", type="primary", key="add"):
        pkg = opt.single_option_package(spec)
        taken = {p.name for p in ss.packages}
        name, k = pkg.name, 2
        while name in taken:
            name, k = f"{pkg.name}_{k}", k + 1
        ss.packages = [*ss.packages, opt.Package(name, pkg.options, pkg.description)]
        st.toast(f"Added {name}")

    st.subheader("Options to compare with the baseline")
    if not ss.packages:
        st.info("No options yet: add one above, or upload an experiment file in the sidebar.")
    else:
        st.table(
            [
                {
                    "Option": p.name,
                    "What it changes": p.describe(),
                    "Annual cost": money(opt.annual_cost(scn, p.options)),
                }
                for p in ss.packages
            ]
        )
        pnames = [p.name for p in ss.packages]
        c1, c2 = st.columns(2)
        with c1:
            chosen = st.multiselect("Combine options into a package", pnames, key="combine")
            pname = st.text_input("Package name", value="package", key="pkg_name")
            if st.button("Combine", disabled=len(chosen) < 2, key="do_combine"):
                parts = [p for p in ss.packages if p.name in chosen]
                new = opt.combine(pname, parts)
                problems = opt.package_problems([*ss.packages, new])
                if problems:
                    show_problems("Cannot make this package:", problems)
                else:
                    ss.packages = [*ss.packages, new]
                    st.rerun()
        with c2:
            gone = st.multiselect("Remove options", pnames, key="remove")
            if st.button("Remove", disabled=not gone, key="do_remove"):
                ss.packages = [p for p in ss.packages if p.name not in gone]
                st.rerun()


def compare_tab(manager: JobManager, run_choice) -> None:
    """Run the comparison in the background and show the ranking and downloads."""
    ss.setdefault("exp_name", f"{ss.base if ss.base in opt.COUNTIES else 'uploaded'}_summit")
    ss.setdefault("exp_description", "")
    st.text_input("Name of this comparison", key="exp_name")
    st.text_input("The question (one line for the report)", key="exp_description")
    exp = key = None
    if not ss.packages:
        st.info("Add at least one option in the Options tab to compare it with the baseline.")
    else:
        try:
            exp = opt.build_experiment(
                ss.base, ss.packages, run_choice, ss.exp_name, ss.exp_description
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                key = comparison_key(exp, build_scenarios(exp))
        except ConfigError as exc:
            show_problems("The options cannot be run:", exc.problems)
    if key is not None and st.button(
        f"Run comparison ({len(exp.scenarios)} scenarios x {exp.replications} replications)",
        type="primary",
        key="run",
    ):
        ss.run_key, ss.run_exp, ss.run_started = key, exp, time.monotonic()
        if manager.cache.has(key):
            ss.elapsed[key] = "answered from the cache"
        else:
            manager.submit_comparison(exp, key)
    rkey = ss.get("run_key")
    if rkey is not None:
        status = manager.status(rkey)
        if status.state == "failed":
            st.error(f"The comparison failed: {status.error}")
            manager.forget_failure(rkey)
        elif status.state != "done":
            poll(manager, rkey, "Comparison")
        else:
            res = manager.result(rkey)
            if rkey not in ss.elapsed:
                ss.elapsed[rkey] = f"results in {time.monotonic() - ss.run_started:.0f} s"
            rexp = ss.run_exp
            n = int(res.run.kpis["rep"].nunique())
            st.success(
                f"{rexp.name}: {len(rexp.scenarios) - 1} option(s) against the baseline, "
                f"{n} replications each ({ss.elapsed[rkey]})."
            )
            by = st.radio("Rank by", list(RANK_BY), horizontal=True, key="rank_by")
            ranked = rank_options(res, by)
            best = ranked.iloc[0]
            if by == "Delayed bed-days saved" and best["bed_days_saved_per_year"] > 0:
                sure = (
                    ""
                    if best["bed_days_saved_low"] > 0
                    else " The interval includes no change: more replications or a longer "
                    "period would tell."
                )
                st.markdown(
                    f"**{best['option']}** saves the most delayed bed-days: about "
                    f"**{best['bed_days_saved_per_year']:,.0f} a year** "
                    f"(95% CI {best['bed_days_saved_low']:,.0f} to "
                    f"{best['bed_days_saved_high']:,.0f}) for **{money(best['annual_cost_gbp'])}"
                    f" a year**.{sure}"
                )
            with st.container(key="ranking"):
                st.subheader("Options ranked")
                st.table(ranking_for_display(ranked).style.hide(axis="index"))
            b = res.breaches.set_index("scenario").loc[rexp.baseline]
            st.caption(
                "Effects are paired differences from the baseline with 95% confidence "
                "intervals, scaled to a year. 'Chance' columns are the share of replications "
                "breaching the standard (4-hour target 78%, G&A occupancy 92%); for the "
                "baseline: "
                + ", ".join(f"{breach_label(c).lower()} {100 * v:.0f}%" for c, v in b.items())
                + "."
            )
            st.subheader("Effects with 95% confidence intervals")
            f1, f2 = st.columns(2)
            with f1:
                st.pyplot(forest_figure(res, "delayed_discharge_bed_days"))
            with f2:
                st.pyplot(forest_figure(res, "ed_pct_within_4h"))
            st.subheader("Downloads")
            base_file = ss.uploaded_bases.get(rexp.base)
            files = downloads(rkey, str(manager.cache.folder), base_file, rexp)
            d1, d2, d3, d4 = st.columns(4)
            d1.download_button(
                "Board report (HTML)",
                files["html"],
                f"{rexp.name}-report.html",
                "text/html",
                key="dl_html",
            )
            d2.download_button(
                "Tables (CSV, zip)",
                files["zip"],
                f"{rexp.name}-tables.zip",
                "application/zip",
                key="dl_csv",
            )
            d3.download_button(
                "Tables (Excel)",
                files["xlsx"],
                f"{rexp.name}-tables.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key="dl_xlsx",
            )
            d4.download_button(
                "Experiment (YAML)",
                files["yaml"],
                f"{rexp.name}.yaml",
                "application/yaml",
                key="dl_yaml",
            )
            st.caption(
                f"The YAML reproduces this run from the command line: "
                f"`flowsim compare {rexp.name}.yaml`."
            )


def footer(settings: AppSettings) -> None:
    """Where the app is served and how to expose it."""
    st.divider()
    host = settings.address.rsplit(":", 1)[0]
    local = host in ("127.0.0.1", "localhost", "::1")
    st.caption(
        f"Served at http://{settings.address}"
        + (
            " to this computer only. To let colleagues on your network open it, start it with "
            "`flowsim app --host 0.0.0.0` (the app has no login: use a trusted network)."
            if local
            else " to the network (no login)."
        )
        + f" Results are cached in `{settings.cache_dir}`."
    )


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="flowsim: summit options", layout="wide")
    try:
        settings = AppSettings.from_env()
    except ConfigError as exc:
        show_problems("The app was started with bad settings:", exc.problems)
        st.stop()
    manager = job_manager(settings)

    qp = st.query_params
    ss.setdefault("packages", [])
    ss.setdefault("uploaded_bases", {})  # path -> label
    county = qp.get("county", opt.COUNTIES[0])
    ss.setdefault("base_choice", base_label(county if county in opt.COUNTIES else opt.COUNTIES[0]))
    ss.setdefault("elapsed", {})
    scn = sidebar(manager)
    run_choice = opt.RunChoice(
        replications=int(ss.reps),
        days=float(ss.days),
        warmup_days=float(ss.warmup),
        seed=int(ss.seed),
    )
    run_overrides = {"run.days": run_choice.days, "run.warmup_days": run_choice.warmup_days}

    st.title(f"{base_label(ss.base)}: options for the system risk summit")
    st.caption(
        f"{run_choice.days:g} days reported after a {run_choice.warmup_days:g}-day warm-up, "
        f"{run_choice.replications} replications. Model: flowsim (discrete-event simulation of "
        "ambulance, A&E, acute and community beds, social care and the elective list)."
    )

    tab_base, tab_opts, tab_cmp = st.tabs(["1 · Baseline", "2 · Options", "3 · Compare"])

    with tab_base:
        baseline_tab(manager, scn, run_choice, run_overrides)
    with tab_opts:
        options_tab(scn)
    with tab_cmp:
        compare_tab(manager, run_choice)
    footer(settings)


# A worker process started by the job pool imports this file as __mp_main__: draw nothing.
if __name__ == "__main__":
    main()
