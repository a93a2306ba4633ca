"""The review tests use the world of tests/applications/conftest.py (people, programs, the panel
application), loaded here by path so that both folders share one definition."""
import importlib.util
import pathlib

import pytest

_path = pathlib.Path(__file__).resolve().parent.parent / "applications" / "conftest.py"
_spec = importlib.util.spec_from_file_location("applications_world_fixtures", _path)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)

seeded, world, drive, panel_app = _world.seeded, _world.world, _world.drive, _world.panel_app
make_user = _world.make_user


@pytest.fixture
def pool(world):
    """``pool(n, specialties=..., **fields)``: n active experts (profiles with accounts) in the pool."""
    from qualityaward.accounts.models import Role
    from review.models import ExpertProfile

    counter = {"n": 0}

    def make(n=1, *, specialties=("C",), region=None, employer=None, **fields):
        made = []
        for _ in range(n):
            counter["n"] += 1
            i = counter["n"]
            user = make_user(f"pool_{i:03d}", (Role.EXPERT, {}), full_name=f"专家{i:03d}")
            made.append(ExpertProfile.objects.create(
                user=user, name=f"专家{i:03d}", phone=f"1380000{i:04d}", region=region or world.kaifeng,
                employer=employer or f"第{i}研究院",
                specialties=list(specialties), **fields))
        return made

    return make
