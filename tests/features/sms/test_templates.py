"""Templates: copies of one campaign match, different messages do not."""

from __future__ import annotations

import pickle

from configs import default_config_path, load_config
from configs.campaigns import CampaignsConfig
from features.sms.templates import TemplateSigner, template_text

CONFIG = load_config(default_config_path("campaigns"), CampaignsConfig).template
SIGNER = TemplateSigner(CONFIG)

COPY_A = "【顺丰】尊敬的张伟：您的快递丢失，我司将赔偿您368元，请联系理赔专员13812345678办理，退款链接 http://sf-pei.cn/a1"
COPY_B = "【顺丰】尊敬的李建国：您的快递丢失，我司将赔偿您1200元，请联系理赔专员15900001111办理，退款链接 http://sf-pei.cn/zz9"
OTHER = "妈，我今晚加班，晚饭不用等我了，你们先吃，记得把汤热一下"


def test_campaign_copies_share_one_template_text() -> None:
    assert template_text(COPY_A) == template_text(COPY_B)
    assert "张伟" not in template_text(COPY_A)


def test_names_before_titles_are_masked() -> None:
    assert template_text("王先生您好，您的订单已发货") == template_text("欧阳女士您好，您的订单已发货")


def test_copies_match_and_unrelated_messages_do_not() -> None:
    first, second, other = SIGNER.signature(COPY_A), SIGNER.signature(COPY_B), SIGNER.signature(OTHER)
    assert SIGNER.similarity(first, second) >= CONFIG.match_threshold
    assert SIGNER.similarity(first, other) < 0.2
    index = SIGNER.index()
    index.insert("a", first)
    assert index.query(second) == ["a"]
    assert index.query(other) == []


def test_short_messages_have_no_template() -> None:
    assert SIGNER.signature("好的") is None
    assert SIGNER.signature("验证码 123456") is None


def test_signatures_survive_a_round_trip_and_a_new_signer() -> None:
    """A signature stored by a training job matches one computed by a service process later."""
    stored = pickle.loads(pickle.dumps(SIGNER.signature(COPY_A)))
    fresh = TemplateSigner(CONFIG).signature(COPY_B)
    assert SIGNER.similarity(stored, fresh) >= CONFIG.match_threshold
