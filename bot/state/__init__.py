"""The bot's state: what it remembers between messages, restarts and replicas, one module per store.

Each store module holds the store's Protocol (what the core and the adapters use) and its two
implementations side by side, SQLite (backend files: the local state file beside the feedback file) and
PostgreSQL (backend postgres: one database every replica shares):

    feedback.py       FeedbackStore: answers given and the votes on them (`citebot feedback`, `gaps`)
    conversations.py  ConversationStore: each thread's latest turns, for follow-up questions
    claims.py         EventClaims: which delivered event was claimed, so a retried one is answered once
    answered.py       AnsweredMessages: which reply answered which question, for edits and deletions
    outbox.py         Outbox: replies held while a chat platform is down, sent when it is back

and what they stand on: sqlite_file.py (open a state file, apply a store's CREATE ... IF NOT EXISTS),
jsonb.py (JSON parameters for PostgreSQL), database.py (the PostgreSQL connection: retries, safe errors,
pools) and migrations.py (the PostgreSQL tables, as numbered migrations after the index library's own).
bot/backends.py picks the implementation by the `backend` setting. No module here imports psycopg at
import time but database.py and migrations.py: the files backend never loads the database driver.
"""
