"""Grouping as an analyst needs it: copies of one campaign together, unrelated messages apart,
wordings tied by a callback number joined, hubs and official numbers never joining anything."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs.campaigns import CampaignsConfig, PageConfig
from features.sms.templates import TemplateSigner
from tests.training.campaigns.conftest import HUB_NUMBER, demo_campaign_messages
from training.campaigns.evaluation import campaign_purity
from training.campaigns.grouping import group_messages
from training.campaigns.ranking import build_campaigns


@pytest.fixture(scope="module")
def grouped(campaigns_config: CampaignsConfig) -> pd.DataFrame:
    frame = demo_campaign_messages()
    frame["got"] = group_messages(frame["text"].tolist(), campaigns_config).campaign
    return frame


def test_copies_with_changed_names_numbers_and_links_form_one_campaign(grouped: pd.DataFrame) -> None:
    refund = grouped[grouped["campaign"] == "refund"]
    assert refund["text"].nunique() == len(refund) == 12
    assert refund["got"].nunique() == 1


def test_two_wordings_sharing_a_callback_number_form_one_campaign(
    grouped: pd.DataFrame, campaigns_config: CampaignsConfig
) -> None:
    loan = grouped[grouped["campaign"] == "loan"]
    signer = TemplateSigner(campaigns_config.template)
    wording_a, wording_b = (signer.signature(text) for text in loan["text"].iloc[:2])
    assert signer.similarity(wording_a, wording_b) < campaigns_config.template.match_threshold  # only the number ties them
    assert loan["got"].nunique() == 1


def test_campaigns_and_unrelated_messages_stay_apart(grouped: pd.DataFrame) -> None:
    assert grouped.loc[grouped["campaign"] == "refund", "got"].iloc[0] != grouped.loc[grouped["campaign"] == "loan", "got"].iloc[0]
    loose = grouped[grouped["campaign"].isna()]
    assert loose["got"].nunique() == len(loose)
    assert not loose["got"].isin(grouped.loc[grouped["campaign"].notna(), "got"]).any()


def test_a_hub_contact_does_not_merge_but_would_without_the_guard(campaigns_config: CampaignsConfig) -> None:
    frame = demo_campaign_messages()
    quoting_hub = frame["text"].str.contains(HUB_NUMBER)
    guarded = group_messages(frame["text"].tolist(), campaigns_config)
    assert f"phone:{HUB_NUMBER}" in guarded.hubs
    assert pd.Series(guarded.campaign[quoting_hub]).nunique() == quoting_hub.sum() == 6
    contacts = campaigns_config.campaigns.contacts.model_copy(update={"max_templates_per_contact": 10})
    unguarded = campaigns_config.model_copy(
        update={"campaigns": campaigns_config.campaigns.model_copy(update={"contacts": contacts})})
    assert pd.Series(group_messages(frame["text"].tolist(), unguarded).campaign[quoting_hub]).nunique() == 1


def test_an_official_short_code_never_merges(grouped: pd.DataFrame) -> None:
    official = grouped[grouped["text"].str.contains("95588")]
    assert len(official) == 2 and official["got"].nunique() == 2


def test_purity_counts_messages_against_their_campaigns_majority() -> None:
    campaign = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 3])
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    result = campaign_purity(campaign, labels, min_size=5)
    assert result.purity == pytest.approx(10 / 11)
    assert (result.messages_in_campaigns, result.campaigns) == (11, 2)
    assert result.coverage == pytest.approx(11 / 13)


def test_model_scores_rank_a_smaller_scam_campaign_above_a_larger_benign_one(campaigns_config: CampaignsConfig) -> None:
    frame = demo_campaign_messages().drop(columns="label")
    frame["id"] = [f"m{i}" for i in range(len(frame))]
    grouping = group_messages(frame["text"].tolist(), campaigns_config)
    scores = np.where(frame["campaign"] == "refund", 0.05, 0.95)  # the 12 refund copies "look benign" to this model
    ranked = build_campaigns(frame, grouping, 2, PageConfig(), scores)
    assert [c.size for c in ranked] == [8, 12]
    assert ranked[0].mean_score == pytest.approx(0.95) and ranked[0].rank == 1
    by_size = build_campaigns(frame, grouping, 2, PageConfig())
    assert [c.size for c in by_size] == [12, 8] and by_size[0].mean_score is None
