"""The search index's database objects, per backend, created by the forums migration that adds
PostSearchDocument (decision 0010).

Triggers keep the index in step with every write to posts and topics, whoever makes it (the
posting services, moderation, erasure setting an author to null, a bulk load): nothing in
Python has to remember to re-index.

- PostgreSQL: a `document tsvector` column on forums_postsearchdocument with a GIN index, and
  plpgsql triggers on forums_post and forums_topic that upsert the row.
- SQLite: an FTS5 table (rowid = post id) beside the document table, and SQL triggers.

In both, an anonymous post's row has no named author: the author filter cannot reach it.
"""

from __future__ import annotations

from typing import Any

DOC = "forums_postsearchdocument"
FTS = "forums_postsearch_fts"

# --- PostgreSQL ------------------------------------------------------------------------------------
PG_CREATE = [
    "ALTER TABLE forums_postsearchdocument ADD COLUMN document tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX forums_search_document_gin ON forums_postsearchdocument USING gin (document)",
    # Newest-first reads walk this index backwards and stop after a page of matches.
    "CREATE INDEX forums_search_visible_newest ON forums_postsearchdocument (post_id DESC) WHERE is_visible",
    """
    CREATE OR REPLACE FUNCTION forums_search_post_sync() RETURNS trigger AS $$
    BEGIN
      INSERT INTO forums_postsearchdocument (post_id, topic_id, community_id, named_author_id, shown_as, is_visible, created_at, document)
      SELECT NEW.id, t.id, t.community_id,
             CASE WHEN NEW.identity_mode = 'anonymous' THEN NULL ELSE NEW.author_id END,
             CASE WHEN NEW.identity_mode = 'anonymous' OR NEW.author_id IS NULL THEN '' ELSE NEW.identity_mode END,
             NEW.hidden_at IS NULL AND NEW.deleted_at IS NULL AND NOT t.hidden AND t.deleted_at IS NULL,
             NEW.created_at,
             CASE WHEN NEW.number = 1 THEN setweight(to_tsvector('simple', t.title), 'A') ELSE ''::tsvector END
               || to_tsvector('simple', NEW.body)
      FROM forums_topic t WHERE t.id = NEW.topic_id
      ON CONFLICT (post_id) DO UPDATE SET
        topic_id = EXCLUDED.topic_id, community_id = EXCLUDED.community_id,
        named_author_id = EXCLUDED.named_author_id, shown_as = EXCLUDED.shown_as,
        is_visible = EXCLUDED.is_visible, created_at = EXCLUDED.created_at, document = EXCLUDED.document;
      RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER forums_search_post_sync
    AFTER INSERT OR UPDATE OF body, identity_mode, author_id, hidden_at, deleted_at, topic_id, number, created_at
    ON forums_post FOR EACH ROW EXECUTE FUNCTION forums_search_post_sync()
    """,
    """
    CREATE OR REPLACE FUNCTION forums_search_topic_sync() RETURNS trigger AS $$
    BEGIN
      UPDATE forums_postsearchdocument d SET
        community_id = NEW.community_id,
        is_visible = p.hidden_at IS NULL AND p.deleted_at IS NULL AND NOT NEW.hidden AND NEW.deleted_at IS NULL,
        document = CASE WHEN p.number = 1
                        THEN setweight(to_tsvector('simple', NEW.title), 'A') || to_tsvector('simple', p.body)
                        ELSE d.document END
      FROM forums_post p
      WHERE p.id = d.post_id AND d.topic_id = NEW.id;
      RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER forums_search_topic_sync
    AFTER UPDATE OF community_id, hidden, deleted_at, title ON forums_topic
    FOR EACH ROW EXECUTE FUNCTION forums_search_topic_sync()
    """,
]

PG_DROP = [
    "DROP TRIGGER IF EXISTS forums_search_topic_sync ON forums_topic",
    "DROP TRIGGER IF EXISTS forums_search_post_sync ON forums_post",
    "DROP FUNCTION IF EXISTS forums_search_topic_sync()",
    "DROP FUNCTION IF EXISTS forums_search_post_sync()",
    "DROP INDEX IF EXISTS forums_search_visible_newest",
    "DROP INDEX IF EXISTS forums_search_document_gin",
    "ALTER TABLE forums_postsearchdocument DROP COLUMN IF EXISTS document",
]

# --- SQLite ------------------------------------------------------------------------------------------
_SQLITE_DOC_UPSERT = """
  INSERT OR REPLACE INTO forums_postsearchdocument (post_id, topic_id, community_id, named_author_id, shown_as, is_visible, created_at)
  SELECT NEW.id, t.id, t.community_id,
         CASE WHEN NEW.identity_mode = 'anonymous' THEN NULL ELSE NEW.author_id END,
         CASE WHEN NEW.identity_mode = 'anonymous' OR NEW.author_id IS NULL THEN '' ELSE NEW.identity_mode END,
         NEW.hidden_at IS NULL AND NEW.deleted_at IS NULL AND NOT t.hidden AND t.deleted_at IS NULL,
         NEW.created_at
  FROM forums_topic t WHERE t.id = NEW.topic_id;
  DELETE FROM forums_postsearch_fts WHERE rowid = NEW.id;
  INSERT INTO forums_postsearch_fts (rowid, body)
  SELECT NEW.id, CASE WHEN NEW.number = 1 THEN t.title || ' ' || NEW.body ELSE NEW.body END
  FROM forums_topic t WHERE t.id = NEW.topic_id;
"""

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE forums_postsearch_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE INDEX forums_search_visible_newest ON forums_postsearchdocument (post_id DESC) WHERE is_visible",
    "CREATE TRIGGER forums_search_post_insert AFTER INSERT ON forums_post BEGIN " + _SQLITE_DOC_UPSERT + " END",
    (
        "CREATE TRIGGER forums_search_post_update AFTER UPDATE OF body, identity_mode, author_id, hidden_at, "
        "deleted_at, topic_id, number, created_at ON forums_post BEGIN " + _SQLITE_DOC_UPSERT + " END"
    ),
    (
        "CREATE TRIGGER forums_search_post_delete AFTER DELETE ON forums_post "
        "BEGIN DELETE FROM forums_postsearch_fts WHERE rowid = OLD.id; END"
    ),
    """CREATE TRIGGER forums_search_topic_update
    AFTER UPDATE OF community_id, hidden, deleted_at, title ON forums_topic
    BEGIN
      UPDATE forums_postsearchdocument SET
        community_id = NEW.community_id,
        is_visible = (SELECT p.hidden_at IS NULL AND p.deleted_at IS NULL FROM forums_post p WHERE p.id = post_id)
                     AND NOT NEW.hidden AND NEW.deleted_at IS NULL
      WHERE topic_id = NEW.id;
      UPDATE forums_postsearch_fts
      SET body = NEW.title || ' ' || (SELECT p.body FROM forums_post p WHERE p.id = forums_postsearch_fts.rowid)
      WHERE rowid IN (SELECT p.id FROM forums_post p WHERE p.topic_id = NEW.id AND p.number = 1);
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS forums_search_topic_update",
    "DROP TRIGGER IF EXISTS forums_search_post_delete",
    "DROP TRIGGER IF EXISTS forums_search_post_update",
    "DROP TRIGGER IF EXISTS forums_search_post_insert",
    "DROP INDEX IF EXISTS forums_search_visible_newest",
    "DROP TABLE IF EXISTS forums_postsearch_fts",
]


def create_index_objects(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = PG_CREATE if vendor == "postgresql" else SQLITE_CREATE if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)
    if statements:
        # Index posts written before this migration: touching a column the triggers watch.
        schema_editor.execute("UPDATE forums_post SET number = number")


def drop_index_objects(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = PG_DROP if vendor == "postgresql" else SQLITE_DROP if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)
