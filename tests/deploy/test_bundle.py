"""The deployment zip: the app and its own dependencies only."""
from __future__ import annotations

from pathlib import Path

from infra.aws import slim

NEVER = ("tests/", "bench/", "infra/", "moto/", "boto3/", "botocore/", "s3transfer/",
         "chalice/cli/", ".chalice/")


def test_zip_holds_the_app_and_nothing_of_tests_bench_moto_or_local_mode(
        zip_names: list[str]) -> None:
    assert "app.py" in zip_names
    assert "chalicelib/actions/__init__.py" in zip_names
    assert {"pynamodb/models.py", "yaml/__init__.py", "markdown/core.py"} <= set(zip_names)
    assert [name for name in zip_names if name.startswith(NEVER)] == []


def test_zip_is_small(package_dir: Path) -> None:
    assert (package_dir / "deployment.zip").stat().st_size < 2_000_000


def test_slim_keeps_only_extensions_built_for_the_runtime() -> None:
    assert not slim.keep("botocore/client.py")
    assert not slim.keep("python_dateutil-2.9.0.post0.dist-info/RECORD")
    assert not slim.keep("six.py")
    assert not slim.keep("yaml/_yaml.cpython-311-x86_64-linux-gnu.so", "python3.13")
    assert slim.keep("yaml/_yaml.cpython-313-x86_64-linux-gnu.so", "python3.13")
    assert slim.keep("pynamodb/models.py")
