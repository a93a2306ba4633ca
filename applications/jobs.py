"""Work by name. A service asks for a job (a Celery task, an e-mail) with
``after_commit(name, **kwargs)`` (or ``now``) and never imports the module that does it; that module registers its
handler when its app is ready (``AppConfig.ready``). A name nobody registered fails at the call."""
from django.db import transaction

_HANDLERS = {}


def register(name, handler):
    _HANDLERS[name] = handler


def after_commit(name, **kwargs):
    """Run the job ``name`` once the current transaction commits (at once outside a transaction)."""
    handler = _HANDLERS[name]
    transaction.on_commit(lambda: handler(**kwargs))


def now(name, **kwargs):
    """Run the job ``name`` at once (the caller already runs after the commit)."""
    return _HANDLERS[name](**kwargs)
