"""`iac watch`: synthesize on every save, validate, and show what the save changed.

Every run is `iac synth` itself (the same options, summary, one-screen errors, lint and atomic write
of the output folder), and every run imports the app and all of its modules afresh: runs are forked
from a synth server, a process that imported iac, loaded the schemas and (when the lint runs in
process) built cfn-lint's rules once, warmed on the last synth's templates, and never runs the app
itself. So a save costs the app, the synth and the lint of what changed, not Python's and
cfn-lint's start (seconds); nothing of one run leaks into the next. After a run that wrote the
assembly, the diff of the previous synth against the new one is printed (iac diff's engine and
renderer). A run that fails (the app raises, has a syntax error, or validation fails) shows the
error as synth does and leaves the previous assembly in place; the watch goes on, and the next
diff is against the last assembly that was written.

Watched: the working directory (the project: the app, its modules, asset folders) and the app's own
folder when it is elsewhere; ignored: the output folder (and iac.out/), its staging siblings,
.venv, __pycache__, .git and the other folders watchfiles leaves out. Saves are debounced by
watchfiles (a burst of writes is one run). The server runs in a session of its own, so Ctrl-C
reaches only `iac watch`: it interrupts a run in progress (the output folder is whole: the old or
the new assembly), stops the server and exits 0.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import importlib
import json
import os
import pkgutil
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable, Sequence
from typing import IO, Any

import click

from iac.cli.app_loader import app_folder, discover_app_spec, protected_folders
from iac.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_VALIDATION, handle_errors
from iac.constructs.core.source import display_path
from iac.synth.assembly import check_output_dir
from iac.text import one_line

#: The options of `iac synth` that `iac watch` takes too (all but --print), passed on to every run.
SHARED_OPTIONS = ("stacks", "app_spec", "outdir", "format_", "quiet", "no_lint", "strict", "verbose")
#: The output folder `iac synth` writes by default: never watched, whatever --out says.
DEFAULT_OUT = "iac.out"
#: How long a run may take to stop after Ctrl-C before it is killed (seconds); the write stays atomic.
STOP_SECONDS = 5.0
#: watchfiles' debounce: the longest a burst of changes is gathered (ms); `STEP_MS` of quiet ends it sooner.
DEBOUNCE_MS = 1600
STEP_MS = 50
#: Linted once by the synth server when there is no assembly yet to warm cfn-lint's rules on.
_WARM_UP_TEMPLATE = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}


def watch_command(synth: click.Command) -> click.Command:
    """The `iac watch` command, with `synth`'s own options (the same objects, so the same help and defaults)."""
    shared = [param for param in synth.params if param.name in SHARED_OPTIONS]

    @click.command("watch", short_help="Synthesize on every save; show the errors or what the save changed.")
    @click.option("--once", is_flag=True, hidden=True, help="Synthesize once, print the diff and exit (tests).")
    @handle_errors
    def watch(once: bool, **values: Any) -> None:
        """Run the app on every change under the project, validate it, write the assembly, and print
        what the change did to the templates (adds, changes, replacements: iac diff against the
        previous synth).

        Takes the options of `iac synth` (but --print); STACK limits the diff to those stacks. Each
        run imports the app afresh, in a new process; an app that raises or does not parse shows its
        error and the watch goes on. The output folder, .venv, __pycache__ and .git are not watched.
        Ctrl-C stops (exit status 0).

        \b
        Examples:
          iac watch
          iac watch --app samples/hello/app.py --out iac.out/hello
          iac watch Service --no-lint
        """
        debug = ["--debug"] if click.get_current_context().params.get("debug") else []  # handle_errors took it
        run_watch(values, [*_synth_args(shared, values), *debug], once=once)

    watch.params[:0] = shared
    return watch


def _synth_args(params: Sequence[click.Parameter], values: dict[str, Any]) -> list[str]:
    """The `iac synth` command line that gives the synth command `values` for `params` (the shared ones)."""
    args: list[str] = []
    for param in params:
        value = values.get(param.name or "")
        if isinstance(param, click.Argument):
            args.extend(value or ())
        elif isinstance(param, click.Option) and value not in (None, False):
            args.extend([param.opts[0]] if param.is_flag else [param.opts[0], str(value)])
    return args


def run_watch(values: dict[str, Any], synth_args: list[str], *, once: bool = False) -> None:
    """Synthesize now, then after every change under the project, until Ctrl-C."""
    app_spec, outdir = values["app_spec"], values["outdir"]
    check_output_dir(outdir, protected=protected_folders(app_spec))  # a wrong --out is said now, not per save
    job = {"synth": synth_args, "outdir": outdir, "stacks": list(values["stacks"]), "lint": not values["no_lint"]}
    roots = watched_folders(app_spec)
    runs = _Runs(job)
    first: threading.Thread | None = None
    try:
        if once:
            sys.exit(runs.run())  # the run's own exit status (for tests)
        from watchfiles import watch  # only here: synth never needs it

        shown = ", ".join(display_path(root) or "." for root in roots)

        def first_run() -> None:  # beside the watcher starting, so a save during it is not missed
            runs.run()
            if not runs.closed:
                _status(f"watching {shown} for changes (Ctrl-C to stop)")

        first = threading.Thread(target=first_run, name="iac-watch-first-run", daemon=True)
        first.start()
        for changes in watch(
            *roots,
            watch_filter=ProjectFilter([outdir, DEFAULT_OUT]),
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            raise_interrupt=True,
        ):
            first.join()  # runs go one at a time
            _status(describe_changes(changes))
            runs.run()
    except KeyboardInterrupt:
        pass
    finally:
        runs.close()
        if first is not None:
            first.join(timeout=STOP_SECONDS)
    _status("stopped watching")


def watched_folders(app_spec: str | None) -> list[str]:
    """The working directory, and the app's folder when it is not below it."""
    root = os.getcwd()
    folder = app_folder(discover_app_spec(app_spec))
    if folder and os.path.commonpath([root, folder]) != root:
        return [root, folder]
    return [root]


def describe_changes(changes: Iterable[tuple[Any, str]]) -> str:
    """`app.py changed`, `app.py and 2 other files changed`: the files that are there now (an editor's or
    sed's temporary file, written and renamed away, is not named), else the removed ones."""
    present = {path for _, path in changes if os.path.lexists(path)}
    shown = sorted({display_path(path) for path in present or {path for _, path in changes}})
    if not shown:
        return "changed"
    first = one_line(shown[0])
    if len(shown) == 1:
        return f"{first} changed"
    others = len(shown) - 1
    return f"{first} and {others} other file{'s' if others != 1 else ''} changed"


def _status(text: str) -> None:
    """One line of the watch's own, with the time: `[12:03:41] app.py changed`."""
    click.echo(f"[{datetime.datetime.now():%H:%M:%S}] {text}", err=True)


class ProjectFilter:
    """watchfiles' default filter (no .venv, __pycache__, .git, editor swap files ...), and no output folder:
    neither the folders `outdirs` name nor their staging siblings (`.iac.out.<pid>-...`, where a synth
    writes before it swaps the new assembly in)."""

    def __init__(self, outdirs: Iterable[str]) -> None:
        from watchfiles import DefaultFilter

        self._default = DefaultFilter()
        self._outdirs = {os.path.split(os.path.abspath(outdir)) for outdir in outdirs}

    def __call__(self, change: Any, path: str) -> bool:
        if not self._default(change, path):
            return False
        for parent, name in self._outdirs:
            first = os.path.relpath(path, parent).split(os.sep)[0]
            if first == name or first.startswith(f".{name}."):
                return False
        return True


class _Runs:
    """The synth server (a process that got ready once, `serve`) and the runs it forks, one at a time."""

    def __init__(self, job: dict[str, Any]) -> None:
        self._job = json.dumps(job)
        self._server: subprocess.Popen[bytes] | None = None
        self._statuses: IO[str] | None = None
        self.closed = False
        self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        try:
            self._server = subprocess.Popen(
                [sys.executable, "-c", "from iac.cli.watch_command import serve; serve()", self._job, str(write)],
                stdin=subprocess.PIPE,
                pass_fds=(write,),
                start_new_session=True,  # Ctrl-C is the watch's to handle: it stops the run itself
            )
        finally:
            os.close(write)
        self._statuses = os.fdopen(read, encoding="ascii")

    def run(self) -> int:
        """One synth (the run prints everything itself); its exit status."""
        if self._server is None or self._server.poll() is not None:
            self._stop_server()
            self._start()
        server, statuses = self._server, self._statuses
        assert server is not None and server.stdin is not None and statuses is not None
        try:
            server.stdin.write(b"run\n")
            server.stdin.flush()
        except (OSError, ValueError):  # it died (or the watch is stopping it)
            pass
        try:
            answer = statuses.readline()
        except (OSError, ValueError):
            answer = ""
        if self.closed:
            return EXIT_INTERRUPTED
        if not answer.strip().lstrip("-").isdigit():  # the server died (it is started again for the next run)
            status = server.wait()
            click.echo(
                f"iac watch: the synth process ended (exit status {status}); the next change starts another", err=True
            )
            return EXIT_VALIDATION
        return int(answer)

    def close(self) -> None:
        """Stop a run in progress (SIGINT, as Ctrl-C would: the output folder stays whole), then the server."""
        self.closed = True
        self._stop_server()

    def _stop_server(self) -> None:
        """The server stopped (a run in it first), then its status pipe closed: after the server, so that a
        thread reading the pipe gets its end instead of a close under its feet."""
        server, self._server = self._server, None
        statuses, self._statuses = self._statuses, None
        if server is not None:
            self._stop(server)
        if statuses is not None:
            statuses.close()

    @staticmethod
    def _stop(server: subprocess.Popen[bytes]) -> None:
        if server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGINT)  # the server ignores it; a run stops
        if server.stdin is not None:
            with contextlib.suppress(OSError):
                server.stdin.close()  # end of input: the server exits
        try:
            server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# -- the synth server -------------------------------------------------------------------------------------


def serve() -> None:
    """The synth server of `iac watch`: get ready once, then for each "run" line on stdin fork a run
    (a copy of this warm process that has never run the app, so it imports the app and its modules
    afresh), wait for it and write its exit status to the status pipe. End of input: exit.

    Where there is no fork, each run is this process itself, once; the watch then starts another.
    """
    job = json.loads(sys.argv[1])
    statuses = os.fdopen(int(sys.argv[2]), "w", encoding="ascii")
    gc.set_threshold(100_000, 50, 50)  # as iac.cli.main.main: a run's objects all live to its end
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops a run, never the server
    _get_ready(lint=job["lint"], outdir=job["outdir"])
    gc.freeze()  # what got ready stays out of the runs' collections (and their pages shared)
    while sys.stdin.buffer.readline() == b"run\n":
        status = _fork_run(job, statuses) if hasattr(os, "fork") else _run(job)
        try:
            statuses.write(f"{status}\n")
            statuses.flush()
        except OSError:  # the watch is gone
            break
        if not hasattr(os, "fork"):  # pragma: no cover - not POSIX
            break
    os._exit(EXIT_OK)


def _fork_run(job: dict[str, Any], statuses: IO[str]) -> int:
    pid = os.fork()
    if pid == 0:  # the run
        status = EXIT_VALIDATION
        try:
            statuses.close()
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)  # the server's input is not the run's
            signal.signal(signal.SIGINT, signal.default_int_handler)
            status = _run(job)
        except Exception:  # a bug in iac outside the synth command (which reports its own): say where
            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status)


def _run(job: dict[str, Any]) -> int:
    try:
        return synth_and_diff(job["synth"], job["outdir"], job["stacks"])
    except KeyboardInterrupt:  # between the synth command's own handling and the diff
        return EXIT_INTERRUPTED


def _get_ready(*, lint: bool, outdir: str) -> None:
    """Import what a run needs (iac's constructs too: which ones the app takes is not known before it
    runs), then validate the last synth's templates as files, as `iac validate` would: that loads the
    schemas of this app's resource types and, when the lint runs in this process, builds cfn-lint's
    rules and warms them on those types. The findings are thrown away; the app itself is not run."""
    import iac.cli.diff_render  # noqa: F401
    import iac.cli.main  # noqa: F401 - the synth command and everything it imports
    import iac.constructs
    import iac.synth.diff  # noqa: F401
    from iac.synth.template_files import expand_template_paths, validate_files

    for module in pkgutil.walk_packages(iac.constructs.__path__, "iac.constructs."):
        with contextlib.suppress(Exception):  # the run will say what is wrong, if it needs the module
            importlib.import_module(module.name)
    with contextlib.suppress(Exception):  # an assembly that cannot be read: the run will say so
        templates = expand_template_paths([outdir]) if os.path.isdir(outdir) else []
        if templates:
            validate_files(templates, region=None, lint=lint, strict=False)
        elif lint:  # no synth yet: the rules are built all the same
            from iac.synth.lint import LintCache, lint_bodies

            lint_bodies({"warm-up": (json.dumps(_WARM_UP_TEMPLATE), "us-east-1")}, LintCache())


def synth_and_diff(synth_args: list[str], outdir: str, stacks: list[str]) -> int:
    """`iac synth ARGS`, then, if it wrote the assembly, the diff of what was in `outdir` before against it."""
    from iac.cli.main import cli
    from iac.cli.terminal import guarded_terminal

    with guarded_terminal():
        before = _read_stored(outdir)
    try:
        cli.main(["synth", *synth_args], prog_name="iac", standalone_mode=False)
        status = EXIT_OK
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    except click.ClickException as error:
        error.show()
        status = error.exit_code
    if status != EXIT_OK:
        return status
    with guarded_terminal():
        after = _read_stored(outdir)
        if before is not None and after is not None:
            click.echo(render_changes(before, after, outdir, stacks, stream=sys.stdout))
    return status


def _read_stored(outdir: str) -> tuple[list[Any], dict[str, dict[str, Any]]] | None:
    """The assembly in `outdir` (empty when there is none) and its templates by file name; None, with a
    note, when it cannot be read."""
    from iac.errors import IacError
    from iac.synth.assembly import MANIFEST_FILE, read_assembly

    try:
        stacks = read_assembly(outdir)
    except IacError as error:
        click.echo(f"note: no diff this time: {one_line(error.message)}", err=True)
        return None
    files: dict[str, dict[str, Any]] = {}
    if stacks:
        with open(os.path.join(outdir, MANIFEST_FILE), encoding="utf-8") as handle:
            entries = json.load(handle)["stacks"]
        files = {entries[stack.name]["template"]: stack.template for stack in stacks}
    return stacks, files


def render_changes(
    before: tuple[list[Any], dict[str, dict[str, Any]]],
    after: tuple[list[Any], dict[str, dict[str, Any]]],
    outdir: str,
    patterns: list[str],
    *,
    stream: IO[str],
) -> str:
    """What the new synth changed against the one before, for the stacks `patterns` pick (all: none given);
    one line when nothing changed."""
    from iac.cli.diff_render import render_diff
    from iac.cli.report import use_color
    from iac.cli.selection import StackNames, select
    from iac.synth.diff import diff_pairs
    from iac.synth.diff.model import DiffResult

    (old_stacks, old_files), (new_stacks, new_files) = before, after
    old = {stack.name: stack for stack in old_stacks}
    new = {stack.name: stack for stack in new_stacks}
    names = [*new, *(name for name in old if name not in new)]  # the app's order, then the stacks it dropped

    def names_of(name: str) -> StackNames:
        stack = new.get(name) or old[name]
        return StackNames(name=name, stack_name=stack.stack_name or name, path=stack.construct_path or name)

    chosen = select(names, patterns, names=names_of) if patterns else names
    result = diff_pairs(
        [
            (
                name,
                old[name].template if name in old else None,
                new[name].template if name in new else None,
                (new.get(name) or old[name]).region,
            )
            for name in chosen
        ],
        folders={name: (old_files, new_files) for name in chosen},
    )
    if not result.has_changes:
        return "no changes to the templates"
    changed = DiffResult(stacks=[stack for stack in result.stacks if stack.has_changes])
    return render_diff(changed, color=use_color(stream))
