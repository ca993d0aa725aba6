"""benchmarks/in_process_ab.py: the paired ratios it reports are this tree's against the before tree's."""

from pathlib import Path

import pytest

from benchmarks.in_process_ab import Round, render, run_ab

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True)
def _as_the_script_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmarks import each other as scripts do (their folder first on the path)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))


def _round(before_ms: float, after_ms: float) -> Round:
    one = ([before_ms / 1000] * 5, [after_ms / 1000] * 5)
    batch = ([256 * before_ms / 1000] * 2, [256 * after_ms / 1000] * 2)
    return Round(one, batch)


def test_a_tree_twice_as_fast_reads_half_the_p50_and_twice_the_throughput() -> None:
    rounds = [_round(1.0, 0.5), _round(1.2, 0.6), _round(0.9, 0.45)]
    assert [r.p50_ratio for r in rounds] == [0.5, 0.5, 0.5]
    assert [r.batch_ratio for r in rounds] == [2.0, 2.0, 2.0]
    text = render(rounds, "meta")
    assert "one SMS p50 **0.500** (0.500–0.500" in text
    assert "batch throughput **2.000** (2.000–2.000" in text
    assert "| before | 1.000 |" in text and "| this tree | 0.500 |" in text


def test_the_interval_spans_rounds_that_disagree() -> None:
    text = render([_round(1.0, 0.5), _round(1.0, 1.0), _round(1.0, 0.8)], "meta")
    summary = text.splitlines()[-1]
    low, high = summary.split("one SMS p50 **")[1].split("(")[1].split(";")[0].split("–")
    assert float(low) < float(high)


def test_a_before_tree_that_is_no_checkout_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="is not a yunmao checkout"):
        run_ab(tmp_path / "missing", "models:/yunmao-sms/1", 10, 1)
