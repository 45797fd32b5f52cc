"""The speed benchmark's quick mode produces complete tables (numbers are not judged)."""
import re

import pytest

import segcore
from bench import run


@pytest.mark.slow
def test_quick_speed_report_is_complete(tmp_path):
    out = tmp_path / "RESULTS-quick.md"
    assert run.main(["--quick", "--output", str(out)]) == 0
    text = out.read_text()
    for heading in ("## 1. Methods", "## 2–3. Page loop", "## 4. Memory", "## 5. Browser"):
        assert heading in text
    methods_table = text.split("## 1. Methods")[1].split("## 2")[0]
    for method in segcore.methods():
        row = next((line for line in methods_table.splitlines() if line.startswith(f"| `{method.id}` |")), None)
        assert row is not None, f"{method.id} missing from the methods table"
        cells = [c.strip() for c in row.strip("|").split("|")]
        timed = cells[4:-1]
        assert all(re.match(r"^\d+\.\d / \d+\.\d / \d+\.\d\d", c) for c in timed), row
    assert re.search(r"Median apply/raw ratio over library-referenced cells: \d+\.\d\d", text)
    loop = text.split("## 2–3. Page loop")[1].split("## 4")[0]
    scenarios = [line for line in loop.splitlines() if line.startswith("| 0.05 MP |")]
    assert len(scenarios) == 9  # first view + 4 methods x (step, cache hit)
    assert all(re.search(r"\| \d+\.\d \|", line) for line in scenarios)
    peer = [line for line in scenarios if "slider step" in line and ("threshold" in line or "SLIC" in line)]
    assert all(re.search(r"\d+\.\d×", line) for line in peer), peer
    memory = text.split("## 4. Memory")[1].split("## 5")[0]
    assert re.search(r"after upload 3 \| \d+ \|", memory)
    browser = text.split("## 5. Browser")[1]
    assert "Skipped" in browser or re.search(r"slider step to idle.*\| \d+ ms \|", browser)
