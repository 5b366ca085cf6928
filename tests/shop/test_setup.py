"""Configuration, migrations and the operator's CLI."""

from __future__ import annotations

import json

from sqlalchemy import create_engine

from shop import create_app


def test_migrations_create_exactly_the_models_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import shop.models  # noqa: F401
    from catalog.models import Base
    from catalog.search_index import is_index_object
    from shop.migrate import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    upgrade(engine)  # a second run changes nothing
    with engine.connect() as connection:
        # The full-text index (FTS5 table, tsvector column) is database-specific DDL that the
        # models cannot express; the same hook keeps autogenerate from dropping it.
        context = MigrationContext.configure(connection, opts={"include_object": is_index_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "chosen.db"))
    assert create_app({"SECRET_KEY": "x"}).config["DATABASE_URL"].endswith("chosen.db")


def test_cli_import_reports_bad_rows_and_writes_nothing(runner, tmp_path, demo):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"products": [{"slug": "x", "name": "X", "brand": "B", "price": "oops",
                                              "category": "walking-shoes", "created_at": "2026-01-01",
                                              "variants": [{"sku": "X-1", "stock": 1}]}]}))
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1
    assert "products[0]: price: Not a valid number." in result.output


def test_cli_export_then_import(runner, tmp_path, demo):
    path = tmp_path / "catalog.csv"
    exported = runner.invoke(args=["catalog", "export", str(path)])
    assert exported.exit_code == 0 and "Exported" in exported.output
    imported = runner.invoke(args=["catalog", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "0 products created" in imported.output


def test_cli_seed_demo_if_empty_skips_a_loaded_catalog(runner, demo):
    result = runner.invoke(args=["db", "seed-demo", "--if-empty"])
    assert "skipped" in result.output


def test_tunables_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "9")
    monkeypatch.setenv("RECOMMENDER_CHECK_SECONDS", "2.5")
    config = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}).config
    assert (config["LOGIN_MAX_FAILURES"], config["RECOMMENDER_CHECK_SECONDS"]) == (9, 2.5)


def test_a_malformed_tunable_names_itself(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PROXY_FIX_HOPS", "two")
    with pytest.raises(RuntimeError, match="PROXY_FIX_HOPS='two': expected int"):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
