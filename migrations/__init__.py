"""Alembic migrations; installed as the ``tracker.migrations`` package."""
