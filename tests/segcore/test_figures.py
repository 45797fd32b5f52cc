"""segcore.figures: every figure builds, stays small, and uses original coordinates."""
from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from segcore import figures as F


@pytest.fixture(scope="module")
def big():
    """A 4000x3000 colour image (smooth, like a photo) and three regions."""
    img = np.empty((3000, 4000, 3), np.uint8)
    img[..., 0] = np.linspace(0, 255, 4000).astype(np.uint8)[None, :]
    img[..., 1] = np.linspace(0, 255, 3000).astype(np.uint8)[:, None]
    img[..., 2] = 120
    lab = np.ones((3000, 4000), np.int32)
    lab[:, 2000:] = 2
    lab[1000:2000, 500:1500] = 3
    return img, lab


def _size(fig: go.Figure) -> int:
    return len(fig.to_json())


def test_overlay_image_shape_dtype_and_colours():
    img = np.full((20, 30), 100, np.uint8)
    lab = np.zeros((20, 30), np.int32)
    lab[5:15, 5:15] = 1
    out = F.overlay_image(img, lab, opacity=1.0, mode="fill")
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    assert (out[0, 0] == 100).all()                     # label 0 transparent
    assert (out[10, 10] == F.label_colors(2)[1]).all()   # opacity 1: the label colour
    half = F.overlay_image(img, lab, opacity=0.5)
    assert np.allclose(half[10, 10], (100 + F.label_colors(2)[1].astype(float)) / 2, atol=1)
    edge = F.overlay_image(img, lab, opacity=1.0, mode="boundary")
    assert (edge[10, 10] == 100).all()                  # inside untouched
    assert (edge[5, 10] == F.label_colors(2)[1]).all()   # boundary coloured
    assert (img == 100).all()                           # input not modified
    with pytest.raises(ValueError, match="same size"):
        F.overlay_image(img, lab[:10])


@pytest.mark.slow
def test_figures_on_big_image_stay_small(big):
    img, lab = big
    figs = {
        "overlay": F.overlay_figure(img, lab),
        "boundary": F.overlay_figure(img, lab, mode="boundary", opacity=1.0),
        "region_map": F.region_map_figure(img, lab),
        "histogram": F.histogram_figure(img, {"otsu": 0.5, "li": 0.42}, manual=0.3),
        "grid": F.grid_figure(img, [(f"m{i}", lab, 0.01 * i) for i in range(5)], cols=4),
        "difference": F.difference_figure(img, img[::-1].copy()),
    }
    for name, fig in figs.items():
        assert isinstance(fig, go.Figure)
        assert _size(fig) < 1_500_000, name
    # images are JPEG previews placed in original pixel coordinates
    tr = figs["overlay"].data[0]
    assert tr.source.startswith("data:image/jpeg;base64,")
    assert tr.dx == pytest.approx(5.0) and tr.dy == pytest.approx(5.0)   # 4000 -> 800
    layout = figs["overlay"].layout
    assert tuple(layout.xaxis.range) == (-0.5, 3999.5)
    assert tuple(layout.yaxis.range) == (2999.5, -0.5)                  # y reversed
    assert layout.yaxis.scaleanchor == "x"
    assert layout.meta["scale"] == pytest.approx(5.0)
    assert figs["grid"].layout.annotations[1].text == "m1 (10 ms)"


def test_region_map_hover(big):
    img, lab = big
    fig = F.region_map_figure(img, lab, height=400)
    heat = [t for t in fig.data if t.type == "heatmap"][0]
    assert "area %{customdata[0]} px" in heat.hovertemplate
    assert "#%{customdata[1]:06x}" in heat.hovertemplate
    z = np.asarray(heat.z)
    custom = np.asarray(heat.customdata)
    assert custom.shape == z.shape + (2,)
    # area at full resolution, mean colour packed as 0xRRGGBB
    cell = tuple(np.argwhere(z == 3)[0])
    assert custom[cell][0] == 1000 * 1000
    r, g, b = (int(v) for v in img[lab == 3].reshape(-1, 3).mean(axis=0).round())
    assert custom[cell][1] == (r << 16) | (g << 8) | b
    assert fig.layout.height == 400


def test_histogram_lines_and_legend():
    img = np.zeros((10, 10), np.uint8)
    img[:, 5:] = 200
    fig = F.histogram_figure(img, {"otsu": 0.4}, manual=0.6, height=250)
    names = [t.name for t in fig.data]
    assert names[1].startswith("otsu") and names[2].startswith("manual")
    assert fig.data[1].x[0] == pytest.approx(0.4 * 255)
    assert fig.data[2].line.dash == "solid" and fig.data[1].line.dash == "dash"
    counts = np.asarray(fig.data[0].y)
    assert counts.sum() == 100 and counts[0] == 50 and counts[200] == 50
    f01 = F.histogram_figure(img, {}, None, scale="0-1")
    assert tuple(f01.layout.xaxis.range) == (0, 1)


def test_tuning_curve_and_difference():
    fig = F.tuning_curve_figure([0.3, 0.1, 0.2], [2.0, 3.0, 1.0])
    best = fig.data[1]
    assert best.x[0] == 0.2 and best.y[0] == 1.0
    assert list(fig.data[0].x) == [0.1, 0.2, 0.3]
    a = np.zeros((40, 60), np.uint8)
    b = a.copy()
    b[10:20, 10:20] = 255
    d = F.difference_figure(a, b)
    assert d.layout.meta["max_difference"] == pytest.approx(1.0)
    assert d.data[0].source.startswith("data:image/jpeg;base64,")
    with pytest.raises(ValueError, match="same size"):
        F.difference_figure(a, b[:10])
    json.loads(d.to_json())
