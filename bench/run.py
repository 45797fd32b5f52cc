"""Speed benchmark: ``python -m bench [--quick] [--sections methods,loop,peer,memory,browser]``.

Prints a markdown report and writes it to ``bench/RESULTS.md`` (quick mode
writes ``bench/_tmp/RESULTS-quick.md`` instead, so a test run never replaces
the committed full results). Every figure is the median of several runs and
every comparison is a ratio measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from bench import browser, methods, pageloop

HERE = Path(__file__).resolve().parent
FULL_SIZES = {"0.25 MP": 0.25, "1 MP": 1.0, "4 MP": 4.0}
QUICK_SIZES = {"0.02 MP": 0.02}
LOOP_SIZES = {"1 MP": 1.0, "12 MP": 12.0}
QUICK_LOOP_SIZES = {"0.05 MP": 0.05}
SECTIONS = ("methods", "loop", "peer", "memory", "browser")
BUDGET = {"live_s": 0.100, "hit_s": 0.030, "browser_s": 0.400, "browser_bytes": 1e6,
          "first_view_s": 2.5, "overhead": 1.10, "slic_speedup": 5.0, "rss_mb": 1536}

__all__ = ["main", "report"]


def _machine() -> str:
    libs = ["numpy", "scipy", "scikit-image", "opencv-python-headless", "streamlit", "plotly"]
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in libs)
    import cv2

    return (f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
            f"Python {platform.python_version()}, cv2 threads {cv2.getNumThreads()}; {versions}")


def _ms(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:.1f}"


def _preview_image(megapixels: float) -> np.ndarray:
    """The preview the dashboard computes on for an upload of ``megapixels`` (4:3)."""
    import segcore.io

    w = int(round(np.sqrt(megapixels * 1e6 * 4 / 3)))
    big = methods.make_image(1.0)
    import cv2

    big = cv2.resize(big, (w, w * 3 // 4), interpolation=cv2.INTER_CUBIC)
    return segcore.io.make_preview(big, 1200)[0]


def _methods_section(quick: bool, repeat: int, out: list[str]) -> None:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    cells = methods.bench_methods(sizes, repeat=repeat, progress=print)
    # Preview of a 12 MP upload (what a live slider step computes on).
    preview = _preview_image(0.05 if quick else 12.0)
    pv_name = f"preview of {'0.05' if quick else '12'} MP ({preview.shape[1]}×{preview.shape[0]})"
    pv_cells = methods.bench_methods({pv_name: 0}, repeat=repeat, progress=print,
                                     images={pv_name: preview})
    by_method: dict[str, dict[str, methods.Cell]] = {}
    for c in cells + pv_cells:
        by_method.setdefault(c.method, {})[c.size] = c
    cols = list(sizes) + [pv_name]
    out.append("## 1. Methods: `segcore.apply` vs the raw call (ms, median)\n")
    out.append("`raw` is the straightforward scikit-image/OpenCV call where one is listed in "
               "`bench/methods.py` (`library`), else the method's own function called directly "
               "(`func`: the registry's overhead alone). Ratio = apply / raw. Live budget: "
               f"≤ {BUDGET['live_s']*1e3:.0f} ms at preview size for methods declared live.\n")
    head = "| method | task | live | raw | " + " | ".join(f"{c} apply / raw / ratio" for c in cols) + " | live budget met |"
    out.append(head)
    out.append("|" + "---|" * (5 + len(cols)))
    overheads = []
    for mid, row in by_method.items():
        first = next(iter(row.values()))
        parts = []
        for col in cols:
            c = row.get(col)
            if c is None or c.apply_s is None:
                parts.append(c.note if c else "—")
                continue
            ratio = c.ratio
            if c.raw_kind == "func" or c.method in ("grabcut", "random_walker"):
                pass
            else:
                overheads.append(ratio)
            flag = f" ({c.note})" if c.note else ""
            parts.append(f"{_ms(c.apply_s)} / {_ms(c.raw_s)} / {ratio:.2f}{flag}")
        pv = row.get(pv_name)
        met = "—" if not first.live else ("yes" if pv and pv.apply_s is not None and pv.apply_s <= BUDGET["live_s"] else "**no**")
        out.append(f"| `{mid}` | {first.task} | {'yes' if first.live else 'no'} | {first.raw_kind} | "
                   + " | ".join(parts) + f" | {met} |")
    if overheads:
        out.append(f"\nMedian apply/raw ratio over library-referenced cells: {np.median(overheads):.2f} "
                   f"(budget ≤ {BUDGET['overhead']:.2f}).\n")


def _loop_section(quick: bool, repeat: int, sections, out: list[str]) -> dict:
    sizes = QUICK_LOOP_SIZES if quick else LOOP_SIZES
    images = {name: methods.make_image(mp, seed=7) for name, mp in sizes.items()}
    dash = pageloop.dashboard_loop(images, repeat=repeat) if "loop" in sections else []
    peer = pageloop.peer_loop(images, repeat=repeat) if "peer" in sections else []
    out.append("## 2–3. Page loop (AppTest server time per rerun, ms, median) and the peer app\n")
    out.append("The peer is `../shared/peers/seed_app.py` (full resolution, no caching), driven "
               "the same way in the same run. Speed-up = peer / dashboard.\n")
    out.append("| size | scenario | dashboard ms | runs | budget | peer ms | speed-up |")
    out.append("|---|---|---|---|---|---|---|")
    peer_by = {(c.size, c.scenario.split(":")[0]): c for c in peer}
    for c in dash:
        key = c.scenario.split(":")[0]
        p = peer_by.get((c.size, key)) if "slider step" in c.scenario else None
        if "cache hit" in c.scenario:
            budget = f"≤ {BUDGET['hit_s']*1e3:.0f}"
        elif "first" in c.scenario:
            budget = f"≤ {BUDGET['first_view_s']*1e3:.0f}" if "12" in c.size else "—"
        elif key in ("manual threshold", "Otsu", "Canny"):
            budget = f"≤ {BUDGET['live_s']*1e3:.0f}"
        else:
            budget = f"≥ {BUDGET['slic_speedup']:.0f}× peer" if "12" in c.size else "—"
        speed = f"{p.seconds / c.seconds:.1f}×" if p else ""
        out.append(f"| {c.size} | {c.scenario} | {_ms(c.seconds)} | {c.runs} | {budget} | "
                   f"{_ms(p.seconds) if p else ''} | {speed} |")
    out.append("")
    return {"dash": dash, "peer": peer}


def _memory_section(quick: bool, out: list[str]) -> None:
    side_mp = 0.05 if quick else 12.0
    uploads, sessions = (3, 2) if quick else (20, 4)
    base = methods.make_image(side_mp, seed=11)

    def make_upload(i: int) -> bytes:
        rng = np.random.default_rng(i)
        shifted = np.roll(base, int(rng.integers(1, 500)), axis=1)  # a different image each time
        return pageloop.jpeg_bytes(shifted)

    res = pageloop.memory_run(make_upload, uploads=uploads, sessions=sessions)
    one, multi = res["one_session_mb"], res["multi_session_mb"]
    half = len(one) // 2
    out.append("## 4. Memory (RSS of the one app process, MB)\n")
    out.append(f"{uploads} different {side_mp:g} MP JPEG uploads, each segmented (Otsu), in one "
               f"session, then {sessions} sessions uploading {uploads} each in turn.\n")
    out.append("| measure | MB | budget |")
    out.append("|---|---|---|")
    out.append(f"| before | {res['start_mb']:.0f} | |")
    out.append(f"| one session, after upload {half} | {one[half - 1]:.0f} | |")
    out.append(f"| one session, after upload {len(one)} | {one[-1]:.0f} | ≤ {BUDGET['rss_mb']} |")
    out.append(f"| growth between upload {half} and {len(one)} | {one[-1] - one[half - 1]:+.0f} | ≈ 0 |")
    out.append(f"| highest RSS, uploads 1–{half} vs {half + 1}–{len(one)} | "
               f"{max(one[:half]):.0f} vs {max(one[half:]):.0f} | second ≤ first (levelled off) |")
    out.append(f"| {sessions} sessions, after round {len(multi) // 2} | {multi[len(multi) // 2 - 1]:.0f} | |")
    out.append(f"| {sessions} sessions, after round {len(multi)} | {multi[-1]:.0f} | |")
    out.append(f"| peak of the whole bench process (VmHWM) | {res['peak_mb']:.0f} | |")
    out.append("\nOne-session RSS after each upload: " + ", ".join(f"{v:.0f}" for v in one) + "\n")


def _browser_section(quick: bool, repeat: int, out: list[str]) -> None:
    out.append("## 5. Browser (Chromium via Playwright, `streamlit run app.py`)\n")
    reason = browser.available()
    if reason:
        out.append(f"Skipped: {reason}.\n")
        return
    mp = 0.05 if quick else 12.0
    data = pageloop.jpeg_bytes(methods.make_image(mp, seed=5))
    res = browser.slider_to_idle(data, steps=max(2, repeat))
    out.append("| measure | value | budget |")
    out.append("|---|---|---|")
    out.append(f"| {mp:g} MP upload to first segmented view (browser) | {res['upload_to_view_s']:.2f} s | ≤ 2.5 s |")
    out.append(f"| slider step to idle, manual threshold (median of {len(res['step_s'])}) | "
               f"{np.median(res['step_s'])*1e3:.0f} ms | ≤ 400 ms |")
    out.append(f"| bytes received per rerun (median) | {np.median(res['step_bytes'])/1e3:.0f} kB | ≤ 1000 kB |")
    out.append("")


def report(quick: bool = False, sections=SECTIONS) -> str:
    """Run the selected sections and return the markdown report."""
    repeat = 2 if quick else 5
    out = [f"# Speed benchmark{' (quick mode)' if quick else ''}\n",
           f"Machine: {_machine()}.\n",
           f"Run: {time.strftime('%Y-%m-%d %H:%M')}, median of {repeat} runs per cell unless noted.\n"]
    if "methods" in sections:
        _methods_section(quick, repeat, out)
    if "loop" in sections or "peer" in sections:
        _loop_section(quick, repeat, sections, out)
    if "memory" in sections:
        _memory_section(quick, out)
    if "browser" in sections:
        _browser_section(quick, repeat, out)
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small images, 2 repetitions")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated subset of {', '.join(SECTIONS)}")
    parser.add_argument("--output", type=Path, default=None, help="where to write the markdown")
    args = parser.parse_args(argv)
    sections = tuple(s.strip() for s in args.sections.split(",") if s.strip())
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    text = report(args.quick, sections)
    target = args.output or (HERE / "_tmp" / "RESULTS-quick.md" if args.quick else HERE / "RESULTS.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text + "\n")
    print(text)
    print(f"\nwritten to {target}", file=sys.stderr)
    return 0
