"""Demo-like campaigns for the grouping tests: one template re-sent with numbers, names and links
changed; a second campaign in two wordings tied only by its callback number; unrelated messages;
and contact points that must not merge (a hub quoted by many templates, an official short code)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs import default_config_path, load_config
from configs.campaigns import CampaignsConfig
from tests.serving.conftest import redis_url  # noqa: F401 - the throwaway redis-server (skips without one) for the store test

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"]
REFUND = ("【淘宝】尊敬的{name}：您购买的商品因质量问题需办理退款{amount}元，请添加客服微信tb{wx}或拨打{mobile}，"
          "登录 http://tb-{site}.cn/{code} 填写银行卡信息领取赔付。")
LOAN_A = "急用钱找宜信，无抵押无担保信用贷款，资料简单两天放款，额度{amount}万，咨询电话：{mobile}【{name}经理】"
LOAN_B = "您好，我是宜信金融顾问{name}，最近资金周转困难吗？最低月息{rate}厘，当天审批不看征信，详情来电{mobile}。"
LOAN_MOBILE = "13912345678"
UNRELATED = [
    "妈，我今天晚上加班不回家吃饭了，你们先吃别等我。",
    "明天下午三点的会议改到五楼大会议室，请各位准时参加。",
    "周末一起去爬山吗？天气预报说是晴天，早上八点小区门口集合。",
    "您的快递已放在小区东门丰巢柜，请凭取件码及时领取。",
    "老师您好，孩子今天发烧了，想请假一天，谢谢您的理解。",
    "今晚的火锅店订好了，七点半在万达广场三楼见，别迟到哦。",
]
HUB_NUMBER = "4008123456"
HUB_TEMPLATES = [
    "本店新到一批春季连衣裙，全场八折优惠，欢迎进店选购，电话{hub}。",
    "小区停车位年费续缴即将截止，请业主尽快到物业办理，电话{hub}。",
    "暑期少儿游泳培训班火热报名中，名额有限先到先得，电话{hub}。",
    "二手房急售三室两厅南北通透，业主诚心出售可议价，电话{hub}。",
    "家电清洗上门服务，空调油烟机洗衣机深度清洁，预约电话{hub}。",
    "驾校暑期学车特惠，包接送包考试一次拿证，报名电话{hub}。",
]
OFFICIAL = [
    "您尾号1234的储蓄卡账户工资入账到账，详询客服热线95588【工商银行】今日余额请登录手机银行查看。",
    "信用卡分期手续费限时优惠，最低可至三折，详情请拨打95588咨询或登录掌上生活办理。",
]


def _mobile(rng: np.random.Generator) -> str:
    return "1" + str(rng.choice([3, 5, 8])) + "".join(str(d) for d in rng.integers(0, 10, 9))


def demo_campaign_messages(seed: int = 7) -> pd.DataFrame:
    """Messages with the campaign each belongs to (``None``: belongs to none), label, sender and time."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str | None, int]] = []
    for i in range(12):
        rows.append((REFUND.format(name=NAMES[i % 10], amount=int(rng.integers(50, 900)), wx=int(rng.integers(1000, 9999)),
                                   mobile=_mobile(rng), site=int(rng.integers(10, 99)), code=int(rng.integers(1000, 99999))),
                     "refund", 1))
    for i in range(4):
        rows.append((LOAN_A.format(amount=int(rng.integers(1, 50)), mobile=LOAN_MOBILE, name=NAMES[i][0]), "loan", 1))
        rows.append((LOAN_B.format(name=NAMES[i + 4], rate=int(rng.integers(2, 9)), mobile=LOAN_MOBILE), "loan", 1))
    rows += [(text, None, 0) for text in UNRELATED]
    rows += [(text.format(hub=HUB_NUMBER), None, 0) for text in HUB_TEMPLATES]
    rows += [(text, None, 0) for text in OFFICIAL]
    frame = pd.DataFrame(rows, columns=["text", "campaign", "label"])
    frame["sender"] = [f"1069{index % 3}" for index in range(len(frame))]
    frame["sent_at"] = [f"2026-11-{1 + index % 28:02d} 10:{index % 60:02d}:00" for index in range(len(frame))]
    return frame


@pytest.fixture(scope="session")
def campaigns_config() -> CampaignsConfig:
    """The shipped config with a hub limit the small fixture can exceed (6 templates quote the hub number)."""
    shipped = load_config(default_config_path("campaigns"), CampaignsConfig)
    contacts = shipped.campaigns.contacts.model_copy(update={"max_templates_per_contact": 3})
    return shipped.model_copy(update={"campaigns": shipped.campaigns.model_copy(update={"contacts": contacts})})
