#!/usr/bin/env python3
"""Reference values from gegravity itself, for kanzei-ge's parity test.

Runs gegravity 0.3's `OneSectorGE` on its own sample data (`sample_data_set.dlm`, 30
countries, 2006, from ../shared/data/raw/gegravity_sample) for the experiment in
gegravity's documented example: a preferential trade agreement between Canada and Japan
(`pta` set to 1 for CAN->JPN and JPN->CAN).

Cost coefficients are FIXED, not estimated: the values are the ones in gegravity's own
docstring example (OneSectorGE.__init__), and kanzei's test uses the same numbers. No PPML
estimation runs here, so the parity is about the GE solver alone.

    lndist -0.3764, contiguity 0.8850, pta 0.4823, common_language 0.0392,
    international -3.4224; sigma = 5; reference importer DEU; omr_rescale = 10.

gegravity's default solver tolerances (1e-8) leave percent changes near zero with a
relative error of about 1e-4, too loose for a 1e-6 relative comparison, so the script
asks scipy's hybr solver for 1e-13 (`mr_tolerance`, `ge_tolerance`); the results are the
same model, just solved further.

Run from the repository root with the peers venv (`python3 -m venv .venv-peers` and
`.venv-peers/bin/pip install` the peer; unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for speed):

    .venv-peers/bin/python bench/gegravity_reference.py [path/to/sample_data_set.dlm]
    .venv-peers/bin/python bench/gegravity_reference.py --time RUNS [path]   # timing only

Writes, with 17 significant digits (lossless for float64), to
bench/reference/gegravity_sample/:
  country_results.csv    gegravity's export_results() country table (all columns)
  bilateral_results.csv  gegravity's export_results() bilateral table
  mr_terms.csv           baseline, conditional and experiment IMR / OMR per country
  experiment.json        the experiment, coefficients, sigma and solver settings

The output is committed; crates/kanzei-ge/tests/gegravity_parity.rs compares kanzei
against it. Nothing here is computed by kanzei.
"""

import json
import os
import sys
import time

import gegravity as ge
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference", "gegravity_sample")
DEFAULT_DATA = os.path.join(HERE, "..", "..", "shared", "data", "raw", "gegravity_sample", "sample_data_set.dlm")

COEFFS = [
    {"var": "lndist", "coeff": -0.3764, "ste": 0.072},
    {"var": "contiguity", "coeff": 0.8850, "ste": 0.131},
    {"var": "pta", "coeff": 0.4823, "ste": 0.109},
    {"var": "common_language", "coeff": 0.0392, "ste": 0.084},
    {"var": "international", "coeff": -3.4224, "ste": 0.215},
]
COST_VARIABLES = ["lndist", "contiguity", "pta", "common_language", "international"]
SIGMA = 5
REFERENCE_IMPORTER = "DEU"
OMR_RESCALE = 10
TOLERANCE = 1e-13
PTA_PAIR = ("CAN", "JPN")


def run(grav_data: pd.DataFrame, quiet: bool = True):
    """Builds and simulates the model on the sample (a DataFrame); returns the solved
    OneSectorGE."""
    baseline = ge.BaselineData(
        grav_data,
        imp_var_name="importer",
        exp_var_name="exporter",
        year_var_name="year",
        trade_var_name="trade",
        expend_var_name="E",
        output_var_name="Y",
    )
    cost_params = ge.CostCoeffs(
        estimates=pd.DataFrame(COEFFS), identifier_col="var", coeff_col="coeff", stderr_col="ste"
    )
    model = ge.OneSectorGE(
        baseline,
        year="2006",
        expend_var_name="E",
        output_var_name="Y",
        cost_coeff_values=cost_params,
        cost_variables=COST_VARIABLES,
        reference_importer=REFERENCE_IMPORTER,
        sigma=SIGMA,
        quiet=quiet,
    )
    model.build_baseline(omr_rescale=OMR_RESCALE, mr_tolerance=TOLERANCE, mr_max_iter=100000)
    exp_data = model.baseline_data.copy()
    a, b = PTA_PAIR
    exp_data.loc[(exp_data["importer"] == a) & (exp_data["exporter"] == b), "pta"] = 1
    exp_data.loc[(exp_data["importer"] == b) & (exp_data["exporter"] == a), "pta"] = 1
    model.define_experiment(exp_data)
    model.simulate(ge_tolerance=TOLERANCE, ge_max_iter=100000)
    return model


def time_runs(grav_data: pd.DataFrame, runs: int) -> float:
    """Median seconds of `run` (build baseline, define experiment, simulate), the CSV
    already read; used by bench/ge_vs_peers.sh."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run(grav_data)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--time":
        runs = int(args[1])
        data_path = args[2] if len(args) > 2 else DEFAULT_DATA
        print(f"gegravity_sample_30 {time_runs(pd.read_csv(data_path), runs):.6f}")
        return
    data_path = args[0] if args else DEFAULT_DATA
    os.makedirs(OUT, exist_ok=True)
    grav_data = pd.read_csv(data_path)
    start = time.perf_counter()
    model = run(grav_data)
    elapsed = time.perf_counter() - start
    for name, diag in model.solver_diagnostics.items():
        if not diag.success:
            raise SystemExit(f"gegravity solver `{name}` did not converge: {diag.message}")
    country, bilateral, _diagnostics = model.export_results()
    country.to_csv(os.path.join(OUT, "country_results.csv"), float_format="%.17g")
    bilateral.to_csv(os.path.join(OUT, "bilateral_results.csv"), index=False, float_format="%.17g")
    rows = []
    for code in sorted(model.country_set):
        c = model.country_set[code]
        rows.append(
            {
                "country": code,
                "baseline_imr": c.baseline_imr,
                "baseline_omr": c.baseline_omr,
                "conditional_imr": c.conditional_imr,
                "conditional_omr": c.conditional_omr,
                "experiment_imr": c.experiment_imr,
                "experiment_omr": c.experiment_omr,
                "experiment_factory_price": c.experiment_factory_price,
            }
        )
    pd.DataFrame(rows).to_csv(os.path.join(OUT, "mr_terms.csv"), index=False, float_format="%.17g")
    meta = {
        "peer": f"gegravity {getattr(ge, '__version__', '0.3')}",
        "data": "gegravity examples/sample_data_set.dlm (../shared/data/raw/gegravity_sample)",
        "experiment": f"pta = 1 for {PTA_PAIR[0]}<->{PTA_PAIR[1]} (gegravity's documented example)",
        "cost_coefficients": {c["var"]: c["coeff"] for c in COEFFS},
        "cost_coefficients_source": "fixed values from gegravity's OneSectorGE docstring example; no estimation",
        "sigma": SIGMA,
        "reference_importer": REFERENCE_IMPORTER,
        "omr_rescale": OMR_RESCALE,
        "tolerance": TOLERANCE,
        "solver_evaluations": {k: int(v.nfev) for k, v in model.solver_diagnostics.items()},
        "seconds_build_and_simulate": elapsed,
    }
    with open(os.path.join(OUT, "experiment.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"wrote {OUT} ({elapsed:.3f} s in gegravity)")


if __name__ == "__main__":
    main()
