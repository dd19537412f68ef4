"""What iac's checks cost per resource, next to cfn-lint's rule run and checkov's, on the same templates.

    .venv/bin/python benchmarks/checks_speed.py                     # 5 runs; checkov when its venv exists
    .venv/bin/python benchmarks/checks_speed.py --install-checkov   # first make checkov's own venv
    .venv/bin/python benchmarks/checks_speed.py --runs 9 --no-checkov

The templates: every sample's synthesized stacks (`iac synth --no-lint` of samples/*/app.py into a
temporary directory) and the public corpus under tests/templates/corpus/ (the files that are
CloudFormation templates with resources; SAM, a Rain module or `Fn::ForEach` resource (checkov's runner
fails on a Type that is no string) and the two files that are no template are skipped by what they
are, not by name). Each tool gets the same files, as text.

What is timed, per pass over all templates, median of `--runs` passes with min-max:

1. iac, checks only: `iac.checks.run_checks` on each template already loaded (the cost synth and
   validate add to what they do anyway: the template is in memory by then).
2. iac, load + checks: `iac.synth.loader.loads` of the file's text, then `run_checks`, which is what
   cfn-lint and checkov are measured doing.
3. cfn-lint: `iac.synth.lint.lint_template` of each text, every cfn-lint rule (the in-process lint
   pass `iac synth` and `iac validate` run), with the rules built once beforehand (timed on its own).
4. checkov, in process: checkov's CloudFormation runner (`checkov.cloudformation.runner.Runner.run`
   over the files, `framework=cloudformation`) in a child process of checkov's venv, after one
   unmeasured warm-up pass; the child prints its pass times. Beside it, checkov's CLI as a user runs it
   (`checkov --framework cloudformation -f FILE... -o json`), whole process, wall clock.

iac (1, 2) and cfn-lint (3) passes run interleaved in this process, A B A B; the checkov child runs
its passes once those are done. Ratios are of medians. The machine is shared: `uptime` is printed before
and after.

checkov is never a dependency of iac: `--install-checkov` makes a virtualenv of its own
(`python -m venv` + `pip install checkov`) at `--checkov-venv` (default ~/.cache/iac-benchmarks/
checkov-venv); without it, checkov's rows are skipped with a note. `--list-checkov-checks` prints
checkov's CloudFormation checks (`checkov --list --framework cloudformation`), to compare with
`iac validate --list-rules`.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "iac-benchmarks", "checkov-venv")
CORPUS = os.path.join(ROOT, "tests", "templates", "corpus")
DEFAULT_REGION = "us-east-1"

# The checkov child: times its CloudFormation runner over the files given on stdin, and prints JSON.
CHECKOV_CHILD = r"""
import json, logging, sys, time
logging.disable(logging.CRITICAL)
from checkov.cloudformation.runner import Runner
from checkov.runner_filter import RunnerFilter

request = json.load(sys.stdin)
files = request["files"]

def one_pass():
    report = Runner().run(root_folder=None, files=files, runner_filter=RunnerFilter(framework=["cloudformation"]))
    return report

started = time.perf_counter()
report = one_pass()
first = time.perf_counter() - started
passes = []
for _ in range(request["runs"]):
    started = time.perf_counter()
    report = one_pass()
    passes.append(time.perf_counter() - started)
print(json.dumps({"first": first, "passes": passes, "failed": len(report.failed_checks),
                  "passed": len(report.passed_checks), "resources": len(report.resources)}))
"""


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "(uptime not available)"


# -- templates -----------------------------------------------------------------------------------------


def synthesize_samples(out: str) -> list[str]:
    """Every sample's stacks, synthesized into `out` (one folder per sample); the template files."""
    files: list[str] = []
    for app in sorted(glob.glob(os.path.join(ROOT, "samples", "*", "app.py"))):
        name = os.path.basename(os.path.dirname(app))
        folder = os.path.join(out, name)
        result = subprocess.run([sys.executable, "-m", "iac", "synth", "--app", app, "--out", folder, "--no-lint",
                                 "--quiet"], cwd=os.path.dirname(app), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(f"  (sample {name} did not synthesize, left out: {result.stderr.strip().splitlines()[-1:]})")
            continue
        files += sorted(glob.glob(os.path.join(folder, "*.template.json")))
    return files


def corpus_files() -> list[str]:
    found = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "**", "*"), recursive=True)):
        if os.path.isfile(path) and path.endswith((".yaml", ".yml", ".json", ".template")):
            found.append(path)
    return found


def load(path: str) -> tuple[str, dict[str, Any]] | None:
    """(text, template) for a CloudFormation template with resources; None for anything else (a buildspec,
    a SAM template: checkov and cfn-lint would transform SAM, iac's checks read it as written; a resource
    whose Type is no string)."""
    from iac.errors import IacError
    from iac.synth.loader import loads

    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        template = loads(text, file=path)
    except IacError:
        return None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        return None
    transform = template.get("Transform")
    if "AWS::Serverless-2016-10-31" in (transform if isinstance(transform, list) else [transform]):
        return None
    if not all(isinstance(entry, dict) and isinstance(entry.get("Type"), str)
               for entry in template["Resources"].values()):
        return None  # a Rain module (Type: !Rain::Module) or a loop: checkov's runner fails on a Type that is no string
    return text, template


# -- passes --------------------------------------------------------------------------------------------


def checks_pass(templates: list[dict[str, Any]]) -> tuple[float, int]:
    from iac.checks import run_checks

    started = time.perf_counter()
    found = sum(len(run_checks(template)) for template in templates)
    return time.perf_counter() - started, found


def per_rule_pass(templates: list[dict[str, Any]]) -> dict[str, float]:
    """Each rule's time over all templates, one Run per template shared by the rules as in run_checks (the
    first rule to ask `run.once` for a shared scan pays for it; suppressions are matched outside)."""
    from iac.checks import all_rules
    from iac.checks._model import Run

    spent = {rule.id: 0.0 for rule in all_rules()}
    for template in templates:
        run = Run(template)
        for rule in all_rules():
            started = time.perf_counter()
            for _ in rule.findings(template, run):
                pass
            spent[rule.id] += time.perf_counter() - started
    return spent


def load_and_checks_pass(items: list[tuple[str, str]]) -> float:
    from iac.checks import run_checks
    from iac.synth.loader import loads

    started = time.perf_counter()
    for path, text in items:
        run_checks(loads(text, file=path))
    return time.perf_counter() - started


def lint_pass(items: list[tuple[str, str]]) -> tuple[float, int]:
    from iac.synth.lint import lint_template

    started = time.perf_counter()
    found = sum(len(lint_template(text, DEFAULT_REGION, filename=path)) for path, text in items)
    return time.perf_counter() - started, found


# -- checkov -------------------------------------------------------------------------------------------


def venv_python(venv: str) -> str:
    return os.path.join(venv, "bin", "python")


def install_checkov(venv: str) -> None:
    """checkov in a virtualenv of its own (never iac's): python -m venv, then pip install checkov."""
    if not os.path.exists(venv_python(venv)):
        print(f"creating {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    print("pip install checkov (into that venv only)", flush=True)
    subprocess.run([venv_python(venv), "-m", "pip", "install", "--quiet", "checkov"], check=True)


def checkov_version(venv: str) -> str | None:
    result = subprocess.run([venv_python(venv), "-c", "import checkov.version as v; print(v.version)"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def checkov_in_process(venv: str, files: list[str], runs: int) -> dict[str, Any]:
    result = subprocess.run([venv_python(venv), "-c", CHECKOV_CHILD], input=json.dumps({"files": files, "runs": runs}),
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the checkov child failed: {result.stderr.strip()[-2000:]}")
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def checkov_cli(venv: str, files: list[str], runs: int) -> list[float]:
    command = [os.path.join(venv, "bin", "checkov"), "--framework", "cloudformation", "-o", "json", "--quiet",
               "--compact", "--skip-download"]
    for path in files:
        command += ["-f", path]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def list_checkov_checks(venv: str) -> None:
    subprocess.run([os.path.join(venv, "bin", "checkov"), "--list", "--framework", "cloudformation", "--skip-download"],
                   check=False)


# -- report --------------------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def cell(values: list[float]) -> str:
    return f"{fmt(statistics.median(values)):>10}  ({fmt(min(values))}-{fmt(max(values))})"


def per_resource(values: list[float], resources: int) -> str:
    return f"{statistics.median(values) / resources * 1e6:10.1f} µs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="passes per tool (default 5)")
    parser.add_argument("--checkov-venv", default=DEFAULT_VENV, help=f"checkov's own virtualenv ({DEFAULT_VENV})")
    parser.add_argument("--install-checkov", action="store_true", help="make that venv and pip install checkov")
    parser.add_argument("--no-checkov", action="store_true", help="leave checkov out")
    parser.add_argument("--cli-runs", type=int, default=3, help="runs of checkov's CLI, whole process (default 3)")
    parser.add_argument("--list-checkov-checks", action="store_true",
                        help="print checkov's CloudFormation checks and stop")
    args = parser.parse_args()

    if args.install_checkov:
        install_checkov(args.checkov_venv)
    have_checkov = not args.no_checkov and checkov_version(args.checkov_venv) is not None
    if args.list_checkov_checks:
        if not have_checkov:
            print(f"checkov is not installed in {args.checkov_venv}: run with --install-checkov first")
            return 1
        list_checkov_checks(args.checkov_venv)
        return 0

    print(f"load before: {uptime()}")
    with tempfile.TemporaryDirectory(prefix="iac-checks-bench-") as out:
        sample_files = synthesize_samples(out)
        loaded: list[tuple[str, str, dict[str, Any]]] = []
        skipped = 0
        for path in [*sample_files, *corpus_files()]:
            found = load(path)
            if found is None:
                skipped += 1
            else:
                loaded.append((path, *found))
        files = [path for path, _, _ in loaded]
        items = [(path, text) for path, text, _ in loaded]
        templates = [template for _, _, template in loaded]
        resources = sum(len(template["Resources"]) for template in templates)
        print(f"templates: {len(loaded)} ({len(sample_files)} synthesized from samples/, the rest from "
              f"tests/templates/corpus/; {skipped} corpus files skipped: SAM, a Type that is no string, or no "
              f"template), {resources} resources")

        from iac.checks import all_rules
        from iac.synth.lint import _linter_rules

        started = time.perf_counter()
        _linter_rules()
        rules_build = time.perf_counter() - started
        checks_pass(templates)  # imports and IAM/schema caches warm, as in a synth that ran before
        lint_pass(items[:1])

        checks: list[float] = []
        load_checks: list[float] = []
        lint: list[float] = []
        rule_times: dict[str, list[float]] = {}
        findings = lint_findings = 0
        for _ in range(args.runs):
            seconds, findings = checks_pass(templates)
            checks.append(seconds)
            load_checks.append(load_and_checks_pass(items))
            seconds, lint_findings = lint_pass(items)
            lint.append(seconds)
            for rule_id, spent in per_rule_pass(templates).items():
                rule_times.setdefault(rule_id, []).append(spent)

        checkov: dict[str, Any] | None = None
        cli: list[float] = []
        note = ""
        if have_checkov:
            checkov = checkov_in_process(args.checkov_venv, files, args.runs)
            cli = checkov_cli(args.checkov_venv, files, args.cli_runs) if args.cli_runs > 0 else []
        elif not args.no_checkov:
            note = (f"checkov: not installed in {args.checkov_venv}, skipped "
                    "(benchmarks/checks_speed.py --install-checkov makes that venv; checkov is no iac dependency)")

    print()
    print(f"{'per pass over all templates':<46}{'median (min-max)':>28}{'per resource':>16}")
    print(f"  {'iac checks, run_checks (' + str(len(all_rules())) + ' rules)':<44}{cell(checks):>28}"
          f"{per_resource(checks, resources):>16}   {findings} results")
    print(f"  {'iac load + checks':<44}{cell(load_checks):>28}{per_resource(load_checks, resources):>16}")
    print(f"  {'cfn-lint, lint_template (every rule)':<44}{cell(lint):>28}{per_resource(lint, resources):>16}"
          f"   {lint_findings} findings")
    if checkov is not None:
        version = checkov_version(args.checkov_venv)
        print(f"  {'checkov ' + str(version) + ', Runner.run in process':<44}{cell(checkov['passes']):>28}"
              f"{per_resource(checkov['passes'], resources):>16}   {checkov['failed']} failed, "
              f"{checkov['passed']} passed checks; first pass {fmt(checkov['first'])}")
        if cli:
            print(f"  {'checkov CLI, whole process':<44}{cell(cli):>28}{per_resource(cli, resources):>16}")
    print(f"  {'(once) cfn-lint rules build':<44}{fmt(rules_build):>10}")
    print()
    print(f"each rule, µs per resource of all {resources} (median of {args.runs}; costliest first; the rest of "
          "run_checks is the resource walk and suppression matching):")
    costs = sorted(((statistics.median(times) / resources * 1e6, rule_id) for rule_id, times in rule_times.items()),
                   reverse=True)
    for start in range(0, len(costs), 4):
        print("  " + "".join(f"{rule_id:<19}{cost:6.2f}   " for cost, rule_id in costs[start:start + 4]).rstrip())
    print()
    median = statistics.median
    print(f"ratios (medians): cfn-lint / iac checks {median(lint) / median(checks):.0f}x, "
          f"cfn-lint / iac load + checks {median(lint) / median(load_checks):.1f}x", end="")
    if checkov is not None:
        print(f", checkov in process / iac checks {median(checkov['passes']) / median(checks):.0f}x, "
              f"checkov in process / iac load + checks {median(checkov['passes']) / median(load_checks):.1f}x", end="")
    print()
    if note:
        print(note)
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
