#!/usr/bin/env python3
"""Reference values from pymrio itself, for kanzei-mrio's parity test.

Runs `pymrio.load_test().calc_all()` (pymrio 0.7, the test MRIO shipped with pymrio:
6 regions x 8 sectors, 7 final-demand categories per region, two satellite accounts)
and writes every result kanzei reproduces to `bench/reference/pymrio_test_mrio/` as
plain CSV with 17 significant digits (lossless for float64).

Run from the repository root with the peers venv (`python3 -m venv .venv-peers` and
`.venv-peers/bin/pip install` the peer; unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for speed):

    .venv-peers/bin/python bench/pymrio_reference.py

The output is committed; `crates/kanzei-mrio/tests/pymrio_parity.rs` compares kanzei
against it. Nothing here is computed by kanzei.

Files (rows x columns; labels are pymrio's own):
  x.csv                       48 x 1   gross output, x = Z 1 + Y 1
  A.csv                       48 x 48  technical coefficients A = Z diag(x)^-1
  L.csv                       48 x 48  Leontief inverse (I - A)^-1
  <ext>_S.csv                 k x 48   direct coefficients S = F diag(x)^-1
  <ext>_S_Y.csv               k x 42   final-demand coefficients (emissions only)
  <ext>_M.csv                 k x 48   multipliers M = S L
  <ext>_D_cba.csv ... D_exp   k x 48   accounts by (region, sector)
  <ext>_D_cba_reg.csv ...     k x 6    accounts by region (F_Y added to cba and pba)
  <ext>_D_cba_cap.csv ...     k x 6    per capita
where <ext> is `factor_inputs` (value added) or `emissions`.
"""

import json
import os
import sys

import numpy as np
import pandas as pd
import pymrio

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference", "pymrio_test_mrio")


def flat(df: pd.DataFrame) -> pd.DataFrame:
    """Joins MultiIndex labels with '|' so the CSV has one header row and one label column."""
    df = df.copy()
    if isinstance(df.index, pd.MultiIndex):
        df.index = ["|".join(map(str, t)) for t in df.index]
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = ["|".join(map(str, t)) for t in df.columns]
    return df


def write(name: str, df: pd.DataFrame) -> None:
    flat(df).to_csv(os.path.join(OUT, name + ".csv"), float_format="%.17g", index_label="label")


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    io = pymrio.load_test()
    io.calc_all()
    write("x", io.x)
    write("A", io.A)
    write("L", io.L)
    for ext_name, ext in (("factor_inputs", io.factor_inputs), ("emissions", io.emissions)):
        for key in ("S", "S_Y", "M", "D_cba", "D_pba", "D_imp", "D_exp",
                    "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg",
                    "D_cba_cap", "D_pba_cap", "D_imp_cap", "D_exp_cap"):
            value = getattr(ext, key, None)
            if value is not None:
                write(f"{ext_name}_{key}", value)
    meta = {
        "generator": "bench/pymrio_reference.py",
        "pymrio": pymrio.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "call": "pymrio.load_test().calc_all()",
        "float_format": "%.17g",
    }
    with open(os.path.join(OUT, "META.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"wrote {len(os.listdir(OUT))} files to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
