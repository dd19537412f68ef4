"""Find and run the user's app in process, and return the App it built.

Where the app comes from, first match wins: `--app FILE|module:attr`, `[tool.iac] app` in the
working directory's pyproject.toml, `./app.py`. A file runs as `__main__` with its folder first on
sys.path (like `python app.py`); `module:attr` imports the module and takes the attribute (an App, or
a function returning one).
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
import tomllib
from typing import Any

from iac.constructs.core.app import App, capture_apps
from iac.errors import AppError, IacError, UsageError

DEFAULT_APP_FILE = "app.py"


def discover_app_spec(explicit: str | None, cwd: str | None = None) -> str:
    """The app to run, from the option, pyproject.toml or ./app.py; UsageError when none is found."""
    if explicit:
        return explicit
    cwd = cwd or os.getcwd()
    pyproject = os.path.join(cwd, "pyproject.toml")
    if os.path.isfile(pyproject):
        configured = _configured_app(pyproject)
        if configured:
            return configured
    if os.path.isfile(os.path.join(cwd, DEFAULT_APP_FILE)):
        return DEFAULT_APP_FILE
    raise UsageError(
        "no app found: there is no ./app.py and pyproject.toml names none",
        hint='pass --app path/to/app.py (or module:attr), or add [tool.iac] app = "app.py" to pyproject.toml',
    )


def _configured_app(pyproject: str) -> str | None:
    try:
        with open(pyproject, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"cannot read {pyproject}: {error}") from None
    tool = data.get("tool", {})
    section = tool.get("iac", {}) if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        raise UsageError(f"[tool.iac] in {pyproject} must be a table, such as: [tool.iac] app = \"app.py\"")
    app = section.get("app")
    if app is not None and (not isinstance(app, str) or not app.strip()):
        raise UsageError(f"[tool.iac] app in {pyproject} must be a string naming the app file, got {app!r}")
    return app


def load_app(spec: str) -> App:
    """Run the app named by `spec` and return its App (user exceptions become AppError)."""
    if _looks_like_file(spec):
        return _run_file(spec)
    return _import_attribute(spec)


def _looks_like_file(spec: str) -> bool:
    return spec.endswith(".py") or os.sep in spec or "/" in spec or ":" not in spec


def _run_file(spec: str) -> App:
    path = os.path.abspath(spec)
    if not os.path.isfile(path):
        raise UsageError(f"app file not found: {spec}", hint="check --app or [tool.iac] app in pyproject.toml")
    with capture_apps() as apps, _app_on_path(os.path.dirname(path)):
        _call_user_code(lambda: runpy.run_path(path, run_name="__main__"), spec)
    return _single_app(apps, spec)


def _import_attribute(spec: str) -> App:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"--app {spec!r} must be a file (app.py) or module:attribute")
    with capture_apps() as apps, _app_on_path(os.getcwd()):
        module = _call_user_code(lambda: _import(module_name, spec), spec)
        value = getattr(module, attribute, None)
        if value is None:
            raise UsageError(f"module {module_name!r} has no attribute {attribute!r}")
        if callable(value) and not isinstance(value, App):
            value = _call_user_code(value, spec)
    if isinstance(value, App):
        return value
    if apps:
        return _single_app(apps, spec)
    raise UsageError(f"{spec} is a {type(value).__name__}, not an App (or a function returning one)")


def _import(module_name: str, spec: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name or module_name.startswith(f"{error.name}."):
            raise UsageError(f"cannot import app module {module_name!r} (from --app {spec})") from None
        raise


def _call_user_code(function: Any, spec: str) -> Any:
    try:
        return function()
    except IacError:
        raise
    except SystemExit as exit_:
        if exit_.code in (None, 0):
            return None
        raise AppError(f"the app {spec} exited with status {exit_.code}", original=exit_) from None
    except Exception as error:
        raise AppError(
            f"the app {spec} raised {type(error).__name__}: {error}", original=error
        ) from error


def _single_app(apps: list[App], spec: str) -> App:
    if not apps:
        raise UsageError(f"{spec} ran but created no App", hint="create one with `app = App()`")
    if len(apps) > 1:
        raise UsageError(f"{spec} created {len(apps)} Apps; an app file must create exactly one")
    return apps[0]


class _app_on_path:
    """Put the app's folder first on sys.path while it runs (so its sibling modules import)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __enter__(self) -> None:
        sys.path.insert(0, self.folder)

    def __exit__(self, *exc: object) -> None:
        try:
            sys.path.remove(self.folder)
        except ValueError:
            pass
