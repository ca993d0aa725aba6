"""Contact points are read from the raw text the way a campaign varies them, official ones dropped."""

from __future__ import annotations

import pytest

from configs import default_config_path, load_config
from configs.campaigns import CampaignsConfig
from features.sms.contacts import ContactExtractor, registered_domain


@pytest.fixture(scope="module")
def extractor() -> ContactExtractor:
    return ContactExtractor(load_config(default_config_path("campaigns"), CampaignsConfig).campaigns.contacts)


@pytest.mark.parametrize(("url", "domain"), [
    ("http://a.b.fake-bank.com.cn/x?id=1", "fake-bank.com.cn"),
    ("www.refund-12.cn/abc", "refund-12.cn"),
    ("https://go.tb-pay.top", "tb-pay.top"),
])
def test_registered_domain_drops_sub_domains_but_keeps_second_level_suffixes(url: str, domain: str) -> None:
    assert registered_domain(url, frozenset({"com.cn"})) == domain


def test_links_handles_and_callback_numbers_are_found(extractor: ContactExtractor) -> None:
    text = "加V信 abc_123 或QQ：12345678，登录 http://x.y.fake-bank.com.cn/a，咨询电话：13800138000，或致电86228111"
    assert extractor.contacts(text) == [
        "domain:fake-bank.com.cn", "wechat:abc_123", "qq:12345678", "phone:13800138000", "phone:86228111"]


def test_obfuscated_and_country_coded_copies_give_the_same_contact(extractor: ContactExtractor) -> None:
    assert extractor.contacts("加ｖｘ：ＡＢＣ_123，回电+8613800138000") == extractor.contacts("加微信abc_123，回电13800138000")


def test_official_numbers_and_sites_are_not_contact_points(extractor: ContactExtractor) -> None:
    text = "请拨打95588或10086，登录 www.icbc.com.cn 或 http://t.cn/AbCd 查看，勿信 www.10010.com, 谢谢"
    assert extractor.contacts(text) == []


def test_words_and_glued_runs_are_not_handles(extractor: ContactExtractor) -> None:
    assert extractor.contacts("关注微信 ok 公众号领取") == []
    assert extractor.contacts("pjumjgqqq0rsxxddadd9 是乱码, 微信 giatri00ngaysudungchoquykhachnapthetrong 也是") == []
    assert extractor.contacts("加qq群 123456 领取") == ["qq:123456"]  # a QQ number is not an official short code


def test_shorthand_handles_give_the_same_contact_as_the_app_name(extractor: ContactExtractor) -> None:
    assert extractor.contacts("加V：dz8826x，或加Q：2637481905，扣扣 5566778") == ["wechat:dz8826x", "qq:2637481905", "qq:5566778"]
