"""The shipped quickstart model on scam scripts it never saw (issue #10, part 2).

Hand-written messages, one or more per script of the national anti-fraud centre's warnings and
per kind of ordinary message, in our own wording and checked not to be near-duplicates of the
demo generator's output: this measures whether the demo-trained model learnt the *scripts*
(what the sender wants done) rather than the generator's sentences. The model is the one
``make run`` ships: demo data from ``configs/demo.yaml``, trained with ``configs/sms.yaml``.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from features.sms.patterns import script_cues
from features.sms.text import LINEAR_SCORE_NAME
from models.scam_model import ALLOW, Decision, ScamModel
from training.data.demo_sms import generate_demo_sms

MOBILE, VIRTUAL, SERVICE = "13566012345", "17012345678", "10690123456"

# (fraud type, script, text)
SCAMS = [
    (
        "冒充公检法", "police",
        "我是市公安局反诈专案组的李警官，你的银行卡被犯罪团伙用于洗钱，现在需要你配合调查，请不要挂断也不要告诉任何人。",
    ),
    (
        "冒充公检法", "procuratorate",
        "【最高检】你名下账户卷入一宗非法集资案，已被立案侦查，请将账户余额转至国家指定安全账户以证清白，联系电话13566778899。",
    ),
    (
        "冒充公检法", "court summons",
        "你好，这里是上海浦东法院，你有一份诉讼传票因涉嫌贩卖个人信息未领取，点击 http://fy-court.top/k3 查看案件详情。",
    ),
    (
        "冒充公检法", "asset check",
        "检察院通知：你的身份证被盗用涉嫌跨境赌博洗钱，需冻结资产，请加入腾讯会议配合资金核查。",
    ),
    (
        "冒充电商物流客服", "parcel loss",
        "亲，您在淘宝买的连衣裙快递途中遗失了，商家同意给您88元理赔，请加客服微信kf2288领取补偿。",
    ),
    (
        "冒充电商物流客服", "refund",
        "【京东客服】您的订单因仓库失误未能发出，我们为您办理退款并额外补偿，请点击 jd-tk.cc/re 填写收款账户。",
    ),
    (
        "冒充电商物流客服", "cancel insurance",
        "您好，您去年在抖音开通的百万医疗保险明天开始自动扣费每月600元，如需取消请回电13911223344由专员指导关闭。",
    ),
    (
        "冒充电商物流客服", "parcel damage",
        "快递员通知：你的包裹在分拣中心被压坏，保险公司按物品价值三倍赔付，请提供银行卡号及收到的短信验证码。",
    ),
    (
        "冒充电商物流客服", "cancel membership",
        "【支付宝】检测到您误开通了代理商会员，将每年扣除1200元服务费，请联系客服屏幕共享取消。",
    ),
    (
        "虚假网络贷款", "loan fee",
        "急需资金周转吗？无抵押不看征信，5万额度当天放款，先付800元工本费即可，加V：dk5566",
    ),
    (
        "虚假网络贷款", "frozen loan",
        "【微粒贷】恭喜您获得20万借款资格，因您的卡号输入有误导致资金冻结，需转2000元验证还款能力后解冻。",
    ),
    (
        "虚假网络贷款", "no-check loan",
        "贷款秒批，黑户白户都能办，最高30万，下款前收取1%保证金，详询 loan-fast.vip/a",
    ),
    (
        "虚假征信", "student loan",
        "【银保监会】您大学时申请的校园贷仍未清除，将严重影响征信记录，请今天内联系客服注销。",
    ),
    (
        "虚假征信", "credit repair",
        "逾期了别慌，专业征信修复，花了的征信也能洗白，包下贷款，咨询QQ 88776655",
    ),
    (
        "虚假征信", "credit score",
        "你好，你的京东金条账户存在不良记录，如不按客服指引关闭，个人信用分将被下调，回电 13800001111。",
    ),
    (
        "刷单返利", "likes for pay",
        "在家做兼职，给抖音视频点赞关注，一个赞3元，每天能赚两三百，日结工资，加我微信 dz998",
    ),
    (
        "刷单返利", "click farming",
        "招募网络刷手，帮淘宝店铺刷好评，本金加佣金一单一返，多做多得，QQ群 556677",
    ),
    (
        "刷单返利", "advance tasks",
        "宝妈看过来！手机上做任务，垫付100返130，佣金秒到账，详情私聊",
    ),
    (
        "刷单返利", "follow for pay",
        "【兼职】关注主播截图拿提成，每单5元当天结，名额有限，扫码进群 t.cn/Ab12",
    ),
    (
        "虚假投资理财", "stock mentor",
        "王老师带你炒股，内部消息明天必涨停，已为您预留席位，点此入群 gp-vip.top/x",
    ),
    (
        "虚假投资理财", "mentor livestream",
        "我是陈老师的助理，陈老师今晚在直播间免费讲解黄金期货，跟着操作收益翻倍，欢迎进群。",
    ),
    (
        "虚假投资理财", "crypto group",
        "USDT搬砖项目，每天稳定收益5%，币圈大佬带队，进群领取体验金，联系 tg:coin88",
    ),
    (
        "虚假投资理财", "crypto signals",
        "比特币合约交易群，分析师每日喊单，一个月翻三倍，扫码加入 btc-888.vip/j",
    ),
    (
        "冒充领导熟人", "boss new number",
        "小刘，我是张局，你存一下我这个新号码，明天到我办公室来一趟。",
    ),
    (
        "冒充领导熟人", "boss transfer",
        "我在开会不方便接电话，有个合作方急着要一笔30万的保证金，你先转给他，账号发你了，我回头签字报销。",
    ),
    (
        "冒充领导熟人", "relative accident",
        "妈，我同学小王骑车把人撞了在医院抢救，对方要两万块押金，你先转到这张卡上，千万别告诉爸。",
    ),
    (
        "冒充领导熟人", "relative in hospital",
        "阿姨您好，我是小军的同事，他在工地受伤正在急诊做手术，手术费还差三万，请马上汇到医院账户。",
    ),
    (
        "冒充领导熟人", "old friend",
        "猜猜我是谁？我是你大学室友啊，这是我新手机号，最近遇到点困难，能借我五千吗？",
    ),
    (
        "虚假购物服务", "cheap phone",
        "苹果15内部员工价2999元，全新未拆封，数量有限先付定金锁定，微信 ip1599",
    ),
    (
        "虚假购物服务", "fake luxury",
        "名牌包包海外代购一折清仓，私下交易更便宜，扫码付款即刻发货",
    ),
    (
        "虚假购物服务", "concert tickets",
        "周杰伦演唱会内场票，原价1800现1200，转账后出票，加qq 12345678",
    ),
    (
        "网络游戏虚假交易", "account buying",
        "高价收王者荣耀号，V10以上皮肤多的来，私下交易当场转账，联系QQ 99887766",
    ),
    (
        "网络游戏虚假交易", "frozen sale",
        "【游戏交易平台】您出售的和平精英账号已成交，但您的提现账户被冻结，需缴纳500元保证金解冻 http://yx-jy.cc/t",
    ),
    (
        "网络游戏虚假交易", "cheap top-up",
        "原神原石低价代充，6折出，先付款后到账，加微信 ys6688 私聊",
    ),
    (
        "网络婚恋交友", "gambling loophole",
        "亲爱的，我舅舅在博彩平台做技术，发现一个漏洞稳赚不赔，你先充一万试试，赚了我们就结婚。",
    ),
    (
        "网络婚恋交友", "dating forex",
        "哥哥，我在婚恋网站看到你，我在做外汇投资，收益很不错，你下载这个平台我教你。",
    ),
    (
        "网络婚恋交友", "dating deposit",
        "相亲认识这么久了，我一直在这个平台理财，今晚有个活动充值翻倍，你也注册一个吧 lc-love.vip",
    ),
    (
        "其他", "points expiring",
        "【中国移动】尊敬的用户，您的积分8600即将过期，请尽快登录 jf-10086.top 兑换现金礼包。",
    ),
    (
        "其他", "ETC re-verification",
        "【ETC】您的ETC设备认证已过期，即日起将停用，请点击 etc-rz.cc 重新激活。",
    ),
    (
        "其他", "prize tax",
        "恭喜您在抖音年度抽奖中被抽中一等奖，奖品为笔记本电脑，领奖需先交300元个人所得税。",
    ),
    (
        "其他", "medical insurance",
        "【医保中心】您的医保账户信息异常将被注销，请及时登录 ybzx-gov.xyz 更新信息。",
    ),
    (
        "其他", "card points",
        "您的招商银行信用卡积分将于今晚清零，可兑换大米油面，立即兑换 cmb-jf.cc/q",
    ),
    (
        "其他", "TV prize",
        "【电视台】《非诚勿扰》观众抽奖，恭喜您获得二等奖现金58000元，请登录 tv-jiang.top 领取奖金。",
    ),
]

# (kind, sender, text)
ORDINARY = [
    (
        "family", MOBILE,
        "妈，我今晚加班，晚饭不用等我了",
    ),
    (
        "family", MOBILE,
        "爸，我到学校了，宿舍挺好的，放心吧。",
    ),
    (
        "family", MOBILE,
        "老婆，下班帮我带瓶酱油，家里没了。",
    ),
    (
        "family", MOBILE,
        "闺女，天冷了多穿点，周末回来妈给你包饺子。",
    ),
    (
        "family", MOBILE,
        "哥，爸住院的事我已经跟医生沟通好了，明天我去陪床，你后天来换我。",
    ),
    (
        "family", MOBILE,
        "儿子，生活费给你打过去了，注意查收，别乱花。",
    ),
    (
        "note to teacher", MOBILE,
        "王老师您好，我是李明妈妈，孩子这两天有点发烧，明天请假一天，麻烦您了。",
    ),
    (
        "note to teacher", MOBILE,
        "张老师，孩子的作业本落在家里了，中午我给送到门卫，谢谢您。",
    ),
    (
        "note to teacher", MOBILE,
        "陈老师您好，周五的家长会我出差去不了，孩子爸爸会参加，谢谢理解。",
    ),
    (
        "friends", MOBILE,
        "周六爬山的事定了吗？我带水和零食，八点地铁站见。",
    ),
    (
        "friends", MOBILE,
        "上次吃饭的钱我微信转你了，记得收一下哈",
    ),
    (
        "work", MOBILE,
        "老张，明天的会议推迟到下午三点，材料你整理好发我邮箱。",
    ),
    (
        "OTP", SERVICE,
        "【微信支付】验证码 483920，您正在修改支付密码，5分钟内有效，请勿告诉任何人。",
    ),
    (
        "OTP", SERVICE,
        "【淘宝】您的登录校验码是 771204，请于10分钟内填写。如非本人操作，请忽略本短信。",
    ),
    (
        "OTP", SERVICE,
        "【招商银行】您正在进行网上支付，验证码 902133，金额 128.00 元，切勿泄露。",
    ),
    (
        "OTP", SERVICE,
        "【12306】您的注册验证码为 551902，有效期5分钟。",
    ),
    (
        "parcel", SERVICE,
        "【顺丰速运】您的快件已由丰巢柜代收，取件码 60281，请及时取件。",
    ),
    (
        "parcel", SERVICE,
        "【京东物流】您的订单已出库，预计明天送达，配送员杨师傅 13712345678。",
    ),
    (
        "parcel", SERVICE,
        "【中通快递】您好，包裹已放在小区东门驿站，凭手机尾号取件。",
    ),
    (
        "parcel", SERVICE,
        "【菜鸟】您有2个包裹待取，请于今天21:00前到菜鸟驿站领取。",
    ),
    (
        "bank notice", SERVICE,
        "【工商银行】您尾号6621的卡于11月3日网上支付扣款 56.80 元，余额 3,208.40 元。",
    ),
    (
        "bank notice", SERVICE,
        "【建设银行】您的房贷本月应还款 4,312.00 元，将于15日自动扣收，请确保账户余额充足。",
    ),
    (
        "bank notice", SERVICE,
        "【中国银行】尊敬的客户，您的信用卡本期账单已出，应还金额 2,640.50 元，到期还款日12月5日。",
    ),
    (
        "bank notice", SERVICE,
        "【农业银行】您尾号8812的借记卡已到期换卡成功，旧卡已作废，请使用新卡。",
    ),
    (
        "bank notice", SERVICE,
        "【交通银行】您申请的个人消费贷款已审批通过，请登录手机银行确认放款。",
    ),
    (
        "operator notice", SERVICE,
        "【中国联通】尊敬的客户，您本月已使用流量 18.6GB，剩余 1.4GB，超出部分按套餐标准计费。",
    ),
    (
        "operator notice", SERVICE,
        "【中国电信】您的话费余额不足10元，为免影响使用请及时缴费，可通过电信营业厅App充值。",
    ),
    (
        "operator notice", SERVICE,
        "【中国移动】您的积分将于12月31日到期清零，可登录中国移动App在积分商城兑换。",
    ),
    (
        "operator notice", SERVICE,
        "【中国移动】您已成功订购5G畅享套餐，次月生效，月费129元，如需变更请回复或拨打10086。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【国家反诈中心】提醒您：公检法机关不会电话办案，更没有所谓的安全账户，凡是让您转账的都是诈骗。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【深圳公安】刷单返利、点赞关注赚佣金都是骗局，先垫付后返利的一律是诈骗，请勿相信。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【市反诈中心】快递丢失主动理赔、注销校园贷、取消百万保障，这些“客服”都是骗子，接到请拨打96110。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【公安部】温馨提示：所谓投资导师拉您进群荐股、网恋对象带您充值博彩平台，全是诈骗套路。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【工商银行】防骗提示：领导、亲友用新号码让您转账，请务必先当面或电话核实。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【中国移动】反诈提醒：收到ETC认证、积分兑换、医保异常等短信，不要点击陌生链接。",
    ),
    (
        "anti-fraud reminder", SERVICE,
        "【杭州反诈】游戏账号私下买卖、低价充值点券是常见骗局，请在官方渠道交易。",
    ),
    (
        "service notice", SERVICE,
        "【社区通知】本周六上午在小区广场免费测血压，欢迎居民参加。",
    ),
    (
        "service notice", SERVICE,
        "【市第一人民医院】您预约的周三上午口腔科号已成功，请提前15分钟到自助机签到。",
    ),
    (
        "service notice", SERVICE,
        "【美团】您的外卖订单已送达，祝您用餐愉快，期待您的评价。",
    ),
    (
        "service notice", SERVICE,
        "【滴滴出行】您的行程已结束，本次车费 23.5 元，已从账户扣款。",
    ),
    (
        "service notice", SERVICE,
        "【支付宝】您的余额宝昨日收益 1.23 元，点击查看详情。",
    ),
    (
        "service notice", SERVICE,
        "【国家电网】您户号尾号3321的电费本月 186.20 元，已自动扣缴，感谢您的支持。",
    ),
    (
        "service notice", SERVICE,
        "【京东】您申请的退款 259.00 元已退回原支付账户，请注意查收。",
    ),
    (
        "service notice", SERVICE,
        "【平安保险】您的车险将于12月20日到期，如需续保请联系您的专属客户经理或登录官方App。",
    ),
]
SCAM_SENDERS = (MOBILE, VIRTUAL)
# The target on the sealed set: >= 38 of 40 scams flagged, no ordinary message touched.
MIN_SCAM_SHARE = 38 / 40
NEAR_DUPLICATE_JACCARD = 0.5
GENERATED_SAMPLE = 5000


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@pytest.fixture(scope="module")
def scam_decisions(demo_trained_model: ScamModel) -> list[Decision]:
    senders = [SCAM_SENDERS[i % len(SCAM_SENDERS)] for i in range(len(SCAMS))]
    records = pd.DataFrame({"text": [text for *_, text in SCAMS], "sender": senders, "sent_at": [None] * len(SCAMS)})
    return demo_trained_model.decide(records)


@pytest.fixture(scope="module")
def ordinary_decisions(demo_trained_model: ScamModel) -> list[Decision]:
    texts, senders = [text for *_, text in ORDINARY], [sender for _, sender, _ in ORDINARY]
    records = pd.DataFrame({"text": texts, "sender": senders, "sent_at": [None] * len(ORDINARY)})
    return demo_trained_model.decide(records)


def test_the_hand_written_set_covers_every_fraud_type_and_ordinary_kind() -> None:
    per_type = pd.Series([fraud_type for fraud_type, *_ in SCAMS]).value_counts()
    assert len(per_type) == 11 and per_type.min() >= 3, per_type
    assert len(SCAMS) >= 40 and len(ORDINARY) >= 40
    kinds = {kind for kind, *_ in ORDINARY}
    assert {"family", "note to teacher", "OTP", "parcel", "bank notice", "operator notice", "anti-fraud reminder"} <= kinds


@pytest.mark.parametrize("text", [text for *_, text in SCAMS] + [text for *_, text in ORDINARY])
def test_messages_are_not_near_duplicates_of_the_generator(text: str, generated_trigrams: list[set[str]]) -> None:
    grams = _trigrams(text)
    closest = max(_jaccard(grams, other) for other in generated_trigrams)
    assert closest < NEAR_DUPLICATE_JACCARD


@pytest.fixture(scope="module")
def generated_trigrams() -> list[set[str]]:
    texts = generate_demo_sms(GENERATED_SAMPLE, seed=2024)["text"].drop_duplicates()
    return [_trigrams(text) for text in texts]


@pytest.mark.slow
def test_scams_it_never_saw_are_flagged(scam_decisions: list[Decision]) -> None:
    missed = [(script, round(d.score, 3)) for (_, script, _), d in zip(SCAMS, scam_decisions, strict=True) if d.action == ALLOW]
    flagged = len(SCAMS) - len(missed)
    assert flagged >= math.ceil(MIN_SCAM_SHARE * len(SCAMS)), missed


@pytest.mark.slow
def test_ordinary_messages_are_allowed(ordinary_decisions: list[Decision]) -> None:
    pairs = zip(ORDINARY, ordinary_decisions, strict=True)
    touched = [(text, d.action, d.reasons) for (_, _, text), d in pairs if d.action != ALLOW]
    assert touched == []


@pytest.mark.slow
def test_flagged_scams_name_a_concrete_script_cue(scam_decisions: list[Decision]) -> None:
    cues = set(script_cues())
    flagged = [(text, d.reasons) for (*_, text), d in zip(SCAMS, scam_decisions, strict=True) if d.action != ALLOW]
    without_cue = [(text, reasons) for text, reasons in flagged if not cues & set(reasons)]
    assert without_cue == []


@pytest.mark.slow
def test_reasons_never_state_an_absence_or_a_generic_similarity_beside_a_cue(scam_decisions: list[Decision]) -> None:
    for decision in scam_decisions:
        assert not any("0 个" in reason or "0%" in reason for reason in decision.reasons), decision.reasons
        if set(script_cues()) & set(decision.reasons):
            assert LINEAR_SCORE_NAME not in decision.reasons, decision.reasons
