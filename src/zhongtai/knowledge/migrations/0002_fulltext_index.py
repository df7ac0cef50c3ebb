"""The database's own full-text index over the search documents: an FTS5 table kept by
triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL. The
statements live in ``zhongtai.knowledge.index`` beside the queries that use them; they
are copied here so that this migration never changes when that module does."""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE knowledge_fts USING fts5(
        title_terms, question_terms, body_terms,
        content='knowledge_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3')""",
    """CREATE TRIGGER knowledge_fts_insert AFTER INSERT ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_fts(rowid, title_terms, question_terms, body_terms)
        VALUES (new.id, new.title_terms, new.question_terms, new.body_terms);
    END""",
    """CREATE TRIGGER knowledge_fts_delete AFTER DELETE ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_fts(knowledge_fts, rowid, title_terms, question_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.question_terms, old.body_terms);
    END""",
    """CREATE TRIGGER knowledge_fts_update AFTER UPDATE ON knowledge_searchdocument BEGIN
        INSERT INTO knowledge_fts(knowledge_fts, rowid, title_terms, question_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.question_terms, old.body_terms);
        INSERT INTO knowledge_fts(rowid, title_terms, question_terms, body_terms)
        VALUES (new.id, new.title_terms, new.question_terms, new.body_terms);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS knowledge_fts_update",
    "DROP TRIGGER IF EXISTS knowledge_fts_delete",
    "DROP TRIGGER IF EXISTS knowledge_fts_insert",
    "DROP TABLE IF EXISTS knowledge_fts",
]
POSTGRES = [
    """ALTER TABLE knowledge_searchdocument ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A')
        || setweight(to_tsvector('simple', question_terms), 'B')
        || setweight(to_tsvector('simple', body_terms), 'C')) STORED""",
    "CREATE INDEX knowledge_search_gin ON knowledge_searchdocument USING GIN (search)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS knowledge_search_gin",
    "ALTER TABLE knowledge_searchdocument DROP COLUMN IF EXISTS search",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements_by_vendor.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_articles_search")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
