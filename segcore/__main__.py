"""Command line: ``python -m segcore {run,methods,export} ...``.

Examples
--------
python -m segcore methods
python -m segcore export recipe.json > reproduce.py
python -m segcore run recipe.json photos/ results/ --pattern '*.jpg' --workers 2
python -m segcore run recipe.json photos/ results/ --dask-scheduler tcp://host:8786
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _read_recipe(path: str):
    from segcore.recipe import Recipe

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"error: cannot read the recipe {path}: {exc.strerror or exc}") from None
    try:
        return Recipe.from_json(text)
    except ValueError as exc:
        raise SystemExit(f"error: the recipe {path} is not valid: {exc}") from None


def _cmd_methods(args) -> int:
    import segcore

    rows = [(m.id, m.task, m.family, "yes" if m.live else "no") for m in segcore.methods()]
    head = ("id", "task", "family", "live")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    for r in [head] + rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    return 0


def _cmd_export(args) -> int:
    from segcore.recipe import ExportError, to_script

    recipe = _read_recipe(args.recipe)
    try:
        text = to_script(recipe)
    except ExportError as exc:
        raise SystemExit(f"error: this recipe cannot be exported: {exc}") from None
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_run(args) -> int:
    from segcore.batch import run_folder

    recipe = _read_recipe(args.recipe)
    try:
        rows = run_folder(
            recipe, args.input_dir, args.output_dir,
            pattern=args.pattern, workers=args.workers, scheduler=args.scheduler,
            dask_scheduler=args.dask_scheduler,
        )
    except (ValueError, RuntimeError) as exc:
        raise SystemExit(f"error: {exc}") from None
    failed = [r for r in rows if r["error"]]
    print(
        f"{len(rows)} image(s) processed, {len(failed)} failed; "
        f"summary in {Path(args.output_dir) / 'summary.csv'}"
    )
    for r in failed:
        print(f"  {r['file']}: {r['error']}", file=sys.stderr)
    if not rows:
        print(f"warning: no file in {args.input_dir} matches {args.pattern!r}", file=sys.stderr)
    return 1 if rows and len(failed) == len(rows) else 0


def build_parser() -> argparse.ArgumentParser:
    from segcore.batch import SCHEDULERS

    parser = argparse.ArgumentParser(prog="python -m segcore", description="Segmentation for restoration, headless.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run a recipe over every image of a folder")
    p.add_argument("recipe", help="recipe JSON file (exported from the dashboard)")
    p.add_argument("input_dir", help="folder with the input images")
    p.add_argument("output_dir", help="folder for labels, masks, restored images and summary.csv")
    p.add_argument("--pattern", default="*.png", help="file name pattern (default: '*.png')")
    p.add_argument("--workers", type=int, default=None, help="number of local workers (default: all cores)")
    p.add_argument("--scheduler", choices=SCHEDULERS, default="processes",
                   help="local Dask scheduler (default: processes)")
    p.add_argument("--dask-scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster at ADDRESS (needs 'pip install distributed')")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("methods", help="list the registered methods")
    p.set_defaults(func=_cmd_methods)

    p = sub.add_parser("export", help="print a standalone Python script that reproduces a recipe")
    p.add_argument("recipe", help="recipe JSON file")
    p.add_argument("-o", "--output", default=None, help="write the script to this file instead of printing it")
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
