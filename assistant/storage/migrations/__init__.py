"""Alembic migrations of the storage schema: ``env.py`` and one file per revision in ``versions/``."""
