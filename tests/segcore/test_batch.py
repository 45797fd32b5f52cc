"""Headless batch CLI: python -m segcore {run,methods,export}."""
from __future__ import annotations

import csv
import subprocess
import sys

import cv2
import numpy as np
import pytest

import segcore
from segcore.__main__ import main
from segcore.batch import output_paths, process_file, run_folder
from segcore.io import load_image
from segcore.recipe import Recipe, Step, run
from tests.conftest import ROOT, disk_image

IDS = {m.id for m in segcore.methods()}
RESTORE = "gaussian" if "gaussian" in IDS else None


def _recipe() -> Recipe:
    steps = [Step("otsu")]
    if RESTORE:
        steps.append(Step(RESTORE, {"sigma": 2.0}, use_mask="outside", feather=2.0))
    return Recipe(tuple(steps))


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    grey, _ = disk_image(64, 18, seed=1)
    rgb, _ = disk_image(64, 20, seed=2, color=True)
    assert cv2.imwrite(str(src / "grey.png"), grey[8:56])
    assert cv2.imwrite(str(src / "colour.png"), rgb[:48, :, ::-1])
    assert cv2.imwrite(str(src / "deep.png"), grey[:40].astype(np.uint16) * 257)
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (src / "notes.txt").write_text("not matched by the pattern")
    recipe_path = tmp_path / "recipe.json"
    recipe_path.write_text(_recipe().to_json())
    return tmp_path, src, recipe_path


def _rows(out):
    with open(out / "summary.csv", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}


def test_cli_run_threads_matches_run_bit_for_bit(folder, capsys):
    tmp, src, recipe_path = folder
    out = tmp / "out"
    rc = main(["run", str(recipe_path), str(src), str(out), "--scheduler", "threads", "--workers", "2"])
    assert rc == 0
    assert "4 image(s) processed, 1 failed" in capsys.readouterr().out
    rows = _rows(out)
    assert sorted(rows) == ["broken.png", "colour.png", "deep.png", "grey.png"]
    assert rows["broken.png"]["error"] and rows["broken.png"]["n_regions"] == ""
    assert not output_paths(out, "broken.png")["labels"].exists()
    recipe = _recipe()
    for name in ("grey.png", "colour.png", "deep.png"):
        assert rows[name]["error"] == ""
        image = load_image(src / name).image
        want = run(recipe, image)
        paths = output_paths(out, name)
        labels = cv2.imread(str(paths["labels"]), cv2.IMREAD_UNCHANGED)
        assert labels.dtype == np.uint16 and labels.shape == image.shape[:2]
        assert np.array_equal(labels.astype(np.int32), want.labels)
        assert int(rows[name]["n_regions"]) == want.n_regions == 2
        mask = cv2.imread(str(paths["mask"]), cv2.IMREAD_UNCHANGED)
        assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 255}
        assert np.array_equal(mask > 0, want.labels > 0)
        if RESTORE:
            restored = cv2.imread(str(paths["image"]), cv2.IMREAD_UNCHANGED)
            if restored.ndim == 3:
                restored = restored[..., ::-1]
            assert restored.dtype == image.dtype and restored.shape == image.shape
            assert np.array_equal(restored, want.image)
    assert load_image(src / "deep.png").image.dtype == np.uint16


def test_run_folder_pattern_and_synchronous(folder):
    tmp, src, _ = folder
    rows = run_folder(_recipe(), src, tmp / "o2", pattern="g*.PNG", scheduler="synchronous")
    assert [r["file"] for r in rows] == ["grey.png"]
    assert sorted(p.name for p in (tmp / "o2").iterdir())[0] == "grey_labels.png"


def test_process_file_reports_errors_instead_of_raising(tmp_path):
    row = process_file(_recipe().to_json(), str(tmp_path / "missing.png"), str(tmp_path))
    assert row["file"] == "missing.png" and row["error"]


def test_dask_cluster_without_distributed_explains_install(folder, monkeypatch, capsys):
    tmp, src, recipe_path = folder
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    with pytest.raises(SystemExit) as info:
        main(["run", str(recipe_path), str(src), str(tmp / "o3"), "--dask-scheduler", "tcp://127.0.0.1:1"])
    assert "pip install distributed" in str(info.value)


def test_bad_recipe_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text('{"steps": [{"method": "otsu", "params": {"channel": "purple"}}]}')
    with pytest.raises(SystemExit) as info:
        main(["run", str(bad), str(tmp_path), str(tmp_path / "o")])
    assert "step 1 (otsu)" in str(info.value) and "purple" in str(info.value)


def test_methods_and_export_commands(folder, capsys):
    _, _, recipe_path = folder
    assert main(["methods"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split() == ["id", "task", "family", "live"]
    assert any(line.split()[:4] == ["otsu", "segment", "threshold", "yes"] for line in text.splitlines())
    assert len(text.splitlines()) == len(segcore.methods()) + 1
    assert main(["export", str(recipe_path)]) == 0
    script = capsys.readouterr().out
    assert "# Step 1: Otsu (segment)" in script
    compile(script, "exported.py", "exec")


def test_python_dash_m_entry_point(folder):
    _, _, recipe_path = folder
    proc = subprocess.run(
        [sys.executable, "-m", "segcore", "export", str(recipe_path)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "def run_recipe(image):" in proc.stdout
