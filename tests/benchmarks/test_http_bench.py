"""benchmarks/http_bench.py: with --front, the table pairs the server behind its HAProxy front with
the same server reached directly, round by round, so the front's cost per request is read off one run."""

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True)
def scripts_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmarks import each other as scripts do (their folder first on the path)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))


def test_the_front_is_paired_with_the_same_server_reached_directly() -> None:
    from http_bench import FRONT, THIS, Block, render_http

    rounds = 4
    blocks = [Block(system, clients, round_, [base + extra] * 50, 0, 0, 1.0, 0.1)
              for round_ in range(rounds) for clients in (1, 16)
              for system, base, extra in ((THIS, 3.0 + round_, 0.0), (FRONT, 3.0 + round_, 0.4))]
    text = render_http(blocks, [THIS, FRONT], rounds, "meta")
    assert f"| {FRONT} | 1 | 50 | 4.9 |" in text  # 200 answers in 4 s; p50 of 3.4, 4.4, 5.4, 6.4 ms pooled
    assert f"- c=1, p50 ms, behind the front − this tree, mean of {rounds} rounds: +0.40 [+0.40, +0.40]" in text
    assert "this tree − before" not in text  # no --before tree in this run
