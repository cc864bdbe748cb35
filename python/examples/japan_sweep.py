"""Variants of Japan's reciprocal floor rate (15% in the July 2025 deal) × dates, as one sweep.

Each variant is `us-2025` with the measure `ieepa-reciprocal-japan-floor` replaced by the same
measure at another rate (a child's measure with its parent's id replaces it in place), given as a
Python dict. Every variant is one task. The first compiles `us-2025` in full; the others differ
from it only in a rate, so each is made from that compile in microseconds and re-evaluates only
the Japanese cells the floor reaches (the other cells' rates are the first's, kept per date).

    python examples/japan_sweep.py                  # 100 variants × 10 dates, local threads
    python examples/japan_sweep.py 1000 --engine dask
"""

import argparse
import time

import kanzei


def variant(rate_pct: float) -> dict:
    return {
        "schema": 1,
        "id": f"japan-floor-{rate_pct:g}",
        "extends": "us-2025",
        "title": f"Japan's reciprocal floor at {rate_pct:g}%",
        "measure": [
            {
                "id": "ieepa-reciprocal-japan-floor",
                "authority": "ieepa-reciprocal",
                "legal": f"what-if: EO 14345 floor at {rate_pct:g}% instead of 15%",
                "exporters": ["JPN"],
                "products": "all",
                "exclude": [
                    "49", "97", "98",
                    {"list": "ieepa-annex-ii-2025-04-02"},
                    {"list": "ieepa-electronics-2025-04-11"},
                    {"list": "floor-exempt-japan"},
                    {"list": "ieepa-annex-ii-2025-11-14", "from": "2025-11-13"},
                ],
                "rate_pct": rate_pct,
                "stacking": "floor",
                "not_with": ["s232"],
                "effective": "2025-08-07",
                "expires": "2026-02-24",
            }
        ],
    }


DATES = [
    "2025-03-01", "2025-04-10", "2025-05-15", "2025-07-01", "2025-08-07",
    "2025-09-16", "2025-10-01", "2025-11-17", "2026-01-01", "2026-03-01",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", type=int, nargs="?", default=100)
    parser.add_argument("--engine", default="local", choices=["local", "processes", "dask", "ray"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    rates = [round(30.0 * i / max(args.variants - 1, 1), 4) for i in range(args.variants)]
    scenarios = {f"japan-floor-{r:g}": variant(r) for r in rates}
    client = None
    if args.engine == "dask":
        from dask.distributed import Client, LocalCluster

        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1", processes=True))
    start = time.perf_counter()
    table = kanzei.sweep(scenarios, DATES, engine=args.engine, workers=args.workers)
    seconds = time.perf_counter() - start
    if client is not None:
        client.close()
    tasks = len(scenarios) * len(DATES)
    print(f"{len(scenarios)} variants × {len(DATES)} dates = {tasks} evaluations, {table.num_rows} rows "
          f"in {seconds:.1f} s ({tasks / seconds:.1f} evaluations/s, engine={args.engine})")
    df = table.to_pandas()
    japan = df[(df.key == "JPN") & (df.date == "2025-11-17")][["scenario", "imports_usd", "etr_pct", "revenue_usd"]]
    print(japan.iloc[:: max(len(japan) // 10, 1)].to_string(index=False))


if __name__ == "__main__":
    main()
