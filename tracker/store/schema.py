"""What schema version this tracker expects, known without importing Alembic.

Alembic is only imported when a database actually needs migrating; the usual
case (the database is current) costs one small query. A test keeps
HEAD_REVISION equal to the newest migration.
"""

from __future__ import annotations

HEAD_REVISION = "0008"
VERSION_TABLE = "alembic_version"
