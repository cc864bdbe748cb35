"""kanzei from Python, held against the CLI: every number a function returns must be the number
`kanzei … --format json` prints for the same arguments (the CLI binary is run, not a typed copy),
plus the published figures the CLI's own tests pin (Census 2024 U.S.–Japan trade).

The CLI binary: $KANZEI_BIN, else ../target/release/kanzei or ../target/debug/kanzei next to this
package, else `kanzei` on PATH; tests that need it are skipped, saying so, when there is none.
Under CI (`CI=true`) nothing is skipped: a missing binary or a missing dask is an error.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

import kanzei

ROOT = Path(__file__).resolve().parents[2]


def _cli_binary():
    candidates = [os.environ.get("KANZEI_BIN"), ROOT / "target/release/kanzei", ROOT / "target/debug/kanzei", shutil.which("kanzei")]
    for c in candidates:
        if c and Path(c).is_file():
            return str(c)
    return None


KANZEI_BIN = _cli_binary()
IN_CI = os.environ.get("CI") == "true"
if IN_CI and KANZEI_BIN is None:
    raise RuntimeError("CI=true but no kanzei CLI binary: set KANZEI_BIN or cargo build --release (python/ci.sh does)")
needs_cli = pytest.mark.skipif(KANZEI_BIN is None, reason="no kanzei CLI binary (set KANZEI_BIN or cargo build --release)")


def cli_json(*args):
    out = subprocess.run([KANZEI_BIN, *map(str, args), "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def rows(table: pa.Table):
    return table.to_pylist()


@pytest.fixture(scope="module")
def session():
    return kanzei.Session()


# ---------------------------------------------------------------------------------------
# Published numbers.


def test_trade_balance_2024_japan_census(session):
    # Census FT-900 2024, U.S. goods trade with Japan: exports $79,740.8 m, imports $148,208.6 m.
    table = session.trade_balance(year=2024)
    japan = [r for r in rows(table) if r["partner"] == "JPN"]
    assert len(japan) == 1, table.column_names
    assert round(japan[0]["exports_usd"] / 1e6, 1) == 79740.8
    assert round(japan[0]["imports_usd"] / 1e6, 1) == 148208.6


# ---------------------------------------------------------------------------------------
# The same numbers as the CLI.


@needs_cli
def test_trade_balance_equals_cli(session):
    assert rows(session.trade_balance(year=2024)) == cli_json("trade", "balance", "--year", 2024)["partners"]


@needs_cli
@pytest.mark.parametrize("by", ["partner", "hs2", "authority"])
def test_tariff_rates_equal_cli(session, by):
    table = session.tariff_rates(scenario="us-2025", date="2025-11-17", by=by)
    cli = cli_json("tariff", "rates", "--scenario", "us-2025", "--date", "2025-11-17", "--by", by)
    assert {"key", "imports_usd", "etr_pct", "revenue_usd"} <= set(table.column_names)
    assert rows(table) == cli["groups"]
    assert kanzei.report_json(table)["etr_pct"] == cli["etr_pct"]


@needs_cli
def test_cached_rates_equal_cli_after_the_file_changes(session, tmp_path):
    # The session caches compiled scenarios; a file is keyed by its content, so editing it
    # between calls gives the new file's rates (the CLI's), not the cached ones.
    path = tmp_path / "what-if.toml"
    path.write_text(JAPAN_10)
    first = session.tariff_rates(scenario=path, date="2025-11-17")
    again = session.tariff_rates(scenario=path, date="2025-11-17")
    assert rows(first) == rows(again)
    path.write_text(JAPAN_10.replace("rate_pct = 10", "rate_pct = 20"))
    edited = session.tariff_rates(scenario=path, date="2025-11-17")
    assert rows(edited) == cli_json("tariff", "rates", "--scenario", path, "--date", "2025-11-17")["groups"]
    assert rows(edited) != rows(first)


@needs_cli
def test_module_functions_use_the_default_session():
    table = kanzei.tariff_rates(scenario="us-2025", date="2025-11-17", by="partner")
    cli = cli_json("tariff", "rates", "--scenario", "us-2025", "--date", "2025-11-17", "--by", "partner")
    assert kanzei.report_json(table)["etr_pct"] == cli["etr_pct"]


@needs_cli
def test_timeline_explain_exposure_equal_cli(session):
    assert rows(session.tariff_timeline(start="2025-01-01", end="2025-12-31", partner="JPN")) == cli_json(
        "tariff", "timeline", "--from", "2025-01-01", "--to", "2025-12-31", "--partner", "JPN"
    )["table"]
    assert rows(session.explain("JPN", "8703230140", date="2025-10-01")) == cli_json(
        "tariff", "explain", "--partner", "JPN", "--hs10", "8703230140", "--date", "2025-10-01"
    )["table"]
    assert rows(session.tariff_exposure("JPN")) == cli_json("tariff", "exposure", "JPN")["table"]


@needs_cli
def test_prices_and_collected_equal_cli(session):
    table = session.prices(scenario="us-2025", date="2025-09-04")
    cli = cli_json("prices", "--scenario", "us-2025", "--date", "2025-09-04")
    assert rows(table) == cli["named"]
    assert kanzei.report_json(table) == {k: v for k, v in cli.items() if k != "named"}
    table = session.tariff_collected("2025-01", "2025-12", scenario="us-2025")
    cli = cli_json("tariff", "collected", "--from", "2025-01", "--to", "2025-12", "--scenario", "us-2025")
    assert rows(table) == cli["months"]


@needs_cli
def test_models_equal_cli(session):
    assert rows(session.va_exports("MEX", "USA", sector="c15")) == cli_json(
        "va", "exports", "--exporter", "MEX", "--importer", "USA", "--sector", "c15"
    )["va_by_origin"]
    assert rows(session.ge_cp()) == cli_json("ge", "cp")["countries"]
    assert rows(session.ge_gravity("pta:CAN-JPN,JPN-CAN=1")) == cli_json("ge", "gravity", "--cost-change", "pta:CAN-JPN,JPN-CAN=1")["countries"]
    assert rows(session.pe_smart(scenario="us-2025", date="2025-11-17")) == cli_json("pe", "smart", "--scenario", "us-2025", "--date", "2025-11-17")["groups"]


def test_draws_and_parameter_sets_equal_cli(session):
    """Issue 12: the same seed gives the CLI's bands; the set is passed through."""
    gravity = rows(session.ge_gravity("pta:CAN-JPN,JPN-CAN=1", draws=200, seed=7))
    assert gravity == cli_json("ge", "gravity", "--cost-change", "pta:CAN-JPN,JPN-CAN=1", "--draws", 200, "--seed", 7)["countries"]
    can = next(r for r in gravity if r["country"] == "CAN")
    assert can["gdp_change_pct_p5"] < can["gdp_change_pct"] < can["gdp_change_pct_p95"]
    smart = rows(session.pe_smart(elasticities="hauk", draws=20, seed=7))
    assert smart == cli_json("pe", "smart", "--elasticities", "hauk", "--draws", 20, "--seed", 7)["groups"]
    assert "imports_after_usd_p95" in smart[0]


def test_brief_writes_its_files(session, tmp_path):
    out = tmp_path / "brief-kor"
    result = session.brief("KOR", out=out, no_ge=True)
    assert isinstance(result, dict) and result
    assert (out / "brief.html").is_file() and (out / "brief.json").is_file()


@needs_cli
def test_validate_equals_cli(session):
    assert rows(session.validate()) == cli_json("validate")["checks"]


# ---------------------------------------------------------------------------------------
# Scenarios as text, dicts and files; errors.

JAPAN_10 = """schema = 1
id = "japan-10"
extends = "us-2025"
title = "Japan's floor at 10%"

[[measure]]
id = "ieepa-reciprocal-japan-floor"
authority = "ieepa-reciprocal"
legal = "what-if"
exporters = ["JPN"]
products = "all"
exclude = ["49", "97", "98", { list = "ieepa-annex-ii-2025-04-02" }, { list = "ieepa-electronics-2025-04-11" }, { list = "floor-exempt-japan" }, { list = "ieepa-annex-ii-2025-11-14", from = "2025-11-13" }]
rate_pct = 10
stacking = "floor"
not_with = ["s232"]
effective = "2025-08-07"
expires = "2026-02-24"
"""


@needs_cli
def test_scenario_text_equals_cli_on_the_same_file(session, tmp_path):
    path = tmp_path / "japan-10.toml"
    path.write_text(JAPAN_10)
    from_text = session.tariff_rates(scenario=JAPAN_10, date="2025-11-17")
    from_path = session.tariff_rates(scenario=path, date="2025-11-17")
    cli = cli_json("tariff", "rates", "--scenario", path, "--date", "2025-11-17")
    assert rows(from_text) == rows(from_path) == cli["groups"]
    japan = [r for r in cli["groups"] if r["key"] == "JPN"][0]
    shipped = [r for r in rows(session.tariff_rates(date="2025-11-17")) if r["key"] == "JPN"][0]
    assert japan["etr_pct"] < shipped["etr_pct"]


JAPAN_10_DICT = {
    "schema": 1,
    "id": "japan-10",
    "extends": "us-2025",
    "title": "Japan's floor at 10%",
    "measure": [
        {
            "id": "ieepa-reciprocal-japan-floor",
            "authority": "ieepa-reciprocal",
            "legal": "what-if",
            "exporters": ["JPN"],
            "products": "all",
            "exclude": [
                "49", "97", "98",
                {"list": "ieepa-annex-ii-2025-04-02"},
                {"list": "ieepa-electronics-2025-04-11"},
                {"list": "floor-exempt-japan"},
                {"list": "ieepa-annex-ii-2025-11-14", "from": "2025-11-13"},
            ],
            "rate_pct": 10,
            "stacking": "floor",
            "not_with": ["s232"],
            "effective": "2025-08-07",
            "expires": "2026-02-24",
        }
    ],
}


def test_scenario_dict_equals_text(session):
    from_dict = session.tariff_rates(scenario=JAPAN_10_DICT, date="2025-11-17")
    from_text = session.tariff_rates(scenario=JAPAN_10, date="2025-11-17")
    assert rows(from_dict) == rows(from_text)


def test_scenario_dict_error_names_the_dict(session):
    bad = dict(JAPAN_10_DICT, measure=[dict(JAPAN_10_DICT["measure"][0], stacking="sideways")])
    with pytest.raises(kanzei.ScenarioError) as info:
        session.tariff_rates(scenario=bad)
    assert info.value.file == "<dict>"
    assert info.value.key.endswith("stacking")
    assert kanzei.scenario_toml(bad).splitlines()[info.value.line - 1].startswith("stacking = ")


# Line 7 names an authority that does not exist.
BAD_AUTHORITY = """schema = 1
id = "bad"
extends = "us-2025"

[[measure]]
id = "x"
authority = "s999"
legal = "none"
exporters = ["JPN"]
products = "all"
rate_pct = 10
effective = "2025-01-01"
"""


def test_scenario_error_has_line_and_key(session):
    bad = BAD_AUTHORITY
    with pytest.raises(kanzei.ScenarioError) as info:
        session.tariff_rates(scenario=bad)
    e = info.value
    assert e.file == "<string>"
    assert e.line == 7
    assert e.key.endswith("authority")
    assert str(e).startswith("`<string>` line 7, key `")
    assert isinstance(e, kanzei.KanzeiError)


@needs_cli
def test_scenario_error_message_is_the_clis(session, tmp_path):
    bad = BAD_AUTHORITY
    path = tmp_path / "bad.toml"
    path.write_text(bad)
    with pytest.raises(kanzei.ScenarioError) as info:
        session.tariff_rates(scenario=path)
    out = subprocess.run([KANZEI_BIN, "tariff", "rates", "--scenario", str(path), "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip() == f"error: {info.value}"
    assert info.value.file == str(path)


def test_unknown_scenario_id_and_bad_argument(session):
    with pytest.raises(kanzei.KanzeiError):
        session.tariff_rates(scenario="us-2099")
    with pytest.raises(kanzei.UsageError):
        session.tariff_rates(by="planet")


# ---------------------------------------------------------------------------------------
# Sweeps.


@needs_cli
def test_local_sweep(session):
    dates = ["2025-04-10", "2025-11-17"]
    table = kanzei.sweep({"shipped": "us-2025", "japan-10": JAPAN_10}, dates, engine="local", workers=2)
    assert table.column_names[:3] == ["scenario", "date", "key"]
    df = table.to_pandas()
    assert sorted(set(df.scenario)) == ["japan-10", "shipped"]
    for date in dates:
        cli = cli_json("tariff", "rates", "--scenario", "us-2025", "--date", date, "--baseline", "none")
        total = df[(df.scenario == "shipped") & (df.date == date) & (df.key == "ALL")].etr_pct.item()
        assert total == cli["etr_pct"]
        japan = df[(df.scenario == "shipped") & (df.date == date) & (df.key == "JPN")].etr_pct.item()
        assert japan == [g for g in cli["groups"] if g["key"] == "JPN"][0]["etr_pct"]
    # Before the August floor the variant is the shipped scenario; after it, Japan pays less.
    def jpn(s, d):
        return df[(df.scenario == s) & (df.date == d) & (df.key == "JPN")].etr_pct.item()

    assert jpn("japan-10", "2025-04-10") == jpn("shipped", "2025-04-10")
    assert jpn("japan-10", "2025-11-17") < jpn("shipped", "2025-11-17")


@needs_cli
def test_rate_variants_made_from_a_template_equal_the_cli(tmp_path):
    """A fresh session compiles us-2025 in full (it becomes the template), then the Japan
    variant (a rate-only child) is made from it, re-evaluating only Japan's cells: every
    group's numbers must equal the CLI's full compile of the same file, on dates before and
    after the floor."""
    variant = tmp_path / "japan-10.toml"
    variant.write_text(JAPAN_10, encoding="utf-8")
    session = kanzei.Session()
    dates = ["2025-04-10", "2025-11-17", "2026-01-01"]
    session.sweep_rates("us-2025", dates)
    table = session.sweep_rates(variant, dates, by="partner").to_pandas()
    for date in dates:
        cli = cli_json("tariff", "rates", "--scenario", variant, "--date", date, "--baseline", "none", "--by", "partner")
        got = table[table.date == date]
        assert got[got.key == "ALL"].etr_pct.item() == cli["etr_pct"]
        assert got[got.key == "ALL"].revenue_usd.item() == cli["revenue_usd"]
        rows_by_key = got[got.key != "ALL"].set_index("key")
        assert list(rows_by_key.index) == [g["key"] for g in cli["groups"]], "same groups, same order"
        for g in cli["groups"]:
            for column in ("imports_usd", "etr_pct", "revenue_usd", "contribution_pp"):
                assert rows_by_key.loc[g["key"], column] == g[column], (date, g["key"], column)


@needs_cli
def test_sweep_by_chapter_and_authority_equal_the_cli(session):
    for by in ("hs2", "authority"):
        table = session.sweep_rates("us-2025", ["2025-11-17"], by=by).to_pandas()
        cli = cli_json("tariff", "rates", "--scenario", "us-2025", "--date", "2025-11-17", "--baseline", "none", "--by", by)
        assert table[table.key == "ALL"].etr_pct.item() == cli["etr_pct"], by
        got = table[table.key != "ALL"]
        assert list(got.key) == [g["key"] for g in cli["groups"]], by
        assert list(got.revenue_usd) == [g["revenue_usd"] for g in cli["groups"]], by
        assert list(got.etr_pct) == [g["etr_pct"] for g in cli["groups"]], by


def test_sweep_engine_errors():
    with pytest.raises(ValueError, match="not an engine"):
        kanzei.sweep(["us-2025"], ["2025-11-17"], engine="spark")


def test_process_sweep_equals_local():
    """Two worker processes, each with its own session: the first variant a worker gets is
    compiled in full, the later rate variants are made from it; the table equals the local one."""
    scenarios = {"shipped": "us-2025", "japan-10": JAPAN_10_DICT, "japan-20": {**JAPAN_10_DICT, "id": "japan-20", "measure": [{**JAPAN_10_DICT["measure"][0], "rate_pct": 20}]}}
    dates = ["2025-04-10", "2025-11-17"]
    local = kanzei.sweep(scenarios, dates, engine="local")
    in_processes = kanzei.sweep(scenarios, dates, engine="processes", workers=2)
    assert in_processes.equals(local)
    assert set(in_processes.column("scenario").to_pylist()) == set(scenarios)


def test_dask_sweep_equals_local():
    if IN_CI:
        import dask.distributed as distributed  # CI installs it: a missing dask fails here
    else:
        distributed = pytest.importorskip("dask.distributed", reason="dask[distributed] not installed")
    scenarios = {"shipped": "us-2025", "japan-10": JAPAN_10_DICT}
    dates = ["2025-04-10", "2025-11-17"]
    local = kanzei.sweep(scenarios, dates, engine="local")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster):
            on_dask = kanzei.sweep(scenarios, dates, engine="dask")
    assert on_dask.equals(local)


def test_ray_sweep_equals_local():
    """Ray is not installed by CI (a large wheel and its own runtime): skipped there, saying so.
    Run with `pip install ray` to check the engine (done for the 2026-12-05 notes)."""
    ray = pytest.importorskip("ray", reason="ray not installed (pip install ray)")
    scenarios = {"shipped": "us-2025", "japan-10": JAPAN_10_DICT}
    dates = ["2025-04-10", "2025-11-17"]
    local = kanzei.sweep(scenarios, dates, engine="local")
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        on_ray = kanzei.sweep(scenarios, dates, engine="ray")
    finally:
        ray.shutdown()
    assert on_ray.equals(local)


def test_missing_engine_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ImportError, match="engine='ray' needs ray: pip install ray"):
        kanzei.sweep(["us-2025"], ["2025-11-17"], engine="ray")
