"""Plotly figures for the dashboard: overlays, region maps, histograms, grids.

No figure embeds a full-resolution image: every image is first reduced so its
long side is at most ``max_side`` (``cv2.INTER_AREA`` for images,
``cv2.INTER_NEAREST`` for labels and masks) and embedded as a JPEG
(``go.Image(source="data:image/jpeg;base64,...")``).

Coordinates: the preview is placed with ``x0``/``y0``/``dx``/``dy`` so that the
axes, hover and box/lasso selections report **original (full-resolution)
pixel coordinates** (x = column, y = row, pixel centres at integers). The
scale from preview to original is stored in ``fig.layout.meta["scale"]``.
"""
from __future__ import annotations

import base64

import cv2
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from skimage import segmentation

from segcore._common import to_channel, to_uint8

__all__ = [
    "preview",
    "label_colors",
    "overlay_image",
    "overlay_figure",
    "region_map_figure",
    "histogram_figure",
    "grid_figure",
    "tuning_curve_figure",
    "difference_figure",
    "jpeg_data_uri",
]

_MARGIN = dict(l=10, r=10, t=30, b=10)


# --------------------------------------------------------------------------- helpers


def _scale_for(shape, max_side: int) -> float:
    """Factor (<= 1) that brings the long side of ``shape`` to at most ``max_side``."""
    h, w = shape[:2]
    return min(1.0, float(max_side) / max(h, w))


def preview(array: np.ndarray, max_side: int = 800, *, labels: bool = False) -> np.ndarray:
    """Reduce ``array`` so its long side is at most ``max_side`` pixels.

    Parameters
    ----------
    array : (M, N[, C]) ndarray
        Image, or labels/mask when ``labels`` is true.
    max_side : int
        Longest side of the result.
    labels : bool
        Use nearest-neighbour resampling (labels, masks) instead of area
        averaging (images).

    Returns
    -------
    ndarray
        The same array when it is already small enough.
    """
    s = _scale_for(array.shape, max_side)
    if s >= 1.0:
        return array
    h, w = array.shape[:2]
    size = (max(1, int(round(w * s))), max(1, int(round(h * s))))
    if labels:
        src = array.astype(np.int32) if array.dtype == bool or array.dtype.itemsize > 4 else array
        out = cv2.resize(src, size, interpolation=cv2.INTER_NEAREST)
        return out.astype(array.dtype)
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)


def _rgb8(image: np.ndarray) -> np.ndarray:
    """Any grey/RGB/RGBA image of any dtype as uint8 RGB."""
    img = to_uint8(np.asarray(image))
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    elif img.shape[2] == 4:
        img = img[..., :3]
    elif img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    return img


def jpeg_data_uri(rgb: np.ndarray, quality: int = 85) -> str:
    """Encode a uint8 RGB (or grey) array as a ``data:image/jpeg;base64,`` URI."""
    arr = rgb if rgb.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", arr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover
        raise ValueError("JPEG encoding failed.")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def _image_trace(rgb_preview: np.ndarray, full_shape, name: str = "image") -> go.Image:
    """A JPEG go.Image placed in the coordinates of the full-resolution image."""
    ph, pw = rgb_preview.shape[:2]
    h, w = full_shape[:2]
    dx, dy = w / pw, h / ph
    return go.Image(
        source=jpeg_data_uri(rgb_preview),
        x0=(dx - 1) / 2, y0=(dy - 1) / 2, dx=dx, dy=dy,
        name=name,
        hovertemplate="x: %{x:.0f}<br>y: %{y:.0f}<extra></extra>",
    )


def _image_layout(fig: go.Figure, shape, height: int, row=None, col=None, title: str | None = None) -> None:
    """Equal aspect, reversed y, no grid, fixed ranges in original pixels."""
    h, w = shape[:2]
    kw = {} if row is None else dict(row=row, col=col)
    fig.update_xaxes(range=[-0.5, w - 0.5], showgrid=False, zeroline=False, constrain="domain", **kw)
    fig.update_yaxes(range=[h - 0.5, -0.5], showgrid=False, zeroline=False, constrain="domain",
                     scaleanchor="x" if row is None else None, **kw)
    if row is None:
        fig.update_layout(height=height, margin=_MARGIN, title=title, plot_bgcolor="white")


def label_colors(n: int, seed: int = 0) -> np.ndarray:
    """Fixed pseudo-random colours, one per label id ``0..n-1`` (uint8 RGB).

    The same seed gives the same colour for the same label id in every
    figure; label 0 is black (it is drawn transparent).
    """
    rng = np.random.default_rng(seed)
    colours = rng.integers(40, 256, size=(max(int(n), 1), 3)).astype(np.uint8)
    colours[0] = 0
    return colours


def _check_labels(image: np.ndarray, labels: np.ndarray) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape[:2] != image.shape[:2] or labels.ndim != 2:
        raise ValueError(
            f"The image and the labels must have the same size: "
            f"{image.shape[1]}x{image.shape[0]} vs {labels.shape[1] if labels.ndim > 1 else '?'}x{labels.shape[0]}"
        )
    if labels.dtype == bool:
        labels = labels.astype(np.int32)
    if labels.size and labels.min() < 0:
        raise ValueError("Labels must be 0 or positive whole numbers.")
    return labels


# --------------------------------------------------------------------------- overlay


def overlay_image(
    image: np.ndarray, labels: np.ndarray, opacity: float = 0.5, mode: str = "fill"
) -> np.ndarray:
    """Colour the labels over the image (label 0 left transparent).

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
        Any dtype; shown as uint8 RGB.
    labels : (M, N) ndarray of int or bool
        Label image.
    opacity : float
        Weight of the label colour, 0 (image only) to 1 (colours only).
    mode : {"fill", "boundary"}
        Fill each region with its colour, or draw the region boundaries
        (``skimage.segmentation.find_boundaries``, ``mode="inner"``) in
        their colour.

    Returns
    -------
    (M, N, 3) ndarray of uint8
    """
    if mode not in ("fill", "boundary"):
        raise ValueError(f"mode must be 'fill' or 'boundary', got {mode!r}.")
    if not 0.0 <= float(opacity) <= 1.0:
        raise ValueError(f"opacity must be between 0 and 1, got {opacity}.")
    rgb = _rgb8(image)
    labels = _check_labels(rgb, labels)
    colours = label_colors(int(labels.max()) + 1 if labels.size else 1)
    if mode == "fill":
        where = labels > 0
    else:
        where = segmentation.find_boundaries(labels, mode="inner") & (labels > 0)
    out = rgb.copy()
    col = colours[labels[where]].astype(np.float32)
    out[where] = np.clip((1.0 - opacity) * rgb[where] + opacity * col + 0.5, 0, 255).astype(np.uint8)
    return out


def overlay_figure(
    image: np.ndarray,
    labels: np.ndarray,
    *,
    opacity: float = 0.5,
    mode: str = "fill",
    max_side: int = 800,
    height: int = 500,
    title: str | None = None,
) -> go.Figure:
    """Figure of the labels coloured over the image (JPEG preview, original coordinates).

    The overlay is computed on the reduced image and reduced labels
    (nearest neighbour), so boundaries stay one preview pixel wide.

    Parameters
    ----------
    image, labels, opacity, mode
        As for :func:`overlay_image`.
    max_side : int
        Long side of the embedded preview.
    height : int
        Figure height in pixels.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    image = np.asarray(image)
    labels = _check_labels(image, labels)
    small = overlay_image(preview(_rgb8(image), max_side), preview(labels, max_side, labels=True), opacity, mode)
    fig = go.Figure(_image_trace(small, image.shape, "overlay"))
    _image_layout(fig, image.shape, height, title=title)
    fig.update_layout(meta={"scale": image.shape[1] / small.shape[1]}, dragmode="pan")
    return fig


# --------------------------------------------------------------------------- region map


def region_map_figure(
    image: np.ndarray,
    labels: np.ndarray,
    max_side: int = 800,
    *,
    hover_side: int = 200,
    height: int = 500,
    title: str | None = None,
) -> go.Figure:
    """Map of the regions; hover shows region id, area and mean colour.

    The regions are drawn in their fixed colours (:func:`label_colors`) as a
    JPEG preview (long side ``max_side``). Hover comes from a transparent
    heatmap of the labels reduced (nearest neighbour) to ``hover_side``, so
    near a boundary the hovered region can be off by one hover cell
    (``original size / hover_side`` pixels). Area is counted at full
    resolution and the mean colour measured on the full-resolution image.
    Both layers are in original pixel coordinates.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    labels : (M, N) ndarray of int
    max_side : int
        Long side of the embedded JPEG.
    hover_side : int
        Long side of the hover grid (its size grows with the square of it).
    height : int
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    image = np.asarray(image)
    labels = _check_labels(image, labels)
    rgb = _rgb8(image)
    n = int(labels.max()) + 1 if labels.size else 1
    flat = labels.ravel()
    area = np.bincount(flat, minlength=n)
    means = np.zeros((n, 3))
    for c in range(3):
        sums = np.bincount(flat, weights=rgb[..., c].ravel().astype(np.float64), minlength=n)
        means[:, c] = sums / np.maximum(area, 1)
    m8 = np.clip(np.rint(means), 0, 255).astype(np.int64)
    packed = (m8[:, 0] << 16) | (m8[:, 1] << 8) | m8[:, 2]

    colours = label_colors(n)
    shown = preview(labels, max_side, labels=True)
    picture = colours[shown]
    fig = go.Figure(_image_trace(picture, labels.shape, "regions"))
    fig.data[0].hoverinfo = "skip"
    fig.data[0].hovertemplate = None

    grid = preview(labels, hover_side, labels=True)
    h, w = labels.shape
    gh, gw = grid.shape
    dx, dy = w / gw, h / gh
    custom = np.stack([area[grid], packed[grid]], axis=-1).astype(np.int32)
    fig.add_trace(
        go.Heatmap(
            z=grid.astype(np.uint16 if n <= 65536 else np.int32),
            x0=(dx - 1) / 2, dx=dx, y0=(dy - 1) / 2, dy=dy,
            customdata=custom,
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            showscale=False,
            hovertemplate=(
                "region %{z}<br>area %{customdata[0]} px"
                "<br>mean colour #%{customdata[1]:06x} \u25a0"
                "<br>x %{x:.0f}, y %{y:.0f}<extra></extra>"
            ),
            name="regions",
        )
    )
    _image_layout(fig, labels.shape, height, title=title)
    fig.update_layout(meta={"scale": w / shown.shape[1], "hover_scale": dx})
    return fig


# --------------------------------------------------------------------------- histogram


_METHOD_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22")


def histogram_figure(
    image: np.ndarray,
    thresholds: dict[str, float] | None = None,
    manual: float | None = None,
    channel: str = "gray",
    *,
    scale: str = "0-255",
    bins: int = 256,
    height: int = 300,
) -> go.Figure:
    """Histogram of one channel with a vertical line per threshold.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    thresholds : dict of str to float
        Automatic thresholds by method name, **on the 0-1 scale** (as in
        ``extras["thresholds"]``); each gets a coloured dashed line and a
        legend entry.
    manual : float, optional
        A manual threshold on the 0-1 scale, drawn as a solid red line.
    channel : str
        One of ``segcore._common.CHANNELS``.
    scale : {"0-255", "0-1"}
        Scale of the x axis.
    bins : int
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if scale not in ("0-255", "0-1"):
        raise ValueError(f"scale must be '0-255' or '0-1', got {scale!r}.")
    k = 255.0 if scale == "0-255" else 1.0
    values = to_channel(np.asarray(image), channel).ravel()
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2 * k
    fig = go.Figure(
        go.Bar(x=centres, y=counts, width=(edges[1] - edges[0]) * k, marker_color="#999999",
               name=f"{channel} histogram", hovertemplate="level %{x:.3g}: %{y} px<extra></extra>")
    )
    top = float(counts.max()) if counts.size else 1.0
    lines = [(name, float(t), _METHOD_COLOURS[i % len(_METHOD_COLOURS)], "dash")
             for i, (name, t) in enumerate((thresholds or {}).items())]
    if manual is not None:
        lines.append(("manual", float(manual), "#d62728", "solid"))
    for name, t, colour, dash in lines:
        fig.add_trace(
            go.Scatter(
                x=[t * k, t * k], y=[0, top], mode="lines", name=f"{name}: {t * k:.3g}",
                line=dict(color=colour, dash=dash, width=3 if name == "manual" else 2),
                hovertemplate=f"{name}: {t * k:.3g}<extra></extra>",
            )
        )
    fig.update_layout(
        height=height, margin=_MARGIN, bargap=0, plot_bgcolor="white",
        xaxis=dict(title=f"{channel} level ({scale})", range=[0, k], showgrid=False),
        yaxis=dict(title="pixels", showgrid=False),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
    )
    return fig


# --------------------------------------------------------------------------- grid


def grid_figure(
    image: np.ndarray,
    results: list[tuple[str, np.ndarray, float]],
    cols: int = 4,
    *,
    max_side: int = 300,
    opacity: float = 0.5,
    mode: str = "boundary",
    height: int | None = None,
) -> go.Figure:
    """Small multiples: one overlay per result, titled with its runtime.

    Parameters
    ----------
    image : (M, N[, 3]) ndarray
    results : list of (title, labels, seconds)
        Labels of the same size as ``image``.
    cols : int
        Subplots per row.
    max_side : int
        Long side of each embedded JPEG (small on purpose).
    opacity, mode
        As for :func:`overlay_image`.
    height : int, optional
        Defaults to 250 px per row.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    image = np.asarray(image)
    n = max(len(results), 1)
    cols = max(1, min(int(cols), n))
    rows = (n + cols - 1) // cols
    titles = [f"{t} ({s * 1000:.0f} ms)" for t, _, s in results]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None,
                        horizontal_spacing=0.02, vertical_spacing=0.08 if rows > 1 else 0.05)
    small_img = preview(_rgb8(image), max_side)
    for i, (title, labels, _) in enumerate(results):
        labels = _check_labels(image, labels)
        small = overlay_image(small_img, preview(labels, max_side, labels=True), opacity, mode)
        r, c = i // cols + 1, i % cols + 1
        fig.add_trace(_image_trace(small, image.shape, title), row=r, col=c)
        _image_layout(fig, image.shape, 0, row=r, col=c)
        fig.update_xaxes(showticklabels=False, row=r, col=c)
        fig.update_yaxes(showticklabels=False, row=r, col=c)
    # equal aspect in every subplot
    for i in range(1, rows * cols + 1):
        suffix = "" if i == 1 else str(i)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    fig.update_layout(height=height or 250 * rows, margin=dict(l=5, r=5, t=40, b=5),
                      plot_bgcolor="white", showlegend=False)
    return fig


# --------------------------------------------------------------------------- restoration


def tuning_curve_figure(
    values, losses, best=None, *, param: str = "parameter", loss: str = "self-supervised loss",
    height: int = 300,
) -> go.Figure:
    """Parameter value against loss, with the best value marked.

    Parameters
    ----------
    values, losses : sequence of float
        Tried parameter values and their losses (same length).
    best : float, optional
        The chosen value; defaults to the value with the smallest loss.
    param, loss : str
        Axis titles.
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    v = np.asarray(values, dtype=float)
    l = np.asarray(losses, dtype=float)
    if v.shape != l.shape or v.ndim != 1:
        raise ValueError(f"values and losses must be 1-D of the same length, got {v.shape} and {l.shape}.")
    order = np.argsort(v)
    fig = go.Figure(go.Scatter(x=v[order], y=l[order], mode="lines+markers", name=loss,
                               hovertemplate=f"{param} %{{x:.4g}}<br>{loss} %{{y:.4g}}<extra></extra>"))
    if v.size:
        if best is None:
            best = float(v[np.nanargmin(l)])
        idx = int(np.argmin(np.abs(v - best)))
        fig.add_trace(go.Scatter(x=[v[idx]], y=[l[idx]], mode="markers", name=f"best: {v[idx]:.4g}",
                                 marker=dict(symbol="star", size=16, color="#d62728")))
    fig.update_layout(height=height, margin=_MARGIN, plot_bgcolor="white",
                      xaxis=dict(title=param, showgrid=False), yaxis=dict(title=loss, showgrid=False))
    return fig


def difference_figure(
    a: np.ndarray, b: np.ndarray, *, max_side: int = 800, height: int = 500, gain: float = 1.0,
    title: str | None = None,
) -> go.Figure:
    """Absolute difference ``|a - b|`` (channels averaged) as a JPEG heat image.

    Differences are measured on the 0-1 scale, multiplied by ``gain`` and
    shown with the inferno colour map (black = equal).

    Parameters
    ----------
    a, b : ndarray
        Same size and channels.
    max_side, height, title
        As for :func:`overlay_figure`.
    gain : float
        Contrast boost for small differences.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(
            f"The two images must have the same size: {a.shape[1]}x{a.shape[0]} vs {b.shape[1]}x{b.shape[0]}"
        )
    if a.dtype == b.dtype and a.dtype in (np.uint8, np.uint16):
        diff = cv2.absdiff(a, b).astype(np.float32) / np.float32(np.iinfo(a.dtype).max)
    else:
        from segcore._common import to_float

        diff = np.abs(to_float(a) - to_float(b)).astype(np.float32)
    if diff.ndim == 3:
        diff = diff.mean(axis=2, dtype=np.float32)
    small = preview(diff, max_side)
    grey = np.clip(small * gain * 255.0 + 0.5, 0, 255).astype(np.uint8)
    rgb = cv2.cvtColor(cv2.applyColorMap(grey, cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
    fig = go.Figure(_image_trace(rgb, a.shape, "difference"))
    _image_layout(fig, a.shape, height, title=title)
    fig.update_layout(meta={"scale": a.shape[1] / rgb.shape[1], "max_difference": float(diff.max())})
    return fig
