"""Rewrite the golden logical ids (tests/golden/logical_ids/*.json) and print what changed.

    .venv/bin/python tests/golden/update.py [--check] [NAME ...]     (make golden runs it with no arguments)

For each sample and `iac init` template (or only the NAMEs given, e.g. sample-hello, init-pipeline):
synthesizes it, prints per stack `+ id (type)`, `- id (type)` and `~ id (old -> new type)`, or
"unchanged", and writes the file. A removed or changed id replaces that resource on the next deploy:
run this only for a change that is meant, and say so in the commit (an id that ends in a hash of content,
a Lambda Version's or an API Deployment's, changes with that content by design). With --check nothing is written
and the exit status is 1 when any file differs (or is missing).
"""

from __future__ import annotations

import argparse
import sys

from golden_ids import GOLDEN, REPO, changes, golden_apps, read_golden, render, snapshot

# the iac of this checkout, whatever iac the interpreter has installed (as `python -m pytest` run here imports it)
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these (sample-<folder>, init-<template>)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file differs")
    options = parser.parse_args(argv)
    apps = golden_apps()
    unknown = sorted(set(options.names) - {app.name for app in apps})
    if unknown:
        parser.error(f"unknown {', '.join(unknown)}; the names are {', '.join(app.name for app in apps)}")
    chosen = [app for app in apps if not options.names or app.name in options.names]
    from iac.errors import IacError

    differs = False
    for app in chosen:
        try:
            new = snapshot(app)
        except IacError as error:  # the app is broken: nothing to compare, nothing to write
            print(f"{app.name}: cannot synthesize: {error}", file=sys.stderr)
            return 2
        old = read_golden(app)
        lines = changes(old or {}, new)
        label = app.golden_file.relative_to(REPO).as_posix()
        if old is not None and not lines:
            print(f"{label}: unchanged")
            continue
        differs = True
        print(f"{label}:" + (" (new file)" if old is None else ""))
        for line in lines:
            print(f"  {line}")
        for stack in sorted((old or {}).keys() & new.keys()):  # every stack is accounted for
            if (old or {})[stack] == new[stack]:
                print(f"  {stack}: unchanged")
        if not options.check:
            app.golden_file.parent.mkdir(parents=True, exist_ok=True)
            app.golden_file.write_text(render(new), encoding="utf-8")
    if not options.names:
        known = {app.golden_file for app in apps}
        for stale in sorted(set(GOLDEN.glob("*.json")) - known):  # a sample or template that is gone
            differs = True
            print(f"{stale.name}: {'stale' if options.check else 'removed'} (no such sample or template any more)")
            if not options.check:
                stale.unlink()
    return 1 if differs and options.check else 0


if __name__ == "__main__":
    sys.exit(main())
