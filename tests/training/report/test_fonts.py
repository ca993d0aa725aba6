"""The report's plots draw Chinese with the font the project ships, on any machine: no tofu."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

from configs.report import ReportConfig
from training.report import build_report, plots
from training.report.fonts import bundled_cjk_font_path, use_cjk_font
from training.report.inputs import EvalData, ModelRun

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _gb2312_level1() -> str:
    """The 3,755 most common Simplified Chinese characters (GB 2312 level 1, rows 16-55)."""
    chars = (bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312", errors="ignore") for row in range(16, 56) for cell in range(1, 95))
    return "".join(chars)


def _plot_literals() -> str:
    """Every CJK character written into a figure by ``training/report/plots.py`` and the report builder."""
    sources = [Path(plots.__file__), Path(plots.__file__).with_name("__init__.py")]
    strings = (node.value for source in sources for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str))
    return "".join(_CJK.findall("".join(strings)))


@pytest.fixture()
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Matplotlib knows only its own fonts (DejaVu), as on a laptop with no CJK font installed."""
    own = str(Path(matplotlib.get_data_path()))
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [entry for entry in font_manager.fontManager.ttflist if entry.fname.startswith(own)])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *args, **kwargs: [])
    font_manager.fontManager._findfont_cached.cache_clear()
    with matplotlib.rc_context():
        yield
    font_manager.fontManager._findfont_cached.cache_clear()


def test_bundled_font_has_a_real_glyph_for_every_character_the_plots_write() -> None:
    font = TTFont(bundled_cjk_font_path(), lazy=True)
    cmap = font.getBestCmap()
    wanted = _plot_literals() + _gb2312_level1()
    assert len(set(_plot_literals())) > 50, "the plot labels were not found"
    missing = sorted({char for char in wanted if cmap.get(ord(char), ".notdef") == ".notdef"})
    assert not missing, f"no glyph in {bundled_cjk_font_path().name} for {''.join(missing[:40])}"


@pytest.mark.usefixtures("no_system_fonts")
def test_report_plots_draw_chinese_from_the_bundled_font_when_the_system_has_none(
    report_inputs: tuple[EvalData, ModelRun, ModelRun],
) -> None:
    bundled = str(bundled_cjk_font_path())
    assert all(entry.fname != bundled and "CJK" not in entry.name for entry in font_manager.fontManager.ttflist)

    family = use_cjk_font()

    assert font_manager.findfont(FontProperties(family=family), fallback_to_default=False) == bundled
    data, model, other = report_inputs
    report = build_report(data, model, ReportConfig(), other)  # a glyph missing while drawing raises FontError
    assert report.html.count("data:image/png;base64,") == 8
