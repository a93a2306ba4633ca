"""Conformance walks: each program's procedure, article by article, through the services. They share the world
of tests/applications/conftest.py (loaded by path, like tests/review/conftest.py); the helpers are in
tests/conformance_support.py."""
import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "applications_conftest_conformance", pathlib.Path(__file__).parent.parent / "applications" / "conftest.py")
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)
seeded, world = _shared.seeded, _shared.world
