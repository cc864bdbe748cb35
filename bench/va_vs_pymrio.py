#!/usr/bin/env python3
"""pymrio side of bench/va_vs_pymrio.sh: the Leontief inverse of the full WIOD 2011 table
and value added by origin industry in every bilateral gross-export flow, timed; then a
comparison with kanzei's results written by `crates/kanzei-mrio/examples/va_wiod.rs`.

Usage: va_vs_pymrio.py WIOD_CSV_DIR OUT_DIR REPEATS KANZEI_JSON

Timed (both sides exclude reading the CSV files):
  pymrio:  IOSystem(Z, Y, x).calc_system()      -> A = Z diag(x)^-1, L = (I - A)^-1
           pymrio.calc_gross_trade(Z, Y)        -> bilateral gross exports e_sr (N x R)
           v = 1 - 1'A; for each exporter s: diag(v) L[:, s] E[s, :]  (numpy)
  kanzei:  Leontief::new + inverse; value_added_coefficients, gross_exports,
           va_in_all_bilateral_exports (the same quantities).
Agreement: every entry of L and of the 1435 x 1681 value-added matrix within
|a - b| <= 1e-9 max(|a|, |b|), relative to the entry itself with no absolute floor
(an exact zero on one side must be an exact zero on the other).
"""

import json
import os
import sys
import time

import numpy as np
import pandas as pd
import pymrio


def load(dir_):
    inter = pd.read_csv(os.path.join(dir_, "wiot2011_inter.csv"), index_col=0)
    final = pd.read_csv(os.path.join(dir_, "wiot2011_final.csv"), index_col=0)
    output = pd.read_csv(os.path.join(dir_, "wiot2011_output.csv"), index_col=0)
    rows = [tuple(label.split("_", 1)) for label in inter.index]
    idx = pd.MultiIndex.from_tuples(rows, names=["region", "sector"])
    fd = pd.MultiIndex.from_tuples([tuple(c.split("_", 1)) for c in final.columns], names=["region", "category"])
    Z = pd.DataFrame(inter.to_numpy(dtype=float), index=idx, columns=idx)
    Y = pd.DataFrame(final.to_numpy(dtype=float), index=idx, columns=fd)
    x = pd.DataFrame(output.to_numpy(dtype=float), index=idx, columns=["indout"])
    return Z, Y, x


def run_pymrio(Z, Y, x):
    io = pymrio.IOSystem(Z=Z, Y=Y, x=x)
    io.calc_system()  # A, L (pymrio calc_A, calc_L)
    A = io.A.to_numpy()
    L = io.L.to_numpy()
    E = pymrio.calc_gross_trade(Z, Y).bilat_flows  # N x R, domestic blocks zero
    regions = list(dict.fromkeys(Z.index.get_level_values("region")))
    E = E.reindex(columns=regions).to_numpy()
    v = 1.0 - A.sum(axis=0)
    VB = v[:, None] * L  # diag(v) L
    n_regions = len(regions)
    n_sectors = Z.shape[0] // n_regions
    VA = np.empty((Z.shape[0], n_regions * n_regions))
    for s in range(n_regions):
        block = slice(s * n_sectors, (s + 1) * n_sectors)
        VA[:, s * n_regions:(s + 1) * n_regions] = VB[:, block] @ E[block, :]
    return L, VA


def compare(name, a, b):
    denom = np.maximum(np.abs(a), np.abs(b))
    rel = np.abs(a - b) / np.where(denom == 0, 1.0, denom)
    worst = float(rel.max())
    print(f"  {name}: {a.shape[0]} x {a.shape[1]}, worst relative difference {worst:.2e}")
    return worst <= 1e-9


def main():
    dir_, out_dir, repeats, kanzei_json = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    Z, Y, x = load(dir_)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        L, VA = run_pymrio(Z, Y, x)
        times.append(time.perf_counter() - start)
    times.sort()
    py_median = times[len(times) // 2]
    kanzei = json.loads(open(kanzei_json).read())
    n = Z.shape[0]
    kL = np.fromfile(os.path.join(out_dir, "kanzei_L.f64"), dtype="<f8").reshape((n, n), order="F")
    kVA = np.fromfile(os.path.join(out_dir, "kanzei_va.f64"), dtype="<f8").reshape((n, VA.shape[1]), order="F")
    print(f"pymrio {pymrio.__version__} (numpy {np.__version__}): median {py_median:.3f} s over {repeats} runs (min {times[0]:.3f} s)")
    print(f"kanzei: median {kanzei['total_s']:.3f} s over {kanzei['repeats']} runs "
          f"(Leontief {kanzei['leontief_s']:.3f} s + VA {kanzei['va_all_bilateral_s']:.3f} s; min {kanzei['total_min_s']:.3f} s; "
          f"{kanzei['threads']} threads)")
    print(f"ratio pymrio / kanzei: {py_median / kanzei['total_s']:.1f}x on medians, "
          f"{times[0] / kanzei['total_min_s']:.1f}x on best runs (the min is the least disturbed by other load)")
    # Country questions (issue 12): value added by origin country in every bilateral flow,
    # from the LU without the inverse, against pymrio's full calc_all + VA summed by country.
    n_regions = int(round(VA.shape[1] ** 0.5))
    kC = np.fromfile(os.path.join(out_dir, "kanzei_va_country.f64"), dtype="<f8").reshape((n_regions, VA.shape[1]), order="F")
    pyC = VA.reshape((n_regions, n // n_regions, VA.shape[1])).sum(axis=1)
    print(f"kanzei, origin countries only (no inverse): median {kanzei['country_s']:.3f} s (min {kanzei['country_min_s']:.3f} s); "
          f"ratio pymrio full / kanzei country: {py_median / kanzei['country_s']:.1f}x on medians, {times[0] / kanzei['country_min_s']:.1f}x on best runs")
    ok = compare("L", kL, L) & compare("VA by origin, all bilateral flows", kVA, VA) & compare("VA by origin country, all bilateral flows", kC, pyC)
    print("results agree to 1e-9" if ok else "RESULTS DIFFER beyond 1e-9")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
