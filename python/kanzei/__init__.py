"""kanzei (関税) from Python: who pays a tariff, from official data.

Every function mirrors a ``kanzei`` CLI command and returns a :class:`pyarrow.Table` whose
rows and column names are those of ``kanzei … --format json`` (units in the names:
``imports_usd`` in dollars, ``etr_pct`` in percent, ``change_pp`` in percentage points).
The rest of the command's JSON (title, notes, warnings, totals) is kept in the table's
schema metadata under ``b"kanzei"``; :func:`report_json` reads it back.

>>> import kanzei
>>> t = kanzei.tariff_rates(scenario="us-2025", date="2025-11-17", by="partner")
>>> t.column_names[:4]
['key', 'name', 'imports_usd', 'etr_pct']

Module-level functions share one :class:`Session` (data loaded once per process); create
your own ``kanzei.Session(data="DIR")`` to read a folder of official files instead of the
embedded snapshot.

Scenarios are given by shipped id (``"us-2025"``), by path (``"my-what-if.toml"`` or a
:class:`pathlib.Path`), as TOML text, or as a ``dict`` (written out as TOML). A scenario
problem raises :class:`ScenarioError` with the CLI's message and ``file``, ``line``, ``key``.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pyarrow as pa

from ._kanzei import KanzeiError, UsageError, _ScenarioError
from ._kanzei import Session as _RustSession
from ._kanzei import __version__

__all__ = [
    "Session",
    "KanzeiError",
    "UsageError",
    "ScenarioError",
    "trade_balance",
    "trade_partner",
    "trade_series",
    "tariff_rates",
    "tariff_exposure",
    "tariff_timeline",
    "tariff_collected",
    "explain",
    "prices",
    "va_exports",
    "ge_cp",
    "ge_gravity",
    "pe_smart",
    "validate",
    "brief",
    "sweep",
    "report_json",
    "scenario_toml",
]

ScenarioLike = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class ScenarioError(KanzeiError):
    """A scenario that does not parse or validate, located like the CLI locates it.

    Attributes: ``file`` (the path, ``"<string>"`` for TOML text, ``"<dict>"`` for a dict),
    ``line`` (1-based, in the TOML text; for a dict, in :func:`scenario_toml` of it),
    ``key`` (dotted path such as ``measure[3].authority``) and ``detail`` (the message
    without the location).

    >>> try:
    ...     kanzei.tariff_rates(scenario='schema = 1\\nid = "x"\\nbogus = 3\\n')
    ... except kanzei.ScenarioError as e:
    ...     print(e.line, e.key)
    """

    def __init__(self, message: str, file: str, line: int, key: str, detail: str):
        super().__init__(message)
        self.file = file
        self.line = line
        self.key = key
        self.detail = detail


# ---------------------------------------------------------------------------------------
# Scenarios: id, path, TOML text or dict.


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(isinstance(v, Mapping) for v in value)


def _toml_table(table: Mapping[str, Any], path: str, lines: list) -> None:
    for key, value in table.items():
        if not isinstance(value, Mapping) and not _is_table_array(value):
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        sub = f"{path}.{_toml_key(key)}" if path else _toml_key(key)
        if isinstance(value, Mapping):
            lines.extend(["", f"[{sub}]"])
            _toml_table(value, sub, lines)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{sub}]]"])
                _toml_table(item, sub, lines)


def scenario_toml(scenario: Mapping[str, Any]) -> str:
    """The TOML text kanzei parses for a scenario given as a dict (tables become
    ``[table]``, lists of dicts ``[[array]]``; line numbers in a :class:`ScenarioError`
    refer to this text).

    >>> print(kanzei.scenario_toml({"schema": 1, "id": "x", "measure": [{"rate_pct": 10}]}))
    """
    lines: list = []
    _toml_table(scenario, "", lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _looks_like_toml(text: str) -> bool:
    return "\n" in text or "=" in text


# ---------------------------------------------------------------------------------------
# Tables.


def _rows_to_table(rows: Sequence[Mapping[str, Any]], meta: Optional[Mapping[str, Any]] = None) -> pa.Table:
    if rows:
        columns: dict = {}
        for row in rows:
            for key in row:
                columns.setdefault(key, None)
        table = pa.Table.from_pylist([dict(row) for row in rows])
        # The CLI's JSON keys are sorted; put the columns that name a row first.
        first = [c for c in _ID_COLUMNS if c in columns]
        table = table.select(first + [c for c in columns if c not in first])
    else:
        table = pa.table({})
    if meta is not None:
        table = table.replace_schema_metadata({b"kanzei": json.dumps(meta).encode()})
    return table


_ID_COLUMNS = ["scenario", "date", "key", "partner", "code", "country", "origin", "exporter", "importer", "month", "naics", "authority", "measure", "category", "item", "name", "description"]


def report_json(table: pa.Table) -> dict:
    """The rest of the command's JSON (everything but the rows) carried by a table.

    >>> kanzei.report_json(kanzei.tariff_rates())["etr_pct"]
    """
    meta = table.schema.metadata or {}
    return json.loads(meta.get(b"kanzei", b"{}"))


def _draw_args(elasticities: Optional[str], draws: int, seed: int) -> list:
    """The CLI flags of a parameter set and Monte Carlo draws (none when not asked for)."""
    args: list = []
    if elasticities is not None:
        args += ["--elasticities", elasticities]
    if draws:
        args += ["--draws", int(draws), "--seed", int(seed)]
    return args


def _table(obj: Mapping[str, Any], key: str) -> pa.Table:
    if key not in obj and "table" in obj:
        key = "table"
    rows = obj.get(key) or []
    meta = {k: v for k, v in obj.items() if k != key}
    return _rows_to_table(rows, meta)


# ---------------------------------------------------------------------------------------
# Session.


class Session:
    """Loaded data shared by calls: the data store (each dataset loaded once), the
    tariff inputs (built on the first tariff call, about half a second) and the last eight
    scenarios :meth:`tariff_rates` compiled (most of a second each for ``us-2025``), so a
    repeated call on the same scenario only evaluates a date.

    ``data``: a folder of official files laid out like ``../shared/data/raw`` (the CLI's
    ``--data DIR``); default the snapshot embedded in the extension.

    >>> s = kanzei.Session()
    >>> s.tariff_rates(scenario="us-2025", date="2025-11-17").num_rows
    """

    def __init__(self, data: Optional[Union[str, "os.PathLike[str]"]] = None):
        self._inner = _RustSession(None if data is None else os.fspath(data))
        self._tmp = tempfile.mkdtemp(prefix="kanzei-")
        atexit.register(shutil.rmtree, self._tmp, True)

    # -- plumbing ------------------------------------------------------------------------

    def _scenario(self, scenario: ScenarioLike) -> tuple:
        """(argument for the CLI, name to show for the temporary file or None)."""
        if isinstance(scenario, Mapping):
            return self._write(scenario_toml(scenario)), "<dict>"
        if isinstance(scenario, os.PathLike):
            return os.fspath(scenario), None
        if isinstance(scenario, str) and _looks_like_toml(scenario):
            return self._write(scenario), "<string>"
        return scenario, None

    def _write(self, text: str) -> str:
        path = os.path.join(self._tmp, "scenario-" + hashlib.sha1(text.encode()).hexdigest()[:16] + ".toml")
        if not os.path.exists(path):
            # Written under a unique name and renamed, so threads writing the same text at
            # once never let the CLI read half a file.
            fd, part = tempfile.mkstemp(dir=self._tmp, suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(part, path)
        return path

    def run_json(self, args: Sequence[str], renames: Optional[Mapping[str, str]] = None) -> dict:
        """Runs a CLI command (``["tariff", "rates", "--format", "json"]``) and returns its
        parsed JSON. ``renames`` maps temporary scenario files to the names errors show."""
        try:
            return json.loads(self._inner.run_json([str(a) for a in args]))
        except _ScenarioError as e:
            message, file, line, key, detail = e.args
            for path, shown in (renames or {}).items():
                if file == path:
                    file = shown
                message = message.replace(path, shown)
            raise ScenarioError(message, file, line, key, detail) from None

    def _run(self, args: list, scenarios: Sequence[tuple] = ()) -> dict:
        renames = {arg: shown for arg, shown in scenarios if shown is not None}
        return self.run_json(args + ["--format", "json"], renames)

    def _scenario_args(self, flag: str, scenario: Optional[ScenarioLike], args: list, seen: list) -> None:
        if scenario is None:
            return
        arg, shown = self._scenario(scenario)
        seen.append((arg, shown))
        args.extend([flag, arg])

    # -- trade ---------------------------------------------------------------------------

    def trade_balance(self, year: int = 2024) -> pa.Table:
        """U.S. goods trade by partner (Census): ``kanzei trade balance --year YEAR``.

        >>> kanzei.trade_balance(year=2024).to_pandas().set_index("code").loc["JPN", "exports_usd"]
        """
        return _table(self._run(["trade", "balance", "--year", year]), "partners")

    def trade_partner(self, partner: str, reporter: str = "USA", year: int = 2024, by: Optional[str] = None, flow: Optional[str] = None) -> pa.Table:
        """What a reporter trades with a partner: ``kanzei trade partner PARTNER``.

        >>> kanzei.trade_partner("JPN", by="hs2").num_rows
        """
        args = ["trade", "partner", partner, "--reporter", reporter, "--year", year]
        if by:
            args += ["--by", by]
        if flow:
            args += ["--flow", flow]
        return _table(self._run(args), "rows")

    def trade_series(self, partner: str, from_year: int = 2015, to_year: int = 2024) -> pa.Table:
        """A partner's yearly trade with the U.S.: ``kanzei trade series PARTNER``.

        >>> kanzei.trade_series("JPN", 2015, 2024).num_rows
        """
        return _table(self._run(["trade", "series", partner, "--from", from_year, "--to", to_year]), "points")

    # -- tariffs -------------------------------------------------------------------------

    def tariff_rates(
        self,
        scenario: ScenarioLike = "us-2025",
        date: Optional[str] = None,
        by: str = "partner",
        baseline: Optional[ScenarioLike] = "us-2024-baseline",
    ) -> pa.Table:
        """Effective tariff rates and revenue by partner, HS2 chapter or authority:
        ``kanzei tariff rates``; rows are the JSON's ``groups`` (``key``, ``name``,
        ``imports_usd``, ``etr_pct``, ``revenue_usd``, ``contribution_pp``, …). The total ETR
        is ``report_json(t)["etr_pct"]``. ``baseline=None`` for no baseline.

        >>> kanzei.tariff_rates(scenario="us-2025", date="2025-11-17", by="partner").slice(0, 3).to_pandas()
        """
        args: list = ["tariff", "rates", "--by", by]
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        self._scenario_args("--baseline", "none" if baseline is None else baseline, args, seen)
        if date is not None:
            args += ["--date", date]
        obj = self._run(args, seen)
        obj.pop("table", None)  # the same rows as `groups`, as the CLI's table shows them
        return _table(obj, "groups")

    def tariff_exposure(self, partner: str, scenario: ScenarioLike = "us-2025", date: str = "2025-11-17") -> pa.Table:
        """A partner's exposure to a scenario: ``kanzei tariff exposure PARTNER``.

        >>> kanzei.tariff_exposure("JPN").num_rows
        """
        args: list = ["tariff", "exposure", partner, "--date", date]
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        return _table(self._run(args, seen), "table")

    def tariff_timeline(
        self,
        scenario: ScenarioLike = "us-2025",
        start: str = "2025-01-01",
        end: str = "2026-06-30",
        partner: Optional[str] = None,
    ) -> pa.Table:
        """The effective rate day by day: ``kanzei tariff timeline --from START --to END``.

        >>> kanzei.tariff_timeline(partner="JPN", start="2025-01-01", end="2025-12-31").num_rows
        """
        args: list = ["tariff", "timeline", "--from", start, "--to", end]
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        if partner:
            args += ["--partner", partner]
        return _table(self._run(args, seen), "table")

    def explain(self, partner: str, hs10: str, date: str = "2025-11-17", scenario: ScenarioLike = "us-2025") -> pa.Table:
        """The rate on one HS10 line from one partner, step by step: ``kanzei tariff explain``.

        >>> kanzei.explain("JPN", "8703230140", date="2025-10-01").to_pandas()
        """
        args: list = ["tariff", "explain", "--partner", partner, "--hs10", hs10, "--date", date]
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        return _table(self._run(args, seen), "table")

    def tariff_collected(
        self,
        start: str = "2024-01",
        end: str = "2025-12",
        by: str = "month",
        scenario: Optional[ScenarioLike] = None,
    ) -> pa.Table:
        """Duties actually collected (Census), by month or product, optionally beside a
        scenario's statutory rate: ``kanzei tariff collected --from START --to END``.

        >>> kanzei.tariff_collected("2025-01", "2025-12", scenario="us-2025").num_rows
        """
        args: list = ["tariff", "collected", "--from", start, "--to", end, "--by", by]
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        return _table(self._run(args, seen), "months" if by == "month" else "groups")

    def prices(
        self,
        scenario: Optional[ScenarioLike] = None,
        date: Optional[str] = None,
        baseline: ScenarioLike = "us-2024-baseline",
        by: str = "group",
        pass_through: Union[str, float] = "full",
        tariffs: Optional[str] = None,
        substitution: bool = False,
    ) -> pa.Table:
        """Who pays: a tariff change carried through the U.S. input–output system to
        consumer prices: ``kanzei prices``. Headline numbers (PCE price change, household
        cost) are in ``report_json(t)``.

        >>> kanzei.prices(scenario="us-2025", date="2025-09-04").to_pandas().head()
        """
        args: list = ["prices", "--by", by, "--pass-through", pass_through]
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        self._scenario_args("--baseline", baseline, args, seen)
        if date is not None:
            args += ["--date", date]
        if tariffs is not None:
            args += ["--tariffs", tariffs]
        if substitution:
            args.append("--substitution")
        return _table(self._run(args, seen), {"group": "named", "category": "categories", "commodity": "commodities"}.get(by, "table"))

    # -- models --------------------------------------------------------------------------

    def va_exports(self, exporter: str, importer: str, sector: Optional[str] = None, table: str = "wiod2011", top: int = 15) -> pa.Table:
        """Value added by origin in one country's exports to another: ``kanzei va exports``.

        >>> kanzei.va_exports("MEX", "USA", sector="c15").to_pandas().head()
        """
        args: list = ["va", "exports", "--table", table, "--exporter", exporter, "--importer", importer, "--top", top]
        if sector:
            args += ["--sector", sector]
        return _table(self._run(args), "va_by_origin")

    def ge_cp(self, data: str = "cp1993", scenario: str = "nafta", date: Optional[str] = None, countries: Sequence[str] = (),
              elasticities: Optional[str] = None, draws: int = 0, seed: int = 1) -> pa.Table:
        """Caliendo–Parro (2015) general equilibrium: ``kanzei ge cp``.

        ``date`` applies to tariff scenarios on ``data="wiod2011"`` (the CLI's default there is
        2025-11-17); ``elasticities`` names a θ set (``kanzei``, ``cp2015-99``) and ``draws``
        adds ``*_p5``/``*_p50``/``*_p95`` columns (``docs/uncertainty.md``).

        >>> kanzei.ge_cp(data="cp1993", scenario="nafta").to_pandas()
        >>> kanzei.ge_cp(data="wiod2011", scenario="us-2025", draws=200, seed=7).to_pandas()
        """
        args: list = ["ge", "cp", "--data", data, "--scenario", scenario]
        if date is not None:
            args += ["--date", date]
        if countries:
            args += ["--countries", ",".join(countries)]
        args += _draw_args(elasticities, draws, seed)
        return _table(self._run(args), "countries")

    def ge_gravity(self, cost_change: str, year: int = 2006, sigma: float = 5.0, reference: str = "DEU", exact: bool = False,
                   draws: int = 0, seed: int = 1) -> pa.Table:
        """One-sector structural gravity counterfactual: ``kanzei ge gravity``; ``draws`` adds
        mean, sd and p5/p50/p95 columns over draws of the cost coefficients.

        >>> kanzei.ge_gravity(cost_change="pta:CAN-JPN,JPN-CAN=1").num_rows
        >>> kanzei.ge_gravity(cost_change="pta:CAN-JPN,JPN-CAN=1", draws=1000, seed=7).num_rows
        """
        args: list = ["ge", "gravity", "--year", year, "--cost-change", cost_change, "--sigma", sigma, "--reference", reference]
        if exact:
            args.append("--exact")
        args += _draw_args(None, draws, seed)
        return _table(self._run(args), "countries")

    def pe_smart(self, scenario: ScenarioLike = "us-2025", date: str = "2025-11-17", by: str = "partner", baseline: ScenarioLike = "us-2024-baseline", market: str = "USA",
                 elasticities: Optional[str] = None, draws: int = 0, seed: int = 1) -> pa.Table:
        """SMART partial equilibrium on 2024 HS10 cells: ``kanzei pe smart``; ``elasticities``
        names a set (``default``, ``hauk``, ``protee``), ``draws`` adds p5/p50/p95 columns.

        >>> kanzei.pe_smart(scenario="us-2025", date="2025-11-17").to_pandas().head()
        >>> kanzei.pe_smart(elasticities="hauk", draws=500, seed=7).to_pandas().head()
        """
        args: list = ["pe", "smart", "--date", date, "--by", by, "--market", market] + _draw_args(elasticities, draws, seed)
        seen: list = []
        self._scenario_args("--scenario", scenario, args, seen)
        self._scenario_args("--baseline", baseline, args, seen)
        return _table(self._run(args, seen), "groups")

    def validate(self) -> pa.Table:
        """Every published reproduction kanzei has, checked: ``kanzei validate``.

        >>> kanzei.validate().to_pandas()[["name", "published", "kanzei"]]
        """
        return _table(self._run(["validate"]), "checks")

    def brief(
        self,
        partner: str = "us-japan-2025",
        out: Optional[Union[str, "os.PathLike[str]"]] = None,
        date: Optional[str] = None,
        scenario: Optional[str] = None,
        no_ge: bool = False,
    ) -> dict:
        """Builds a partner brief (``kanzei brief PARTNER --out OUT``): writes brief.html,
        brief.md, brief.json and the charts into ``out`` and returns ``brief.json`` as a dict
        (headline numbers, claims and verdicts; not a table, as a brief is a document).

        >>> kanzei.brief("KOR", out="brief-kor")["headline"]
        """
        args: list = ["brief", partner]
        if out is not None:
            args += ["--out", os.fspath(out)]
        if date is not None:
            args += ["--date", date]
        if scenario is not None:
            args += ["--scenario", scenario]
        if no_ge:
            args.append("--no-ge")
        return self._run(args)

    # -- sweeps --------------------------------------------------------------------------

    def sweep_rates(self, scenario: ScenarioLike, dates: Sequence[str], by: str = "partner", label: Optional[str] = None) -> pa.Table:
        """One scenario compiled once and evaluated on each date (no baseline): rows of
        :meth:`tariff_rates` plus an ``ALL`` row with the total, and ``scenario`` and
        ``date`` columns. The building block of :func:`sweep`.

        >>> kanzei.Session().sweep_rates("us-2025", ["2025-04-10", "2025-11-17"]).num_rows
        """
        if isinstance(scenario, Mapping):
            file, text, shown = "<dict>", scenario_toml(scenario), None
        elif isinstance(scenario, os.PathLike) or (isinstance(scenario, str) and scenario.endswith(".toml") and not _looks_like_toml(scenario)):
            file = os.fspath(scenario)
            text = Path(file).read_text(encoding="utf-8")
        elif isinstance(scenario, str) and _looks_like_toml(scenario):
            file, text = "<string>", scenario
        else:
            file, text = "", str(scenario)
        try:
            results = json.loads(self._inner.sweep_rates(file, text, [str(d) for d in dates], by))
        except _ScenarioError as e:
            raise ScenarioError(*e.args) from None
        columns = results["columns"]
        name = label if label is not None else results["scenario"]
        columns = {"scenario": [name] * len(columns["date"]), **columns}
        return pa.table({field.name: pa.array(columns[field.name], type=field.type) for field in SWEEP_SCHEMA}, schema=SWEEP_SCHEMA)


SWEEP_SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("date", pa.string()),
        ("key", pa.string()),
        ("name", pa.string()),
        ("imports_usd", pa.float64()),
        ("etr_pct", pa.float64()),
        ("revenue_usd", pa.float64()),
        ("contribution_pp", pa.float64()),
    ]
)

# ---------------------------------------------------------------------------------------
# The default session and module-level functions.

_default_session: Optional[Session] = None
_default_lock = threading.Lock()


def default_session() -> Session:
    """The process-wide session the module-level functions use (created on first use)."""
    global _default_session
    with _default_lock:
        if _default_session is None:
            _default_session = Session()
        return _default_session


def _module_function(name: str):
    method = getattr(Session, name)

    def function(*args, **kwargs):
        return getattr(default_session(), name)(*args, **kwargs)

    function.__name__ = name
    function.__qualname__ = name
    function.__doc__ = method.__doc__
    function.__wrapped__ = method
    return function


trade_balance = _module_function("trade_balance")
trade_partner = _module_function("trade_partner")
trade_series = _module_function("trade_series")
tariff_rates = _module_function("tariff_rates")
tariff_exposure = _module_function("tariff_exposure")
tariff_timeline = _module_function("tariff_timeline")
tariff_collected = _module_function("tariff_collected")
explain = _module_function("explain")
prices = _module_function("prices")
va_exports = _module_function("va_exports")
ge_cp = _module_function("ge_cp")
ge_gravity = _module_function("ge_gravity")
pe_smart = _module_function("pe_smart")
validate = _module_function("validate")
brief = _module_function("brief")


# ---------------------------------------------------------------------------------------
# Sweeps.


def _sweep_task(label: str, scenario: Any, dates: Sequence[str], by: str) -> pa.Table:
    """One sweep task: a pure function of (scenario, dates, grouping) → table, run on the
    worker's own default session, so it ships to Dask or Ray workers unchanged."""
    return default_session().sweep_rates(scenario, dates, by=by, label=label)


def _sweep_task_tuple(task: tuple) -> pa.Table:
    """:func:`_sweep_task` on one (label, scenario, dates, by) tuple (for process pools)."""
    return _sweep_task(*task)


def _labelled(scenarios: Union[Mapping[str, ScenarioLike], Iterable[ScenarioLike]]) -> list:
    if isinstance(scenarios, Mapping):
        return [(str(k), v) for k, v in scenarios.items()]
    out = []
    for idx, s in enumerate(scenarios):
        if isinstance(s, Mapping):
            out.append((str(s.get("id", f"scenario-{idx}")), s))
        elif isinstance(s, str) and not _looks_like_toml(s):
            out.append((s, s))
        else:
            out.append((f"scenario-{idx}", s))
    return out


def sweep(
    scenarios: Union[Mapping[str, ScenarioLike], Iterable[ScenarioLike]],
    dates: Sequence[str],
    by: str = "partner",
    engine: str = "local",
    workers: Optional[int] = None,
) -> pa.Table:
    """Evaluates every scenario on every date and returns one table (``scenario``,
    ``date``, ``key``, ``name``, ``imports_usd``, ``etr_pct``, ``revenue_usd``,
    ``contribution_pp``; one ``ALL`` row per scenario and date with the total).

    ``scenarios``: a dict label → scenario, or a list (ids, paths, TOML texts, dicts;
    labels are the id, or ``scenario-N``). Each scenario is one task, evaluated on all
    dates; a worker compiles a scenario once and makes the later ones that differ from it only
    in rates from that compile. ``engine``: ``"local"`` (a thread pool in this process; the
    GIL is released during compute), ``"processes"`` (``workers`` processes on this machine,
    each with its own session), ``"dask"`` (``dask.compute`` on the current scheduler, e.g. a
    ``dask.distributed.Client``'s) or ``"ray"``. Rows are in the order of ``scenarios`` ×
    ``dates`` whatever the engine.

    >>> kanzei.sweep({"a": "us-2025", "b": "us-2024-baseline"}, ["2025-11-17"]).num_rows
    """
    tasks = _labelled(scenarios)
    dates = [str(d) for d in dates]
    if engine == "local":
        from concurrent.futures import ThreadPoolExecutor

        default_session()._inner.warm()
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            tables = list(pool.map(lambda t: _sweep_task(t[0], t[1], dates, by), tasks))
    elif engine == "processes":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # "spawn": a forked child would inherit the parent's compute threads mid-state.
        context = multiprocessing.get_context("spawn")
        n = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
            # Chunks of tasks per message: a task's table is small, the round trip is not.
            chunk = max(1, len(tasks) // (8 * n))
            tables = list(pool.map(_sweep_task_tuple, [(label, s, dates, by) for label, s in tasks], chunksize=chunk))
    elif engine == "dask":
        try:
            import dask
        except ImportError:
            raise ImportError("engine='dask' needs dask: pip install 'dask[distributed]'") from None
        delayed = [dask.delayed(_sweep_task, pure=True)(label, s, dates, by) for label, s in tasks]
        tables = list(dask.compute(*delayed))
    elif engine == "ray":
        try:
            import ray
        except ImportError:
            raise ImportError("engine='ray' needs ray: pip install ray") from None
        if not ray.is_initialized():
            ray.init(num_cpus=workers)
        remote = ray.remote(_sweep_task)
        tables = ray.get([remote.remote(label, s, dates, by) for label, s in tasks])
    else:
        raise ValueError(f"`{engine}` is not an engine: expected one of `local`, `processes`, `dask`, `ray`")
    if not tables:
        return SWEEP_SCHEMA.empty_table()
    return pa.concat_tables(tables)
