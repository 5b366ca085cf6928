"""The settings: declared once in shop/config.py, documented in README.md, read nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shop import create_app
from shop.config import SETTINGS, configuration_table

ROOT = Path(__file__).resolve().parents[2]
#: Still reading the environment on its own, on a branch that owns it; to be removed from here.
NOT_YET_MOVED: set[str] = set()


def readme_rows() -> dict[str, str]:
    """README's Configuration table as ``{variable: default}``."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and (name := re.fullmatch(r"`([A-Z_]+)`", cells[0])):
            rows[name.group(1)] = cells[1]
    return rows


def test_the_readme_lists_exactly_the_declared_settings_with_their_defaults():
    assert readme_rows() == {s.name: s.documented_default for s in SETTINGS}


def test_the_readme_table_is_the_generated_one():
    text = (ROOT / "README.md").read_text()
    assert configuration_table() in text, (
        "README.md's Configuration table is out of date; paste this:\n" + configuration_table()
    )


def test_the_makefile_defaults_are_the_documented_ones():
    makefile = (ROOT / "Makefile").read_text()
    for name in ("HOST", "PORT"):
        value = re.search(rf"^{name} \?= (\S+)$", makefile, re.M).group(1)
        assert next(s for s in SETTINGS if s.name == name).documented_default == f"`{value}`"


def test_nothing_else_in_the_shop_reads_the_environment():
    readers = {
        str(path.relative_to(ROOT))
        for folder in ("shop", "catalog")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"os\.environ|getenv", path.read_text())
    }
    if re.search(r"os\.environ|getenv", (ROOT / "wsgi.py").read_text()):
        readers.add("wsgi.py")
    assert readers - NOT_YET_MOVED == {"shop/config.py"}


@pytest.fixture
def clean_environment(tmp_path, monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_every_setting_has_its_default_when_the_environment_is_empty(clean_environment):
    config = create_app({"SECRET_KEY": "x"}).config
    for setting in SETTINGS:
        if setting.parse is None:
            continue
        expected = setting.default
        if callable(expected):
            expected = expected(str(clean_environment))
        assert config[setting.name] == expected, setting.name
    assert config["DATABASE_URL"] == f"sqlite:///{clean_environment / 'shop.db'}"


def test_under_testing_the_eligibility_snapshot_is_not_reused(clean_environment, monkeypatch):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "TESTING": True})
    assert app.config["RECOMMENDER_ELIGIBLE_SECONDS"] == 0.0
    monkeypatch.setenv("RECOMMENDER_ELIGIBLE_SECONDS", "3")
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "TESTING": True})
    assert app.config["RECOMMENDER_ELIGIBLE_SECONDS"] == 3.0


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("BLAS_THREADS", "default", None),
        ("BLAS_THREADS", "2", 2),
        ("SESSION_COOKIE_SECURE", "yes", True),
        ("SESSION_COOKIE_SECURE", "0", False),
        ("LOG_LEVEL", "WARNING", "WARNING"),
        ("RECOMMENDER_MAX_AGE_DAYS", "0", 0.0),
    ],
)
def test_values_from_the_environment_are_parsed(clean_environment, monkeypatch, name, raw, value):
    monkeypatch.setenv(name, raw)
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert app.config[name] == value


def test_a_malformed_thread_count_names_itself(clean_environment, monkeypatch):
    monkeypatch.setenv("BLAS_THREADS", "many")
    with pytest.raises(RuntimeError, match="BLAS_THREADS='many': expected int or 'default'"):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
