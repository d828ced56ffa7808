-- Least-privilege roles for citebot's postgres backend. Run as the database's owner (the role that ran
-- `citebot db migrate`, which owns the tables), after migrating, e.g.:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -f config/postgres-roles.sql
-- Replace the two passwords first (or set them later with ALTER ROLE ... PASSWORD). Re-run after a migration
-- that adds tables. The owner alone runs migrations (DDL); nobody else can change the schema.

CREATE ROLE citebot_bot LOGIN PASSWORD 'CHANGE-ME-bot';
CREATE ROLE citebot_indexer LOGIN PASSWORD 'CHANGE-ME-indexer';
GRANT USAGE ON SCHEMA public TO citebot_bot, citebot_indexer;
GRANT SELECT ON schema_migrations TO citebot_bot, citebot_indexer;

-- Answering (every bot replica): reads the index, never writes it; writes only its own state.
GRANT SELECT ON generations, live_generation, document_versions, generation_documents, passages, passage_terms,
    sentence_vectors, generation_sentences, vocabulary TO citebot_bot;
GRANT SELECT, INSERT, UPDATE, DELETE ON answers, votes, conversation_turns, event_claims TO citebot_bot;
GRANT USAGE ON SEQUENCE conversation_turns_id_seq TO citebot_bot;

-- Indexing (`citebot index`, one host at a time): reads and writes the index tables only.
GRANT SELECT, INSERT, UPDATE, DELETE ON generations, live_generation, document_versions, generation_documents, passage_terms,
    passages, sentence_vectors, generation_sentences, vocabulary TO citebot_indexer;
GRANT USAGE ON SEQUENCE generations_id_seq, document_versions_id_seq, passages_id_seq, sentence_vectors_id_seq
    TO citebot_indexer;
