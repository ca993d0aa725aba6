"""The CJK font the report's plots draw with: shipped as a Python package, never looked up in the OS.

Feature names, fraud types and axis labels are Chinese. Matplotlib's fallback would draw empty
boxes ("tofu") without complaint, and a system CJK font is present on some machines and absent on
others. So the font comes from a PyPI wheel (``pylopdf-fonts-zh-cn``: Noto Sans SC, SIL OFL 1.1,
Simplified Chinese glyph forms, no download at run time) and is registered with matplotlib's font
manager here, at plot time: every machine that installs the project draws the same glyphs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pylopdf_fonts_zh_cn
from matplotlib import font_manager

# Latin text (numbers, "ROC", "recall") and symbols the CJK font lacks fall back to matplotlib's own font.
_FALLBACK_FAMILY = "DejaVu Sans"


class FontError(RuntimeError):
    """The bundled CJK font is unusable, or a glyph was missing while drawing."""


def bundled_cjk_font_path() -> Path:
    """The Noto Sans SC file inside the installed font package."""
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():
        raise FontError(f"the bundled CJK font is missing at {path}: reinstall the project (pip install -e .)")
    return path


def use_cjk_font() -> str:
    """Register the bundled CJK font with matplotlib and make it the default; returns its family name."""
    path = bundled_cjk_font_path()
    family = font_manager.FontProperties(fname=path).get_name()
    if str(path) not in {entry.fname for entry in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, _FALLBACK_FAMILY]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def embedded_font_face(text: str, family: str = "yunmao-cjk") -> str:
    """A CSS ``@font-face`` rule carrying the bundled CJK font cut down to the glyphs of ``text``.

    A self-contained HTML page cannot count on the viewer having a CJK font (headless browsers
    and minimal desktops draw boxes), and the whole font is 8 MB; the subset for one page is a
    few dozen KB, embedded as base64 so the page still needs no other file.
    """
    import base64
    import io

    from fontTools import subset

    options = subset.Options()
    options.flavor = None
    options.desubroutinize = True
    font = subset.load_font(str(bundled_cjk_font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "{family}"; src: url(data:font/otf;base64,{data}) format("opentype"); }}'
