"""Construct tree -> templates -> cloud assembly.

The steps, in order: collect stacks; run every construct's `validate()`; render each stack's elements
with tokens resolved (cross-stack references become exports and stack dependencies); add the export
outputs; check stack-level and resource-level cycles and CloudFormation's limits; serialize. Problems
found by a step are collected and raised together as one ValidationError.

This module knows CfnElements and their kinds, never an AWS service.
"""

from __future__ import annotations

import time
from typing import Any

from iac.checks.report import checked
from iac.constructs.core.aspects import apply_aspects
from iac.constructs.core.asset import Asset
from iac.constructs.core.construct import Construct
from iac.constructs.core.element import CfnElement
from iac.constructs.core.intrinsics import LANGUAGE_EXTENSION_FUNCTIONS
from iac.constructs.core.source import display_path
from iac.constructs.core.stack import Stack
from iac.constructs.core.synth_rules import replaced_lint_rules
from iac.errors import Problem, SynthError, UsageError, ValidationError
from iac.synth.assembly import CloudAssembly, StackArtifact, build_artifact, check_output_dir
from iac.synth.collector import paused_collector
from iac.synth.graph import find_cycles, topological_order
from iac.synth.language_extensions import expand, uses_language_extensions, written_path
from iac.synth.limits import MAX_INLINE_TEMPLATE_BYTES, check_limits
from iac.synth.lint import CACHE_FILE as LINT_CACHE_FILE
from iac.synth.lint import LintCache
from iac.synth.phases import LINT, SCHEMA_VALIDATION, SYNTHESIS, Phases
from iac.synth.references import dependencies_among, keys_used, resource_dependencies, resource_references_and_keys
from iac.synth.resolve import Exports, StackResolver
from iac.synth.resource_rules import AssemblyBaseline, rule_problems
from iac.synth.serialize import FORMATS
from iac.synth.template import PATH_METADATA_KEY
from iac.synth.validation import (
    artifact_locator,
    errors_and_warnings,
    lint_problems,
    schema_problems,
)

SECTIONS = {
    "parameter": "Parameters",
    "mapping": "Mappings",
    "condition": "Conditions",
    "resource": "Resources",
    "output": "Outputs",
}
SECTION_ORDER = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs")
TEMPLATE_FORMAT_VERSION = "2010-09-09"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
_LANGUAGE_EXTENSION_KEYS = frozenset(LANGUAGE_EXTENSION_FUNCTIONS)



def synthesize_app(
    app: Construct,
    *,
    outdir: str | None = None,
    format: str = "json",
    lint: bool = True,
    strict: bool = False,
    validate: bool = True,
) -> CloudAssembly:
    """Synthesize and validate `app`; write the assembly to `outdir` when given.

    Raises ValidationError (exit status 1) listing every problem found, or SynthError.
    """
    if outdir is not None:
        check_output_dir(outdir)  # a wrong outdir is said before the lint's seconds, not after
    assembly = synthesize(app, format=format)
    if validate:
        validate_assembly(assembly, lint=lint, strict=strict, cache_dir=outdir)
    if outdir is not None:
        assembly.write(outdir)
    return assembly


def validate_assembly(assembly: CloudAssembly, *, lint: bool = True, strict: bool = False,
                      cache_dir: str | None = None, reuse_lint_cache: bool = True,
                      phases: Phases | None = None, baseline_dir: str | None = None) -> None:
    """Layers 2 and 3: registry schemas, then cfn-lint (cached in `cache_dir`'s lint cache).

    Errors raise ValidationError; warnings are kept on `assembly.warnings` (errors when `strict`).
    `phases`, when given, receives the time of each layer and the progress of the lint.
    `reuse_lint_cache=False` lints every stack whatever the cache holds (deploy: what is deployed
    is never judged by a file someone else may have written) and still saves the fresh results.
    Registered resource rules (core/synth_rules.py) run with the date and the baseline: the assembly
    in `baseline_dir`, else in `cache_dir` (the output folder, which holds the previous synth).
    """
    phases = phases or Phases()
    with paused_collector():  # the schema layer and the checks (not cfn-lint, whose garbage may hold cycles)
        problems, reported = _schema_layer(assembly, phases, baseline_dir or cache_dir)
    if not lint:
        _keep_warnings(assembly, problems, strict=strict)
        return
    # cfn-lint runs even when the schema layer found errors: its other findings (a misspelt section,
    # an attribute it alone knows) are said in the same run, and what both find is said once.
    cache = LintCache.load(cache_dir, read_entries=reuse_lint_cache)
    cache.warn()
    linted = [0]

    def progress(done: int, total: int) -> None:
        linted[0] = total
        phases.progress(LINT, done, total)

    with phases.phase(LINT):
        found = lint_problems(
            {a.name: (a.body, a.region) for a in assembly.stacks},
            {a.name: artifact_locator(a) for a in assembly.stacks},
            cache,
            progress=progress,
            reported=reported,
            written={a.name: written_path(a.template) for a in assembly.stacks},
        )
    replaced = replaced_lint_rules()  # a registered rule decides instead (e.g. by the baseline, not the calendar)
    found = [problem for problem in found if problem.code not in replaced]
    phases.note(LINT, _lint_note(linted[0], len(assembly.stacks)))
    saved = cache.dumps()
    if saved is not None:
        assembly.extra_files[LINT_CACHE_FILE] = saved
    _keep_warnings(assembly, problems + found, strict=strict)


def _schema_layer(assembly: CloudAssembly, phases: Phases, baseline: str | None
                  ) -> tuple[list[Problem], dict[str, list[Problem]]]:
    """Layer 2, the registered resource rules and the checks: (every problem, the schema layer's by stack)."""
    problems: list[Problem] = list(assembly.tree_findings)  # the warnings annotations added to the tree
    reported: dict[str, list[Problem]] = {}
    with phases.phase(SCHEMA_VALIDATION):
        for done, artifact in enumerate(assembly.stacks):
            phases.progress(SCHEMA_VALIDATION, done, len(assembly.stacks))
            try:
                reported[artifact.name] = schema_problems(artifact.template, artifact.region,
                                                          artifact_locator(artifact))
            except UsageError as error:  # an unknown region: point at the stack that names it
                error.path, error.location = artifact.origins.get(("Stack", ""), (artifact.construct_path, None))
                raise
            problems.extend(reported[artifact.name])
    problems.extend(rule_problems(assembly, AssemblyBaseline(baseline)))
    assembly.side_findings.clear()
    for artifact in assembly.stacks:
        standing, side = checked(artifact.template, artifact_locator(artifact))
        problems.extend(standing)
        assembly.side_findings.extend(side)
    return problems, reported


def _keep_warnings(assembly: CloudAssembly, found: list[Problem], *, strict: bool) -> None:
    """Raise the errors among `found` (warnings too when strict); keep the warnings on the assembly."""
    errors, warnings = errors_and_warnings(found, strict=strict)
    if errors:
        raise ValidationError(errors + warnings)
    assembly.warnings = warnings


def _lint_note(linted: int, total: int) -> str:
    def stacks(count: int) -> str:
        return f"{count} stack{'s' if count != 1 else ''}"

    if linted == total:
        return f"{stacks(total)} linted"
    if linted == 0:
        return f"{stacks(total)} from the cache"
    return f"{stacks(linted)} linted, {total - linted} from the cache"


def synthesize(app: Construct, *, format: str = "json") -> CloudAssembly:
    """The templates of every stack of `app`, checked for cycles and limits (not validated yet)."""
    with paused_collector():  # iac.synth.collector: flat cost per resource however large the app
        return _synthesize(app, format=format)


def _synthesize(app: Construct, *, format: str) -> CloudAssembly:
    started = time.perf_counter()
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    findings = apply_aspects(app)  # Aspects.of / Tags.of / RemovalPolicy.apply, and every annotation
    if any(finding.severity == "error" for finding in findings):
        raise ValidationError(findings)
    stacks = [node for node in app.walk() if isinstance(node, Stack)]
    _check_stack_names(stacks)
    _run_construct_validation(app)
    exports = Exports()
    rendered = {stack: _StackRender(stack, exports) for stack in stacks}
    for render in rendered.values():
        render.render()
    for stack, outputs in exports.by_stack.items():
        rendered[stack].add_exports(outputs)
    dependencies = _stack_dependencies(rendered)
    problems: list[Problem] = []
    artifacts: dict[Any, StackArtifact] = {}
    for stack, render in rendered.items():
        problems.extend(render.check_cycles())
        artifact = build_artifact(
            name=stack.artifact_id,
            stack_name=stack.stack_name,
            construct_path=stack.path,
            template=render.template,
            format=format,
            dependencies=tuple(dep.artifact_id for dep in dependencies[stack]),
            region=stack.region,
            account=stack.account,
            tags=dict(stack.tags),
            termination_protection=stack.props.termination_protection,
            origins=render.origins(),
        )
        problems.extend(check_limits(stack.stack_name, render.expanded, artifact.body_bytes, render.locate))
        artifacts[stack] = artifact
    if problems:
        raise ValidationError(problems)
    order = topological_order({stack: dependencies[stack] for stack in stacks})
    assembly = CloudAssembly(stacks=[artifacts[stack] for stack in order], tree_findings=findings,
                             warnings=list(findings))
    _collect_assets(app, assembly)
    assembly.seconds[SYNTHESIS] = time.perf_counter() - started
    return assembly


def _collect_assets(app: Construct, assembly: CloudAssembly) -> None:
    """Every asset of the tree, once per content hash, into the manifest and the assembly files."""
    for node in app.walk():
        if isinstance(node, Asset) and node.sha256 not in assembly.assets:
            entry = node.manifest_entry()
            entry["source"] = display_path(entry["source"])
            assembly.assets[node.sha256] = entry
            assembly.asset_files[node.file_name] = node.data


def _check_stack_names(stacks: list[Stack]) -> None:
    seen: dict[str, Stack] = {}
    for stack in stacks:
        other = seen.get(stack.stack_name)
        if other is not None:
            raise SynthError(
                f"stacks {other.path!r} and {stack.path!r} have the same stack name {stack.stack_name!r}",
                path=stack.path,
                location=stack.location,
                hint="give one of them another id or stack_name=",
            )
        seen[stack.stack_name] = stack


def _run_construct_validation(app: Construct) -> None:
    problems = [
        Problem(message, path=node.path, location=node.location)
        for node in app.walk()
        for message in node.validate()
    ]
    if problems:
        raise ValidationError(problems)


def _stack_dependencies(rendered: dict[Any, _StackRender]) -> dict[Any, list[Any]]:
    """Stack -> stacks it needs, in creation order; a cycle between stacks is an error."""
    needs: dict[Any, list[Any]] = {stack: [] for stack in rendered}
    reasons: dict[tuple[Any, Any], str] = {}
    for stack, render in rendered.items():
        for dependency in render.resolver.dependencies:
            if dependency.producer not in needs[stack]:
                needs[stack].append(dependency.producer)
                reasons[(stack, dependency.producer)] = dependency.reason
    order = {stack: position for position, stack in enumerate(rendered)}
    for stack in needs:
        needs[stack].sort(key=order.__getitem__)
    cycles = find_cycles({stack.path: [p.path for p in producers] for stack, producers in needs.items()})
    if cycles:
        by_path = {stack.path: stack for stack in rendered}
        cycle = cycles[0]
        steps = [
            f"{a} needs {b}: {reasons[(by_path[a], by_path[b])]}" for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        raise SynthError(
            "stacks depend on each other: " + " -> ".join(cycle) + "\n  " + "\n  ".join(steps),
            path=cycle[0],
            location=by_path[cycle[0]].location,
            hint="move the shared resources into one stack, or pass values through parameters",
        )
    return needs


class _StackRender:
    """Builds one stack's template dict and remembers which element made each entry."""

    def __init__(self, stack: Stack, exports: Exports) -> None:
        self.stack = stack
        self.resolver = StackResolver(stack, exports)
        self.sections: dict[str, dict[str, Any]] = {name: {} for name in SECTION_ORDER}
        self.elements: dict[tuple[str, str], CfnElement] = {}
        self.template: dict[str, Any] = {}
        #: The names each resource's references reach (references.referenced_names), found by _assemble.
        self._references: dict[str, set[str]] = {}

    def render(self) -> None:
        for node in self.stack.walk():
            if isinstance(node, CfnElement):
                self._render_element(node)
        self._assemble()

    def _render_element(self, element: CfnElement) -> None:
        section = SECTIONS.get(element.element_kind)
        if section is None:
            return
        logical_id = element.logical_id
        existing = self.elements.get((section, logical_id))
        if existing is None and section in ("Resources", "Parameters"):
            other = "Parameters" if section == "Resources" else "Resources"
            existing = self.elements.get((other, logical_id))
        if existing is not None:
            raise SynthError(
                f"logical id {logical_id!r} is used twice in stack {self.stack.path!r}: "
                f"by {existing.path} and by {element.path}",
                path=element.path,
                location=element.location,
                hint="change a construct id or an override_logical_id() call",
            )
        self.elements[(section, logical_id)] = element
        self.resolver.current = element
        entry = self._resolve_entry(element, element.render())
        loop = not isinstance(entry, dict)  # a Fn::ForEach loop's list (iac.synth.language_extensions.ForEach)
        if section == "Resources" and not loop and entry.get("Properties") == {}:
            del entry["Properties"]  # every property resolved to "unset"
        if section == "Resources" and not loop and getattr(self.stack.root, "path_metadata", False):
            entry.setdefault("Metadata", {})[PATH_METADATA_KEY] = element.path
        self.sections[section][logical_id] = entry
        self.resolver.current = None

    def _resolve_entry(self, element: CfnElement, entry: Any) -> Any:
        if element.element_kind in ("resource", "output") and isinstance(entry, dict):
            entry = dict(entry)
            if "DependsOn" in entry:
                entry["DependsOn"] = self._depends_on(entry["DependsOn"])
                if not entry["DependsOn"]:
                    del entry["DependsOn"]
            if entry.get("Condition") is not None and not isinstance(entry["Condition"], str):
                entry["Condition"] = self.resolver.name_of(entry["Condition"], what="condition")
        return self.resolver.resolve(entry)

    def _depends_on(self, targets: list[Any]) -> list[str]:
        names = []
        for target in targets:
            if isinstance(target, CfnElement) and target.stack is not self.stack:
                self.resolver.add_dependency(target.stack, f"{self.resolver.current.path} depends on {target.path}")
                continue
            names.append(self.resolver.name_of(target, what="depends_on target"))
        return names

    def add_exports(self, outputs: dict[str, tuple[Any, str]]) -> None:
        section = self.template.setdefault("Outputs", {})
        for output_id, (value, export_name) in outputs.items():
            if output_id in section:
                raise SynthError(
                    f"output id {output_id!r} is reserved for exports; rename that Output",
                    path=self.stack.path,
                    location=self.stack.location,
                )
            section[output_id] = {"Value": value, "Export": {"Name": export_name}}

    def _assemble(self) -> None:
        template: dict[str, Any] = {"AWSTemplateFormatVersion": TEMPLATE_FORMAT_VERSION}
        if self.stack.description:
            template["Description"] = self.stack.description
        transforms = list(self.stack.template_options.get("Transform", []))
        if self._scan_sections() and LANGUAGE_EXTENSIONS not in transforms:
            transforms.insert(0, LANGUAGE_EXTENSIONS)
        if transforms:
            template["Transform"] = transforms[0] if len(transforms) == 1 else transforms
        if self.stack.template_options.get("Metadata"):
            template["Metadata"] = self.resolver.resolve(self.stack.template_options["Metadata"])
        for name in ("Rules", "Hooks", "Globals"):  # Rules, Hooks (blue/green), SAM's Globals: as the stack has them
            if self.stack.template_options.get(name):
                template[name] = self.resolver.resolve(self.stack.template_options[name])
        for name in SECTION_ORDER:
            if self.sections[name]:
                template[name] = self.sections[name]
        self.template = template

    def _scan_sections(self) -> bool:
        """Whether the sections use a function of the language extensions (`keys_used` of them all), with
        each resource's references remembered on the way for `check_cycles`: one walk of every resource
        for both questions."""
        uses = bool(keys_used({name: entries for name, entries in self.sections.items() if name != "Resources"},
                              _LANGUAGE_EXTENSION_KEYS))
        resources = self.sections["Resources"]
        uses = uses or not _LANGUAGE_EXTENSION_KEYS.isdisjoint(resources)
        self._references = {}
        for logical_id, entry in resources.items():
            if isinstance(entry, dict):
                names, found = resource_references_and_keys(entry, _LANGUAGE_EXTENSION_KEYS)
                self._references[logical_id] = names
            else:  # a Fn::ForEach loop: check_cycles reads its expansion
                found = keys_used(entry, _LANGUAGE_EXTENSION_KEYS)
            uses = uses or bool(found)
        return uses

    @property
    def expanded(self) -> dict[str, Any]:
        """The template as CloudFormation reads it, its Fn::ForEach loops expanded (language_extensions)."""
        return expand(self.template).template if uses_language_extensions(self.template) else self.template

    def check_cycles(self) -> list[Problem]:
        resources = self.expanded.get("Resources") or {}
        problems: list[Problem] = []
        if not resources and not self.template.get("Resources"):  # a loop over items known at deployment only
            problems.append(
                Problem(
                    f"stack {self.stack.path!r} has no resources; CloudFormation needs at least one",
                    path=self.stack.path,
                    location=self.stack.location,
                )
            )
            return problems
        known = self._references if resources is self.sections["Resources"] else {}
        edges = {
            lid: dependencies_among(known[lid], entry, resources) if lid in known
            else resource_dependencies(entry, resources)
            for lid, entry in resources.items()
        }
        for cycle in find_cycles(edges):
            first = self._element(cycle[0])
            listing = " -> ".join(cycle)
            paths = ", ".join(_describe(lid, self._element(lid)) for lid in cycle[:-1])
            problems.append(
                Problem(
                    f"dependency cycle between resources: {listing} [{paths}]",
                    path=first.path,
                    location=first.location,
                    hint="break the cycle: remove a reference or a depends_on, or move a property "
                    "into a separate resource (e.g. a policy or rule) that depends on both",
                )
            )
        return problems

    def _element(self, logical_id: str) -> Construct:
        """The element that wrote a resource; the stack for one a loop makes."""
        return self.elements.get(("Resources", logical_id), self.stack)

    def origins(self) -> dict[tuple[str, str], tuple[str, Any]]:
        found = {key: (element.path, element.location) for key, element in self.elements.items()}
        found[("Stack", "")] = (self.stack.path, self.stack.location)
        return found

    def locate(self, section: str, logical_id: str) -> tuple[str | None, Any]:
        element = self.elements.get((section, logical_id))
        if element is None:
            return self.stack.path, self.stack.location
        return element.path, element.location


def _describe(logical_id: str, element: Construct) -> str:
    where = f" ({element.location})" if element.location else ""
    return f"{logical_id} = {element.path}{where}"


def is_large_template(artifact: StackArtifact) -> bool:
    """Over 51,200 bytes a template must be uploaded to S3 rather than passed inline."""
    return artifact.body_bytes > MAX_INLINE_TEMPLATE_BYTES
