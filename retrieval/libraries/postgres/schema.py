"""The index's tables in PostgreSQL: the schema this library reads and writes, as numbered migrations.

`citebot db migrate` (bot/state/migrations.py) applies them with the bot's state migrations, in one
sequence of versions recorded in one `schema_migrations` table: the index holds version 1, the bot's
state 2 and 3.
A new index migration takes the next free version of that sequence (tests/test_migrations_owned.py
checks that the versions are unique and increasing, and that an applied migration's SQL never changes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SchemaMigration:
    """One step of the schema: `version` (its place in the one sequence), `name` (as recorded), `sql`."""

    version: int
    name: str
    sql: str


INDEX_TABLES = """
CREATE EXTENSION IF NOT EXISTS vector;

-- One row per `citebot index` run. Readers answer from the generation in live_generation; a build
-- writes a new one beside it and publishes it by updating that row, in one transaction.
CREATE TABLE generations (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    state text NOT NULL DEFAULT 'building' CHECK (state IN ('building', 'published')),
    manifest jsonb NOT NULL DEFAULT '{}',
    passage_count integer NOT NULL DEFAULT 0,
    average_length double precision NOT NULL DEFAULT 0,  -- BM25: mean terms a passage
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE TABLE live_generation (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation_id bigint NOT NULL REFERENCES generations (id)
);

-- A file's passages and vectors, content-addressed: a file unchanged since the last build (same text, same
-- passages, same vectors) is one row shared by every generation that holds it, written once.
CREATE TABLE document_versions (
    id bigserial PRIMARY KEY,
    content_key text NOT NULL UNIQUE,  -- hash of the document, its passages and their vectors
    source text NOT NULL,
    sha256 text NOT NULL,
    title text NOT NULL,
    url text,
    date text,
    passage_count integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE generation_documents (
    generation_id bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    source text NOT NULL,
    document_version_id bigint NOT NULL REFERENCES document_versions (id),
    PRIMARY KEY (generation_id, source)
);
CREATE INDEX generation_documents_version ON generation_documents (document_version_id);

CREATE TABLE passages (
    id bigserial PRIMARY KEY,
    document_version_id bigint NOT NULL REFERENCES document_versions (id) ON DELETE CASCADE,
    ordinal integer NOT NULL,
    passage_id text NOT NULL,  -- "<source>#<n>"
    record jsonb NOT NULL,  -- the passage: text, lines, headings, quotable units
    embedding vector(384) NOT NULL,  -- normalised: inner product is cosine
    terms tsvector NOT NULL,  -- keyword terms (folded, stemmed, no stop words), a position per occurrence
    length integer NOT NULL,  -- BM25 length: keyword terms in the passage
    UNIQUE (document_version_id, ordinal)
);
CREATE INDEX passages_embedding ON passages USING hnsw (embedding vector_ip_ops);
CREATE INDEX passages_terms ON passages USING gin (terms);
CREATE INDEX passages_passage_id ON passages (passage_id);

-- The keyword postings BM25 is scored from: a row per (term, passage) with the term's count, so a query
-- reads the postings of its own terms only (expanding every matching passage's tsvector instead cost
-- ~0.5 s a query at 13k passages). Go with their document version.
CREATE TABLE passage_terms (
    term text NOT NULL,
    passage_id bigint NOT NULL,  -- passages.id
    document_version_id bigint NOT NULL REFERENCES document_versions (id) ON DELETE CASCADE,
    tf smallint NOT NULL,  -- occurrences of the term in the passage
    length integer NOT NULL,  -- the passage's BM25 length (copied: scoring needs no join)
    PRIMARY KEY (term, passage_id)
);
CREATE INDEX passage_terms_version ON passage_terms (document_version_id);

-- Vectors of the quotable units (sentences, list items, rows) answers are composed from, by text; shared
-- between generations like document versions (a vector made by another model is another row).
CREATE TABLE sentence_vectors (
    id bigserial PRIMARY KEY,
    text_key text NOT NULL,  -- hash of the text
    vector_key text NOT NULL,  -- hash of the vector
    embedding vector(384) NOT NULL,
    UNIQUE (text_key, vector_key)
);

CREATE TABLE generation_sentences (
    generation_id bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    sentence_id bigint NOT NULL REFERENCES sentence_vectors (id),
    PRIMARY KEY (generation_id, sentence_id)
);
CREATE INDEX generation_sentences_sentence ON generation_sentences (sentence_id);

-- Document frequencies per generation: the vocabulary as the indexer counted it, and the keyword terms
-- counted in the database when the generation is published.
CREATE TABLE vocabulary (
    generation_id bigint NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    term text NOT NULL,
    passages integer NOT NULL DEFAULT 0,  -- passages whose title, headings or text hold the stem
    keyword_passages integer NOT NULL DEFAULT 0,  -- passages whose keyword terms hold it (BM25 idf)
    PRIMARY KEY (generation_id, term)
);
"""

INDEX_MIGRATIONS: tuple[SchemaMigration, ...] = (
    SchemaMigration(1, "pgvector and the index tables", INDEX_TABLES),
)
