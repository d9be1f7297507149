"""The built wheel carries every package and scenario, and runs from any folder.

The wheel is built from a copy of the source (so the checkout gets no ``build/``),
installed with ``pip install --target`` into a temporary folder, and used from a
different temporary folder with no ``configs/`` of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Building and installing a wheel takes ~35 s on a shared two-core machine; CI runs it.
pytestmark = pytest.mark.slow


def _pip(*args: str, cwd: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "flowsim", src / "flowsim", ignore=ignore)
    shutil.copytree(ROOT / "configs", src / "configs", ignore=ignore)
    dist = tmp / "dist"
    _pip("wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(src), cwd=tmp)
    (wheel,) = dist.glob("flowsim-*.whl")
    site = tmp / "site"
    _pip("install", "--no-deps", "-q", "--target", str(site), str(wheel), cwd=tmp)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return wheel, site, elsewhere


def _py(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_wheel_holds_every_package_and_scenario(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "flowsim").rglob("__init__.py"):
        rel = init.relative_to(ROOT).as_posix()
        assert rel in names, f"{rel} missing from the wheel (add its package to pyproject)"
    for cfg in (ROOT / "configs").rglob("*.yaml"):
        rel = "flowsim/scenarios/" + cfg.relative_to(ROOT / "configs").as_posix()
        assert rel in names, f"{rel} missing from the wheel"


def test_installed_wheel_loads_every_packaged_scenario_from_any_folder(installed):
    _, site, elsewhere = installed
    code = (
        "import warnings, flowsim, flowsim.loading as L\n"
        "warnings.simplefilter('ignore')\n"
        "print(flowsim.__file__)\n"
        "names = L.packaged_names()\n"
        "assert {'worcestershire', 'west_norfolk', 'leicestershire', 'tandem'} <= set(names)\n"
        "for n in names:\n"
        "    assert flowsim.load_scenario(n).name\n"
        "print('LOADED', len(names))\n"
    )
    r = _py(site, elsewhere, "-c", code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith(str(site)), r.stdout  # not the checkout
    expected = list((ROOT / "configs").glob("*.yaml")) + [
        f for f in (ROOT / "configs" / "validation").glob("*.yaml") if not f.stem.startswith("_")
    ]
    assert f"LOADED {len(expected)}" in r.stdout


def test_installed_wheel_runs_the_cli_from_any_folder(installed):
    _, site, elsewhere = installed
    r = _py(site, elsewhere, "-m", "flowsim", "--version")
    assert r.returncode == 0 and r.stdout.startswith("flowsim ")
    r = _py(
        site,
        elsewhere,
        "-m",
        "flowsim",
        "run",
        "west_norfolk",
        "-r",
        "1",
        "--days",
        "1",
        "--warmup-days",
        "0",
        "--out",
        "out",
        "--no-progress",
    )
    assert r.returncode == 0, r.stderr
    assert "Scenario: west_norfolk" in r.stdout
    assert any((elsewhere / "out").iterdir())
