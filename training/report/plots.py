"""Report figures as base64 PNG strings, ready to embed in one self-contained HTML file.

Labels are Chinese and drawn with the bundled CJK font (:mod:`training.report.fonts`). Matplotlib
would draw a glyph missing from every configured font as an empty box ("tofu") with only a
warning; here that warning is an error, so a report either reads right or is not written.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402

from training.report.fonts import FontError  # noqa: E402
from training.report.inputs import ModelRun  # noqa: E402
from training.report.metrics import at_threshold  # noqa: E402

CLASS_NAMES = ("正常", "诈骗")


def to_png(fig: Figure) -> str:
    """Render ``fig`` to a base64 PNG and close it; a missing glyph raises FontError."""
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    finally:
        plt.close(fig)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        raise FontError(f"glyphs missing while drawing the report: {missing[0]}")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def curves(labels: np.ndarray, runs: Sequence[ModelRun]) -> str:
    """PR and ROC curves of each model, with its block and warn operating points marked."""
    fig, (pr_ax, roc_ax) = plt.subplots(1, 2, figsize=(10, 4.2))
    for run in runs:
        precision, recall, _ = precision_recall_curve(labels, run.scores)
        fpr, tpr, _ = roc_curve(labels, run.scores)
        (line,) = pr_ax.plot(recall, precision, label=run.name)
        roc_ax.plot(fpr, tpr, label=run.name, color=line.get_color())
        for threshold, marker in ((run.block, "o"), (run.warn, "s")):
            point = at_threshold(labels, run.scores, threshold)
            pr_ax.plot(point["recall"], point["precision"], marker, color=line.get_color())
            roc_ax.plot(point["fpr"], point["recall"], marker, color=line.get_color())
    pr_ax.set(title="精确率-召回率曲线 (PR)  ● 拦截  ■ 提醒", xlabel="召回率 recall", ylabel="精确率 precision")
    roc_ax.set(title="ROC 曲线", xlabel="误报率 FPR", ylabel="召回率 TPR")
    roc_ax.set_xscale("symlog", linthresh=1e-3)
    for ax in (pr_ax, roc_ax):
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    return to_png(fig)


def fraud_score_curve(is_fraud: np.ndarray, fraud_scores: np.ndarray, name: str) -> str:
    """PR curve of fraud_score (P(fraud)) on the fraud vs ham rows: how well the category head
    finds scams among normal messages, beside the unwanted score's curve on every row."""
    fig, ax = plt.subplots(figsize=(5, 4.2))
    precision, recall, _ = precision_recall_curve(is_fraud, fraud_scores)
    ax.plot(recall, precision, color="tab:red", label=name)
    ax.set(title="fraud_score 精确率-召回率曲线 (诈骗 vs 正常)", xlabel="召回率 recall", ylabel="精确率 precision")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return to_png(fig)


def score_histograms(labels: np.ndarray, run: ModelRun, bins: int) -> str:
    """Score distribution of each class (log counts), with the block and warn thresholds."""
    fig, ax = plt.subplots(figsize=(10, 3.6))
    edges = np.linspace(0, 1, bins + 1)
    for label, color in ((0, "tab:blue"), (1, "tab:red")):
        ax.hist(run.scores[labels == label], bins=edges, alpha=0.6, color=color, label=CLASS_NAMES[label])
    for threshold, name in ((run.block, "拦截阈值"), (run.warn, "提醒阈值")):
        ax.axvline(threshold, color="black", linestyle="--" if name == "拦截阈值" else ":", label=f"{name} {threshold:.3f}")
    ax.set(yscale="log", title=f"各类别得分分布 — {run.name}", xlabel="诈骗概率得分", ylabel="条数 (对数)")
    ax.legend(fontsize=8)
    return to_png(fig)


def confusion_matrices(block: dict[str, Any], warn: dict[str, Any], title: str) -> str:
    """Confusion matrices at the block and warn thresholds, counts and row shares."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, cells, name in ((axes[0], block, "拦截"), (axes[1], warn, "提醒")):
        matrix = np.array([[cells["tn"], cells["fp"]], [cells["fn"], cells["tp"]]])
        shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        for (row, col), count in np.ndenumerate(matrix):
            ax.text(col, row, f"{count}\n{shares[row, col]:.1%}", ha="center", va="center",
                    color="white" if shares[row, col] > 0.5 else "black")
        ax.set_xticks([0, 1], ["放行", name])
        ax.set_yticks([0, 1], list(CLASS_NAMES))
        ax.set(title=f"{name} (阈值 {cells['threshold']:.3f})", xlabel="模型动作", ylabel="真实标签")
    fig.suptitle(f"混淆矩阵 — {title}")
    return to_png(fig)


def calibration(labels: np.ndarray, runs: Sequence[ModelRun], bins: int) -> str:
    """Reliability diagram: observed fraud rate against mean predicted score, per score bin."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="完美校准")
    for run in runs:
        observed, predicted = calibration_curve(labels, run.scores, n_bins=bins, strategy="quantile")
        ax.plot(predicted, observed, marker="o", label=run.name)
    ax.set(title="校准曲线", xlabel="平均预测得分", ylabel="实际诈骗比例", xlim=(0, 1), ylim=(0, 1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return to_png(fig)


def horizontal_bars(names: Sequence[str], values: Sequence[float], title: str, xlabel: str) -> str:
    """A horizontal bar chart, first item on top (feature importance, recall per fraud type)."""
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.32 * len(names)))
    ax.barh(range(len(names)), values, color="tab:red")
    ax.set_yticks(range(len(names)), list(names), fontsize=9)
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel)
    ax.grid(axis="x", alpha=0.3)
    return to_png(fig)
