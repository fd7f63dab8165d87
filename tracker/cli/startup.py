"""How ``tracker`` starts quickly: every start-up trick, explained in one place.

``tracker pain 5`` and ``tracker due`` run from prompts, status bars and cron:
they should cost little more than starting Python (bench/run.py measures it,
tests/integration/test_startup.py pins the causes). Three things keep them so:

1. Lazy loading. A command's module is imported only when that command runs
   (COMMAND_MODULES in tracker.cli), and SQLAlchemy, the services and the
   output helpers are imported inside the command body, so ``--help`` and a
   mistyped option load none of them. ``tracker due`` on a current SQLite file
   or PostgreSQL database answers without SQLAlchemy at all, through the
   database's own driver (tracker.store.quick_due); Alembic is
   imported only when a database needs migrating (tracker.store.schema).
2. The collector off while loading (start, below).
3. The collector back on once loading is done (loading_done, below).
"""

from __future__ import annotations

import gc


def start() -> None:
    """Switch the cycle collector off for the start-up, from the console script only.

    Loading click, SQLAlchemy and the models creates a few hundred thousand
    objects that live as long as the process; the cycle collector would scan
    them again and again while they load, a third of the start-up time of a
    quick ``tracker pain 5``. loading_done switches it back on. Tests and
    library users (who call ``cli`` or the services directly) keep theirs.
    """
    gc.disable()


def loading_done() -> None:
    """Switch the collector back on, once the command has loaded what it needs.

    Called when the command reaches its database (tracker.cli.context), the
    last large import of every command. What is loaded by now stays for the
    whole run, so it is frozen (set aside, never scanned again); long imports
    and exports still collect their garbage. Does nothing unless start() ran.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
