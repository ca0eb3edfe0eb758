"""Drops from Chalice's deployment.zip what the Lambda runtime already provides.

Chalice installs every dependency of requirements.txt, and PynamoDB depends on botocore, so
the zip would carry botocore (about 16 MB compressed, 2,000 files) and its dependencies,
which the Python Lambda runtime ships with. Compiled extensions built for the packaging
interpreter are dropped too when they do not match the template's runtime (PyYAML then uses
its pure-Python loader).

Usage: ``python -m infra.aws.slim build/deployment.zip [python3.13]``; rewrites the zip in
place and prints the sizes before and after.
"""
from __future__ import annotations

import os
import sys
import zipfile

# Top-level names in the zip that the Python Lambda runtimes include.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
DEFAULT_RUNTIME = "python3.13"


def _distribution(top: str) -> str:
    """"botocore-1.44.8.dist-info" -> "botocore"; "python_dateutil-2.9.0.dist-info" ->
    "dateutil"."""
    name = top.split("-", 1)[0].lower()
    return name.removeprefix("python_")


def keep(path: str, runtime: str = DEFAULT_RUNTIME) -> bool:
    """Whether the zip entry `path` belongs in the deployed bundle."""
    top = path.split("/", 1)[0]
    name = top.removesuffix(".py")
    if name in RUNTIME_PROVIDED or _distribution(top) in RUNTIME_PROVIDED:
        return False
    if ".cpython-" in path and path.endswith(".so"):
        tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
        return f".{tag}-" in path
    return True


def slim(zip_path: str, runtime: str = DEFAULT_RUNTIME) -> tuple[int, int]:
    """Rewrites `zip_path` without the entries `keep` rejects; gives (bytes before, after)."""
    before = os.path.getsize(zip_path)
    temporary = zip_path + ".tmp"
    with zipfile.ZipFile(zip_path) as source, \
            zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if keep(info.filename, runtime):
                target.writestr(info, source.read(info))
    os.replace(temporary, zip_path)
    return before, os.path.getsize(zip_path)


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    before, after = slim(*argv)
    print(f"{argv[0]}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
