"""Chinese reason templates for the graph features (see :data:`features.graph.features.GRAPH_COLUMNS`).

A template may name other features of the same number (``{graph_den_known_fraud}``) besides
``{value}``: the den reason reads as one sentence about the whole den.
"""

from __future__ import annotations

GRAPH_REASON_TEMPLATES: dict[str, str] = {
    "graph_degree": "与 {value:.0f} 个号码有联系",
    "graph_labelled_neighbours": "联系人中 {value:.0f} 个号码身份已核实",
    "graph_fraud_neighbours": "与 {value:.0f} 个已确认诈骗号码有联系",
    "graph_fraud_neighbour_share": "已核实的联系人中 {value:.0%} 是诈骗号码",
    "graph_fraud_two_hop_share": "二度联系人中 {value:.0%} 是已确认诈骗号码",
    "graph_fraud_pagerank": "通话网络中距已确认诈骗号码很近（关联度 {value:.1f}）",
    "graph_fraud_pagerank_share": "通话网络中的近邻以诈骗号码为主（{value:.0%}）",
    "graph_den_size": "同一窝点 {value:.0f} 个号码，其中 {graph_den_known_fraud:.0f} 个已确认诈骗",
    "graph_den_labelled": "同一窝点 {graph_den_size:.0f} 个号码，其中 {value:.0f} 个身份已核实",
    "graph_den_known_fraud": "同一窝点 {graph_den_size:.0f} 个号码，其中 {value:.0f} 个已确认诈骗",
    "graph_den_fraud_share": "同一窝点 {graph_den_size:.0f} 个号码，其中 {graph_den_known_fraud:.0f} 个已确认诈骗",
    "graph_den_member_score": "同一窝点号码的平均诈骗评分 {value:.0%}",
}
