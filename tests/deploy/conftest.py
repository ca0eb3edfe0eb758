"""One `make package` equivalent per test session: `chalice package` with the merged
template, then the zip slimming, in a subprocess with a region and no AWS credentials."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REGION = "us-east-1"


def packaging_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("AWS_") and key != "STEPWISE_TABLE_PREFIX"}
    env["AWS_DEFAULT_REGION"] = REGION
    # credentials that cannot work: packaging must not need any
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_CONFIG_FILE"] = os.devnull
    return env


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package") / "build"
    env = packaging_env()
    # xdist workers share the base temp's parent; Chalice's package cache under .chalice/
    # is not safe for two builds at once
    lock = tmp_path_factory.getbasetemp().parent / "stepwise-package.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        _build(out, env)
    return out


def _build(out: Path, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "chalice"), "package", "--stage", "dev", "--merge-template",
                    "infra/aws/resources.yaml", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    subprocess.run([sys.executable, "-m", "infra.aws.slim", str(out / "deployment.zip")],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def template(package_dir: Path) -> dict:
    return yaml.safe_load((package_dir / "sam.yaml").read_text())


@pytest.fixture(scope="session")
def zip_names(package_dir: Path) -> list[str]:
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        return bundle.namelist()
