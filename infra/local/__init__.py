"""Local mode: moto in this process, with the adapters that make it behave like AWS."""
from infra.local.lean_imports import defer_package

defer_package("moto.batch")  # before any moto module: see lean_imports
