#!/usr/bin/env python3
"""Standard errors of Caliendo & Parro (2015)'s sectoral trade elasticities, from the
replication package's own estimation input, for kanzei's theta uncertainty.

CP 2015 (Review of Economic Studies 82(1), section 4) estimate theta^j per sector by a
triple difference that removes importer, exporter and pair terms: for every unordered
triple of countries (i, j, h),

    ln(X_ij X_jh X_hi / (X_ih X_hj X_ji)) = -theta * ln(tau_ij tau_jh tau_hi / (tau_ih tau_hj tau_ji)) + e,

an OLS regression through the origin. The package's estimation input
../shared/data/raw/caliendo_parro_2015/elasticity_estimation/DATA_OUT_100.csv has, per row:
column 1 sector index (1..19), 2 y (log trade triple ratio), 3 x (log tariff triple ratio),
4..19 dummies for the 16 countries of the triple (560 = C(16,3) rows per sector). Rows
whose y or x is not finite are dropped (counted per sector).

Per sector, with n rows kept, b = sum(x y) / sum(x^2), e = y - b x, theta = -b, and
    se_ols = sqrt( sum(e^2) / (n - 1) / sum(x^2) )                      (homoskedastic)
    se_hc1 = sqrt( n / (n - 1) * sum(x^2 e^2) ) / sum(x^2)               (White HC1)
(one regressor, no constant, so the degrees of freedom are n - 1). numpy only.

Sector names: DATA_OUT_100.csv has 19 sectors, CP's tradable list has 20. Medical is the
one absent: see bench/reference/cp2015_theta/README.md (the `--check` mode below
reproduces the identification from the package's xbilats_93.mat and tau.mat; it needs scipy).

Also writes wiod_map.csv: the CRC (2014) WIOD-2013 sectors c1..c16
(../shared/data/raw/crc2014_cp_thetas_wiod35/SECTORAL_TRADE_ELASTICITY.csv) matched to the
CP sector whose theta (rounded to 2 decimals) equals the CRC value (c9 chemicals matches
none and is mapped by name, flagged). Two indices are written everywhere: sector_index is
DATA_OUT_100.csv's (1..19), cp_sector_index the position in CP's 20-sector list (1..20).

Run from the repository root with any Python 3 that has numpy, named by $PEER_PYTHON (make a
peers venv with `python3 -m venv .venv-peers && .venv-peers/bin/pip install numpy scipy`, then
`export PEER_PYTHON=.venv-peers/bin/python`):

    $PEER_PYTHON bench/cp_theta_se.py [--check] [path/to/DATA_OUT_100.csv]

Writes to bench/reference/cp2015_theta/: theta_se.csv (17 significant digits), wiod_map.csv
and, with --check, sector_check.csv.
"""

import csv
import itertools
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference", "cp2015_theta")
RAW = os.path.join(HERE, "..", "..", "shared", "data", "raw")
CP_DIR = os.path.join(RAW, "caliendo_parro_2015", "elasticity_estimation")
DEFAULT_DATA = os.path.join(CP_DIR, "DATA_OUT_100.csv")
CRC = os.path.join(RAW, "crc2014_cp_thetas_wiod35", "SECTORAL_TRADE_ELASTICITY.csv")

# CP 2015's 20 tradable sectors, in the package's order (concordance2.txt / IDProduct_2.txt:
# ISIC Rev.3 2-digit 01-05, 10-14, 15-16, 17-19, 20, 21-22, 23, 24, 25, 26, 27, 28, 29, 30,
# 31, 32, 33, 34, 35, 36).
CP_SECTORS = [
    "Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum", "Chemicals",
    "Plastic", "Minerals", "Basic metals", "Metal products", "Machinery n.e.c.", "Office",
    "Electrical", "Communication", "Medical", "Auto", "Other Transport", "Other",
]
# DATA_OUT_100.csv sector index (1..19) -> CP sector index (1..20): Medical (17) is absent.
DATA_TO_CP = {d: (d if d <= 16 else d + 1) for d in range(1, 20)}
# WIOD 2013 release sector names c1..c16 (for the map's readability).
WIOD = [
    "Agriculture, hunting, forestry and fishing", "Mining and quarrying",
    "Food, beverages and tobacco", "Textiles and textile products",
    "Leather, leather and footwear", "Wood and products of wood and cork",
    "Pulp, paper, printing and publishing", "Coke, refined petroleum and nuclear fuel",
    "Chemicals and chemical products", "Rubber and plastics",
    "Other non-metallic minerals", "Basic metals and fabricated metal",
    "Machinery, n.e.c.", "Electrical and optical equipment", "Transport equipment",
    "Manufacturing, n.e.c.; recycling",
]


def ols_origin(y: np.ndarray, x: np.ndarray):
    n = y.size
    sxx = float(np.dot(x, x))
    b = float(np.dot(x, y)) / sxx
    e = y - b * x
    se_ols = np.sqrt(float(np.dot(e, e)) / (n - 1) / sxx)
    se_hc1 = np.sqrt(n / (n - 1) * float(np.dot(x * x, e * e))) / sxx
    return b, se_ols, se_hc1


def estimate(data_path: str):
    d = np.genfromtxt(data_path, delimiter=",")
    rows = []
    for s in range(1, 20):
        block = d[d[:, 0] == s]
        keep = np.isfinite(block[:, 1]) & np.isfinite(block[:, 2])
        b, se_ols, se_hc1 = ols_origin(block[keep, 1], block[keep, 2])
        cp = DATA_TO_CP[s]
        rows.append(
            {
                "sector_index": s,
                "cp_sector_index": cp,
                "sector": CP_SECTORS[cp - 1],
                "rows_used": int(keep.sum()),
                "rows_dropped": int((~keep).sum()),
                "theta": -b,
                "se_ols": se_ols,
                "se_hc1": se_hc1,
            }
        )
    return rows


def wiod_map(rows):
    """Each CRC value c1..c16 is matched to the CP estimate that equals it at 2 decimals.
    c9 (chemicals, 4.75) equals none of them; it is mapped to CP Chemicals by name and
    flagged (matched_by = "name")."""
    by_value = {}
    for r in rows:
        by_value.setdefault(round(r["theta"], 2), []).append(r)
    out = []
    with open(CRC) as f:
        for line in f:
            idx, text = line.split()
            idx = int(idx)
            if idx > 16:
                continue
            match = by_value.get(round(float(text), 2), [])
            if len(match) == 1:
                r, how = match[0], "value"
            else:
                r = next(r for r in rows if r["sector"] == "Chemicals") if idx == 9 else None
                how = "name (no estimate equals the CRC value)" if r else "none"
            out.append(
                {
                    "wiod_sector": f"c{idx}",
                    "wiod_name": WIOD[idx - 1],
                    "cp_sector_index": r["cp_sector_index"] if r else "",
                    "sector_index": r["sector_index"] if r else "",
                    "cp_sector": r["sector"] if r else "",
                    "theta_crc2014": text,
                    "theta_here": r["theta"] if r else "",
                    "matched_by": how,
                }
            )
    return out


def check(data_path: str):
    """Rebuilds y (and x) per CP sector from the package's xbilats_93.mat / tau.mat
    (tau_93) with concordance2.txt, and reports which DATA_OUT sector it reproduces.
    Trade is summed over the ISIC products of a sector; tariffs are trade-weighted (this
    aggregation is a guess and only matters for x of multi-product sectors)."""
    import scipy.io

    X = scipy.io.loadmat(os.path.join(CP_DIR, "xbilats_93.mat"))["xbilats_93"].reshape(30, 16, 16)
    T = scipy.io.loadmat(os.path.join(CP_DIR, "tau.mat"))["tau_93"].reshape(30, 16, 16)
    conc = np.loadtxt(os.path.join(CP_DIR, "concordance2.txt"), dtype=int)
    d = np.genfromtxt(data_path, delimiter=",")
    triples = list(itertools.combinations(range(16), 3))

    def triple(m):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.array([np.log(m[i, j] * m[j, h] * m[h, i] / (m[i, h] * m[h, j] * m[j, i])) for i, j, h in triples])

    out = []
    for cp, a, b in conc:
        flows = np.nansum(X[a - 1 : b], axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            tar = np.nansum((X * T)[a - 1 : b], axis=0) / flows
        y, x = triple(flows), triple(tar)
        best = (np.inf, None, None)
        for s in range(1, 20):
            blk = d[d[:, 0] == s]
            m = np.isfinite(blk[:, 1]) & np.isfinite(y)
            if m.any():
                dy = float(np.max(np.abs(blk[m, 1] - y[m])))
                if dy < best[0]:
                    mx = m & np.isfinite(blk[:, 2]) & np.isfinite(x)
                    best = (dy, s, float(np.max(np.abs(blk[mx, 2] - x[mx]))) if mx.any() else np.nan)
        keep = np.isfinite(y) & np.isfinite(x)
        b_hat, _, se_hc1 = ols_origin(y[keep], x[keep])
        out.append(
            {
                "cp_sector_index": int(cp),
                "sector": CP_SECTORS[cp - 1],
                "isic_products": int(b - a + 1),
                "data_out_sector_reproduced": best[1] if best[0] < 1e-3 else "",
                "max_abs_diff_y_vs_closest": best[0],
                "closest_data_out_sector": best[1],
                "max_abs_diff_x_vs_closest": best[2],
                "theta_recomputed": -b_hat,
                "rows_recomputed": int(keep.sum()),
                "se_hc1_recomputed": se_hc1,
            }
        )
    return out


def write(path, rows, fields=None):
    fields = fields or list(rows[0].keys())
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.17g}" if isinstance(v, float) else v) for k, v in r.items() if k in fields})


def main() -> None:
    args = sys.argv[1:]
    do_check = "--check" in args
    args = [a for a in args if a != "--check"]
    data_path = args[0] if args else DEFAULT_DATA
    os.makedirs(OUT, exist_ok=True)
    rows = estimate(data_path)
    write(
        os.path.join(OUT, "theta_se.csv"),
        rows,
        ["sector_index", "cp_sector_index", "sector", "rows_used", "rows_dropped", "theta", "se_ols", "se_hc1"],
    )
    write(os.path.join(OUT, "wiod_map.csv"), wiod_map(rows))
    for r in rows:
        print(f"{r['sector_index']:2d} {r['sector']:<16} n={r['rows_used']:3d} dropped={r['rows_dropped']:3d} "
              f"theta={r['theta']:8.4f} se_ols={r['se_ols']:.4f} se_hc1={r['se_hc1']:.4f}")
    if do_check:
        chk = check(data_path)
        write(os.path.join(OUT, "sector_check.csv"), chk)
        for r in chk:
            print(f"check CP {r['cp_sector_index']:2d} {r['sector']:<16} -> DATA_OUT {r['data_out_sector_reproduced']!s:>2} "
                  f"(closest {r['closest_data_out_sector']}, max|dy| {r['max_abs_diff_y_vs_closest']:.2g}) "
                  f"theta recomputed {r['theta_recomputed']:.3f} (n={r['rows_recomputed']})")


if __name__ == "__main__":
    main()
