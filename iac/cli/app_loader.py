"""Find and run the user's app in process, and return the App it built.

Where the app comes from, first match wins: `--app FILE|module:attr`, `[tool.iac] app` in the
working directory's pyproject.toml, `./app.py`. A file runs as `__main__` with its folder first on
sys.path (like `python app.py`); `module:attr` imports the module and takes the attribute (an App, or
a function returning one).
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import os
import runpy
import sys
import tomllib
from typing import Any

from iac.constructs.core.app import App, capture_apps
from iac.constructs.core.source import SourceLocation, is_iac_file
from iac.errors import AppError, IacError, UsageError
from iac.text import one_line as printable

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


class AppExitError(UsageError):
    """The app ended the process (sys.exit, SystemExit) while it ran: whatever tree it built may be
    half of what it meant, so the run fails and nothing is written, whatever the exit status."""


class AppSyntaxError(UsageError):
    """The app (or a module it imports) is not valid Python: said at the line Python points to."""


def _call_user_code(function: Any, spec: str) -> Any:
    try:
        return function()
    except IacError:
        raise
    except SystemExit as exit_:
        raise _exit_error(exit_, spec) from exit_
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except SyntaxError as error:
        raise _syntax_error(error, spec) from error
    except BaseException as error:  # any other exception of the app's own, BaseException subclasses too
        raise AppError(
            f"the app {spec} raised {type(error).__name__}: {error}", original=error
        ) from error


def _syntax_error(error: SyntaxError, spec: str) -> AppSyntaxError:
    location = (SourceLocation(file=os.path.abspath(error.filename), line=error.lineno or 0)
                if error.filename and not error.filename.startswith("<") else None)
    return AppSyntaxError(f"the app {printable(spec)} is not valid Python: {type(error).__name__}: "
                          f"{printable(error.msg or str(error))}", location=location)


def _exit_error(exit_: SystemExit, spec: str) -> AppExitError:
    call = printable(f"sys.exit({exit_.code!r})")
    return AppExitError(
        f"the app {printable(spec)} exited ({call}) before it finished, so nothing was written",
        location=_last_user_frame(exit_),
        hint="iac runs the app in its own process and writes the assembly once the app returns: remove the "
             "sys.exit() (or the code that raises SystemExit, such as argparse reading iac's arguments)",
    )


def _last_user_frame(exception: BaseException) -> SourceLocation | None:
    """The innermost frame of the traceback in the user's own code (not iac, Python or a library)."""
    import traceback  # for an error's frames only: not imported on every start

    user = [frame for frame in traceback.extract_tb(exception.__traceback__) if _is_user_file(frame.filename)]
    if not user:
        return None
    return SourceLocation(file=os.path.abspath(user[-1].filename), line=user[-1].lineno or 0)


def _is_user_file(filename: str) -> bool:
    if filename.startswith("<") or is_iac_file(filename):
        return False
    return not any(filename.startswith(folder + os.sep) for folder in _library_folders())


@functools.cache
def _library_folders() -> tuple[str, ...]:
    """Where the standard library and installed packages live: a frame there is never the user's line."""
    import sysconfig  # for an error's frames only: not imported on every start

    paths = sysconfig.get_paths()
    return tuple(sorted({os.path.abspath(paths[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib")
                         if key in paths}))


def protected_folders(explicit: str | None) -> list[str]:
    """The folders `--out` must never replace because the app lives there (found without running it)."""
    folder = app_folder(discover_app_spec(explicit))
    return [folder] if folder else []


def app_folder(spec: str) -> str | None:
    """The folder holding the app named by `spec`, found without running it (None when unknown).

    It is protected from `--out` before the app runs: replacing it would delete the app itself.
    """
    if _looks_like_file(spec):
        return os.path.dirname(os.path.abspath(spec))
    top = spec.partition(":")[0].partition(".")[0]
    try:
        found = importlib.machinery.PathFinder.find_spec(top, [os.getcwd(), *sys.path])
    except (ImportError, ValueError, OSError):
        return None
    if found is None:
        return None
    if found.submodule_search_locations:
        return os.path.abspath(list(found.submodule_search_locations)[0])
    return os.path.dirname(os.path.abspath(found.origin)) if found.origin else None


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
