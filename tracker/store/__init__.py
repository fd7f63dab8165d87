"""Persistence: SQLAlchemy models, engine setup, schema migrations, queries."""
