"""Project templates for `iac init`, shipped in the package under iac/cli/project-templates/.

A template is a folder there holding `template.toml` and the files of a new project:

    templates/
      _common/            files every project gets (a template's own file of the same path wins)
      _partials/          snippets templates include: {% include "_partials/next-steps.md" %}
      serverless-api/
        template.toml     description = "...", order = 10 (the listing is sorted by order, then name)
        app.py.jinja      rendered with jinja2, written as app.py
        dot-gitignore     a leading "dot-" becomes "." (packaging tools drop dotfiles)
        tests/...

A file ending in `.jinja` is rendered (the suffix dropped); any other file is copied as it is.
Templates see: project_name, stack_name, stack_class, description, template_name, iac_version,
iac_requirement (the requirement that installs this very iac again, see install_source.py), iac_reason
(why it has that form), iac_kind (index, archive, checkout, vcs, unknown), iac_location (the wheel or
checkout on this machine, if any), iac_editable, iac_portable (whether another machine can install
iac_requirement as it is), python_runtime and nodejs_runtime (the Lambda runtimes a new project starts on:
awslambda.DEFAULT_PYTHON_RUNTIME and DEFAULT_NODEJS_RUNTIME, written into the project as they are today,
so upgrading iac never changes a project's runtime). Adding a template is dropping a folder in: nothing to
register.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import attrs

from iac.cli.install_source import DISTRIBUTION, InstallSource, install_source
from iac.errors import UsageError

METADATA_FILE = "template.toml"
COMMON_FOLDER = "_common"
JINJA_SUFFIX = ".jinja"
DOT_PREFIX = "dot-"
#: Entries that do not make a directory "non-empty" for `iac init`.
IGNORED_ENTRIES = frozenset({".git"})
MAX_NAME_LENGTH = 64
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*$")


@attrs.frozen(kw_only=True)
class ProjectTemplate:
    name: str
    description: str
    order: int
    root: Traversable = attrs.field(eq=False, repr=False)


def templates_root() -> Traversable:
    return resources.files("iac.cli") / "project-templates"


def available_templates() -> list[ProjectTemplate]:
    """Every folder of templates/ that holds a template.toml, sorted by order then name."""
    found = []
    for folder in templates_root().iterdir():
        metadata_file = folder / METADATA_FILE
        if folder.name.startswith(("_", ".")) or not folder.is_dir() or not metadata_file.is_file():
            continue
        metadata = tomllib.loads(metadata_file.read_text(encoding="utf-8"))
        found.append(ProjectTemplate(name=folder.name, description=str(metadata.get("description", "")),
                                     order=int(metadata.get("order", 100)), root=folder))
    return sorted(found, key=lambda t: (t.order, t.name))


def find_template(name: str) -> ProjectTemplate:
    templates = available_templates()
    for template in templates:
        if template.name == name:
            return template
    names = [t.name for t in templates]
    close = difflib.get_close_matches(name, names, n=1)
    raise UsageError(
        f"there is no project template {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""),
        hint=f"the templates are {', '.join(names)}; run `iac init` to see what each makes",
    )


def check_project_name(name: str, *, from_directory: bool = False) -> str:
    """`name` if it can name the Python project and (as CamelCase) the stack; UsageError otherwise."""
    where = " (taken from the directory name; pass --name NAME)" if from_directory else ""
    if len(name) > MAX_NAME_LENGTH:
        raise UsageError(f"project name {name!r} is too long: at most {MAX_NAME_LENGTH} characters{where}")
    if not NAME_RE.match(name):
        raise UsageError(
            f"project name {name!r} is invalid{where}",
            hint="use letters and digits, with single '-' or '_' between them, starting with a letter "
                 "(e.g. orders-api); it names the Python project and, in CamelCase, the stack",
        )
    if _normalized(name) == _normalized(DISTRIBUTION):
        raise UsageError(f"project name {name!r} is the name of iac's own package, which the project depends on",
                         hint="pick another name")
    return name


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def camel_case(name: str) -> str:
    """orders-api -> OrdersApi; the stack's name."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part)


def project_context(template: ProjectTemplate, name: str, *, source: InstallSource | None = None) -> dict[str, Any]:
    """What the templates see; `source` (default: how the running iac was installed) decides the requirement."""
    from iac.constructs.awslambda import DEFAULT_NODEJS_RUNTIME, DEFAULT_PYTHON_RUNTIME  # only when rendering

    source = source or install_source()
    stack_name = camel_case(name)
    return {
        "project_name": name,
        "stack_name": stack_name,
        "stack_class": stack_name if stack_name.endswith("Stack") else stack_name + "Stack",
        "description": template.description,
        "template_name": template.name,
        "iac_version": source.version or "",
        "iac_requirement": source.requirement,
        "iac_reason": source.reason,
        "iac_kind": source.kind,
        "iac_location": source.location or "",
        "iac_editable": source.editable,
        "iac_portable": source.portable,
        "python_runtime": DEFAULT_PYTHON_RUNTIME,
        "nodejs_runtime": DEFAULT_NODEJS_RUNTIME,
    }


def render_project(template: ProjectTemplate, name: str, *, source: InstallSource | None = None) -> dict[str, str]:
    """{relative path: text} of every file the template makes for project `name`."""
    import jinja2  # only `iac init` renders templates: keep it off every other command's start-up

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_source),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    context = project_context(template, name, source=source)
    sources: dict[str, tuple[str, Traversable]] = {}  # target path -> (source name, file); the template's win
    for source_name, file in _files(templates_root() / COMMON_FOLDER, COMMON_FOLDER) + _files(
            template.root, template.name):
        sources[_target_name(source_name.split("/", 1)[1])] = (source_name, file)
    rendered: dict[str, str] = {}
    for target, (source_name, file) in sorted(sources.items()):
        if source_name.endswith(JINJA_SUFFIX):
            rendered[target] = environment.get_template(source_name).render(context)
        else:
            rendered[target] = file.read_text(encoding="utf-8")
    return rendered


def _files(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    """(prefix/relative path, file) below `folder`, without template.toml."""
    if not folder.is_dir():
        return []
    found: list[tuple[str, Traversable]] = []
    for entry in folder.iterdir():
        if entry.name in ("__pycache__",) or (entry.name == METADATA_FILE and "/" not in prefix):
            continue
        name = f"{prefix}/{entry.name}"
        if entry.is_dir():
            found.extend(_files(entry, name))
        else:
            found.append((name, entry))
    return found


def _target_name(relative: str) -> str:
    """The path a template file is written to: "dot-" prefixes become ".", ".jinja" is dropped."""
    parts = ["." + part[len(DOT_PREFIX):] if part.startswith(DOT_PREFIX) else part for part in relative.split("/")]
    joined = "/".join(parts)
    return joined.removesuffix(JINJA_SUFFIX)


def _load_source(name: str) -> str | None:
    entry = templates_root()
    for part in name.split("/"):
        entry = entry / part
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


def check_target(directory: str, *, force: bool) -> list[str]:
    """The entries already in `directory` (which must be a directory or not exist); UsageError when it
    is not empty and `force` is not given."""
    if not os.path.exists(directory):
        return []
    if not os.path.isdir(directory):
        raise UsageError(f"{directory} exists and is not a directory")
    entries = sorted(e for e in os.listdir(directory) if e not in IGNORED_ENTRIES)
    if entries and not force:
        shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
        raise UsageError(
            f"directory {directory} is not empty (it holds {shown})",
            hint="choose a new or empty directory, or pass --force to write into this one "
                 "(files the template makes are overwritten; others are left alone)",
        )
    return entries


def write_project(files: dict[str, str], directory: str) -> list[tuple[str, bool]]:
    """Write `files` below `directory`; (path, whether it replaced an existing file) for each."""
    written = []
    for relative, text in files.items():
        path = os.path.join(directory, *relative.split("/"))
        existed = os.path.exists(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append((relative, existed))
    return written
