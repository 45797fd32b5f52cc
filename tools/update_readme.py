"""Regenerate the methods table in README.md from the registry.

Usage: ``python -m tools.update_readme``
"""
from __future__ import annotations

from pathlib import Path

from segcore.catalogue import README_BEGIN, README_END, markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def render(text: str) -> str:
    """Return README text with the table between the markers replaced."""
    head, sep, rest = text.partition(README_BEGIN)
    if not sep or README_END not in rest:
        raise SystemExit("README.md lacks the methods-table markers")
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_BEGIN}\n{markdown_table()}\n{README_END}{tail}"


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    print(f"updated {README}")
