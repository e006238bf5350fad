"""PostgreSQL: the chain head may only move forward, and never be deleted.

Without this, deleting the tail of the chain and rewinding the head would go unnoticed.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'the audit chain head cannot be deleted';
  END IF;
  IF NEW.last_seq <> OLD.last_seq + 1 THEN
    RAISE EXCEPTION 'the audit chain head only moves forward one record at a time';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
