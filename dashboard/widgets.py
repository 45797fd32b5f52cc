"""One table from a Param kind to a Streamlit widget.

Every parameter of every method is drawn by :func:`param_widget`; pages never
build method widgets by hand. Values are stored by the caller in a plain
session key (see :mod:`dashboard.state`) and passed back as ``value`` so they
survive page switches.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

__all__ = ["WIDGETS", "format_value", "param_widget", "params_widgets"]


def _number(param, value, key):
    if param.min is None or param.max is None:
        cast = int if param.kind == "int" else float
        return st.number_input(param.title, value=cast(value), step=cast(param.step or 1),
                               help=param.help, key=key)
    if param.kind == "int":
        step = int(param.step or 1)
        return st.slider(param.title, int(param.min), int(param.max), int(value), step,
                         help=_help(param), key=key)
    step = float(param.step) if param.step else (param.max - param.min) / 100
    return st.slider(param.title, float(param.min), float(param.max), float(value), step,
                     help=_help(param), key=key)


def _toggle(param, value, key):
    return st.toggle(param.title, value=bool(value), help=param.help, key=key)


def _choice(param, value, key):
    options = list(param.choices)
    index = options.index(value) if value in options else 0
    return st.selectbox(param.title, options, index=index, help=param.help, key=key)


def _text(param, value, key):
    return st.text_input(param.title, value=str(value), help=param.help, key=key)


def _geometry(param, value, key):
    # Drawn on the image (plotly selection), not typed: shown read-only. No key, so the
    # box shows the new value whenever the drawing changes it.
    st.text_input(param.title, value=format_value(value) or "(none yet)", disabled=True,
                  help=param.help + " Set it by drawing or clicking on the image.")
    return value


def _help(param):
    units = {"px": " (pixels at full resolution)", "px2": " (pixels² at full resolution)"}
    return param.help + units.get(param.unit, "")


WIDGETS = {
    "int": _number,
    "float": _number,
    "bool": _toggle,
    "choice": _choice,
    "str": _text,
    "rect": _geometry,
    "point": _geometry,
    "points": _geometry,
}


def format_value(value) -> str:
    """Short text for a parameter value (fractions rounded)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (tuple, list)):
        if not value:
            return ""
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    return str(value)


def param_widget(param, value, key: str):
    """Draw the widget for one ``segcore.registry.Param`` and return its value."""
    if value is None and param.kind not in ("rect", "point", "points"):
        value = param.default
    return WIDGETS[param.kind](param, value, key)


def params_widgets(params, stored: dict | None, key_prefix: str, *, skip=()) -> dict:
    """Draw every ``Param`` in ``params``; return ``{name: value}``.

    ``stored`` holds the values chosen earlier (defaults fill the gaps);
    names in ``skip`` are not drawn and keep their stored value.
    """
    stored = dict(stored or {})
    values = {}
    for param in params:
        current = stored.get(param.name, param.default)
        if param.name in skip:
            values[param.name] = current
            continue
        values[param.name] = param_widget(param, current, f"{key_prefix}:{param.name}")
    return values


def _picker_figure(preview_jpeg: bytes, width: int, height: int, shapes=(), marks=()):
    """A plotly figure of a JPEG preview whose box selections come back in pixels."""
    import base64

    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_layout_image(dict(
        source="data:image/jpeg;base64," + base64.b64encode(preview_jpeg).decode(),
        x=0, y=0, sizex=width, sizey=height, xref="x", yref="y", layer="below",
        sizing="stretch"))
    # Plotly reports a box selection only when it holds points of a trace, so an invisible
    # grid (about 80 points across) lies over the image; small boxes still catch one.
    step = max(1, int(max(width, height) / 80))
    grid_x, grid_y = np.meshgrid(np.arange(step // 2, width, step), np.arange(step // 2, height, step))
    fig.add_scatter(x=grid_x.ravel(), y=grid_y.ravel(), mode="markers", marker={"size": 4, "opacity": 0.0},
                    hoverinfo="none", showlegend=False)
    for x, y, label in marks:
        fig.add_scatter(x=[x], y=[y], mode="markers+text", text=[str(label)], textposition="top center",
                        marker=dict(size=12, color="#ffcc00", line=dict(width=2, color="black")),
                        hoverinfo="skip", showlegend=False)
    for x0, y0, x1, y1 in shapes:
        fig.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color="#ffcc00", width=3))
    fig.update_xaxes(range=[0, width], visible=False, fixedrange=True, constrain="domain")
    fig.update_yaxes(range=[height, 0], visible=False, fixedrange=True, scaleanchor="x")
    fig.update_layout(dragmode="select", margin=dict(l=0, r=0, t=0, b=0), height=min(620, height),
                      selectdirection="any")
    return fig


def image_picker(param, value, preview_jpeg: bytes, width: int, height: int, key: str, label: int = 1):
    """Set a geometric parameter by drawing on the preview.

    ``rect``: drag a box. ``point``: drag a small box, its centre is the point.
    ``points``: each small box adds a seed with ``label`` at its centre. (Clicks
    on an image give no selection in plotly, so boxes it is.) Returns the new
    value in fractions of width/height (what segcore expects).
    """
    # Read the last selection before drawing, so the figure already shows its result.
    previous = st.session_state.get(key)
    value = _from_selection(param, value, previous.get("selection") if previous else None,
                            width, height, key, label)
    shapes, marks = (), ()
    if param.kind == "rect" and value:
        x0, y0, x1, y1 = value
        shapes = ((x0 * width, y0 * height, x1 * width, y1 * height),)
    elif param.kind == "point" and value:
        marks = ((value[0] * width, value[1] * height, "●"),)
    elif param.kind == "points" and value:
        marks = tuple((x * width, y * height, lab) for x, y, lab in value)
    st.plotly_chart(_picker_figure(preview_jpeg, width, height, shapes, marks),
                    key=key, on_select="rerun", selection_mode=("box",),
                    config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d"]})
    return value


def _from_selection(param, value, selection, width, height, key, label):
    """The parameter value after a box selection (each selection is used once)."""
    if not selection or not selection.get("box"):
        return value
    seen = f"{key}:used"
    if st.session_state.get(seen) == repr(selection):
        return value
    st.session_state[seen] = repr(selection)
    box = selection["box"][-1]
    x0, x1 = sorted(min(1.0, max(0.0, float(x) / width)) for x in box["x"])
    y0, y1 = sorted(min(1.0, max(0.0, float(y) / height)) for y in box["y"])
    if param.kind == "rect":
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else value
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    if param.kind == "point":
        return centre
    seed = (*centre, int(label))
    existing = tuple(value or ())
    return existing if seed in existing else (*existing, seed)
