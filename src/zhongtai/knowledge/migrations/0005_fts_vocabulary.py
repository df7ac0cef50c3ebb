"""SQLite: an fts5vocab table over the full-text index, so that search can ask which of a
misspelt word's neighbours exist (``zhongtai.knowledge.search.typo_corrections``).
PostgreSQL asks its GIN index instead and needs nothing."""

from django.db import migrations


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_bot")]

    operations = [
        migrations.RunPython(
            _run("CREATE VIRTUAL TABLE knowledge_fts_vocab USING fts5vocab(knowledge_fts, 'row')"),
            _run("DROP TABLE IF EXISTS knowledge_fts_vocab"),
        )
    ]
