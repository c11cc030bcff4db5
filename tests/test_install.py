"""A plain install works (issue 17): every package leaktrace imports is declared in pyproject.toml
and reaches the tool without an extra of some dependency. The interpreter's own pip (23.2 with
Python 3.11) installed no lxml_html_clean, which trafilatura's HTML reading reaches only through
`lxml[html_clean]`, and `leaktrace trace page.html` failed with an ImportError.

Here a plain install is simulated without a network: in a fresh interpreter, every distribution
that the declared dependencies do not bring (extras not followed) cannot be imported; there, every
leaktrace module imports and scripts/smoke.py reads and writes every format. CI also installs the
package for real in a fresh environment (scripts/plain-install.sh)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from requires import need_tesseract

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "leaktrace"


def declared() -> tuple[set[str], set[str]]:
    """(the dependencies, those of every extra), as distribution names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    extras = {canonicalize_name(Requirement(r).name) for rs in project["optional-dependencies"].values() for r in rs}
    return required, extras


def plain(names: set[str]) -> set[str]:
    """What installing `names` brings: their requirements, transitively, leaving out what only an
    extra asks for, and the extras a requirement names (`lxml[html_clean]` brings lxml alone)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requirements:
            r = Requirement(line)
            if r.marker is None or r.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(r.name))
    return seen


def distributions(module: str) -> set[str]:
    return {canonicalize_name(d) for d in metadata.packages_distributions().get(module, [])}


def imports() -> tuple[set[str], set[str]]:
    """Top-level modules outside the standard library that leaktrace imports: (when a module is
    loaded, only inside a function or under try)."""
    eager, lazy = set(), set()

    def visit(node, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            names = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                first = name.split(".")[0]
                if first not in sys.stdlib_module_names and first not in ("leaktrace", "__future__"):
                    (eager if top else lazy).add(first)
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Try))
            visit(child, inner)

    for path in SRC.rglob("*.py"):
        visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return eager, lazy - eager


def test_every_package_leaktrace_imports_is_declared():
    required, extras = declared()
    plain_install, with_extras = plain(required), plain(required | extras)
    eager, lazy = imports()
    assert {"lxml", "weasyprint", "docx"} <= eager | lazy     # the scan sees them, in functions too
    missing = {m: distributions(m) for m in eager if not distributions(m) & plain_install}
    assert not missing, f"imported when a module loads, not brought by the dependencies: {missing}"
    missing = {m: distributions(m) for m in lazy if not distributions(m) & with_extras}
    assert not missing, f"imported, declared neither as a dependency nor in an extra: {missing}"


def plain_site(folder: Path, names: set[str]) -> Path:
    """A site folder with the installed files of the distributions `names` and nothing else."""
    folder.mkdir()
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            top = Path(f.parts[0])
            if top.name in ("..", "__pycache__") or top.suffix == ".pth" or (folder / top).exists():
                continue
            source = Path(dist.locate_file(top))
            if source.exists():
                (folder / top).symlink_to(source)
    return folder


PLAIN_INTERPRETER = """
import importlib, json, pkgutil, runpy, sys

import leaktrace

for m in pkgutil.walk_packages(leaktrace.__path__, "leaktrace."):
    importlib.import_module(m.name)
smoke = runpy.run_path(sys.argv[1], run_name="smoke")
print(json.dumps({"smoke": smoke["main"]()}))
"""


def test_a_plain_install_imports_every_module_and_reads_and_writes_every_format(tmp_path):
    need_tesseract()                  # the smoke test reads a page image
    required, _ = declared()
    site = plain_site(tmp_path / "site", plain(required))
    assert not (site / "pytest").exists() and (site / "lxml").exists()
    # -S: not the test environment's site-packages, only the standard library, the plain site and src
    r = subprocess.run([sys.executable, "-S", "-c", PLAIN_INTERPRETER, str(ROOT / "scripts" / "smoke.py")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=600,
                       env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
                            "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "src")])})
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"smoke": 0}, r.stdout + r.stderr[-3000:]
