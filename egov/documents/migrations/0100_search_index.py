"""The search index of documents (egov.documents.search): the entries, then per database the text
index: an FTS5 table on SQLite, the unaccent extension, an IMMUTABLE wrapper and a GIN expression
index on PostgreSQL. Numbered 0100 so the documents migrations of other branches fit below it."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_FORWARD = "CREATE VIRTUAL TABLE documents_search_fts USING fts5(body, tokenize = 'unicode61')"
SQLITE_BACKWARD = "DROP TABLE IF EXISTS documents_search_fts"
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE (its dictionary could change); an index needs an IMMUTABLE function.
    # The function and its dictionary are named with the extension's schema ({schema}): pg_restore
    # builds the index with an empty search_path, where a bare unaccent() is not found.
    "CREATE OR REPLACE FUNCTION documents_unaccent(text) RETURNS text AS "
    "$$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$ "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT",
    "CREATE INDEX documents_search_text_idx ON documents_searchentry "
    "USING gin (to_tsvector('simple', documents_unaccent(text)))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS documents_search_text_idx",
    "DROP FUNCTION IF EXISTS documents_unaccent(text)",
]


def text_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD[0])
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'unaccent'"
            )
            schema = schema_editor.quote_name(cursor.fetchone()[0])
        for sql in POSTGRES_FORWARD[1:]:
            schema_editor.execute(sql.replace("{schema}", schema))


def drop_text_index(apps, schema_editor):
    statements = {"sqlite": [SQLITE_BACKWARD], "postgresql": POSTGRES_BACKWARD}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_document_types"),
        ("organisations", "0002_abbreviation"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(choices=[("outgoing", "Văn bản đi"), ("incoming", "Văn bản đến")], max_length=10),
                ),
                ("document_id", models.PositiveBigIntegerField()),
                ("status", models.CharField(max_length=20)),
                ("dated", models.DateTimeField(db_index=True)),
                ("symbol", models.CharField(blank=True, max_length=60)),
                ("subject", models.CharField(max_length=500)),
                ("issuer", models.CharField(blank=True, max_length=300)),
                ("signer", models.CharField(blank=True, max_length=200)),
                ("issuer_folded", models.CharField(blank=True, max_length=300)),
                ("signer_folded", models.CharField(blank=True, max_length=200)),
                ("text", models.TextField(blank=True)),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organisations.organisation"
                    ),
                ),
                (
                    "doc_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="documents.documenttype",
                    ),
                ),
            ],
            options={
                "verbose_name": "mục tìm kiếm văn bản",
                "verbose_name_plural": "mục tìm kiếm văn bản",
                "indexes": [models.Index(fields=["dated", "id"], name="doc_search_dated_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "document_id"), name="documents_search_unique")
                ],
            },
        ),
        migrations.RunPython(text_index, drop_text_index),
    ]
