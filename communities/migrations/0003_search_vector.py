"""The stored search vector of threads, posts and resources (communities/search.py).

Every database gets the column; on PostgreSQL a trigger per table keeps it equal to the row's
document (titles weigh 'A', bodies and descriptions 'B', the 'english' configuration, as search
matched before), existing rows are filled in, and a GIN index serves ``@@``. The trigger, not
Model.save(), writes it, so ``.update()``, data migrations and raw SQL keep it right too. The
index lives here rather than in Meta because SQLite (the quick start) cannot build it.
"""

import django.contrib.postgres.search
from django.db import migrations

# table -> (the document of NEW, the columns it is made of)
DOCUMENTS = {
    "communities_thread": ("setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')", "title"),
    "communities_post": ("setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B')", "body"),
    "communities_resource": (
        "setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')"
        " || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B')",
        "title, description",
    ),
}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (document, columns) in DOCUMENTS.items():
        # Fires on insert and whenever a statement writes a source column or the vector itself
        # (so nothing can set it to anything but the document); not on e.g. hiding a post.
        schema_editor.execute(
            f"""
            CREATE FUNCTION {table}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.search_vector := {document};
                RETURN NEW;
            END
            $$;
            CREATE TRIGGER {table}_search_vector
                BEFORE INSERT OR UPDATE OF {columns}, search_vector ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_search_vector();
            """
        )
        # Existing rows: writing the vector fires the trigger, which computes it.
        schema_editor.execute(f"UPDATE {table} SET search_vector = NULL")
        schema_editor.execute(f"CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector)")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in DOCUMENTS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_search_vector()")


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0002_post_thread_order_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="resource",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, serialize=False),
        ),
        migrations.AddField(
            model_name="thread",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, serialize=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
