"""The report as a person sees it: headless Chromium opens it, every plot loads, Chinese renders."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from configs.report import ReportConfig
from tests.servers import system_binary
from training.report import build_report
from training.report.inputs import EvalData, ModelRun

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=5000",
]
# Appended to a copy of the report: once the page has loaded, record every image's decoded width.
IMAGE_CHECK = """<script>
window.addEventListener("load", () => {
  const widths = Array.from(document.images).map(img => img.complete ? img.naturalWidth : 0);
  const out = document.createElement("pre"); out.id = "image-check"; out.textContent = JSON.stringify(widths);
  document.body.appendChild(out);
});
</script>"""


def chromium(tmp_path: Path, *args: str) -> str:
    """Run Debian's headless Chromium with a throwaway profile; returns stdout."""
    binary = system_binary("chromium")
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture()
def report_file(tmp_path: Path, report_inputs: tuple[EvalData, ModelRun, ModelRun]) -> tuple[Path, dict]:
    data, model, other = report_inputs
    report = build_report(data, model, ReportConfig(), other)
    path = tmp_path / "report.html"
    path.write_text(report.html, encoding="utf-8")
    return path, report.metrics


def test_every_plot_loads_and_chinese_text_is_in_the_page(tmp_path: Path, report_file: tuple[Path, dict]) -> None:
    path, _ = report_file
    checked = tmp_path / "checked.html"
    checked.write_text(path.read_text(encoding="utf-8").replace("</body>", IMAGE_CHECK + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", checked.as_uri())

    found = re.search(r'<pre id="image-check">(.*?)</pre>', dom)
    assert found, "the image check did not run"
    widths = json.loads(found.group(1))
    # curves, two histograms, two confusion figures, calibration, fraud types, importance
    assert len(widths) == 8 and all(width > 0 for width in widths), widths
    for chinese in ("评估报告", "核心指标", "冒充公检法", "发送方: 境外号码", "含有短链接", "漂移"):
        assert chinese in dom
    assert "<script>alert" not in dom and "&lt;script&gt;alert" in dom, "message text must be escaped"
    assert "13812345678" not in dom and "PHONE" in dom, "phone numbers must be masked"


def test_screenshot_renders(tmp_path: Path, report_file: tuple[Path, dict]) -> None:
    path, _ = report_file
    shot = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1280,2000", "--hide-scrollbars", f"--screenshot={shot}", path.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_report_is_self_contained(report_file: tuple[Path, dict]) -> None:
    html = report_file[0].read_text(encoding="utf-8")
    assert not re.search(r'(?:src|href)="(?!data:)', html), "every resource must be embedded"


def test_the_page_carries_a_cjk_font_for_its_own_characters(report_file: tuple[Path, dict]) -> None:
    """Headings and the error examples' messages are Chinese: a viewer without a CJK font (a
    headless browser, a minimal desktop) must not see boxes, so the page embeds a subset of the
    bundled font covering every character it shows."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    html = report_file[0].read_text(encoding="utf-8")
    face = re.search(r'@font-face \{ font-family: "yunmao-cjk"; src: url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)', html)
    assert face, "no embedded CJK font"
    covered = set(TTFont(io.BytesIO(base64.b64decode(face.group(1)))).getBestCmap())
    body = re.sub(r"<style>.*?</style>|<img[^>]*>", "", html, flags=re.DOTALL)
    chinese = {ord(ch) for ch in body if "\u4e00" <= ch <= "\u9fff"}
    assert chinese and chinese <= covered


def test_metrics_are_json_and_carry_the_comparison(report_file: tuple[Path, dict]) -> None:
    metrics = json.loads(json.dumps(report_file[1]))
    assert metrics["compare"]["model"] == "yunmao-sms v1"
    assert metrics["compare"]["disagreement_count"] >= len(metrics["compare"]["disagreements"]) > 0
    assert metrics["drift_flagged"] is True
    assert len(metrics["worst"]["false_positives"]) <= 50


def test_html_shows_recall_at_the_blocking_point_with_intervals(report_file: tuple[Path, dict]) -> None:
    path, metrics = report_file
    page = path.read_text(encoding="utf-8")
    assert "recall @FPR 0.1%" in page and "recall @FPR 1%" in page
    for head in (metrics["headline"], metrics["compare"]["headline"]):
        for key in ("roc_auc", "pr_auc", "recall_at_fpr_0.001", "recall_at_fpr_0.01"):
            cell = f"{head[key]:.4f} <span class=\"muted\">[{head[key + '_ci_low']:.4f}, {head[key + '_ci_high']:.4f}]</span>"
            assert cell in page, key
    difference = metrics["compare"]["difference"]
    assert difference["roc_auc"] == pytest.approx(metrics["headline"]["roc_auc"] - metrics["compare"]["headline"]["roc_auc"])
    assert f"{difference['recall_at_fpr_0.01']:+.4f} <span class=\"muted\">[{difference['recall_at_fpr_0.01_ci_low']:+.4f}" in page
