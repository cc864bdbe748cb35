"""kanzei (関税) from Python: every CLI command as a function returning a pyarrow.Table,
with units in the column names (``imports_usd``, ``etr_pct``, ``change_pp``)."""

from os import PathLike
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pyarrow as pa

from ._kanzei import KanzeiError as KanzeiError
from ._kanzei import UsageError as UsageError

__version__: str

ScenarioLike = Union[str, PathLike[str], Mapping[str, Any]]
PathLikeStr = Union[str, PathLike[str]]

SWEEP_SCHEMA: pa.Schema

class ScenarioError(KanzeiError):
    """A scenario that does not parse or validate (the CLI's message)."""

    file: str
    line: int
    key: str
    detail: str
    def __init__(self, message: str, file: str, line: int, key: str, detail: str) -> None: ...

def scenario_toml(scenario: Mapping[str, Any]) -> str:
    """The TOML text kanzei parses for a scenario dict."""

def report_json(table: pa.Table) -> dict:
    """The command's JSON other than the rows (totals, notes, warnings)."""

def default_session() -> Session: ...

class Session:
    """Loaded data shared by calls (datasets and tariff inputs, loaded once)."""

    def __init__(self, data: Optional[PathLikeStr] = None) -> None: ...
    def run_json(self, args: Sequence[str], renames: Optional[Mapping[str, str]] = None) -> dict: ...
    def trade_balance(self, year: int = 2024) -> pa.Table: ...
    def trade_partner(self, partner: str, reporter: str = "USA", year: int = 2024, by: Optional[str] = None, flow: Optional[str] = None) -> pa.Table: ...
    def trade_series(self, partner: str, from_year: int = 2015, to_year: int = 2024) -> pa.Table: ...
    def tariff_rates(self, scenario: ScenarioLike = "us-2025", date: Optional[str] = None, by: str = "partner", baseline: Optional[ScenarioLike] = "us-2024-baseline") -> pa.Table: ...
    def tariff_exposure(self, partner: str, scenario: ScenarioLike = "us-2025", date: str = "2025-11-17") -> pa.Table: ...
    def tariff_timeline(self, scenario: ScenarioLike = "us-2025", start: str = "2025-01-01", end: str = "2026-06-30", partner: Optional[str] = None) -> pa.Table: ...
    def explain(self, partner: str, hs10: str, date: str = "2025-11-17", scenario: ScenarioLike = "us-2025") -> pa.Table: ...
    def tariff_collected(self, start: str = "2024-01", end: str = "2025-12", by: str = "month", scenario: Optional[ScenarioLike] = None) -> pa.Table: ...
    def prices(self, scenario: Optional[ScenarioLike] = None, date: Optional[str] = None, baseline: ScenarioLike = "us-2024-baseline", by: str = "group", pass_through: Union[str, float] = "full", tariffs: Optional[str] = None, substitution: bool = False) -> pa.Table: ...
    def va_exports(self, exporter: str, importer: str, sector: Optional[str] = None, table: str = "wiod2011", top: int = 15) -> pa.Table: ...
    def ge_cp(self, data: str = "cp1993", scenario: str = "nafta", date: Optional[str] = None, countries: Sequence[str] = (), elasticities: Optional[str] = None, draws: int = 0, seed: int = 1) -> pa.Table: ...
    def ge_gravity(self, cost_change: str, year: int = 2006, sigma: float = 5.0, reference: str = "DEU", exact: bool = False, draws: int = 0, seed: int = 1) -> pa.Table: ...
    def pe_smart(self, scenario: ScenarioLike = "us-2025", date: str = "2025-11-17", by: str = "partner", baseline: ScenarioLike = "us-2024-baseline", market: str = "USA", elasticities: Optional[str] = None, draws: int = 0, seed: int = 1) -> pa.Table: ...
    def validate(self) -> pa.Table: ...
    def brief(self, partner: str = "us-japan-2025", out: Optional[PathLikeStr] = None, date: Optional[str] = None, scenario: Optional[str] = None, no_ge: bool = False) -> dict: ...
    def sweep_rates(self, scenario: ScenarioLike, dates: Sequence[str], by: str = "partner", label: Optional[str] = None) -> pa.Table: ...

def trade_balance(year: int = 2024) -> pa.Table:
    """U.S. goods trade by partner. Example: ``kanzei.trade_balance(year=2024)``."""
def trade_partner(partner: str, reporter: str = "USA", year: int = 2024, by: Optional[str] = None, flow: Optional[str] = None) -> pa.Table:
    """Example: ``kanzei.trade_partner("JPN", by="hs2")``."""
def trade_series(partner: str, from_year: int = 2015, to_year: int = 2024) -> pa.Table:
    """Example: ``kanzei.trade_series("JPN")``."""
def tariff_rates(scenario: ScenarioLike = "us-2025", date: Optional[str] = None, by: str = "partner", baseline: Optional[ScenarioLike] = "us-2024-baseline") -> pa.Table:
    """Example: ``kanzei.tariff_rates(scenario="us-2025", date="2025-11-17", by="partner")``."""
def tariff_exposure(partner: str, scenario: ScenarioLike = "us-2025", date: str = "2025-11-17") -> pa.Table:
    """Example: ``kanzei.tariff_exposure("JPN")``."""
def tariff_timeline(scenario: ScenarioLike = "us-2025", start: str = "2025-01-01", end: str = "2026-06-30", partner: Optional[str] = None) -> pa.Table:
    """Example: ``kanzei.tariff_timeline(partner="JPN")``."""
def explain(partner: str, hs10: str, date: str = "2025-11-17", scenario: ScenarioLike = "us-2025") -> pa.Table:
    """Example: ``kanzei.explain("JPN", "8703230140", date="2025-10-01")``."""
def tariff_collected(start: str = "2024-01", end: str = "2025-12", by: str = "month", scenario: Optional[ScenarioLike] = None) -> pa.Table:
    """Example: ``kanzei.tariff_collected("2025-01", "2025-12", scenario="us-2025")``."""
def prices(scenario: Optional[ScenarioLike] = None, date: Optional[str] = None, baseline: ScenarioLike = "us-2024-baseline", by: str = "group", pass_through: Union[str, float] = "full", tariffs: Optional[str] = None, substitution: bool = False) -> pa.Table:
    """Example: ``kanzei.prices(scenario="us-2025", date="2025-09-04")``."""
def va_exports(exporter: str, importer: str, sector: Optional[str] = None, table: str = "wiod2011", top: int = 15) -> pa.Table:
    """Example: ``kanzei.va_exports("MEX", "USA", sector="c15")``."""
def ge_cp(data: str = "cp1993", scenario: str = "nafta", date: Optional[str] = None, countries: Sequence[str] = (), elasticities: Optional[str] = None, draws: int = 0, seed: int = 1) -> pa.Table:
    """Example: ``kanzei.ge_cp()``."""
def ge_gravity(cost_change: str, year: int = 2006, sigma: float = 5.0, reference: str = "DEU", exact: bool = False, draws: int = 0, seed: int = 1) -> pa.Table:
    """Example: ``kanzei.ge_gravity(cost_change="pta:CAN-JPN,JPN-CAN=1")``."""
def pe_smart(scenario: ScenarioLike = "us-2025", date: str = "2025-11-17", by: str = "partner", baseline: ScenarioLike = "us-2024-baseline", market: str = "USA", elasticities: Optional[str] = None, draws: int = 0, seed: int = 1) -> pa.Table:
    """Example: ``kanzei.pe_smart()``."""
def validate() -> pa.Table:
    """Example: ``kanzei.validate().to_pandas()``."""
def brief(partner: str = "us-japan-2025", out: Optional[PathLikeStr] = None, date: Optional[str] = None, scenario: Optional[str] = None, no_ge: bool = False) -> dict:
    """Example: ``kanzei.brief("KOR", out="brief-kor")``."""
def sweep(scenarios: Union[Mapping[str, ScenarioLike], Iterable[ScenarioLike]], dates: Sequence[str], by: str = "partner", engine: str = "local", workers: Optional[int] = None) -> pa.Table:
    """Example: ``kanzei.sweep({"a": "us-2025"}, ["2025-11-17"])``."""
