"""The compiled half of kanzei (see kanzei/__init__.py for the public API)."""

from os import PathLike
from typing import Optional, Sequence, Union

__version__: str

class KanzeiError(Exception):
    """An error from kanzei, with the CLI's message."""

class UsageError(KanzeiError):
    """A bad argument (clap's message, as the CLI prints it)."""

class _ScenarioError(KanzeiError):
    """args: (message, file, line, key, detail)."""

class Session:
    def __init__(self, data: Optional[Union[str, PathLike[str]]] = None) -> None: ...
    def run_json(self, args: Sequence[str]) -> str:
        """Runs a CLI command (no program name) and returns its `--format json` output."""
    def sweep_rates(self, file: str, text: str, dates: Sequence[str], by: str) -> str:
        """Compiles a scenario once (or reuses a compile differing only in rates), evaluates rates on each date; JSON ``{scenario, columns}``."""
    def warm(self) -> None:
        """Builds the tariff inputs now."""
