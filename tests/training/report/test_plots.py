"""Plots need a CJK font: found when installed, a loud error (never tofu) when not."""

from __future__ import annotations

import base64

import matplotlib.pyplot as plt
import pytest

from configs.report import ReportConfig
from training.report import plots as P


def test_configured_cjk_font_is_found_and_draws_chinese_without_missing_glyphs() -> None:
    family = P.use_cjk_font(ReportConfig().cjk_fonts)
    assert "CJK" in family
    png = P.horizontal_bars(["冒充公检法", "刷单返利"], [0.9, 0.5], "各诈骗类型的拦截召回率", "召回率")
    assert base64.b64decode(png)[:4] == b"\x89PNG"


def test_no_cjk_font_is_an_error_naming_the_package() -> None:
    with pytest.raises(P.FontError, match="fonts-noto-cjk"):
        P.use_cjk_font(["No Such Font"])


def test_a_missing_glyph_at_render_time_is_an_error_not_tofu() -> None:
    saved = plt.rcParams["font.sans-serif"]
    plt.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    try:
        fig, ax = plt.subplots()
        ax.set_title("诈骗")
        with pytest.raises(P.FontError, match="missing"):
            P.to_png(fig)
    finally:
        plt.rcParams["font.sans-serif"] = saved
