"""Every module of the project names only what it defines or imports: a missing import in
a path no test runs (a benchmark, a launcher) would otherwise surface only when used."""
from __future__ import annotations

from pathlib import Path

from pyflakes import api, messages, reporter

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "services", "benchmarks", "tests")
UNDEFINED = (messages.UndefinedName, messages.UndefinedExport, messages.UndefinedLocal)


class _Collect(reporter.Reporter):
    def __init__(self) -> None:
        self.found: list[str] = []

    def flake(self, message) -> None:  # type: ignore[no-untyped-def]
        if isinstance(message, UNDEFINED):
            self.found.append(str(message))

    def syntaxError(self, filename, msg, lineno, offset, text) -> None:  # type: ignore[no-untyped-def]
        self.found.append(f"{filename}:{lineno}: {msg}")

    def unexpectedError(self, filename, msg) -> None:  # type: ignore[no-untyped-def]
        self.found.append(f"{filename}: {msg}")


def test_no_module_uses_a_name_it_never_defines_or_imports() -> None:
    collect = _Collect()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if ".venv" not in path.parts:
                api.checkPath(str(path), collect)
    assert collect.found == []
