"""Helpers for writing generated data in bulk (``generate_data`` and its steps)."""
from contextlib import contextmanager


@contextmanager
def explicit_timestamps(*models):
    """Let bulk_create write the historical times we give instead of now() (auto_now/auto_now_add off)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
