"""Run a recipe over a folder of images, locally with Dask or on a Dask cluster.

For each input ``NAME.ext`` the output folder receives ``NAME_labels.png``
(16-bit labels), ``NAME_mask.png`` (foreground, 0/255) when the recipe
segments, ``NAME_restored.png`` (same bit depth as the input) when it
restores, and one ``summary.csv`` with a row per input: ``file``,
``n_regions`` (distinct label values, background included), ``seconds`` and
``error`` (empty when it worked). A file that cannot be read or processed is
reported in the CSV; it does not stop the run.
"""
from __future__ import annotations

import csv
import fnmatch
import time
from pathlib import Path

from segcore import export as _export
from segcore.recipe import Recipe, run

__all__ = ["SCHEDULERS", "SUMMARY_COLUMNS", "process_file", "run_folder", "output_paths"]

SCHEDULERS = ("processes", "threads", "synchronous")
SUMMARY_COLUMNS = ("file", "n_regions", "seconds", "error")


def output_paths(out_dir, name: str) -> dict:
    """Paths of the outputs written for input file ``name``."""
    stem = Path(name).stem
    out_dir = Path(out_dir)
    return {
        "labels": out_dir / f"{stem}_labels.png",
        "mask": out_dir / f"{stem}_mask.png",
        "image": out_dir / f"{stem}_restored.png",
    }


def _load(path: Path):
    try:
        from segcore.io import load_image
    except ImportError:  # pragma: no cover - io.py is part of segcore
        return _export.load_image(str(path))
    return load_image(path).image


def process_file(recipe_json: str, path: str, out_dir: str) -> dict:
    """Run the recipe on one file and write its outputs; never raises for a bad file.

    Takes the recipe as JSON text so that the task is small and picklable
    for process and cluster workers.
    """
    path = Path(path)
    row = {"file": path.name, "n_regions": "", "seconds": "", "error": ""}
    start = time.perf_counter()
    try:
        recipe = Recipe.from_json(recipe_json)
        image = _load(path)
        out = run(recipe, image)
        paths = output_paths(out_dir, path.name)
        if out.labels is not None:
            _export.save_labels(paths["labels"], out.labels)
            _export.save_mask(paths["mask"], out.labels)
            row["n_regions"] = out.n_regions
        if out.image is not None:
            _export.save_image(paths["image"], out.image)
    except Exception as exc:  # noqa: BLE001 - report in the CSV, keep going
        row["error"] = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    row["seconds"] = round(time.perf_counter() - start, 4)
    return row


def _client(address: str):
    try:
        from dask.distributed import Client
    except ImportError:
        raise RuntimeError(
            "Running on a Dask cluster needs the 'distributed' package, which is not installed. "
            "Install it with:  pip install distributed   (or run without --dask-scheduler "
            "to use this machine's cores)."
        ) from None
    return Client(address)


def run_folder(
    recipe,
    input_dir,
    output_dir,
    *,
    pattern: str = "*.png",
    workers: int | None = None,
    scheduler: str = "processes",
    dask_scheduler: str | None = None,
) -> list[dict]:
    """Run ``recipe`` on every file of ``input_dir`` matching ``pattern``.

    Parameters
    ----------
    recipe : Recipe or str
        A recipe or its JSON text.
    input_dir, output_dir : path
        Where the images are; where outputs and ``summary.csv`` go (created).
    pattern : str
        Glob pattern of the file names (case-insensitive), e.g. ``"*.png"``.
    workers : int, optional
        Number of local worker threads/processes (default: Dask's choice).
    scheduler : {"processes", "threads", "synchronous"}
        Local Dask scheduler; ignored with ``dask_scheduler``.
    dask_scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``). The
        workers need segcore installed and must see the same paths.

    Returns
    -------
    list of dict
        The summary rows, in file-name order (also written to summary.csv).
    """
    import dask
    import dask.bag as db

    if not isinstance(recipe, Recipe):
        recipe = Recipe.from_json(recipe)
    recipe_json = recipe.to_json(indent=None)
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    if not input_dir.is_dir():
        raise ValueError(f"The input folder {input_dir} does not exist.")
    if scheduler not in SCHEDULERS:
        raise ValueError(f"scheduler must be one of {', '.join(SCHEDULERS)}, got {scheduler!r}.")
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1.")
    output_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(
        p for p in input_dir.iterdir()
        if p.is_file() and fnmatch.fnmatch(p.name.lower(), pattern.lower())
    )
    rows: list[dict] = []
    if files:
        if dask_scheduler:
            client = _client(dask_scheduler)
            try:
                futures = client.map(process_file, [recipe_json] * len(files),
                                     [str(p) for p in files], [str(output_dir)] * len(files))
                rows = client.gather(futures)
            finally:
                client.close()
        else:
            bag = db.from_sequence([str(p) for p in files], npartitions=len(files))
            tasks = db.map(process_file, recipe_json, bag, str(output_dir))
            kwargs = {"scheduler": scheduler}
            if workers is not None and scheduler != "synchronous":
                kwargs["num_workers"] = workers
            with dask.config.set(**kwargs):
                rows = tasks.compute()
    with open(output_dir / "summary.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return list(rows)
