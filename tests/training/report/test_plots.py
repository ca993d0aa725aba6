"""Plots render Chinese to PNG, and a glyph missing at render time is a loud error, never tofu."""

from __future__ import annotations

import base64

import matplotlib.pyplot as plt
import pytest

from training.report import plots as P
from training.report.fonts import FontError, use_cjk_font


def test_a_plot_with_chinese_labels_renders_to_png() -> None:
    use_cjk_font()
    png = P.horizontal_bars(["冒充公检法", "刷单返利"], [0.9, 0.5], "各诈骗类型的拦截召回率", "召回率")
    assert base64.b64decode(png)[:4] == b"\x89PNG"


def test_a_missing_glyph_at_render_time_is_an_error_not_tofu() -> None:
    saved = plt.rcParams["font.sans-serif"]
    plt.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    try:
        fig, ax = plt.subplots()
        ax.set_title("诈骗")
        with pytest.raises(FontError, match="missing"):
            P.to_png(fig)
    finally:
        plt.rcParams["font.sans-serif"] = saved
