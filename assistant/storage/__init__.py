"""What the assistant remembers between requests, and what replicas share.

- ``feedback``: answered turns, conversations (Slack thread memory) and feedback, in one database
  (SQLite by default, PostgreSQL by ``ASSISTANT_DATABASE_URL``) through SQLAlchemy Core;
  ``database`` opens it and migrates it with Alembic (``migrations/``); ``schema`` is its tables.
- ``shared``: rate limits, seen-once keys and locks, in this process or in Redis
  (``ASSISTANT_REDIS_URL``) so that every replica sees the same.
- ``commands``: ``assistant db upgrade|downgrade|current|copy``; ``transfer`` is the copy from one
  database into another (the SQLite file into PostgreSQL).
"""
