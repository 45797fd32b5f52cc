"""Slow work (full resolution) in a background thread, polled by a fragment.

A job is a plain function run by a small thread pool shared by every session
(``st.cache_resource``), so the page's sliders stay responsive while it runs.
The page keeps one job per *slot* (``"seg_full"``, ``"rest_full"``) in
``st.session_state``; :func:`show` draws its progress in an
``st.fragment(run_every=...)`` that polls the future and, when the result is
in, stores it with ``on_done`` and reruns the page.

Cancelling (the Cancel button, or a change of the settings the job was started
for) drops the job: a job still queued is cancelled outright; one already
running cannot be interrupted inside a library call, so it finishes in the
background and its result is thrown away (it never reaches the page).
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import streamlit as st

__all__ = ["Job", "cancel", "current", "executor", "show", "start"]

# Two cores on the target machine: one worker leaves the other core to the
# interactive previews of every session.
WORKERS = 1
POLL_S = 0.5


@st.cache_resource(show_spinner=False)
def executor() -> ThreadPoolExecutor:
    """The process-wide pool that runs every job (one per process)."""
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="dashboard-job")


@dataclass
class Job:
    key: str                 # the settings the job was started for
    label: str               # what is running, for people
    future: object
    estimate_s: float = 0.0  # expected run time (0 = unknown)
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _slot_key(slot: str) -> str:
    return f"job:{slot}"


def start(slot: str, key: str, label: str, func, *args, estimate_s: float = 0.0, **kwargs) -> Job:
    """Run ``func(*args, **kwargs)`` in the background for ``slot`` (replacing any job there)."""
    cancel(slot)
    job = Job(key, label, executor().submit(func, *args, **kwargs), estimate_s)
    st.session_state[_slot_key(slot)] = job
    return job


def current(slot: str, key: str | None = None):
    """The job of ``slot`` (or None); with ``key``, a job for other settings is cancelled."""
    job = st.session_state.get(_slot_key(slot))
    if job is not None and key is not None and job.key != key:
        cancel(slot)
        return None
    return job


def cancel(slot: str) -> None:
    """Forget the job of ``slot``; a queued job does not start, a running one is ignored."""
    job = st.session_state.pop(_slot_key(slot), None)
    if job is not None:
        job.future.cancel()


def show(slot: str, on_done) -> None:
    """Progress of the job of ``slot``, polled every ``POLL_S`` s; ``on_done(job, result)``
    stores the result (or ``on_done(job, ValueError)`` on a user-facing error).

    Without a job nothing is drawn, so no timer polls an idle page.
    """
    if _slot_key(slot) in st.session_state:
        _poll(slot, on_done)


@st.fragment(run_every=POLL_S)
def _poll(slot: str, on_done) -> None:
    job = st.session_state.get(_slot_key(slot))
    if job is None:  # cancelled (only a fragment rerun gets here): redraw the page, stop the timer
        st.rerun()
    if not job.future.done():
        elapsed = job.elapsed()
        fraction = min(0.95, elapsed / job.estimate_s) if job.estimate_s > 0 else 0.5
        left, right = st.columns([4, 1])
        left.progress(fraction, text=f"{job.label} · {elapsed:.0f} s"
                      + (f" of about {job.estimate_s:.0f} s" if job.estimate_s >= 1 else ""))
        right.button("Cancel", key=f"{slot}:cancel", on_click=cancel, args=(slot,),
                     help="Stop waiting for this result (the sliders keep working meanwhile).")
        return
    st.session_state.pop(_slot_key(slot), None)
    try:
        result = job.future.result()
    except ValueError as err:  # a user-facing error from segcore
        on_done(job, err)
    except Exception as err:  # noqa: BLE001 - a library failure in the worker thread: say so, keep the page
        on_done(job, ValueError(f"The computation failed ({type(err).__name__}: {err}). "
                                "Try smaller settings or the preview."))
    else:
        on_done(job, result)
    st.rerun()
