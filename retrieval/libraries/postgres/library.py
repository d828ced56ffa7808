"""The postgres library: an index generation in PostgreSQL, read by any number of bot replicas.

Vectors are pgvector `vector(384)` columns searched by inner product (HNSW; normalised vectors, so cosine);
keyword search is BM25 computed in SQL from postings (term, passage, count) of citebot's own keyword terms,
so it ranks as the files backend's bm25s does; each passage also keeps them as a `tsvector` (GIN-indexed)
for full-text queries in SQL. The schema is
schema.py beside it (applied by `citebot db migrate`). A generation never changes once published; a build writes a new one beside it and
moves `live_generation` to it in one transaction. Unchanged files are shared between generations
(content-addressed `document_versions`), never rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from retrieval.config import DEFAULT_POOL, PoolParams
from retrieval.errors import IndexMissingError, RetrievalError
from retrieval.libraries.postgres.address import database_address
from retrieval.libraries.sentence_vectors import text_key
from retrieval.manifest import Manifest
from retrieval.models import Document, Passage
from retrieval.parts import DocumentEntry, DocumentFrequencies, Ranking, Vector, indexed_text
from retrieval.scope import Scope, source_name
from retrieval.text.languages import ENGLISH
from retrieval.text.tokens import document_language, document_terms, query_terms

log = logging.getLogger(__name__)

DIMENSION = 384  # the schema's vector(384): all-MiniLM-L6-v2
HNSW_EF_SEARCH = 100  # candidates an HNSW scan keeps (pgvector's default is 40)
BM25_K1, BM25_B = 1.5, 0.75  # bm25s' defaults (Lucene variant), so both backends rank alike
_INDEX_LOCK = 0x63697469  # pg_advisory_lock key held by a build: one `citebot index` at a time
_KEEP_GENERATIONS = 2  # the live one and the one before (a reader may still be answering from it)
_CACHE = 20_000  # passages and sentence vectors kept in memory per library (a generation never changes)
_MAX_POSITION = 16383  # tsvector positions stop here
_SCOPES_KEPT = 64  # document-version lists kept per library, one per distinct channel scope


class LibraryUnavailable(RetrievalError):
    """The database cannot take this build (another build running, a model of another dimension)."""


_pools: dict[tuple[str, PoolParams], object] = {}
_pools_lock = threading.Lock()


def pool_for(url: str, params: PoolParams = DEFAULT_POOL):
    """This process's library pool for `url` sized as `params` says (opened at first use, one per URL
    and policy; connections checked when taken)."""
    from psycopg_pool import ConnectionPool

    with _pools_lock:
        pool = _pools.get((url, params))
        if pool is None:
            pool = ConnectionPool(
                url,
                min_size=1,
                max_size=params.max_size,
                kwargs={"autocommit": True, "connect_timeout": 5},
                configure=configure_connection,
                check=ConnectionPool.check_connection,
                timeout=params.wait_s,
                open=False,
                name="citebot-library",
            )
            pool.open(wait=True, timeout=30)
            _pools[(url, params)] = pool
        return pool


def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


# -- the registry's four entry points (retrieval/registry.py): the location is the database URL, the pool
# policy the EngineConfig's `pool` -------------------------------------------------------------------
def open_library(url: str, rebuild_hint: str, pool: PoolParams = DEFAULT_POOL) -> PostgresLibrary:
    return PostgresLibrary(pool_for(url, pool), rebuild_hint=rebuild_hint)


def open_writer(url: str, embedder, pool: PoolParams = DEFAULT_POOL) -> PostgresLibraryWriter:
    return PostgresLibraryWriter(pool_for(url, pool))


def live_generation_at(url: str, pool: PoolParams = DEFAULT_POOL) -> str | None:
    return live_generation(pool_for(url, pool))


def live_manifest_at(url: str, rebuild_hint: str, pool: PoolParams = DEFAULT_POOL) -> tuple[str, Manifest]:
    with pool_for(url, pool).connection() as connection:
        row = _generation_row(connection, None)
    if row is None:
        raise IndexMissingError(f"No index in the database at {database_address(url)}. {rebuild_hint}")
    return row[1], _manifest_from(row[2], database_address(url), rebuild_hint)


def configure_connection(connection: psycopg.Connection) -> None:
    """For each pooled connection: the vector type, and HNSW scans that return k rows in exact order."""
    register_vector(connection)
    connection.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
    connection.execute("SET hnsw.iterative_scan = strict_order")


def live_generation(pool) -> str | None:
    """The published generation's name (cheap: for noticing a rebuild); None when there is none."""
    with pool.connection() as connection:
        row = connection.execute(
            "SELECT g.name FROM live_generation l JOIN generations g ON g.id = l.generation_id"
        ).fetchone()
    return row[0] if row else None


class PostgresLibrary:
    """One published generation, read through a connection pool; safe to share between threads."""

    def __init__(self, pool, generation: str | None = None, rebuild_hint: str = "") -> None:
        """The live generation (or the published one named); IndexMissingError when there is none."""
        self._pool = pool
        with pool.connection() as connection:
            row = _generation_row(connection, generation)
            if row is None:
                place = database_address(getattr(pool, "conninfo", ""))
                raise IndexMissingError(f"No index in the database at {place}. {rebuild_hint}".strip())
            self._id, self._name, manifest, self._count, self._average_length = row
            held = connection.execute(
                "SELECT document_version_id, source FROM generation_documents WHERE generation_id = %s",
                (self._id,),
            ).fetchall()
        self._versions = [version for version, _ in held]
        self._version_sources = [(version, source_name(key)) for version, key in held]
        self._scoped: dict[frozenset[str], list[int] | None] = {}
        self._manifest = _manifest_from(manifest, "the database", "")
        self._passages: OrderedDict[str, Passage] = OrderedDict()
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._by_source: OrderedDict[str, list[Passage]] = OrderedDict()
        self._documents: list[Document] | None = None
        self._frequencies: DocumentFrequencies | None = None
        self._lock = threading.Lock()

    @property
    def generation(self) -> str:
        return self._name

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def encoder_folder(self):
        """The ONNX encoder the vectors were made with, from this machine's export cache (exported once, and
        verified, at first use); None, so sentence-transformers serves, when it cannot be had."""
        if not hasattr(self, "_encoder_folder"):
            self._encoder_folder = None
            if self._manifest.encoder != "torch":
                try:
                    from retrieval.embedders.onnx_export import ensure_encoder

                    self._encoder_folder = ensure_encoder(self._manifest.model, self._manifest.encoder)
                except Exception as error:  # noqa: BLE001 - any failure: serve with sentence-transformers
                    log.warning("no ONNX encoder for this index (%s)", error)
        return self._encoder_folder

    def __len__(self) -> int:
        return self._count

    # -- passages and documents --------------------------------------------------------------------
    def passage(self, passage_id: str) -> Passage | None:
        with self._lock:
            cached = self._passages.get(passage_id)
        if cached is not None:
            return cached
        found = self._fetch_passages([passage_id])
        return found.get(passage_id)

    def passages_of(self, source: str) -> list[Passage]:
        with self._lock:
            cached = self._by_source.get(source)
        if cached is not None:
            return list(cached)
        rows = self._query(
            "SELECT p.record FROM generation_documents gd JOIN passages p"
            " ON p.document_version_id = gd.document_version_id"
            " WHERE gd.generation_id = %s AND gd.source = %s ORDER BY p.ordinal",
            (self._id, source),
        )
        passages = [Passage.from_record(r[0]) for r in rows]
        with self._lock:
            _put(self._by_source, source, passages)
        return list(passages)

    def document(self, source: str) -> Document | None:
        return next((d for d in self.documents() if d.source == source), None)

    def documents(self) -> list[Document]:
        if self._documents is None:
            rows = self._query(
                "SELECT v.source, v.title, v.url, v.date, v.sha256 FROM generation_documents gd"
                " JOIN document_versions v ON v.id = gd.document_version_id"
                " WHERE gd.generation_id = %s ORDER BY v.source",
                (self._id,),
            )
            self._documents = [Document(*row) for row in rows]
        return list(self._documents)

    # -- finding passages --------------------------------------------------------------------------
    def nearest(self, vector: Vector, k: int, scope: Scope = None) -> Ranking:
        """With `scope`, the same indexed scan over the scope's document versions only (HNSW's iterative
        scan goes on until k rows pass the filter): the k nearest of the scope, not k filtered after."""
        versions = self._scope_versions(scope)
        rows = self._query(
            "SELECT passage_id, record, embedding <#> %s AS distance FROM passages"
            " WHERE document_version_id = ANY(%s) ORDER BY distance LIMIT %s",
            (np.asarray(vector, dtype=np.float32), self._versions if versions is None else versions, k),
        )
        self._remember((r[0], r[1]) for r in rows)
        return [(r[0], -float(r[2])) for r in rows]

    def keyword(self, query: str, k: int, scope: Scope = None) -> Ranking:
        """BM25 (Lucene idf, k1 1.5, b 0.75) over the query's known terms, a repeated term counted again;
        with `scope`, only postings of the scope's document versions are scored (idf stays the index's)."""
        terms = Counter(query_terms(query))
        if not terms or not self._count:
            return []
        words = sorted(terms)
        versions = self._scope_versions(scope)
        rows = self._query(
            _BM25 if versions is None else _SCOPED_BM25,
            {
                **({} if versions is None else {"versions": versions}),
                "generation": self._id,
                "terms": words,
                "counts": [terms[w] for w in words],
                "n": self._count,
                "average": max(self._average_length, 1e-9),
                "k1": BM25_K1,
                "b": BM25_B,
                "k": k,
            },
        )
        self._remember((r[0], r[1]) for r in rows)
        return [(r[0], float(r[2])) for r in rows if r[2] > 0]

    def sentence_vectors(self, texts: Sequence[str]) -> list[Vector | None]:
        keys = [text_key(t) for t in texts]
        with self._lock:
            known = {key: self._sentences[key] for key in keys if key in self._sentences}
        missing = sorted(set(keys) - set(known))
        if missing:
            fetched = {
                row[0]: row[1]
                for row in self._query(
                    "SELECT s.text_key, s.embedding FROM generation_sentences gs"
                    " JOIN sentence_vectors s ON s.id = gs.sentence_id"
                    " WHERE gs.generation_id = %s AND s.text_key = ANY(%s)",
                    (self._id, missing),
                )
            }
            with self._lock:
                for key, vector in fetched.items():
                    _put(self._sentences, key, _array(vector))
            known.update(fetched)
        return [None if known.get(key) is None else _array(known[key]) for key in keys]

    def document_frequencies(self) -> DocumentFrequencies:
        if self._frequencies is None:
            rows = self._query(
                "SELECT term, passages FROM vocabulary WHERE generation_id = %s AND passages > 0", (self._id,)
            )
            self._frequencies = DocumentFrequencies({term: int(count) for term, count in rows}, self._count)
        return self._frequencies

    # -- helpers -----------------------------------------------------------------------------------
    def _scope_versions(self, scope: Scope) -> list[int] | None:
        """The generation's document versions from the sources `scope` names (kept per scope); None when
        that is all of them (nothing to filter)."""
        if scope is None:
            return None
        with self._lock:
            if scope in self._scoped:
                return self._scoped[scope]
        versions = [version for version, name in self._version_sources if name in scope]
        scoped = None if len(versions) == len(self._versions) else versions
        with self._lock:
            if len(self._scoped) >= _SCOPES_KEPT:
                self._scoped.pop(next(iter(self._scoped)))
            self._scoped[scope] = scoped
        return scoped

    def _query(self, sql: str, params) -> list[tuple]:
        with self._pool.connection() as connection:
            return connection.execute(sql, params).fetchall()

    def _fetch_passages(self, passage_ids: list[str]) -> dict[str, Passage]:
        rows = self._query(
            "SELECT passage_id, record FROM passages WHERE passage_id = ANY(%s) AND document_version_id = ANY(%s)",
            (passage_ids, self._versions),
        )
        self._remember(rows)
        return {row[0]: Passage.from_record(row[1]) for row in rows}

    def _remember(self, rows) -> None:
        with self._lock:
            for passage_id, record in rows:
                if passage_id not in self._passages:
                    _put(self._passages, passage_id, Passage.from_record(record))


_BM25_SQL = """
WITH query AS (
    SELECT q.term, q.count, ln(1 + (%(n)s - v.keyword_passages + 0.5) / (v.keyword_passages + 0.5)) AS idf
    FROM unnest(%(terms)s::text[], %(counts)s::integer[]) AS q(term, count)
    JOIN vocabulary v ON v.generation_id = %(generation)s AND v.term = q.term AND v.keyword_passages > 0
), scored AS (
    SELECT t.passage_id,
           SUM(query.count * query.idf * t.tf / (t.tf + %(k1)s * (1 - %(b)s + %(b)s * t.length / %(average)s)))
               AS score
    FROM query
    JOIN passage_terms t ON t.term = query.term
    JOIN generation_documents gd  -- a hash join: `= ANY(the generation's versions)` was a scan per posting
        ON gd.document_version_id = t.document_version_id AND gd.generation_id = %(generation)s{scope}
    GROUP BY t.passage_id
    ORDER BY score DESC, t.passage_id
    LIMIT %(k)s
)
SELECT p.passage_id, p.record, s.score
FROM scored s JOIN passages p ON p.id = s.passage_id
ORDER BY s.score DESC, p.passage_id
"""
_BM25 = _BM25_SQL.format(scope="")
# The same, scoring only postings of the scope's document versions (a channel's sources).
_SCOPED_BM25 = _BM25_SQL.format(scope=" AND gd.document_version_id = ANY(%(versions)s::bigint[])")


def _put(cache: OrderedDict, key, value) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE:
        cache.popitem(last=False)


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def keyword_terms(texts: list[str]) -> list[list[str]]:
    """The keyword terms of one document's passage texts as the files backend's bm25s sees them: folded,
    compounds' parts added, stop words dropped and stemmed in the document's language (retrieval/text/tokens.py)."""
    return document_terms(texts)


def tsvector_literal(terms: list[str]) -> str:
    """'term':1,4 'other':2 ... : each term with a position per occurrence, so its count is the tf."""
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(terms[:_MAX_POSITION], start=1):
        positions.setdefault(term, []).append(position)
    return " ".join(f"{_quoted(term)}:{','.join(map(str, spots[:256]))}" for term, spots in positions.items())


def _generation_row(connection, name: str | None):
    columns = "g.id, g.name, g.manifest, g.passage_count, g.average_length"
    if name is None:
        return connection.execute(
            f"SELECT {columns} FROM live_generation l JOIN generations g ON g.id = l.generation_id"
        ).fetchone()
    return connection.execute(
        f"SELECT {columns} FROM generations g WHERE g.name = %s AND g.state = 'published'", (name,)
    ).fetchone()


def _manifest_from(raw: dict, place: str, rebuild_hint: str) -> Manifest:
    return Manifest.from_json(json.dumps(raw), place, rebuild_hint)


def _content_key(entry: DocumentEntry) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(entry.document), sort_keys=True).encode())
    for passage in entry.passages:
        digest.update(json.dumps(passage.to_record(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(np.ascontiguousarray(entry.vectors, dtype=np.float32).tobytes())
    language = document_language([indexed_text(entry.document, p) for p in entry.passages])
    if language != ENGLISH:  # its keyword terms follow its language: not those of a version made before
        digest.update(f"keywords:{language}".encode())
    return digest.hexdigest()


def _vector_key(vector: np.ndarray) -> str:
    return hashlib.blake2b(
        np.ascontiguousarray(vector, dtype=np.float32).tobytes(), digest_size=8
    ).hexdigest()


class PostgresLibraryWriter:
    """Stages a generation and publishes it atomically. Holds one connection and the build lock throughout."""

    def __init__(self, pool) -> None:
        self._pool = pool
        self._connection = pool.getconn()
        locked = self._connection.execute("SELECT pg_try_advisory_lock(%s)", (_INDEX_LOCK,)).fetchone()[0]
        if not locked:
            pool.putconn(self._connection)
            raise LibraryUnavailable(
                "another `citebot index` is writing to this database; try again when it ends"
            )
        self._staged: int | None = None
        self._live = _generation_row(self._connection, None)

    # -- what the live generation holds ------------------------------------------------------------
    def live_manifest(self) -> Manifest | None:
        if self._live is None:
            return None
        try:
            return _manifest_from(self._live[2], "the database", "")
        except RetrievalError as error:
            log.warning("live manifest unreadable (%s)", error)
            return None

    def previous(self, source: str) -> DocumentEntry | None:
        if self._live is None:
            return None
        row = self._connection.execute(
            "SELECT v.id, v.source, v.title, v.url, v.date, v.sha256 FROM generation_documents gd"
            " JOIN document_versions v ON v.id = gd.document_version_id"
            " WHERE gd.generation_id = %s AND gd.source = %s",
            (self._live[0], source),
        ).fetchone()
        if row is None:
            return None
        rows = self._connection.execute(
            "SELECT record, embedding FROM passages WHERE document_version_id = %s ORDER BY ordinal",
            (row[0],),
        ).fetchall()
        if not rows:
            return None
        passages = tuple(Passage.from_record(r[0]) for r in rows)
        vectors = np.vstack([_array(r[1]) for r in rows])
        return DocumentEntry(Document(*row[1:]), passages, vectors)

    def previous_sentence_vectors(self, texts: Sequence[str]) -> list[Vector | None]:
        if self._live is None:
            return [None] * len(texts)
        keys = [text_key(t) for t in texts]
        found = dict(
            self._connection.execute(
                "SELECT s.text_key, s.embedding FROM generation_sentences gs JOIN sentence_vectors s"
                " ON s.id = gs.sentence_id WHERE gs.generation_id = %s AND s.text_key = ANY(%s)",
                (self._live[0], sorted(set(keys))),
            ).fetchall()
        )
        return [None if found.get(k) is None else _array(found[k]) for k in keys]

    # -- staging -----------------------------------------------------------------------------------
    def _generation(self) -> int:
        if self._staged is None:
            name = f"gen-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:6]}"
            self._staged = self._connection.execute(
                "INSERT INTO generations (name) VALUES (%s) RETURNING id", (name,)
            ).fetchone()[0]
        return self._staged

    def add(self, entry: DocumentEntry) -> None:
        """One transaction per document: a version written whole or not at all, shared when unchanged."""
        if entry.vectors.shape[1:] != (DIMENSION,):
            raise LibraryUnavailable(
                f"the postgres backend stores {DIMENSION}-dimension vectors; this model makes "
                f"{entry.vectors.shape[1:]}"
            )
        generation = self._generation()
        key = _content_key(entry)
        with self._connection.transaction():
            row = self._connection.execute(
                "SELECT id FROM document_versions WHERE content_key = %s", (key,)
            ).fetchone()
            version = row[0] if row else self._write_version(entry, key)
            self._connection.execute(
                "INSERT INTO generation_documents (generation_id, source, document_version_id) VALUES (%s, %s, %s)",
                (generation, entry.document.source, version),
            )

    def _write_version(self, entry: DocumentEntry, key: str) -> int:
        document = entry.document
        version = self._connection.execute(
            "INSERT INTO document_versions (content_key, source, sha256, title, url, date, passage_count)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (key, document.source, document.sha256, document.title, document.url, document.date,
             len(entry.passages)),
        ).fetchone()[0]  # fmt: skip
        terms = keyword_terms([indexed_text(document, p) for p in entry.passages])
        with self._connection.cursor().copy(
            "COPY passages (document_version_id, ordinal, passage_id, record, embedding, terms, length)"
            " FROM STDIN"
        ) as copy:
            for passage, vector, passage_terms in zip(entry.passages, entry.vectors, terms, strict=True):
                copy.write_row(
                    (version, passage.ordinal, passage.id, json.dumps(passage.to_record(), ensure_ascii=False),
                     _vector_text(vector), tsvector_literal(passage_terms), len(passage_terms))
                )  # fmt: skip
        self._write_postings(version, [(p.ordinal, t) for p, t in zip(entry.passages, terms, strict=True)])
        return version

    def _write_postings(self, version: int, terms: list[tuple[int, list[str]]]) -> None:
        """Each passage's keyword terms with their counts, as postings BM25 reads by term."""
        ids = dict(
            self._connection.execute(
                "SELECT ordinal, id FROM passages WHERE document_version_id = %s", (version,)
            ).fetchall()
        )
        with self._connection.cursor().copy(
            "COPY passage_terms (term, passage_id, document_version_id, tf, length) FROM STDIN"
        ) as copy:
            for ordinal, passage_terms in terms:
                for term, count in Counter(passage_terms).items():
                    copy.write_row((term, ids[ordinal], version, min(count, 32767), len(passage_terms)))

    def add_sentence_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Only vectors the database lacks are written; the staged generation is linked to all of them."""
        generation = self._generation()
        wanted = {(text_key(t), _vector_key(v)): v for t, v in zip(texts, vectors, strict=True)}
        if not wanted:
            return
        with self._connection.transaction():
            existing = {
                (row[0], row[1])
                for row in self._connection.execute(
                    "SELECT text_key, vector_key FROM sentence_vectors WHERE text_key = ANY(%s)",
                    (sorted({k[0] for k in wanted}),),
                )
            }
            with self._connection.cursor().copy(
                "COPY sentence_vectors (text_key, vector_key, embedding) FROM STDIN"
            ) as copy:
                for (text, vector_key), vector in wanted.items():
                    if (text, vector_key) not in existing:
                        copy.write_row((text, vector_key, _vector_text(vector)))
            self._connection.execute(
                "INSERT INTO generation_sentences (generation_id, sentence_id)"
                " SELECT %s, s.id FROM sentence_vectors s"
                " JOIN unnest(%s::text[], %s::text[]) AS w(text_key, vector_key) USING (text_key, vector_key)"
                " ON CONFLICT DO NOTHING",
                (generation, [k[0] for k in wanted], [k[1] for k in wanted]),
            )

    def set_vocabulary(self, frequencies: DocumentFrequencies) -> None:
        generation = self._generation()
        with self._connection.transaction():
            with self._connection.cursor().copy(
                "COPY vocabulary (generation_id, term, passages) FROM STDIN"
            ) as copy:
                for term, count in frequencies.counts.items():
                    copy.write_row((generation, term, int(count)))

    def publish(self, manifest: Manifest) -> str:
        generation = self._generation()
        with self._connection.transaction():
            self._connection.execute(_KEYWORD_FREQUENCIES, {"generation": generation})
            self._connection.execute(_PUBLISH, {"generation": generation, "manifest": manifest.to_json()})
            self._connection.execute(
                "INSERT INTO live_generation (only_row, generation_id) VALUES (true, %s)"
                " ON CONFLICT (only_row) DO UPDATE SET generation_id = excluded.generation_id",
                (generation,),
            )
            name = self._connection.execute(
                "SELECT name FROM generations WHERE id = %s", (generation,)
            ).fetchone()[0]
        self._staged = None
        self._live = _generation_row(self._connection, None)
        try:
            prune(self._connection)
        finally:
            self._release()
        return name

    def discard(self) -> None:
        if self._connection is None:  # published (or discarded) already
            return
        try:
            if self._staged is not None:
                self._connection.execute("DELETE FROM generations WHERE id = %s", (self._staged,))
                self._staged = None
                _delete_orphans(self._connection)
        finally:
            self._release()

    def _release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute("SELECT pg_advisory_unlock(%s)", (_INDEX_LOCK,))
        finally:
            self._pool.putconn(self._connection)
            self._connection = None


_KEYWORD_FREQUENCIES = """
INSERT INTO vocabulary (generation_id, term, keyword_passages)
SELECT %(generation)s, t.term, count(*)
FROM generation_documents gd
JOIN passage_terms t ON t.document_version_id = gd.document_version_id
WHERE gd.generation_id = %(generation)s
GROUP BY t.term
ON CONFLICT (generation_id, term) DO UPDATE SET keyword_passages = excluded.keyword_passages
"""

_PUBLISH = """
UPDATE generations g SET
    state = 'published',
    published_at = now(),
    manifest = %(manifest)s::jsonb,
    passage_count = s.passages,
    average_length = s.average
FROM (
    SELECT count(*) AS passages, COALESCE(avg(p.length), 0) AS average
    FROM generation_documents gd JOIN passages p ON p.document_version_id = gd.document_version_id
    WHERE gd.generation_id = %(generation)s
) s
WHERE g.id = %(generation)s
"""


def prune(connection) -> None:
    """Keep the live generation and the one before; drop the rest, abandoned builds, and unshared rows."""
    connection.execute(
        """
        DELETE FROM generations WHERE id NOT IN (
            SELECT id FROM generations WHERE state = 'published' ORDER BY published_at DESC, id DESC LIMIT %s
        ) AND id NOT IN (SELECT generation_id FROM live_generation)
        """,
        (_KEEP_GENERATIONS,),
    )
    _delete_orphans(connection)


def _delete_orphans(connection) -> None:
    """Document versions and sentence vectors no generation holds any more (passages go with their version)."""
    connection.execute(
        "DELETE FROM document_versions v WHERE NOT EXISTS"
        " (SELECT 1 FROM generation_documents gd WHERE gd.document_version_id = v.id)"
    )
    connection.execute(
        "DELETE FROM sentence_vectors s WHERE NOT EXISTS"
        " (SELECT 1 FROM generation_sentences gs WHERE gs.sentence_id = s.id)"
    )


def _array(value) -> np.ndarray:
    """A vector column's value (pgvector's Vector, or an array) as float32."""
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value, dtype=np.float32)


def _vector_text(vector: np.ndarray) -> str:
    """pgvector's text form; shortest float repr, which reads back as the same float32."""
    return "[" + ",".join(repr(float(x)) for x in np.asarray(vector, dtype=np.float32)) + "]"
