"""What ecr.Repository's lifecycle-rule checks cost: each rule added is checked against the rules before it and
the rendered LifecyclePolicyText against the schema's length, so a policy of n rules costs n renders.

    .venv/bin/python benchmarks/ecr_lifecycle_speed.py                 # 20 repositories x 50 rules, 5 runs
    .venv/bin/python benchmarks/ecr_lifecycle_speed.py --repositories 50 --rules 50 --runs 9

Timed in process (time.perf_counter), median of `--runs` after one unmeasured warm-up, with min-max: building
the repositories (the constructor's checks) and synthesizing the app without validation (writing the policies).
The machine is shared: `uptime` is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from iac import App, Stack
from iac.constructs import ecr
from iac.synth import synthesize


def one_run(repositories: int, rules: int) -> tuple[float, float]:
    app = App()
    stack = Stack(app, "Images")
    start = time.perf_counter()
    for index in range(repositories):
        tagged = [ecr.LifecycleRule(tag_prefix_list=[f"p{rule}-"], max_image_count=5) for rule in range(rules - 1)]
        ecr.Repository(stack, f"Repository{index}", lifecycle_rules=[*tagged, ecr.LifecycleRule(max_image_count=100)])
    built = time.perf_counter()
    synthesize(app)
    return built - start, time.perf_counter() - built


def describe(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered) * 1000:.1f} ms (min {ordered[0] * 1000:.1f}, max {ordered[-1] * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=20)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    print("load:", " ".join(f"{value:.2f}" for value in os.getloadavg()))
    one_run(options.repositories, options.rules)
    runs = [one_run(options.repositories, options.rules) for _ in range(options.runs)]
    total = options.repositories * options.rules
    build = [run[0] for run in runs]
    print(f"{options.repositories} repositories x {options.rules} rules ({total} rules), {options.runs} runs")
    print(f"  build (checks): {describe(build)}, {statistics.median(build) / total * 1e6:.0f} us per rule")
    print(f"  synth (render): {describe([run[1] for run in runs])}")
    print("load:", " ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
