"""Champion/challenger promotion gates: pure functions over two metric dicts.

Gates are data (``configs/retrain.yaml``), so tightening a release criterion is a config review,
not a code change; every gate reports its numbers so a rejected challenger says exactly why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from configs.retrain import COMPARATIVE, Gate


@dataclass(frozen=True)
class GateResult:
    metric: str
    rule: str
    challenger: float
    champion: float | None
    limit: float | None
    passed: bool
    reason: str


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    results: list[GateResult]

    @property
    def why(self) -> str:
        """One line: the failed gates, or that all passed."""
        failed = [r.reason for r in self.results if not r.passed]
        return "; ".join(failed) if failed else "all gates passed"

    def as_dict(self) -> dict[str, Any]:
        return {"promote": self.promote, "why": self.why, "gates": [asdict(r) for r in self.results]}


def metric_value(metrics: dict[str, Any], path: str) -> float:
    """The number at dotted ``path`` (``warn.recall``); KeyError names the path if absent."""
    value: Any = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"metric {path!r} is not in the evaluation results")
        value = value[part]
    return float(value)


def _has_metric(metrics: dict[str, Any], path: str) -> bool:
    try:
        metric_value(metrics, path)
    except KeyError:
        return False
    return True


def check_gate(gate: Gate, challenger: dict[str, Any], champion: dict[str, Any] | None) -> GateResult:
    """Apply one gate; comparative gates pass when there is no champion to compare with.

    An ``if_present`` gate passes when the challenger's evaluation lacks the metric (the set
    has no categories) and compares only with a champion that has it (models trained before
    the taxonomy have no fraud_score to compare with).
    """
    if gate.if_present and not _has_metric(challenger, gate.metric):
        return GateResult(gate.metric, gate.rule, float("nan"), None, None, True, f"{gate.metric}: not measured on this set")
    value = metric_value(challenger, gate.metric)
    if gate.if_present and champion is not None and not _has_metric(champion, gate.metric):
        champion = None
    base = metric_value(champion, gate.metric) if champion is not None else None
    if gate.rule in COMPARATIVE and base is None:
        return GateResult(gate.metric, gate.rule, value, None, None, True, f"{gate.metric}: no champion to compare with")
    if gate.rule == "not_lower":
        limit, passed = base - gate.tolerance, value >= base - gate.tolerance
    elif gate.rule == "not_higher":
        limit, passed = base + gate.tolerance, value <= base + gate.tolerance
    elif gate.rule == "at_least":
        limit, passed = gate.value, value >= gate.value
    else:
        limit, passed = gate.value, value <= gate.value
    sign = ">=" if gate.rule in ("not_lower", "at_least") else "<="
    verdict = "ok" if passed else "FAILED"
    reason = f"{gate.metric} {value:.4f} {sign} {limit:.4f} ({gate.rule}): {verdict}"
    return GateResult(gate.metric, gate.rule, value, base, float(limit), bool(passed), reason)


def decide_promotion(gates: list[Gate], challenger: dict[str, Any], champion: dict[str, Any] | None) -> GateDecision:
    """Promote only if every gate passes."""
    results = [check_gate(gate, challenger, champion) for gate in gates]
    return GateDecision(promote=all(r.passed for r in results), results=results)
