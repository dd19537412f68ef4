"""Constructs: `core` (the tree and L1 resources); one module per AWS service (L2); `patterns` (L3)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, homes: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of a package whose public names live in its modules, each module
    imported when one of its names is first used: `ec2.Port` loads ec2.security, and an app that never
    names a VPC endpoint or an instance does not pay for those modules (issue 21: a synth imports what
    the app uses). `homes` maps each module to the names it exports, the module named as
    `importlib.import_module(module, package)` takes it (".vpc" within the package); a name, once
    loaded, is a plain attribute of the package. The package says the same names to type checkers with
    imports under `if TYPE_CHECKING:` (tests/cli/test_startup_imports.py checks they agree)."""
    where = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
