"""Chinese reason templates for the graph features (see :data:`features.graph.features.GRAPH_COLUMNS`).

A template may name other features of the same number (``{graph_den_known_fraud}``) besides
``{value}``: the den reason reads as one sentence about the whole den.

The den sentences also name the den's id (:data:`DEN_ID`, the ``dens.json`` id that
``yunmao profiles build --dens`` puts in a profile) so the analyst can open that den in
``dens.html``. Only a den's own members carry an id; for every other number (its contacts, numbers
in no den, profiles built without ``--dens``) the ``@fallback`` sentence says the same without it.
The den features count the number's whole Leiden community — the den's members and the contacts
``dens.json`` lists beside them — hence "（含联系人）".
"""

from __future__ import annotations

from features.reasons import FALLBACK_SUFFIX

# Profile column holding the ``yunmao dens`` id of the den the number is a member of. An
# identifier, never a model feature (``features.calls.featuriser.NON_FEATURE_COLUMNS``).
DEN_ID = "den_id"


def _den_templates(feature: str, size: str, counted: str, what: str) -> dict[str, str]:
    """The den sentence of ``feature`` naming the den's id, and its fallback without the id."""
    return {
        feature: f"同一窝点 {{{DEN_ID}}}（含联系人）共 {size} 个号码，其中 {counted} 个{what}",
        feature + FALLBACK_SUFFIX: f"同一窝点 {size} 个号码，其中 {counted} 个{what}",
    }


DEN_FRAUD_SHARE = "graph_den_fraud_share"
# A flagged caller whose den is mostly confirmed fraud (at least configs/call.yaml
# ``graph.den_reason_min_share`` of its labelled numbers) hears that first, whatever the feature's
# share of the score: the den is what issue #9 asks the call endpoint to name "when it counts", and
# a number the den's core makes a member of is the analyst's handle on the whole gang. By
# contribution alone it can be silent: where the caller's own profile already decides (the demo's
# gang members score 1.0 on their own columns), graph features add nothing to the score.
GRAPH_LEAD_REASONS = frozenset({DEN_FRAUD_SHARE})

GRAPH_REASON_TEMPLATES: dict[str, str] = {
    "graph_degree": "与 {value:.0f} 个号码有联系",
    "graph_labelled_neighbours": "联系人中 {value:.0f} 个号码身份已核实",
    "graph_fraud_neighbours": "与 {value:.0f} 个已确认诈骗号码有联系",
    "graph_fraud_neighbour_share": "已核实的联系人中 {value:.0%} 是诈骗号码",
    "graph_fraud_two_hop_share": "二度联系人中 {value:.0%} 是已确认诈骗号码",
    "graph_fraud_pagerank": "通话网络中距已确认诈骗号码很近（关联度 {value:.1f}）",
    "graph_fraud_pagerank_share": "通话网络中的近邻以诈骗号码为主（{value:.0%}）",
    **_den_templates("graph_den_size", "{value:.0f}", "{graph_den_known_fraud:.0f}", "已确认诈骗"),
    **_den_templates("graph_den_labelled", "{graph_den_size:.0f}", "{value:.0f}", "身份已核实"),
    **_den_templates("graph_den_known_fraud", "{graph_den_size:.0f}", "{value:.0f}", "已确认诈骗"),
    **_den_templates("graph_den_fraud_share", "{graph_den_size:.0f}", "{graph_den_known_fraud:.0f}", "已确认诈骗"),
    "graph_den_member_score": f"同一窝点 {{{DEN_ID}}} 号码的平均诈骗评分 {{value:.0%}}",
    "graph_den_member_score" + FALLBACK_SUFFIX: "同一窝点号码的平均诈骗评分 {value:.0%}",
}
