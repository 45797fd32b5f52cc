"""The README's methods table and its set-up commands match the project."""
from pathlib import Path

from tools.update_readme import README, render

ROOT = Path(__file__).resolve().parents[1]


def test_readme_methods_table_matches_registry():
    text = README.read_text()
    assert render(text) == text, "README table is stale: run `python -m tools.update_readme`"


def test_ci_runs_the_readme_commands():
    readme = README.read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    for command in ("bash install.sh", "python -m pytest"):
        assert command in readme
        assert command in ci
