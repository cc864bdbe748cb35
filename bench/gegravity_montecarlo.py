#!/usr/bin/env python3
"""Monte Carlo reference from gegravity's `MonteCarloGE` (its draws, its per-trial solve), for kanzei's gravity-draw
uncertainty and its speed target ("1,000 gravity draws < 2 s").

The experiment is exactly the one in bench/gegravity_reference.py (imported from there, so
the two cannot drift): gegravity 0.3's sample data (`sample_data_set.dlm`, 30 countries,
2006, from ../shared/data/raw/gegravity_sample), a PTA between Canada and Japan (`pta` set
to 1 for CAN->JPN and JPN->CAN), sigma 5, reference importer DEU, omr_rescale 10, solver
tolerances 1e-13 (`mr_tolerance`, `ge_tolerance`; max iterations 100000).

Distribution of the cost coefficients: INDEPENDENT normals (diagonal covariance) centred
on the fixed point estimates, with these standard errors (the numbers are not estimated
here; no covariance between coefficients is assumed because none is published with them):

    lndist -0.3764 (0.072), contiguity 0.8850 (0.131), pta 0.4823 (0.109),
    common_language 0.0392 (0.084), international -3.4224 (0.215).

How gegravity draws (read from gegravity/MonteCarloGE.py, 0.3): `_draw_mc_trade_costs`
builds `scipy.stats.multivariate_normal(params, covar, seed=seed)` and calls `.rvs()` once
per trial. scipy turns the integer seed into a legacy `numpy.random.RandomState(seed)`
(MT19937) and, for a plain covariance matrix, draws with
`RandomState.multivariate_normal` (SVD factor of the covariance; checked: draws.csv equals
`[RandomState(seed).multivariate_normal(mean, diag(se^2)) for each draw]` exactly, and it is
NOT mean + se * standard_normal(5) in column order, since the SVD reorders the variables by
variance). To reproduce the draws elsewhere, read draws.csv. The coefficients come
from a `gegravity.CostCoeffs` (attributes params/bse/covar), so no estimation object or
stand-in is needed: CostCoeffs takes `covar_matrix` directly. Beware: if `covar_matrix`
is omitted, CostCoeffs.covar is None and scipy silently uses the IDENTITY covariance
(unit variances, standard errors ignored); this script always passes diag(se^2).

What runs: the draws are MonteCarloGE's (its constructor, `coeff_sample`), and each draw
is solved by MonteCarloGE's own per-trial routine `_run_single_trial` (one `OneSectorGE`
build baseline / define experiment / simulate), but the loop over draws is this script's,
not `MonteCarloGE.run_trials`. Reason, measured with run_trials at omr_rescale 10 (see
bench/reference/gegravity_montecarlo/README.md): 107 of 400 draws raised "IMR or OMR values
problematic ... try a different omr_rescale factor" and 7 more did not converge; run_trials
swallows the exceptions (bare except), averages in the non-converged ones, and has no
quantiles. Averaging only over the draws that happen to solve at one rescale would bias the
summary. `omr_rescale` is only a scaling of the solver's unknowns: where a draw converges
at several factors the results agree (checked on draws 0 and 1 at factors 1, 10, 100, 1000:
JPN welfare equal to within 2e-15). So each draw is tried at omr_rescale
10 (the reference's), then 100, 1000, 1, 10000, 0.1, 0.01, and the first attempt that
raises nothing and whose three roots (baseline MRs, conditional MRs, full GE) all report
success is kept. This is gegravity's documented remedy (run_trials' `trial_omr_rescale`),
applied automatically. A draw that fails at every factor counts as failed and is left out.
draws.csv records the factor used.

Statistics: mean; std with ddof=1 (as gegravity/pandas); p05, p50, p95 from
`numpy.quantile` with its default "linear" interpolation (type 7).

Run from the repository root with the peers venv named by $PEER_PYTHON (make it with
`python3 -m venv .venv-peers && .venv-peers/bin/pip install gegravity numpy pandas scipy`, then
`export PEER_PYTHON=.venv-peers/bin/python`; any venv with gegravity 0.3 will do; unset
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for speed):

    $PEER_PYTHON bench/gegravity_montecarlo.py [--draws N] [--seed S] [path/to/sample_data_set.dlm]

Defaults: 1000 draws, seed 1. gegravity needs about 2 s per draw on a 2-core machine, so
the committed reference used fewer draws (see experiment.json "draws"); the draws are a
prefix of the 1000-draw sequence for the same seed (rvs() is called once per trial from
one RandomState), and experiment.json records the measured seconds per draw and the
implied time for 1,000 draws.

Writes, with 17 significant digits, to bench/reference/gegravity_montecarlo/:
  summary.csv      per country x result: gegravity's column name, whether it is a percent
                   change, n (successful draws), mean, std, p05, p50, p95, and the
                   point-estimate value (no draws) for comparison
  draws.csv        the coefficient values of every draw, whether it solved, the
                   omr_rescale used and the number of attempts
  experiment.json  experiment, distribution, seed, draws, failures, gegravity version,
                   wall time, timing, and the point-estimate welfare for CAN and JPN (ties
                   to bench/reference/gegravity_sample/country_results.csv)

Nothing here is computed by kanzei.
"""

import json
import os
import platform
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gegravity_reference as ref  # noqa: E402  (the experiment's single definition)
import gegravity as ge  # noqa: E402

# GEGRAVITY_MC_OUT redirects the output (bench/draws_vs_peers.sh times a few draws into a
# scratch folder without touching the committed reference).
OUT = os.environ.get("GEGRAVITY_MC_OUT") or os.path.join(HERE, "reference", "gegravity_montecarlo")
SEED = 1
DRAWS = 1000
# Results written to summary.csv: gegravity's country-level labels (OneSectorGE
# ResultsLabels.country_level_labels), minus the identifier.
PERCENT_SUFFIX = "(percent)"


def baseline_and_coeffs(grav_data: pd.DataFrame):
    baseline = ge.BaselineData(
        grav_data,
        imp_var_name="importer",
        exp_var_name="exporter",
        year_var_name="year",
        trade_var_name="trade",
        expend_var_name="E",
        output_var_name="Y",
    )
    est = pd.DataFrame(ref.COEFFS)
    names = list(est["var"])
    covar = pd.DataFrame(np.diag(est["ste"].to_numpy() ** 2), index=names, columns=names)
    cost = ge.CostCoeffs(
        estimates=est, identifier_col="var", coeff_col="coeff", stderr_col="ste", covar_matrix=covar
    )
    return baseline, cost


def experiment_data(base: pd.DataFrame) -> pd.DataFrame:
    exp = base.copy()
    a, b = ref.PTA_PAIR
    exp.loc[(exp["importer"] == a) & (exp["exporter"] == b), "pta"] = 1
    exp.loc[(exp["importer"] == b) & (exp["exporter"] == a), "pta"] = 1
    return exp


LADDER = [10, 100, 1000, 1, 10000, 0.1, 0.01]


def solve_draw(mc, trial: int, exp: pd.DataFrame):
    """Solves one draw with gegravity's per-trial routine, walking the omr_rescale ladder.
    Returns (country table or None, rescale used, attempts, messages)."""
    params = ge.CostCoeffs(mc.coeff_sample, coeff_col=trial, identifier_col="var")
    messages = []
    for k, rescale in enumerate(LADDER):
        try:
            model = mc._run_single_trial(
                param_values=params,
                experiment_data=exp,
                quiet=True,
                omr_rescale=rescale,
                imr_rescale=1,
                mr_method="hybr",
                mr_max_iter=100000,
                mr_tolerance=ref.TOLERANCE,
                ge_method="hybr",
                ge_tolerance=ref.TOLERANCE,
                ge_max_iter=100000,
            )
        except Exception as e:  # gegravity raises ValueError for negative MR terms
            messages.append(f"omr_rescale {rescale}: {str(e)[:60]}")
            continue
        bad = [f"{n}: {d.message}" for n, d in model.solver_diagnostics.items() if not d.success]
        if bad:
            messages.append(f"omr_rescale {rescale}: " + "; ".join(bad))
            continue
        country, _, _ = model.export_results()
        return country, rescale, k + 1, messages
    return None, None, len(LADDER), messages


def main() -> None:
    args = sys.argv[1:]
    draws, seed = DRAWS, SEED
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--draws":
            draws = int(args[i + 1])
            i += 2
        elif args[i] == "--seed":
            seed = int(args[i + 1])
            i += 2
        else:
            rest.append(args[i])
            i += 1
    data_path = rest[0] if rest else ref.DEFAULT_DATA
    os.makedirs(OUT, exist_ok=True)
    grav_data = pd.read_csv(data_path)

    # Point estimate (no draws), via the reference script's own run().
    t0 = time.perf_counter()
    point = ref.run(grav_data)
    point_seconds = time.perf_counter() - t0
    point_country, _, _ = point.export_results()

    baseline, cost = baseline_and_coeffs(grav_data)
    wall0 = time.perf_counter()
    mc = ge.MonteCarloGE(
        baseline,
        year="2006",
        trials=draws,
        sigma=ref.SIGMA,
        reference_importer=ref.REFERENCE_IMPORTER,
        cost_variables=ref.COST_VARIABLES,
        cost_coeff_values=cost,
        expend_var_name="E",
        output_var_name="Y",
        seed=seed,
    )
    exp = experiment_data(mc.baseline_data)
    run0 = time.perf_counter()
    tables, used, rescales, attempts, failed, notes = [], [], {}, {}, [], {}
    first_try_seconds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy non-convergence warnings are checked via diagnostics
        for t in range(draws):
            t1 = time.perf_counter()
            country, rescale, n_try, msgs = solve_draw(mc, t, exp)
            if n_try == 1 and country is not None:
                first_try_seconds.append(time.perf_counter() - t1)
            attempts[t] = n_try
            if msgs:
                notes[t] = msgs
            if country is None:
                failed.append(t)
            else:
                tables.append(country)
                used.append(t)
                rescales[t] = rescale
    run_seconds = time.perf_counter() - run0
    wall_seconds = time.perf_counter() - wall0

    sample = mc.coeff_sample.set_index("var")
    draws_df = sample.T.copy()
    draws_df.index.name = "draw"
    draws_df = draws_df[[c["var"] for c in ref.COEFFS]]
    draws_df["solved"] = [t in rescales for t in draws_df.index]
    draws_df["omr_rescale"] = [rescales.get(t, "") for t in draws_df.index]
    draws_df["attempts"] = [attempts[t] for t in draws_df.index]
    draws_df.to_csv(os.path.join(OUT, "draws.csv"), float_format="%.17g")

    countries = list(tables[0].index)
    columns = [c for c in tables[0].columns]
    cube = np.stack([t.loc[countries, columns].to_numpy(dtype=float) for t in tables])  # draw x country x result
    rows = []
    for ci, country in enumerate(countries):
        for ri, col in enumerate(columns):
            v = cube[:, ci, ri]
            q = np.quantile(v, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "country": country,
                    "result": col,
                    "percent": col.endswith(PERCENT_SUFFIX),
                    "n": v.size,
                    "mean": v.mean(),
                    "std": v.std(ddof=1),
                    "p05": q[0],
                    "p50": q[1],
                    "p95": q[2],
                    "point_estimate": float(point_country.loc[country, col]),
                }
            )
    summary = pd.DataFrame(rows)
    summary.to_csv(os.path.join(OUT, "summary.csv"), index=False, float_format="%.17g")

    per_draw = run_seconds / draws
    welfare = "welfare statistic"
    meta = {
        "peer": f"gegravity {version('gegravity')}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": version("scipy"),
        "pandas": pd.__version__,
        "data": "gegravity examples/sample_data_set.dlm (../shared/data/raw/gegravity_sample)",
        "experiment": f"pta = 1 for {ref.PTA_PAIR[0]}<->{ref.PTA_PAIR[1]}, exactly bench/gegravity_reference.py "
        "(year 2006, sigma 5, reference importer DEU, omr_rescale 10, tolerance 1e-13)",
        "sigma": ref.SIGMA,
        "reference_importer": ref.REFERENCE_IMPORTER,
        "omr_rescale": ref.OMR_RESCALE,
        "tolerance": ref.TOLERANCE,
        "max_iter": 100000,
        "distribution": {
            "kind": "independent normals (diagonal covariance = se^2); no correlation between coefficients",
            "mean": {c["var"]: c["coeff"] for c in ref.COEFFS},
            "se": {c["var"]: c["ste"] for c in ref.COEFFS},
            "sampler": "gegravity MonteCarloGE._draw_mc_trade_costs: scipy.stats.multivariate_normal(mean, cov, "
            "seed=seed).rvs() once per trial = numpy.random.RandomState(seed).multivariate_normal (legacy MT19937, "
            "SVD factor); draws.csv is the authority for the values",
        },
        "seed": seed,
        "draws": draws,
        "draws_note": "fewer than the 1000 asked for when gegravity cannot run 1000 in ~10 minutes; these are the "
        "first draws of the seed's 1000-draw sequence",
        "draws_failed": len(failed),
        "failed_draw_indices": failed,
        "draws_used_in_summary": len(used),
        "omr_rescale_ladder": LADDER,
        "draws_by_omr_rescale": {str(r): sum(1 for v in rescales.values() if v == r) for r in LADDER},
        "draws_needing_more_than_one_attempt": sum(1 for v in attempts.values() if v > 1),
        "loop": "this script's loop over MonteCarloGE.coeff_sample, each draw solved by "
        "MonteCarloGE._run_single_trial with the omr_rescale ladder; not MonteCarloGE.run_trials (see docstring)",
        "summary_source": "computed here with numpy from each solved draw's OneSectorGE.export_results() country table",
        "statistics": "mean; std ddof=1; p05/p50/p95 = numpy.quantile default 'linear' interpolation",
        "percent_columns": [c for c in columns if c.endswith(PERCENT_SUFFIX)],
        "non_percent_columns": [c for c in columns if not c.endswith(PERCENT_SUFFIX)],
        "welfare_statistic_definition": "gegravity: (E_i/P_i)/(E'_i/P'_i), baseline over experiment, "
        "so < 1 is a welfare gain; a ratio, not a percent",
        "point_estimate": {
            "note": "one OneSectorGE run at the unperturbed coefficients (bench/gegravity_reference.run): the same "
            "model as bench/reference/gegravity_sample/country_results.csv, equal up to round-off when the "
            "environment differs (summary.csv column point_estimate holds every country and result)",
            "welfare statistic": {c: float(point_country.loc[c, welfare]) for c in ("CAN", "JPN")},
            "GDP change (percent)": {c: float(point_country.loc[c, "GDP change (percent)"]) for c in ("CAN", "JPN")},
            "seconds": point_seconds,
        },
        "timing": {
            "what": "wall time of the loop over draws (per draw: build baseline MRs, conditional MRs, full GE, "
            "export_results; tolerance 1e-13; retries on the omr_rescale ladder included; one Python process) on "
            "this machine. MonteCarloGE.run_trials itself (no retries) is timed in README.md",
            "machine": f"{os.cpu_count()} cores, shared with another build while measured",
            "seconds_loop": run_seconds,
            "seconds_constructor_plus_loop": wall_seconds,
            "seconds_per_draw": per_draw,
            "seconds_per_draw_solved_first_try_median": float(np.median(first_try_seconds)) if first_try_seconds else None,
            "seconds_for_1000_draws": per_draw * 1000 if draws != 1000 else run_seconds,
            "seconds_for_1000_draws_is": "measured" if draws == 1000 else f"extrapolated linearly from {draws} draws",
        },
        "failure_messages_by_draw": {str(k): v for k, v in notes.items()},
    }
    with open(os.path.join(OUT, "experiment.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    for c in ("CAN", "JPN"):
        s = summary[(summary["country"] == c) & (summary["result"] == welfare)].iloc[0]
        print(f"{c} welfare: point {s['point_estimate']:.9g} mean {s['mean']:.9g} p05 {s['p05']:.9g} p95 {s['p95']:.9g}")
    print(f"wrote {OUT}: {len(used)}/{draws} draws used, {run_seconds:.1f} s ({per_draw:.3f} s/draw)")


if __name__ == "__main__":
    main()
