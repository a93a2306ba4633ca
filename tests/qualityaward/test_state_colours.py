"""Every state's badge has its family's colour (static/css/portal.css): a state added to the workflow without a
colour would show in the neutral grey that is reserved for 已撤回."""
from pathlib import Path

from django.conf import settings

from applications.models import State


def test_every_state_but_withdrawn_has_a_family_colour():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    coloured = {value for value in State.values if f".badge.state-{value}," in css or f".badge.state-{value} {{" in css}
    assert set(State.values) - coloured == {State.WITHDRAWN}
