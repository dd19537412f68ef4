"""What a synth imports (issue 21: an unchanged synth of the seed app in <= 0.3 s whole process).

Not timed (benchmarks/lint_speed.py prints the figures): each test runs the real command in a fresh
process and checks which modules it loaded, so an eager import of something a synth does not need
(jsonschema, cfn-lint, the diff engine, boto3, another command's module) fails here.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from iac.cli.main import LAZY_COMMANDS, cli
from iac.synth import assembly

ROOT = Path(__file__).resolve().parents[2]
SEED_APP = ROOT / "samples" / "serverless_api"

#: Never imported by `iac synth` of the seed app, with or without lint (a lint cache hit); PyYAML only
#: where a YAML template is read or written, or a .cfnlintrc exists (HOME is a fresh folder here); regex only
#: for a pattern or text the standard `re` may read otherwise (specs.pattern_matches).
NOT_FOR_A_SYNTH = (
    "jsonschema",
    "cfnlint",
    "yaml",
    "regex",
    "iac.synth.loader",
    "boto3",
    "botocore",
    "importlib.metadata",
    "email.parser",
    "iac.synth.diff",
    "iac.deploy",
    "iac.importer",
    "iac.cfn",
    "iac.checks.docs",
    "iac.cli.diff_command",
    "iac.cli.deploy_commands",
    "iac.cli.import_command",
    "iac.cli.init_command",
    "iac.cli.inspect_commands",
    "iac.cli.lint_worker_command",
    "iac.cli.watch_command",
    "watchfiles",
    "traceback",
)

#: Never imported by a synth of the seed app (a function, a REST API, a table): what it does not use. Its
#: modules name ec2 in annotations (`vpc: ec2.Vpc | None`); the package loads a module on first use and
#: a construction evaluates the annotations of the arguments it is given only.
NOT_FOR_THE_SEED_APP = (
    "iac.constructs.ec2.endpoints",
    "iac.constructs.ec2.flow_logs",
    "iac.constructs.ec2.instance",
    "iac.constructs.ec2.security",
    "iac.constructs.ec2.vpc",
    "iac.constructs.s3",
    "iac.constructs.elbv2",
    "iac.constructs.patterns",
)

#: The packages whose names are imported on first use (iac.constructs.lazy_exports).
LAZY_PACKAGES = ("iac.constructs.ec2", "iac.constructs.elbv2", "iac.constructs.patterns")

#: Runs the CLI as the console script does, then writes the names of the modules it loaded.
CHILD = """
import json, os, sys
from iac.cli.main import main
sys.argv = ["iac", *sys.argv[1:]]
try:
    main()
finally:
    with open(os.environ["MODULES_FILE"], "w") as out:
        json.dump(sorted(sys.modules), out)
"""


def _modules_of(arguments: list[str], tmp_path: Path, *, cwd: Path) -> set[str]:
    listing = tmp_path / "modules.json"
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environment = {
        **os.environ,
        "MODULES_FILE": str(listing),
        "IAC_LINT_WORKER": "0",
        "IAC_CACHE_DIR": str(cache),
        "HOME": str(home),
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *arguments], cwd=cwd, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(listing.read_text()))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if name in modules or any(m.startswith(name + ".") for m in modules))


@pytest.fixture
def seed_app(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    shutil.copytree(SEED_APP, folder, ignore=shutil.ignore_patterns("iac.out", "__pycache__"))
    return folder


def test_a_synth_without_lint_imports_only_what_it_needs(seed_app: Path, tmp_path: Path) -> None:
    modules = _modules_of(["synth", "--app", "app.py", "--out", "out", "--quiet", "--no-lint"], tmp_path, cwd=seed_app)

    assert "iac.synth.synthesizer" in modules  # it did synthesize
    assert (seed_app / "out" / "ServerlessApi.template.json").is_file()
    assert _loaded(modules, NOT_FOR_A_SYNTH) == []
    assert _loaded(modules, NOT_FOR_THE_SEED_APP) == []
    assert "iac.constructs.ec2" in modules  # awslambda and apigateway import the package: its names wait


def test_an_unchanged_synth_with_lint_reads_the_cache_without_cfn_lint(seed_app: Path, tmp_path: Path) -> None:
    arguments = ["synth", "--app", "app.py", "--out", "out", "--quiet"]
    first = _modules_of(arguments, tmp_path, cwd=seed_app)
    assert "cfnlint" in first  # the first synth linted in process, and filled the cache

    again = _modules_of(arguments, tmp_path, cwd=seed_app)

    assert _loaded(again, NOT_FOR_A_SYNTH) == []
    assert _loaded(again, NOT_FOR_THE_SEED_APP) == []


def test_import_iac_loads_neither_the_cli_nor_the_validators() -> None:
    script = "import json, sys, iac\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    modules = set(json.loads(result.stdout))

    assert _loaded(modules, ("click", "iac.cli", *NOT_FOR_A_SYNTH)) == []
    # building a tree needs neither the synthesis machinery nor the checks: they load on the first synth
    assert _loaded(modules, ("iac.synth", "iac.checks")) == []
    assert [name for name in modules if name.startswith("iac.")] == [
        name for name in modules if name.startswith(("iac.constructs", "iac.errors"))
    ]


def test_the_version_and_the_help_load_no_synthesizer(tmp_path: Path) -> None:
    # click's --version asks importlib.metadata for the version
    others = [name for name in NOT_FOR_A_SYNTH if name not in ("importlib.metadata", "email.parser")]
    synthesis = ("iac.synth.synthesizer", "iac.synth.assembly", "iac.synth.validation", "iac.specs")

    assert _loaded(_modules_of(["--version"], tmp_path, cwd=tmp_path), (*synthesis, *others)) == []
    # the help lists every command: it imports their modules (LAZY_COMMANDS), not the synthesizer they run
    assert _loaded(_modules_of(["--help"], tmp_path, cwd=tmp_path), synthesis[:1]) == []


def test_the_names_iac_imports_on_first_use_are_the_originals() -> None:
    import iac
    from iac.checks.suppress import suppress
    from iac.synth import CloudAssembly, synthesize_app
    from iac.synth.language_extensions import ForEach

    assert (iac.suppress, iac.CloudAssembly, iac.ForEach, iac.synthesize_app) == (
        suppress,
        CloudAssembly,
        ForEach,
        synthesize_app,
    )
    assert _type_checking_imports("iac") == iac._HOMES
    assert {name for names in iac._HOMES.values() for name in names} - set(iac.__all__) == {"synthesize_app"}
    assert set(iac.__all__) <= set(dir(iac))
    for name in iac.__all__:
        assert getattr(iac, name) is not None, name
    with pytest.raises(AttributeError, match="module 'iac' has no attribute 'NoSuchName'"):
        iac.NoSuchName  # noqa: B018


def test_app_synth_imports_the_synthesizer_on_first_use(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from iac import App, CfnResource, Stack\n"
        "app = App(outdir=sys.argv[1])\n"
        "CfnResource(Stack(app, 'S'), 'Queue', type='AWS::SQS::Queue')\n"
        "before = 'iac.synth.synthesizer' in sys.modules\n"
        "assembly = app.synth(lint=False)\n"
        "print(json.dumps([before, [stack.name for stack in assembly.stacks]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "out")], capture_output=True, text=True, check=True
    )

    assert json.loads(result.stdout) == [False, ["S"]]
    assert (tmp_path / "out" / "S.template.json").is_file()


# -- packages whose names load on first use -----------------------------------------------------


def _type_checking_imports(package: str) -> dict[str, tuple[str, ...]]:
    """What the package's `if TYPE_CHECKING:` block imports, module (within the package) -> names."""
    tree = ast.parse(Path(importlib.import_module(package).__file__ or "").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    found: dict[str, tuple[str, ...]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package + ".")
        # ".vpc" within the package, as its table says it (importlib.import_module's relative names)
        found[node.module.removeprefix(package)] = (
            *found.get(node.module.removeprefix(package), ()),
            *(alias.name for alias in node.names),
        )
    return found


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_a_lazy_package_says_the_same_names_to_type_checkers_and_at_run_time(package: str) -> None:
    module = importlib.import_module(package)
    homes = module._HOMES

    assert _type_checking_imports(package) == homes
    assert sorted(module.__all__) == sorted(name for names in homes.values() for name in names)
    for home, names in homes.items():
        defining = importlib.import_module(home, package)
        for name in names:
            assert getattr(module, name) is getattr(defining, name), name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'NoSuchName'"):
        module.NoSuchName  # noqa: B018


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_a_lazy_package_imports_a_module_when_one_of_its_names_is_first_used(package: str) -> None:
    homes = importlib.import_module(package)._HOMES
    home, names = list(homes.items())[-1]
    script = (
        "import json, sys\n"
        f"import {package}\n"
        "loaded = [sorted(sys.modules)]\n"
        f"from {package} import {names[0]}\n"
        "loaded.append(sorted(sys.modules))\n"
        f"star = {{}}\nexec('from {package} import *', star)\n"
        "print(json.dumps([*loaded, sorted(star)]))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, after, star = json.loads(result.stdout)

    assert [name for name in before if name.startswith(package + ".")] == []
    assert f"{package}{home}" in after
    assert [other for other in homes if f"{package}{other}" not in after] != []  # not every module
    assert set(importlib.import_module(package).__all__) <= set(star)  # `import *` still gets every name


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_lazy_command_is_the_command_of_its_name(name: str) -> None:
    command = cli.commands[name]

    assert isinstance(command, click.Command)
    assert command.name == name
    assert name in cli.list_commands(click.Context(cli))


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "iac", "--help"], capture_output=True, text=True, check=True)
    listed = result.stdout.split("Commands:", 1)[1]

    for name in [*LAZY_COMMANDS, "synth", "validate"]:
        assert f"\n  {name} " in listed


def test_the_validate_formats_are_the_document_writers(tmp_path: Path) -> None:
    from iac.checks.formats import FORMATS

    choices = next(p for p in cli.commands["validate"].params if p.name == "format_").type
    assert isinstance(choices, click.Choice)
    assert tuple(choices.choices) == FORMATS


# -- package_version: importlib.metadata's search, without importing it ------------------------------


def test_package_version_is_importlib_metadatas_for_every_installed_distribution() -> None:
    names = {distribution.metadata["Name"] for distribution in importlib.metadata.distributions()}
    assert len(names) > 10

    for name in sorted(names):
        assert assembly._version_on_path(name) == importlib.metadata.version(name), name
    assert assembly._version_on_path("no-such-distribution-iac") == "0+unknown"


def _distribution(folder: Path, name: str, metadata: str) -> None:
    info = folder / name
    info.mkdir(parents=True)
    (info / "METADATA").write_text(metadata, encoding="utf-8")


def test_package_version_reads_the_first_match_on_sys_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _distribution(tmp_path / "a", "My.Dist-2.0.dist-info", "Metadata-Version: 2.1\nName: my-dist\nVersion: 2.0\n\nbody")
    _distribution(tmp_path / "b", "my_dist-1.0.dist-info", "Metadata-Version: 2.1\nName: my-dist\nVersion: 1.0\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path / "a"), str(tmp_path / "b")])

    assert assembly._version_on_path("my-dist") == importlib.metadata.version("my-dist") == "2.0"
    assert assembly._version_on_path("MY_DIST") == "2.0"


@pytest.mark.parametrize(
    "metadata",
    [
        "Name: my-dist\nVersion: 1.0\n  folded\n",  # a folded header: the email parser joins the lines
        "Name: my-dist\nnot a header\nVersion: 1.0\n",  # a line that is no header
    ],
)
def test_package_version_leaves_unusual_metadata_to_importlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, metadata: str
) -> None:
    _distribution(tmp_path, "my_dist-1.0.dist-info", metadata)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assembly.package_version.cache_clear()
    try:
        assert assembly._version_on_path("my-dist") is None
        assert assembly.package_version("my-dist") == importlib.metadata.version("my-dist")
    finally:
        assembly.package_version.cache_clear()


def test_package_version_leaves_a_zip_on_sys_path_to_importlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "packages.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip archive
    monkeypatch.setattr(sys, "path", [str(archive)])

    assert assembly._version_on_path("my-dist") is None
