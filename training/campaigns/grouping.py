"""Which messages belong to one campaign: a shared template, or a contact point few templates share.

Two steps, both connected components (``scipy.sparse.csgraph``) so a campaign is everything
reachable through confirmed links:

1. templates — each distinct template is signed once (:class:`TemplateSigner`); LSH proposes
   candidates and a pair is linked only when its estimated Jaccard reaches ``match_threshold``.
   A message whose template is too short to sign stands alone.
2. contact points — a contact quoted by at most ``max_templates_per_contact`` of the step-1
   groups links them; one quoted by more is a hub (a bank's hotline, a link shortener) and links
   nothing, like the hub guard of the call graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from configs.campaigns import CampaignsConfig
from features.sms.contacts import ContactExtractor
from features.sms.templates import TemplateSigner, template_text


@dataclass(frozen=True)
class Grouping:
    """Per message (input order): its campaign number, template and contact points; plus the hubs."""

    campaign: np.ndarray
    templates: pd.Series
    contacts: list[list[str]]
    hubs: frozenset[str]


def components(size: int, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Connected-component label of each of ``size`` nodes linked by ``pairs``."""
    if not pairs:
        return np.arange(size)
    rows, cols = np.asarray(pairs, dtype=np.int64).T
    graph = sp.coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    return connected_components(graph, directed=False)[1]


def template_pairs(templates: Sequence[str], signer: TemplateSigner) -> tuple[list[tuple[int, int]], list[bool]]:
    """Index pairs of ``templates`` (:func:`template_text` forms) that match (LSH candidate, confirmed
    by estimated Jaccard), and whether each could be signed at all."""
    signatures = [signer.template_signature(template) for template in templates]
    index = signer.index()
    for position, signature in enumerate(signatures):
        if signature is not None:
            index.insert(position, signature)
    threshold = signer.config.match_threshold
    pairs = []
    for position, signature in enumerate(signatures):
        if signature is None:
            continue
        for other in index.query(signature):
            if other > position and signer.similarity(signature, signatures[other]) >= threshold:
                pairs.append((position, other))
    return pairs, [signature is not None for signature in signatures]


def group_messages(texts: Sequence[str], config: CampaignsConfig) -> Grouping:
    """Campaign number of every message in ``texts`` (numbers are arbitrary; equal means one campaign)."""
    templates = pd.Series([template_text(text) for text in texts], dtype=object)
    codes, distinct = pd.factorize(templates)
    pairs, signed = template_pairs(list(distinct), TemplateSigner(config.template))
    # An unsigned (too short) template never matches: each of its messages is a group of its own.
    node = np.where(np.asarray(signed)[codes], codes, len(distinct) + np.arange(len(texts)))
    template_group = components(len(distinct) + len(texts), pairs)[node]

    extractor = ContactExtractor(config.campaigns.contacts)
    text_codes, distinct_texts = pd.factorize(pd.Series(texts, dtype=object))
    distinct_contacts = [extractor.contacts(text) for text in distinct_texts]  # campaigns repeat texts verbatim
    contacts = [distinct_contacts[code] for code in text_codes]
    quoted_by: dict[str, set[int]] = defaultdict(set)
    for group, keys in zip(template_group, contacts, strict=True):
        for key in keys:
            quoted_by[key].add(int(group))
    limit = config.campaigns.contacts.max_templates_per_contact
    hubs = frozenset(key for key, groups in quoted_by.items() if len(groups) > limit)
    groups = int(template_group.max()) + 1
    contact_ids = {key: groups + i for i, key in enumerate(k for k in quoted_by if k not in hubs)}
    contact_pairs = [(int(group), contact_ids[key]) for group, keys in zip(template_group, contacts, strict=True)
                     for key in keys if key in contact_ids]
    campaign = components(groups + len(contact_ids), contact_pairs)[template_group]
    return Grouping(campaign=campaign, templates=templates, contacts=contacts, hubs=hubs)
