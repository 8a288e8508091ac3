from sqlalchemy import inspect


def test_schema_creates_on_each_backend(engine):
    names = set(inspect(engine).get_table_names())
    assert {"employees", "human_tasks", "notifications", "audit_events", "results"} <= names
