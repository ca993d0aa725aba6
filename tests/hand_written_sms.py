"""Hand-written SMS, in our own words, for judging whether a model learnt the fraud *scripts*.

Seven disjoint sets, each scams (fraud type, script, text) and ordinary messages (kind, sender, text):

- ``CHECK_*``: the committed check set of ``tests/models/test_fraud_scripts.py`` (the quickstart
  model must flag >= 95 % of its scams and touch none of its ordinary messages) and of
  ``tests/quality/test_hand_written_all_sets.py`` (the same for a model trained on every real set).
- ``DEV_*``: written on 2026-12-01 before any measurement, to steer changes to the demo mix and the
  generator (``benchmarks/hand_written.py``). Never copy these sentences into the generator:
  the set would then prove nothing.
- ``HELD_BACK_*``: written at the same time and looked at only once, at the end, to tell whether
  what helped on the dev set generalises.
- ``PILOT_A_*``: a blind set by a second, independent writer (session 11), the dev set of that
  session; like ``DEV_*``, never copied into the generator.
- ``DEV_HARD_*``: written on 2026-12-01 (session 12) before the change it judges: legitimate
  institutional and workplace notices full of money, credit, refund and link vocabulary (the kinds
  a blind set showed the quickstart model touching), beside the scams such a change could hurt.
- ``INVESTMENT_*``: written on 2026-12-01 (session 16) before the change it judges: investment
  scams of each sub-script, romance openers and scams using warning words, beside reminders that
  quote those scripts, people sharing cloud-drive links and broker notices.
- ``FAMILY_*``: written on 2026-12-01 (session 17) beside the change it tests: people's own
  messages that read like a script's opener, relatives retelling scams, courier follow-ups with
  the compensation handled, beside the scripts blind sets showed still missed.

Every message is checked not to be a near-duplicate of the demo generator's output nor of a
message of another set (character-trigram Jaccard below ``NEAR_DUPLICATE_JACCARD``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MOBILE, VIRTUAL, SERVICE = "13566012345", "17012345678", "10690123456"

# (fraud type, script, text)
CHECK_SCAMS = [
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
CHECK_ORDINARY = [
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

DEV_SCAMS = [
    ("冒充公检法", "identity misused",
     "这里是公安局刑侦支队，你的身份信息被人冒用办理了多张银行卡，涉嫌一起电信诈骗案，请立即添加办案民警QQ做笔录。"),
    ("冒充公检法", "arrest warrant",
     "【检察院】你涉嫌一起非法经营案，逮捕令已下发，为避免被通缉请将名下资金转入资金清查专用账户接受审查。"),
    ("冒充公检法", "seized parcel",
     "你好，我是派出所的，有人用你的名字寄了一个装有护照和银行卡的包裹，已被海关扣押，我帮你转接到公安局处理。"),
    ("冒充公检法", "court settlement",
     "【法院】你因信用卡恶意透支被起诉，明天上午开庭，如需撤诉请联系书记员 13588776655 缴纳和解金。"),
    ("冒充电商物流客服", "recall refund",
     "您好，我是拼多多售后，您上周购买的电饭煲检测出质量问题，厂家召回给您双倍退款，请下载会议软件按提示操作。"),
    ("冒充电商物流客服", "seller deposit",
     "【闲鱼】买家已付款，但您的账户未开通保证金服务，款项被冻结，请点击 xy-bzj.top 缴纳保证金解冻。"),
    ("冒充电商物流客服", "soaked parcel",
     "您的快递在运输途中被雨水泡坏，物流公司给您做出120元赔偿，请扫描二维码添加理赔专员。"),
    ("冒充电商物流客服", "livestream membership",
     "我是快手客服，您之前开通的直播会员没有关闭，下个月起每月扣费800元，请配合我们在银行App里操作取消。"),
    ("虚假网络贷款", "raised limit",
     "【借呗】您的额度已提升至15万，年化利率2.8%，无需审核，添加信贷经理微信立即放款。"),
    ("虚假网络贷款", "bank statement deposit",
     "您申请的贷款已审批，但银行流水不足，需要存入3000元刷流水才能放款，放款后一并退还。"),
    ("虚假网络贷款", "student loan fee",
     "大学生也能贷，凭身份证即可秒到账，不查征信不打电话，需先交会员费399元。"),
    ("虚假网络贷款", "unfreeze fee",
     "您的贷款账户因操作异常被冻结，请缴纳解冻金5000元，解冻后款项立即到账，联系信贷专员微信 xd2021。"),
    ("虚假征信", "credit centre",
     "【人民银行征信中心】系统检测到您有一笔未结清的网贷记录，逾期将上报征信黑名单，请回电办理消除。"),
    ("虚假征信", "close student account",
     "您好，根据国家政策，学生时期注册的网贷账户必须注销，否则会影响您的征信和子女上学，请配合我操作。"),
    ("虚假征信", "delete overdue record",
     "征信花了？贷款总被拒？内部渠道帮您删除逾期记录，三天见效，不成功不收费，联系 zx-xf.cc"),
    ("刷单返利", "typing job",
     "招聘兼职打字员，在家用手机就能做，一小时30元，日结，有意者加微信 dzy520"),
    ("刷单返利", "order tasks",
     "做任务赚佣金：按要求下单购买指定商品，完成后返还本金和10%提成，第一单马上返现。"),
    ("刷单返利", "product reviewer",
     "您好，我们在招募商品体验官，给店铺写好评即可获得佣金，每天可做二十单，感兴趣请下载App注册。"),
    ("刷单返利", "box office boosting",
     "【招聘】电影票房刷量项目，投入越多回报越高，连做三单返利翻倍，带你赚钱。"),
    ("虚假投资理财", "stock camp",
     "恭喜您被选中参加免费炒股训练营，资深讲师带您抓牛股，添加班主任微信进群学习。"),
    ("虚假投资理财", "offshore coin",
     "海外数字货币平台内部名额，保本保息月收益20%，已有上千人赚到钱，点击注册 hb-coin.top"),
    ("虚假投资理财", "vip group",
     "李老师今天在群里推荐的股票又涨停了，明天有一支更好的，想跟的赶快进VIP群。"),
    ("虚假投资理财", "forex copy trading",
     "期货外汇跟单，导师一对一指导，稳赚不赔，首充送50%体验金。"),
    ("冒充领导熟人", "son lost phone",
     "爸，我手机掉水里了，这是同学的号码，我急着交培训费五千，你先转到这个卡上。"),
    ("冒充领导熟人", "boss deposit",
     "王会计，我是李总，我现在在外地谈项目，需要马上给对方付一笔定金，你先转过去，我晚点补签字。"),
    ("冒充领导熟人", "classmate sick child",
     "老同学，还记得我吗？我换号了，孩子生病住院钱不够，你能先借我八千吗，下个月一定还。"),
    ("冒充领导熟人", "uncle in trouble",
     "我是你舅舅，这是我新号，我在外面出了点事不方便说，你先打两万到这个账户，别让你妈知道。"),
    ("虚假购物服务", "cheap liquor",
     "茅台酒厂家直销，飞天53度每瓶只要899元，货到前需先付全款，加微信下单。"),
    ("虚假购物服务", "used laptop",
     "低价转让九成新笔记本电脑，只要一千，先付定金我发顺丰，不支持当面交易。"),
    ("虚假购物服务", "scarce goods",
     "口罩、消毒液紧俏货源，大量现货，先款后货，量大从优，有意私聊。"),
    ("网络游戏虚假交易", "skins account sale",
     "王者荣耀全皮肤账号低价出售，只要688，在私人平台交易更安全，链接 wz-jy.cc"),
    ("网络游戏虚假交易", "verify by top-up",
     "【游戏客服】您的账号因异常交易被冻结，需要充值2000元验证身份，验证后全额返还。"),
    ("网络游戏虚假交易", "fake buyer site",
     "收购英雄联盟账号，价格高于市场，请在这个网站上架，买家已下单等你确认 lol-shou.top"),
    ("网络婚恋交友", "lottery pattern",
     "亲爱的，我在彩票平台找到了规律，你用我的方法下注，一定能赢，我们以后的房子就靠它了。"),
    ("网络婚恋交友", "dating app broker",
     "哥，我是在交友软件上认识的小雨，我叔叔是证券公司的，带你做一单你就知道有多赚了。"),
    ("网络婚恋交友", "gift at customs",
     "宝贝，我在国外给你寄了一份礼物，现在卡在海关，需要交3000元清关费你帮我付一下。"),
    ("其他", "operator points",
     "【中国电信】您的手机积分可兑换价值399元的电饭煲，今日24点过期，点击 dx-jfdh.top 兑换。"),
    ("其他", "traffic fine",
     "【交管12123】您的车辆有一条违章未处理，逾期将影响年检，请登录 jg-12123.cc 缴纳罚款。"),
    ("其他", "tv show prize",
     "恭喜您被《奔跑吧》节目组抽为幸运观众，获得奖金12万和笔记本电脑一台，请点击领奖。"),
    ("其他", "social security card",
     "【社保局】您的社保卡需要升级为电子社保卡，否则将停止使用，点击 sb-gov.top 办理。"),
    ("其他", "ETC frozen",
     "ETC用户您好，您的ETC卡因信息不全已被冻结，请及时登录 etc-jh.vip 补充信息。"),
]

DEV_ORDINARY = [
    ("family", MOBILE, "妈，我这周末不回家了，公司要团建，下周再回去看你们。"),
    ("family", MOBILE, "老公，孩子今天放学我去接，你下班直接回家就行。"),
    ("family", MOBILE, "奶奶，我给你寄的降压药到了吗？记得每天早上吃一片。"),
    ("family", MOBILE, "弟，爸的生日蛋糕我订好了，晚上七点你去店里取一下。"),
    ("family", MOBILE, "妈，我这个月工资发了，给你转了两千，买点自己喜欢的。"),
    ("note to teacher", MOBILE, "刘老师您好，我是王小雨的爸爸，孩子今天早上肚子疼，上午晚点到校，给您添麻烦了。"),
    ("note to teacher", MOBILE, "李老师，孩子说明天要交的手工作品还没做完，能不能宽限一天？谢谢您。"),
    ("work", MOBILE, "各位同事，明早九点在三楼会议室开周会，请带上本周的工作总结。"),
    ("work", MOBILE, "王经理，合同我已经改好发您邮箱了，麻烦您看一下有没有问题。"),
    ("work", MOBILE, "小李，客户那边说发票抬头写错了，你重新开一张寄过去吧。"),
    ("friends", MOBILE, "今晚老地方吃火锅，六点半不见不散，我先去占座。"),
    ("friends", MOBILE, "你上次借我的书看完了吗？下周还我就行，不急。"),
    ("OTP", SERVICE, "【支付宝】验证码 392017，您正在登录支付宝，切勿将验证码告知他人。"),
    ("OTP", SERVICE, "【美团】您的验证码是 8826，用于登录，5分钟内有效。"),
    ("OTP", SERVICE, "【建设银行】您正在办理转账业务，验证码 640215，请勿向任何人透露。"),
    ("parcel", SERVICE, "【圆通速递】您的快件正在派送中，派送员电话 13687654321，请保持电话畅通。"),
    ("parcel", SERVICE, "【邮政EMS】您的邮件已到达本地网点，将于今天下午投递，请注意查收。"),
    ("parcel", SERVICE, "【韵达快递】您的包裹已签收，签收人：门卫。如有疑问请联系快递员。"),
    ("delivery call-back", MOBILE, "你好，我是送快递的，刚才打你电话没人接，包裹放你家门口了，方便回个电话确认一下。"),
    ("delivery call-back", MOBILE, "外卖到小区门口了，保安不让进，麻烦下楼取一下，到了给我回个电话。"),
    ("bank notice", SERVICE, "【浦发银行】您尾号3307的信用卡消费 268.00 元，当前可用额度 15,732.00 元。"),
    ("bank notice", SERVICE, "【邮储银行】您尾号5521的账户工资入账 6,850.00 元，余额 9,102.33 元。"),
    ("bank notice", SERVICE, "【招商银行】您的信用卡账单已出，本期应还 1,086.20 元，最后还款日12月18日，可通过掌上生活App还款。"),
    ("operator notice", SERVICE, "【中国移动】您本月套餐内通话剩余 120 分钟，流量剩余 5.2GB，详情可登录中国移动App查询。"),
    ("operator notice", SERVICE, "【中国联通】您家宽带包年服务下月底结束，需要继续使用的话可到就近营业厅续约。"),
    ("operator notice", SERVICE, "【中国电信】您已成功缴费 100 元，当前余额 126.40 元，感谢您的使用。"),
    ("anti-fraud reminder", SERVICE, "【国家反诈中心】警惕！网上自称客服说要给您理赔、退款的，都要通过官方渠道核实，不要屏幕共享。"),
    ("anti-fraud reminder", SERVICE, "【市公安局】提醒：凡是要求您下载会议软件、转账到所谓安全账户的“警察”，都是骗子。"),
    ("anti-fraud reminder", SERVICE, "【反诈提醒】注销校园贷、消除征信不良记录都是诈骗话术，征信无法人为修改，请勿上当。"),
    ("service notice", SERVICE, "【12306】您已购买12月5日G102次列车，05车12F号，请携带身份证乘车。"),
    ("service notice", SERVICE, "【市人民医院】您的体检报告已出，可登录医院公众号查看。"),
    ("service notice", SERVICE, "【物业】本楼明天上午9点至12点停水检修，请提前储水，给您带来不便敬请谅解。"),
    ("service notice", SERVICE, "【京东】您购买的商品已发货，运单号 JD0012345678，可在京东App查看物流。"),
    ("service notice", SERVICE, "【学校】明天因降雪停课一天，请家长注意孩子安全，复课时间另行通知。"),
    ("service notice", SERVICE, "【滴滴出行】您叫的快车已到达上车点，车牌京A·12345，请尽快上车。"),
]

HELD_BACK_SCAMS = [
    ("冒充公检法", "cyber police",
     "我是网警，你的账户涉及一起网络赌博案件，现在要对你的资金做清查，请按指示把钱转到核查账户。"),
    ("冒充电商物流客服", "triple compensation",
     "【唯品会】您购买的羽绒服因质检不合格被召回，给您办理三倍赔付，请加理赔客服QQ 223344。"),
    ("冒充电商物流客服", "trial insurance",
     "您好，您的百万保障服务试用期结束，即将按月扣费，如不需要请联系人工客服关闭。"),
    ("虚假网络贷款", "insurance fee",
     "低息贷款，月息0.3%，最快十分钟到账，放款前需缴纳2000元保险费。"),
    ("虚假征信", "student account",
     "你好，你在大学期间开通的学生账户至今未注销，违反国家规定，今天不处理将拉入征信黑名单。"),
    ("刷单返利", "video likes",
     "空闲时间手机兼职，给商家视频点赞一单两元，一天轻松一百以上，当天结算。"),
    ("刷单返利", "top-up tasks",
     "内部任务群招人，完成充值任务即返佣金30%，联系带单老师。"),
    ("虚假投资理财", "silver tip",
     "白银现货内幕消息，跟着分析师操作本周翻倍，点击链接领取交易软件。"),
    ("虚假投资理财", "mining rigs",
     "加密货币矿机托管，一台每天收益200元，回本只需一个月，名额仅剩5个。"),
    ("冒充领导熟人", "uncle lost wallet",
     "是我，你二叔，我在外地钱包丢了，身上一分钱都没有，你先给我这个卡转一千应急。"),
    ("冒充领导熟人", "director's project money",
     "周主任让我联系你，他现在在开会，请你把项目款先打到这个账户，他说事后补手续。"),
    ("虚假购物服务", "factory shoes",
     "品牌运动鞋工厂尾单，正品一双99元，先付款后发货，微信 xie8899"),
    ("网络游戏虚假交易", "safe trading platform",
     "和平精英账号高价回收，先加我QQ，我给你介绍一个安全的交易平台。"),
    ("网络婚恋交友", "gambling agent",
     "认识你很开心，我在一个博彩网站做代理，今晚有内部数据，你充五千我保证你赢。"),
    ("其他", "points cash",
     "【中国联通】您的话费积分3500分将于今日清零，请点击 lt-jf.top 兑换现金红包。"),
    ("其他", "lucky number prize",
     "恭喜您的手机号码被抽中本月幸运大奖，奖金8万元，请先缴纳手续费领取。"),
]

HELD_BACK_ORDINARY = [
    ("family", MOBILE, "妈，我坐的高铁晚点了，大概十点到，你们先睡别等我。"),
    ("note to teacher", MOBILE, "赵老师您好，我是孙浩的妈妈，今天放学麻烦让孩子在学校门口等我一下，我晚到十分钟。"),
    ("work", MOBILE, "张哥，明天下午的面试改到两点半了，地址不变，记得带简历。"),
    ("OTP", SERVICE, "【抖音】您的登录验证码为 512734，请勿泄露。"),
    ("parcel", SERVICE, "【顺丰速运】您的快件 SF1234567890 已签收，感谢使用顺丰。"),
    ("bank notice", SERVICE, "【交通银行】您尾号9042的卡转入 500.00 元，余额 1,233.10 元。"),
    ("operator notice", SERVICE, "【中国移动】尊敬的客户，您当前话费余额 8.30 元，为避免停机请及时充值。"),
    ("anti-fraud reminder", SERVICE, "【国家反诈中心】提醒：网恋对象推荐投资平台、带你买彩票的，都是诈骗，请立即停止转账。"),
]

# Pilot A: a blind set by a second, independent writer (session 11, 2026-12-01), copied verbatim;
# sender "mobile" -> MOBILE, "service" (a 106 short code) -> SERVICE. The dev set of session 11:
# never copy or paraphrase these sentences into the generator.
PILOT_A_SCAMS = [
    # --- 公检法 ---
    ("冒充公检法", "police: money laundering, safe account",
     "您好，这里是广州市公安局白云分局，您名下一张建设银行卡涉嫌参与一起洗钱案件，已被列为协查对象，"
     "请于今日18点前回电020-86091327配合调查，逾期将依法冻结您名下所有账户。"),
    ("冒充公检法", "procuratorate: detention notice link, asset check",
     "【最高人民检察院】关于您涉嫌非法出售个人银行账户一案的刑事拘留通知书已生成，案件编号GJ2024-0716，"
     "请登录 www.spp-ajcx.com 查阅并提交资产核查，切勿告知他人。"),
    ("冒充公检法", "court summons, press 9",
     "王秀兰，你在浦东新区人民法院有一张传票未领取，涉及信用卡恶意透支纠纷，明天上午开庭，详情请回拨，按9转人工。"),
    ("冒充公检法", "police: medical insurance card misused, QQ statement, secrecy",
     "我是哈尔滨市公安局刑侦支队民警李建国，警号093517。你的医保卡在外地被人冒用骗保，案情涉密，加我QQ 2871440935做笔录，不要挂机，不要跟家人说。"),
    # --- 快递丢失理赔 ---
    ("冒充电商物流客服", "parcel lost, triple compensation via WeChat",
     "您好，我是中通快递理赔专员，您在拼多多购买的商品在运输途中丢失，我们将按商品价格三倍赔偿，请加客服微信zt-lipei0527办理理赔。"),
    ("冒充电商物流客服", "parcel destroyed (contamination), claim link",
     "【圆通速递】您的快递YT7502913846621在转运中心检测出病毒污染已作销毁处理，理赔款186元请点击 ytlp-kf.cn/p 填写收款信息领取。"),
    ("冒充电商物流客服", "parcel lost, first contact",
     "亲，你的包裹在我们网点弄丢了，实在不好意思，方便加个微信给你走一下赔偿吗？"),
    # --- 质量问题退款 ---
    ("冒充电商物流客服", "quality problem double refund, asks about Alipay",
     "您好，我是淘宝店铺售后，您上月购买的儿童保温杯经质检部门抽检甲醛超标，店铺主动为您办理双倍退款，请问您的支付宝还在正常使用吗？"),
    ("冒充电商物流客服", "refund via 备用金 channel, 400 number",
     "【抖音商城】尊敬的客户，您购买的面膜批次存在质量问题，已为您申请退款239元，因系统故障需通过支付宝备用金通道接收，详询客服4001-827-366。"),
    ("冒充电商物流客服", "product recall refund, screen-share meeting app",
     "你好 我是京东客服 你买的那款蓝牙耳机厂家召回了 给你退款加补偿 下载个会议软件我远程教你操作就行 很快的"),
    # --- 百万保障 / 会员扣费 ---
    ("冒充电商物流客服", "百万保障 trial ends, monthly deduction, threat to credit",
     "【支付宝】您开通的百万保障服务试用期今日到期，次月起每月自动扣费800元，如非本人操作请于24小时内致电0755-36615820取消，否则影响个人征信。"),
    ("冒充电商物流客服", "student agent account must be closed",
     "你好，我是京东金融客服，查到您大学期间开通过学生代理账号，现在国家规定必须注销，不然会影响征信，您看现在方便处理一下吗？"),
    ("冒充电商物流客服", "live-stream VIP yearly auto-renewal, card verification link",
     "尊敬的用户，您在快手开通的直播VIP会员将于明日起按年扣费3600元，如需取消请登录 ks-vipquxiao.top 验证银行卡信息。"),
    # --- 虚假贷款 ---
    ("虚假网络贷款", "pre-approved low-interest no-collateral loan",
     "【众信金服】李先生您好，您的信用良好，已获得最高20万元预授信额度，年化3.6%，无抵押无担保当天到账，回复1立即申请，退订回T"),
    ("虚假网络贷款", "wrong card number, unfreeze deposit",
     "您的借款50000元因银行卡号填写错误已被系统冻结，需缴纳30%解冻保证金15000元至指定账户核验还款能力，解冻后连同借款一并返还。"),
    ("虚假网络贷款", "casual: any credit ok, WeChat",
     "老板最近资金周转有没有需要？正规平台，身份证就能借，不看征信黑白户都能做，加微信jd88dk咨询"),
    # --- 征信 ---
    ("虚假征信", "cancel campus loan account or credit record",
     "同学你好，我是蚂蚁金服的工作人员，系统显示你在校期间注册过校园贷账户，按照银保监会最新文件需在本周内注销，否则会记入征信，影响以后买房贷款。"),
    ("虚假征信", "credit repair service ad",
     "征信花了、逾期记录多？专业团队内部渠道修复个人征信，不成功不收费，已帮2000多位客户成功下款，咨询V:zx-xiufu66"),
    ("虚假征信", "fake PBOC overdue record, dispute link",
     "【中国人民银行征信中心】您名下存在一笔逾期记录，将影响您的信用评分，请于3日内访问 pbc-zxfw.net 申请异议处理，逾期系统将自动上报。"),
    # --- 刷单 / 点赞 ---
    ("刷单返利", "like/follow daily pay, QQ",
     "招聘兼职：抖音点赞关注，一单3元，动动手指日结200+，宝妈学生在家可做，不收任何费用，加QQ 3362091847领任务"),
    ("刷单返利", "advance-payment order, first contact",
     "在吗？我们店铺要冲销量，你帮忙拍一单，本金加佣金10分钟内返给你，做得多给的也多，可以试试的。"),
    ("刷单返利", "movie rating task app, newcomer bonus",
     "【美团影视】诚招线上影评员，给新上映电影打分助力票房，每单佣金15-80元，新人首单送58元，下载APP：mtyp-task.cc"),
    # --- 投资理财 ---
    ("虚假投资理财", "stock mentor assistant, free picks group",
     "你好，我是陈老师的助理小雅，陈老师今天在群里免费分享三只明日涨停潜力股，名额有限，加微信进群领取：cls6689"),
    ("虚假投资理财", "pre-IPO original shares",
     "王总好，我们公司明年在港股上市，现有一批内部原始股1.8元一股，上市后预计翻20倍，仅限老客户认购，感兴趣回个电话：13715280944"),
    ("虚假投资理财", "forex/gold platform with mentor signals",
     "【汇丰外汇】今晚非农数据公布，国际黄金行情大波动，导师带单稳赚，上周会员平均收益47%，首充5000送2000，开户链接 hsfx-gold.vip"),
    # --- 虚拟币 / USDT ---
    ("虚假投资理财", "USDT OTC arbitrage",
     "U商搬砖，USDT场外承兑日收益3%-5%，资金不出自己账户，稳定安全，有意向的加飞机或者微信ut_888banzhuan"),
    ("虚假投资理财", "exchange airdrop activation link",
     "恭喜您获得币安空投资格，价值2000枚泰达币的数字资产已存入您的钱包，请在48小时内登录 bnb-airdrop.com 激活领取。"),
    ("虚假投资理财", "crypto contract group invite, casual",
     "兄弟，我们群里老师带着做虚拟币合约，昨天一单翻了4倍，今天晚上8点还有一波，进不进？我拉你"),
    # --- 冒充领导熟人 ---
    ("冒充领导熟人", "boss changed number, come to office",
     "我是刘局长，换号了，存一下，明早来我办公室。"),
    ("冒充领导熟人", "boss in meeting, pay partner urgently",
     "小周，我在开会不方便接电话，有个合作方的款急着要付，你先帮我转8万到这个账户，户名杭州鑫盛建材有限公司，开完会我让财务补给你。"),
    ("冒充领导熟人", "teacher: child injured, surgery fee",
     "您是张浩的家长吧？我是他班主任，张浩上体育课摔伤了头，现在在市一院抢救，要马上交手术费3万，我先垫了一部分，您赶紧转到这个卡上。"),
    ("冒充领导熟人", "child's phone broken, borrowed number, tuition fee",
     "妈，我手机掉水里了，这是同学的号，我急用2000块交培训费，你转我同学微信上吧，他微信就是这个号。"),
    # --- 积分兑换 ---
    ("其他", "mobile points reset today, redemption link",
     "【中国移动】尊敬的客户，您的话费积分8650分将于今日清零，可兑换价值388元的现金红包，请立即登录 10086jf.cn/dh 办理兑换，逾期作废。"),
    ("其他", "credit card points expiring, link",
     "【招商银行】您的信用卡积分12900分即将过期，可兑换蓝牙音箱或等额现金，请点击 cmbjf-dh.com 提交领取。"),
    ("其他", "points for rice cooker, needs card number",
     "您的移动积分还有3天到期了，可以换一台电饭煲，登记一下收货地址和银行卡号就能寄出，需要的话回我一下。"),
    # --- ETC ---
    ("其他", "ETC authentication expired, relink",
     "【ETC服务中心】您的ETC卡信息认证已失效，将于今日停用，请尽快登录 etc-zxrz.cn 重新认证，以免影响正常通行。"),
    ("其他", "ETC blacklisted, call back",
     "尊敬的车主，您的ETC设备因高速扣费异常已被列入黑名单，请于48小时内回电0571-89267431解除，否则将按逃费处理。"),
    ("其他", "ETC toll subsidy claim",
     "【交通运输部】根据新规，您名下苏E·8K927车辆可领取ETC年度通行补贴680元，请点击 jtysb-etc.com 填写信息申领。"),
    # --- 中奖 ---
    ("其他", "TV show lucky audience, tax first",
     "恭喜您被《奔跑吧》节目组抽选为场外幸运观众，获得奖金12.8万元及笔记本电脑一台，请登录 pb-zjcx.com 输入验证码3865领取，领奖需先缴纳个人所得税。"),
    ("其他", "anniversary draw, contact prize officer",
     "【京东】恭喜您的账户在周年庆回馈活动中抽中二等奖，奖品为华为Mate60一部，请在72小时内联系领奖专员：19826377541"),
    ("其他", "mall draw, pay shipping",
     "你好，你商场抽奖中了台电动车，交298运费就给你送去。"),
    # --- 游戏交易 ---
    ("网络游戏虚假交易", "cheap account, off-platform",
     "出王者荣耀满V号，136个皮肤，诚心要1200，不走交易猫，走我这边平台更便宜，加Q 1904476235"),
    ("网络游戏虚假交易", "buyer: seller funds frozen, deposit",
     "你好，你在平台挂的那个和平精英号我买了，钱已经付了，但是平台说你账户没认证资金被冻结，要你先交800保证金解冻，客服链接：jyms-kf.cc"),
    ("网络游戏虚假交易", "anniversary free skins, parent payment verification",
     "原神周年庆福利：免费领取限定角色和6480原石，点击 ys-zhounian.com 进入领取页面，需验证家长微信支付账户。"),
    # --- 婚恋交友 ---
    ("网络婚恋交友", "dating site opener",
     "你好，我在珍爱网上看到你的资料，感觉我们挺有缘的，我是做跨境电商的，加个微信聊聊吧？wx: lina_1992sz"),
    ("网络婚恋交友", "partner pushes betting platform",
     "亲爱的，我舅舅在那个平台做内部数据，跟着他下注稳赚的，我自己又赚了五万，你先充一万试试，赚了我们一起攒钱买房好不好。"),
    ("网络婚恋交友", "stranger opener, warm tone",
     "哥哥在吗？上次加你微信怎么没通过呀"),
    # --- 虚假购物 ---
    ("虚假购物服务", "customs-confiscated iPhone, deposit",
     "海关罚没iPhone15ProMax全新未激活，原价9999现仅需2680，数量有限先到先得，需付定金300，余款货到付清，微信hg-pm15"),
    ("虚假购物服务", "concert tickets, full payment first",
     "周杰伦南京站内场票还有两张，原价转，我这边有渠道出票，先付全款我把电子票转给你，要的话加我微信zjl_piao520。"),
    ("虚假购物服务", "mask supply, 50% deposit",
     "老板要口罩吗？厂家直供N95现货十万只，一块二一只，先付50%定金当天发货，量大从优，联系人赵经理15936201478"),
]

PILOT_A_ORDINARY = [
    ("family", MOBILE, "妈，今晚加班到九点多，不回来吃饭了，给我留点汤就行。"),
    ("family", MOBILE, "我给你转了500，你去买点水果，别老舍不得花。"),
    ("family", MOBILE, "爸 我到车站了 车晚点了四十分钟 你别急着出门"),
    ("family", MOBILE, "晚上我带孩子回去吃饭，要不要我顺路买点菜？"),
    ("friend", MOBILE, "周六爬山还去不去？老李说他开车，早上七点小区门口集合。"),
    ("friend", MOBILE, "上次吃饭的钱我微信转你了，记得收一下哈"),
    ("parent_teacher", MOBILE, "王老师您好，我是李子轩的妈妈，孩子今天有点发烧，想请一天假，麻烦您了。"),
    ("colleague", MOBILE, "张经理，上周出差的发票我已经贴好了，报销单放你桌上了，麻烦签个字。"),
    ("colleague", MOBILE, "合同第三页的付款条款客户那边要改一下，我改完发你邮箱，你看没问题就盖章。"),
    ("colleague", MOBILE, "您好，我是星辰科技人事部的小刘，通知您明天下午两点来公司参加二面，地址在软件园B座5楼。"),
    ("colleague", MOBILE, "客户刚打电话说样品收到了，挺满意的，下周想约我们过去谈一下批量的价格。"),
    ("landlord", MOBILE, "小陈，这个月房租记得15号前转我，水电费是236，一起转就行。"),
    ("delivery", MOBILE, "你好，我是顺丰的快递员，刚打你电话没人接，你的件放小区门口丰巢了，取件码发你手机上了。"),
    ("neighbour", MOBILE, "我是楼下502的，你家阳台在滴水，能不能看一下空调管子？"),
    ("otp", SERVICE, "【支付宝】验证码482917，您正在登录支付宝账户，5分钟内有效。验证码切勿告诉他人。"),
    ("otp", SERVICE, "【美团】您的验证码是603215，用于手机号登录，请勿泄露给他人，如非本人操作请忽略。"),
    ("parcel", SERVICE, "【菜鸟驿站】您的中通包裹已到学府路店，请凭取件码8-2-3017于18:00前领取。"),
    ("parcel", SERVICE, "【京东】您的订单已签收，签收人：本人。感谢您在京东购物，欢迎再次光临。"),
    ("bank", SERVICE, "【工商银行】您尾号6623卡11月28日09:15工资收入8,650.00元，余额12,307.42元。"),
    ("bank", SERVICE, "【招商银行】您账户1087于12月01日14:32快捷支付扣款128.50元，商户：美团，余额3,402.18。"),
    ("bank", SERVICE, "【建设银行】您尾号3391的信用卡本期账单金额4,216.80元，最后还款日12月20日，最低还款421.68元。"),
    ("operator", SERVICE, "【中国移动】尊敬的客户，截至11月30日24时，您的话费余额为8.60元，为避免影响使用，请及时充值。"),
    ("operator", SERVICE, "【中国联通】您本月国内通用流量已使用80%，剩余2.1GB，可发送LLCX查询详细使用情况。"),
    ("appointment", SERVICE, "【北京协和医院】您已成功预约12月5日上午内分泌科王医生门诊，就诊序号16，请携带身份证提前30分钟到院取号。"),
    ("appointment", SERVICE, "【一汽大众雄风4S店】尊敬的车主，您的爱车已到1万公里保养周期，本周六可预约到店，详询0571-86720311。"),
    ("school", SERVICE, "【阳光幼儿园】各位家长好，本周五下午3点召开家长会，请准时到园，届时会发放寒假安排。"),
    ("school", MOBILE, "各位家长，明天学校体检，孩子早上不要吃早饭，带好体检表，谢谢配合。——三年二班班主任"),
    # --- hard cases: share vocabulary with scams ---
    ("anti_fraud", SERVICE, "【国家反诈中心】提醒：公检法机关不会通过电话办案，"
    "不存在所谓的“安全账户”，凡是要求您转账到安全账户的都是诈骗！如有疑问请拨打96110。"),
    ("anti_fraud", SERVICE, "【深圳市公安局反诈中心】近期刷单返利诈骗高发，"
    "对方先让你小额获利，再以“联单”“卡单”为由要求垫付大额资金。刷单就是诈骗，切勿相信！"),
    ("anti_fraud", SERVICE, "【国家反诈中心】注意！自称客服说你开通了“百万保障”“学生会员”需要关闭、否则影响征信的，都是诈骗。征信无法人为修复。"),
    ("bank_warning", SERVICE, "【中国银行】温馨提示：我行不会以任何理由要求您提供短信验证码、密码，请勿向他人透露，谨防诈骗。"),
    ("refund", SERVICE, "【淘宝】您的退款申请已通过，退款金额89.00元已原路退回至您的支付宝余额，请注意查收。"),
    ("refund", SERVICE, "【拼多多】您的订单已退款成功，52.80元将于1-3个工作日内原路退回您的银行卡，无需任何额外操作。"),
    ("insurance", SERVICE, "【中国平安】尊敬的客户，您的车险保单将于12月18日到期，请及时续保，可通过平安好车主App或联系您的专属代理人办理。"),
    ("loan", SERVICE, "【建设银行】尊敬的客户，您的个人住房贷款本月应还款3,612.45元，将于12月10日从尾号0916账户自动扣款，请确保余额充足。"),
    ("loan", SERVICE, "【微众银行】您的微粒贷借款本期应还1,058.33元，还款日为12月8日，将从绑定的银行卡自动扣款。"),
    ("parcel_compensation", MOBILE, "你好，我是韵达学府路网点的，你那个件运输中破损了，商家那边同意给你补发一件，不用你操作，明天直接送到。"),
    ("etc", SERVICE, "【江苏ETC】您的车辆苏A·5L823于11月28日通行宁杭高速，扣费45.00元，如有疑问请拨打96777。"),
    ("points", SERVICE, "【中国电信】尊敬的客户，您当前积分为2,356分，可在中国电信App“积分商城”兑换话费或权益，详情咨询10000。"),
    ("police_notice", SERVICE, "【朝阳公安分局】您申请的居住证已办理完成，请携带本人身份证于工作日到呼家楼派出所户籍窗口领取。"),
]

# Dev hard: written on 2026-12-01 (session 12, issue #10) before any change it was used to judge,
# because session 11's blind set B showed the quickstart model touching 3-6 of 40 ordinary messages,
# all legitimate institutional or workplace notices (a 4S-shop reminder, a credit-report receipt, a
# refund notice, a courier claim through the official app, a colleague's invoice, a meeting link).
# Its ordinary messages are of those kinds and their neighbours; its scams are the scripts a change
# that spares such notices could hurt (refund / compensation, 征信, fake customer service, meeting
# links). Like ``DEV_*``, never copy or paraphrase these sentences into the generator.
DEV_HARD_SCAMS = [
    ("冒充电商物流客服", "formaldehyde compensation",
     "您好，我是唯品会售后，您上周买的羊绒围巾检测出甲醛超标，我们要给您三倍赔偿，请下载“云客服”App，我教您一步步领取。"),
    ("冒充电商物流客服", "lost parcel via work WeChat",
     "你好，我是圆通理赔部的，你的快递在运输中丢件了，按规定赔你280元，你加一下我企业微信，我把理赔链接发你。"),
    ("冒充电商物流客服", "live-streaming permission",
     "【抖音客服】您误开通了直播带货主播权限，每月将自动扣费599元，如需关闭请加入腾讯会议 812 334 906 由客服为您操作。"),
    ("冒充电商物流客服", "insurance OTP",
     "您好，您在支付宝开通的保险服务年费需要今天关闭，否则每月扣费，我是客服，麻烦您把刚收到的验证码念给我。"),
    ("虚假征信", "overdue student loan",
     "【征信中心】您的个人信用报告存在一笔校园贷逾期未处理，如不在今日注销将永久影响征信，请拨打18820456712由专员协助。"),
    ("虚假征信", "clear the credit line",
     "您好，这边是京东金融，系统显示您学生时期开过金条账户，现在国家要求清理，不关掉会影响征信，需要您把额度里的钱先取出来转到指定账户核销。"),
    ("冒充公检法", "meeting-app statement",
     "这里是市公安局经侦支队，你的手机号涉嫌一起洗钱案，请立即下载腾讯会议，输入会议号 703 115 286，开启屏幕共享配合民警核查账户流水。"),
    ("冒充领导熟人", "boss's meeting link",
     "我是你们郑总，明天上午开个线上会，先用这个链接 meet-zoom.cc/r8 进会议室，会后有笔款需要你先垫付一下。"),
    ("其他", "tax refund link",
     "【税务局】您有一笔个税退税1,260元待领取，逾期作废，请点击 gs-tuishui.top 填写银行卡号及验证码办理。"),
    ("其他", "flight cancellation compensation",
     "【航空公司】您的航班CZ3377因机械故障取消，每位旅客可获300元延误补偿，请回电0731-89007766提供银行卡办理。"),
    ("其他", "pension suspended",
     "社保中心通知：系统检测到您的社保卡信息不全，本月养老金发放将被暂停，请尽快访问 sbzx-gov.cc 补全身份证与银行卡信息。"),
]

DEV_HARD_ORDINARY = [
    ("car service", SERVICE,
     "【上汽大众宏达4S店】王先生您好，您的途观L上次保养是在6月，距今已近半年，建议本月安排二次保养，可在大众App预约工位或致电0755-26881234。"),
    ("car service", SERVICE,
     "【比亚迪汽车服务】您的车辆年检将于2026年1月到期，可到任一服务中心免费检测，预约请拨打400-830-3311。"),
    ("credit report", SERVICE,
     "【中国人民银行征信中心】您于12月2日通过网上服务平台提交的个人信用报告查询申请已受理，查询结果将于24小时内生成，请登录官网查看。"),
    ("refund", SERVICE,
     "【京东】您的售后服务单已完成，退款326.00元已原路退回至您的京东白条，退款明细可在“我的-客户服务”查看。"),
    ("refund", SERVICE,
     "【唯品会】您退回的羊毛大衣已入库验收，退款459元已退至原支付的微信零钱，请留意微信支付通知。"),
    ("courier claim", MOBILE,
     "你好，我是中通城西网点的客服，你寄的那箱瓷碗在路上碎了两只，理赔我们已经在中通App里给你发起了，你在App里点一下确认就行，钱会退到原支付账户。"),
    ("colleague", MOBILE,
     "小周，你上个月去成都的差旅发票拍照发我一下，财务说这周五前要把报销单交上去。"),
    ("colleague", MOBILE,
     "刘姐，报销系统里我那张打车发票被退回来了，说抬头写错了，我重新开一张，您再帮我提交一下。"),
    ("meeting", MOBILE,
     "各位好，明天上午十点项目周会改线上开，腾讯会议号 615-228-907，没有密码，麻烦提前五分钟进会。"),
    ("meeting", SERVICE,
     "【飞书】陈立邀请您参加“Q4预算评审”，时间12月3日14:00-15:00，会议链接 https://vc.feishu.cn/j/382716405 ，可在日历中查看。"),
    ("bank notice", SERVICE,
     "【交通银行】您尾号5102的借记卡12月01日跨行转出2,000.00元，手续费0.00元，余额6,814.27元。"),
    ("OTP", SERVICE,
     "【中国农业银行】您正在向尾号8830的账户转账5,000.00元，验证码716042，请勿告知他人，银行工作人员不会索取。"),
    ("credit-card bill", SERVICE,
     "【广发银行】您的信用卡11月账单已出，应还3,182.65元，到期还款日12月25日，可通过发现精彩App一键还款。"),
    ("insurance renewal", SERVICE,
     "【太平洋保险】您的家庭财产险将于12月31日到期，如需续保请在太平洋保险App“我的保单”中办理，勿向陌生来电缴费。"),
    ("hospital", SERVICE,
     "【浙江省人民医院】您12月4日的胃镜检查需空腹8小时，请于7:30前到门诊三楼内镜中心报到，如需改期请在医院公众号操作。"),
    ("school", SERVICE,
     "【杭州市育才中学】家长您好，本学期期末考试安排在1月15日至17日，考试期间学生下午3点半放学，请合理安排接送。"),
    ("social security", SERVICE,
     "【杭州市社保局】您的11月社会保险费已缴纳成功，个人缴纳部分812.40元，可在浙里办App查询缴费明细。"),
    ("housing fund", SERVICE,
     "【深圳住房公积金】您的公积金账户12月汇缴入账2,460.00元，当前余额38,915.30元。"),
    ("medical insurance", SERVICE,
     "【杭州医保】您的医保个人账户12月划入178.60元，当前余额2,905.12元，可在浙里办查询使用记录。"),
    ("tax", SERVICE,
     "【国家税务总局】您2025年度个人所得税综合所得汇算已办理完成，应退税额326.18元，将退至您申报时填写的银行卡。"),
    ("utility bill", SERVICE,
     "【国网浙江电力】您户号3301****7788的11月电费为186.30元，将于12月15日自动扣款，请在网上国网App查看详情。"),
    ("utility visit", SERVICE,
     "【华润燃气】您好，您家燃气表12月8日上午安排入户安检，工作人员持工作证上门，不收取任何费用。"),
    ("property fee", SERVICE,
     "【万科物业】尊敬的业主，2026年度物业费账单已生成，共计3,120元，可在住这儿App在线缴纳，如已缴请忽略。"),
    ("interview", MOBILE,
     "您好，我是远航物流人力资源部的孙雯，您投递的财务专员岗位已通过初筛，想约您本周四上午十点到公司面谈，方便的话回复一下。"),
    ("interview", SERVICE,
     "【BOSS直聘】海川科技邀请您于12月5日15:00进行视频面试，面试链接已发送至App消息，请准时参加。"),
    ("parcel", SERVICE,
     "【丰巢】您的圆通快件已存入育英路丰巢柜，取件码47213，24小时内免费，超时后每12小时收费0.5元。"),
    ("platform security", SERVICE,
     "【微信】你的帐号于12月1日21:04在一台新的iPad上登录，如非本人操作，请在“设置-帐号与安全”中及时冻结帐号。"),
    ("platform security", SERVICE,
     "【支付宝】您已成功修改登录密码。若非本人操作，请立即拨打官方客服95188，不要点击陌生链接。"),
    ("flight change", SERVICE,
     "【中国东方航空】您预订的12月6日MU5138航班因天气原因取消，可在东航App免费改签或全额退票，无需支付任何费用。"),
    ("anti-fraud reminder", SERVICE,
     "【杭州反诈】您近期接到的境外来电疑似诈骗电话，反诈民警提醒：凡是让您下载会议软件、共享屏幕的都是骗局，请勿操作。"),
    ("anti-fraud reminder", SERVICE,
     "【中国人民银行】征信异议只能本人向征信中心或银行申请，不收取任何费用，所谓“征信修复”“注销校园贷”均属诈骗。"),
    ("ETC bill", SERVICE,
     "【高速ETC】您的ETC卡本月通行费共计213.50元，已从绑定的建设银行卡扣除，账单可在微信小程序“ETC助手”查看。"),
]

# Investment: written on 2026-12-01 (session 16, issue #10) before the change it judges, because a
# blind set showed the quickstart model scoring half its 虚假投资理财 scams as ham, missing a
# romance opener that hints at a platform, blocking a police reminder that quotes the 杀猪盘 script
# and blocking a friend's cloud-drive share. Scams of each investment sub-script (IPO allotment,
# the group's "teacher", pension dividends, withdrawal fees, mining, original shares, insider
# forex, a course app, a crypto invitation), romance openers, and scams that use warning words;
# ordinary messages: reminders quoting these scripts, people sharing links, broker notices. Like
# ``DEV_*``, never copy or paraphrase these sentences into the generator.
INVESTMENT_SCAMS = [
    ("虚假投资理财", "IPO boost call-back",
     "【国元证券】尊贵客户您好，本月新股申购开通VIP通道，中签率可达普通账户五倍，仅对资产十万以上客户开放，请致电0551-62207788登记。"),
    ("虚假投资理财", "teacher's next pick",
     "刘哥，周老师刚在群里透露了下周的龙头股，说是有重组预期，你账户里留够二十万，周一早上听指令进。"),
    ("虚假投资理财", "pension dividend",
     "老年朋友福利：民政部门扶持的夕阳红康养计划开始认购，一万元起投，每月固定分红三百，合同写明本金到期返还，报名请到街道老年活动中心。"),
    ("虚假投资理财", "gold withdrawal fee",
     "您在环球金业的账户盈利已达42万，因涉及跨境结算，出金前需缴纳20%的风险保证金，缴纳后两小时内到账，请尽快处理。"),
    ("虚假投资理财", "mining machine",
     "矿机托管项目火热招募中，一台机器每日产出0.02个以太坊，180天回本，后面全是纯利润，详情咨询Telegram @kuangchi99"),
    ("虚假投资理财", "original shares",
     "公司明年在港股上市，现在内部员工可以按每股1.5元认购原始股，上市后估值至少十五元，机会难得，要的话今天报名。"),
    ("虚假投资理财", "insider forex",
     "我表哥在投行做外汇交易员，他手里有欧元的内部走势，这两天跟着他下单已经赚了三万多，你要的话我把平台发你。"),
    ("虚假投资理财", "course app",
     "《牛散实战营》第十二期开课，学员专享量化选股软件，上月平均收益38%，添加班主任企业微信领取下载地址。"),
    ("虚假投资理财", "crypto invitation",
     "朋友，现在入场USDT理财正是时候，我用的交易所年化收益60%，随存随取，注册时填我的邀请码 8866 还能多拿奖励。"),
    ("虚假投资理财", "beware of fakes",
     "【鼎盛财富】近期有人冒用我司名义行骗，请认准唯一官方App“鼎盛财富Pro”，新用户入金即享保本年化24%，切勿轻信其他渠道。"),
    ("冒充公检法", "fake anti-fraud police",
     "我是市反诈中心民警，你的银行卡已被诈骗团伙盯上，请勿告诉家人，马上把存款转到我们提供的监管账户保护起来。"),
    ("网络婚恋交友", "good-morning hint",
     "早呀，今天降温了记得加衣服哦。我刚把昨天的收益提出来了，这个平台真的很稳，周末见面跟你细说。"),
    ("网络婚恋交友", "dating-site opener",
     "在珍爱网上看到你的照片，笑起来特别温暖。我在新加坡做跨境贸易，平时也研究点黄金投资，想认识一下你可以吗？"),
    ("网络婚恋交友", "late-night promise",
     "今天加班到好晚，一想到你就不累了。对了，你上次说想攒钱买房，我有个稳定赚钱的渠道，下次教你。"),
]

INVESTMENT_ORDINARY = [
    ("anti-fraud reminder", SERVICE,
     "【南京市公安局】提醒：网上认识的“男友”“女友”带你投资、保证只赚不赔的，就是杀猪盘，一分钱也别转。"),
    ("anti-fraud reminder", SERVICE,
     "【国家反诈中心】警惕“荐股老师”：拉你进群、免费送牛股、再让你下载App充值的，都是诈骗。"),
    ("anti-fraud reminder", SERVICE,
     "【市老龄办】提醒老人：打着国家扶持养老旗号，承诺保本保息、每月分红的投资项目都是非法集资，切勿转账。"),
    ("anti-fraud reminder", SERVICE,
     "【中信建投证券】本公司从未委托任何人以提升打新中签率、内部配售名义揽客，请勿相信，如有疑问请拨打官方客服95587。"),
    ("anti-fraud reminder", SERVICE,
     "【武汉反诈】投资平台说你盈利了、但提现要先交保证金和税费的，就是诈骗，请立即停止转账并拨打110。"),
    ("shared link", MOBILE,
     "小林，周六徒步的照片都在这里了 https://pan.baidu.com/s/1Kx8mQ 提取码：7hd2，挑几张发朋友圈吧。"),
    ("shared link", MOBILE,
     "妈，宝宝满月的视频我传到夸克网盘了 https://pan.quark.cn/s/3fa91c 直接点开就能看。"),
    ("shared link", MOBILE,
     "各位，下周汇报的PPT模板放在共享文档里了 https://docs.qq.com/sheet/DTk9 大家按模板改一下。"),
    ("shared link", MOBILE,
     "老王，你要的装修效果图在这 https://www.aliyundrive.com/s/ZP4r2 ，密码 q7w3，有问题再找我。"),
    ("broker notice", SERVICE,
     "【国泰君安】您好，您本日申购的新股“华宇科技”未中签，申购资金已解冻返还至资金账户。"),
    ("retold warning", MOBILE,
     "表姐，你说那个每月分红的养老项目我帮你问了社区，说是骗人的，千万别交钱啊。"),
]

# Written on 2026-12-01 (session 17, branch fam) beside the change it tests, after blind sets
# showed the kinds only: people's own messages that read like a script's opener (a second phone,
# a bill paid for a parent, money between relatives, a courier's follow-up with the compensation
# already handled, a relative retelling a scam as a warning) and the scripts still missed
# (e-commerce and courier "customer service", loans, shopping, relatives and bosses, the court
# summons, a stranger's opener, ETC, a task app), two of them with an appended "谨防…" sign-off.
# Like ``DEV_*``, never copy or paraphrase these sentences into the generator.
FAMILY_SCAMS = [
    ("冒充电商物流客服", "lost parcel, add the claims WeChat",
     "您好，这里是菜鸟裹裹售后中心，您上周寄出的包裹在转运时遗失，按规定赔付双倍运费加货值，请问现在方便添加我们的理赔企业微信吗？"),
    ("冒充电商物流客服", "recalled cup, Alipay balance",
     "亲亲，我是拼多多店铺的售后，您买的儿童保温杯抽检不合格，平台要求给您全额退款再补贴60元，您支付宝里有余额吗？我教您操作领取。"),
    ("冒充电商物流客服", "delay payout, reply card number",
     "【顺丰理赔】尊敬的客户，您的运单因延误产生赔付金156元，请于今日回复收款银行卡号及开户行，逾期视为放弃。"),
    ("冒充电商物流客服", "casual courier, add QQ",
     "喂，你是不是网上买了个空气炸锅？快递那边给弄丢了，我这是物流的，赔你两百，你加下我QQ 2837461 我给你转。"),
    ("虚假网络贷款", "reserved credit line, agent WeChat",
     "【花呗】尊敬的用户，系统评估您的信用良好，已为您预留最高18万元的周转额度，日息万三，专员微信 hb_kefu8 一对一办理，当天放款。"),
    ("虚假网络贷款", "casual loan broker",
     "老哥要用钱吗，我这边做银行助贷的，负债高也能批，黑户也有办法，前期不收钱，批下来给点辛苦费就行。"),
    ("虚假购物服务", "liquor from a factory friend",
     "有需要五粮液的吗？朋友厂里内部拿的，一箱比专卖店便宜一千多，款到发货不走平台，数量不多先到先得。"),
    ("冒充领导熟人", "son's phone stolen, pay his classmate",
     "妈，我是小杰，手机刚才在地铁上被人偷了，借同学的手机打字，下周的驾校考试费还没交，你先给他转1800行吗，他会转给我。"),
    ("冒充领导熟人", "bureau chief's private number",
     "小刘，我是张局，这是我私人号，有个领导的亲戚要办事，你先准备两万块，等我电话再说打到哪。"),
    ("冒充公检法", "court hearing, press 1",
     "您好，这里是朝阳区法院诉讼服务中心，您有一起借款合同纠纷将于后天上午开庭审理，如对传票有疑问请按1回拨，逾期将依法缺席判决。"),
    ("其他", "ETC device expired, .icu link",
     "【高速ETC】您的ETC车载设备检测到信息过期，今日24点后将无法抬杆，请尽快登陆 etcbg.icu 完成在线更新。"),
    ("刷单返利", "brand's review job, task app",
     "【京东商家中心】招募兼职评价员，手机操作，一单返佣8~30元，当日到账，下载“惠赚”APP输入邀请码 512803 即可开始。"),
    ("虚假投资理财", "teacher's pick, appended sign-off",
     "跟着王老师操作，这周已经赚了两万多，明天还有一只涨停票，想进群的加微信 wl8899，谨防诈骗。"),
    ("网络婚恋交友", "platform earnings, appended sign-off",
     "宝贝，今天又在那个平台赚了三千多，你也注册一个吧，我手把手带你，谨防杀猪盘哦。"),
]

FAMILY_ORDINARY = [
    ("second phone", MOBILE,
     "爸，跟你说下，这个号是我们单位发的值班号，原来的手机号不变，晚上找我还是打老号。"),
    ("second phone", MOBILE,
     "我是小周，换了个运营商，号码换成这个了，微信没变，你改下备注就行。"),
    ("family money", MOBILE,
     "闺女，你奶奶下个月过生日，我给你卡里打了500，你买点她爱吃的带回来。"),
    ("family money", MOBILE,
     "哥，爸的医药费我先垫了三千二，发票在我这，你那份月底给我就行。"),
    ("friend money", MOBILE,
     "周六羽毛球场地费我先付了，一人四十五，方便时转我，不急哈"),
    ("retold warning", MOBILE,
     "大姨，我们厂今天开会说，最近有人冒充社保局打电话说养老金账户要升级，让人报验证码，都是骗子，你接到别理。"),
    ("retold warning", MOBILE,
     "妈，要是有人打电话说我出事了让你转钱，你先挂了给我打过来，我好好的。"),
    ("retold warning", MOBILE,
     "老婆，楼下张姐说有人冒充快递赔钱，让她开了个什么备用金，被骗了四千，你网购接到这种电话直接挂。"),
    ("parcel handled", MOBILE,
     "您好，京东快递学府路站的，您那台微波炉外包装压瘪了，我们已经联系商家换新，明天上午给您重新送，旧的我们带走。"),
    ("parcel handled", MOBILE,
     "你好，申通东区网点，你的件丢了，已经按保价给你走了赔付，钱退回你下单的账户，三天内到，有疑问打站点电话0571-86021234。"),
    ("compensation done", SERVICE,
     "【淘宝】您的售后补偿12元已通过平台发放至您的账户余额，无需任何操作。"),
    ("work", MOBILE,
     "陈工，上周的差旅报销被财务打回来了，住宿发票少盖了一个章，我让酒店重开了，到了给你。"),
    ("anti-fraud reminder", SERVICE,
     "【建设银行】温馨提示：银行工作人员不会要求您提供短信验证码或转账到所谓安全账户，谨防诈骗。"),
]

# Blind set Y, written on 2026-12-04 (session 36) by a helper that had read nothing of the project, in
# the judged format (four scams of each type, 40 ordinary); scored once, blind, beside candidate N5
# (docs/benchmarks.md "Candidate N5"), a dev set from then on. Like ``DEV_*``, never copy or paraphrase
# these sentences into the generator.
WRITER_Y_SCAMS = [
    ("刷单返利", "like-for-pay task via QQ",
     "【兼职】在家动动手指，抖音点赞关注一个赚3元，日结200-500，不收任何费用，加QQ 2837461905 领任务"),
    ("刷单返利", "fake order-brushing for shop",
     "亲，我们是淘宝店铺补单部，帮商家拍单提升销量，本金+佣金即时返还，首单佣金8%，有意回复1"),
    ("刷单返利", "short subtle side-job lure",
     "在吗？有个手机上做的兼职，一天一两百，不耽误上班，要不要试试"),
    ("刷单返利", "task app with invite code",
     "宝妈兼职：看视频截图就能赚钱，单单有佣金，新人首单送18元红包，下载APP“星晨”注册邀请码6682，详询v：xc88231"),
    ("虚假投资理财", "stock 'teacher' VIP group",
     "王总好，我是昨天群里的助理小刘，老师明天上午9:30直播讲解下周潜力板块，内部票已选好，拉您进VIP群：https://t.cn/A6xQ2k"),
    ("虚假投资理财", "crypto arbitrage guaranteed yield",
     "【鑫盛国际】数字货币量化套利，日收益2%-5%，保本保息，专业导师一对一带单，注册即送300USDT体验金 www.xs-gj.vip"),
    ("虚假投资理财", "insider stock tip",
     "哥，我叔在证券公司内部，最近有只票要拉，稳赚30个点，你要跟的话今晚把资金转到平台上，名额就几个"),
    ("虚假投资理财", "free limit-up stock group",
     "股民朋友您好：因您是老股民，特邀加入“牛股私募交流群”，每天免费推荐3只涨停股，回复Y入群"),
    ("虚假网络贷款", "low-rate loan ignoring credit",
     "【惠民贷】您有一笔最高20万额度待领取，年化3.6%，无视征信黑户可下，当天到账，点击 hmd.cn-loan.top 申请"),
    ("虚假网络贷款", "frozen loan unfreeze fee",
     "您好，您申请的50000元贷款已审核通过，因您银行卡号填写错误导致资金冻结，需缴纳解冻金5000元，解冻后连同贷款一起退还，请联系专员QQ 3345178902"),
    ("虚假网络贷款", "ID-only loan",
     "急用钱找我们，身份证+手机号即可借1-5万，不看征信不查负债，放款前不收任何费用 v：dk5588a"),
    ("虚假网络贷款", "repayment-ability deposit",
     "尊敬的客户，您的借款申请需先验证还款能力，请向指定账户转入流水保证金2000元，审核后立即放款并全额退还。"),
    ("冒充电商物流客服", "lost parcel double compensation",
     "【快递理赔】您好，您的中通快递包裹(单号75318846320917)在运输途中丢失，我司将双倍赔偿，请添加理赔专员微信 zt-lp0921 办理"),
    ("冒充电商物流客服", "product recall 3x refund link",
     "您好，我是淘宝客服，您购买的商品因质量问题被召回，将为您办理退款3倍赔付，请点击 tb-tk.shop/r?id=8821 填写收款信息"),
    ("冒充电商物流客服", "cancel auto-renew membership",
     "【抖音商城】您已开通抖音月付会员，每月将自动扣费899元，如非本人操作请致电400-0921-8836取消，逾期将影响征信"),
    ("冒充电商物流客服", "formaldehyde compensation via WeChat",
     "您好，您在拼多多购买的商品存在甲醛超标，商家愿意退款并赔偿您328元，麻烦加一下售后微信，我这边给您走流程"),
    ("冒充公检法", "police money-laundering threat",
     "我是上海市公安局浦东分局民警李国华，警号021736，你的身份证涉嫌一起洗钱案件，请今天下午3点前回电021-58830192配合调查，否则将依法发布通缉令"),
    ("冒充公检法", "fake procuratorate warrant link",
     "【最高人民检察院】你名下银行账户涉嫌非法资金往来，现已立案，案件编号：沪检刑〔2025〕1187号，查看通缉令请登录 www.spp-gov.cc 核实"),
    ("冒充公检法", "medical insurance fraud accusation",
     "您的医保卡在外地存在违规套现记录，涉嫌医保诈骗，已移交公安机关处理，如有疑问请回电转接警方"),
    ("冒充公检法", "secret case, install app",
     "通知：你涉嫌一起跨境赌博案，本案属于机密，不得告知任何人，请立即下载“公安防护”APP配合资金清查，链接 gafh.app/dl"),
    ("虚假征信", "cancel student loan account",
     "【银保监】您好，您在大学期间开通的校园贷账户尚未注销，根据国家规定需在今日内注销，否则将影响个人征信，详询客服400-8826-1937"),
    ("虚假征信", "bad credit record repair",
     "您的京东金条账户存在不良记录，已上报人行征信系统，如需修复请联系客服专员，逾期将影响房贷车贷及子女升学"),
    ("虚假征信", "paid credit repair ad",
     "征信修复：专业消除逾期记录，花呗借呗网贷逾期均可处理，不成功不收费 v：zxxf_668"),
    ("虚假征信", "clear quota via safe account",
     "尊敬的用户，您的微粒贷额度异常，系统检测到您属于学生身份，需将账户内资金转至安全账户清零后方可关闭，否则征信留下污点。"),
    ("虚假购物服务", "cheap Moutai deposit first",
     "茅台飞天53度原箱出，1499一瓶，一箱起发，厂家内部渠道，先付定金后发货，加微信 mt-jp889"),
    ("虚假购物服务", "customs-confiscated iPhone",
     "iPhone 16 Pro 海关罚没机，全新未激活，仅售2800，数量有限，私聊QQ：1926473815"),
    ("虚假购物服务", "concert ticket prepay",
     "演唱会门票内部票源，周杰伦深圳站内场前排1280元，保真可验，先转账锁票，晚了就没了"),
    ("虚假购物服务", "luxury daigou full prepay",
     "【低价代购】正品LV/GUCCI代购，专柜价3折，支持验货，下单加我，付全款优先安排发货"),
    ("冒充领导熟人", "boss asks transfer to friend",
     "小王，我是张局，这是我新号。我一个朋友急需周转，我不方便出面，你先帮我转5万给他，明天我还你，卡号我发你"),
    ("冒充领导熟人", "child on borrowed phone needs fee",
     "爸，我手机掉水里了，这是同学的手机。我这边急需交培训费3800，你直接转到这个卡上：6217001234567890，户名李晓明，别打电话我在上课"),
    ("冒充领导熟人", "old classmate card frozen",
     "老同学，我是刘伟啊，最近在外地出差，银行卡被冻结了，能不能借我2000周转一下，下周一就还你"),
    ("冒充领导熟人", "cousin asks to receive money",
     "在吗？我是你表姐，我微信被封了，帮我个忙，有人要给我打款，我不方便收，先转到你卡上再转给我行吗"),
    ("网络游戏虚假交易", "cheap game account off-platform",
     "王者荣耀V10账号低价出，全皮肤198个，只要880，走平台有手续费，私下转账直接换绑"),
    ("网络游戏虚假交易", "trading platform frozen funds",
     "【交易猫】您出售的原神账号已被买家下单，因您账户未开通保证金功能，资金已冻结，请登录 jym-kf.cn 联系客服缴纳1000元解冻"),
    ("网络游戏虚假交易", "free skins, give password",
     "和平精英免费领皮肤，扫码加群填账号密码，每天送100个玛莎拉蒂，先到先得"),
    ("网络游戏虚假交易", "buyer asks seller deposit",
     "兄弟，你那个号我要了，但平台说我付款要你先交500押金激活收款，你交了它自动退你的，客服截图我发你了"),
    ("网络婚恋交友", "dating match gambling loophole",
     "哥哥，我是上次在探探上认识的小雨，我舅舅在做博彩平台的技术，发现了漏洞，稳赚不赔，我带你一起玩好不好"),
    ("网络婚恋交友", "romance recharge 520",
     "亲爱的，今天你生日快乐呀～我在平台给你准备了惊喜，但要你先充值520才能领取，人家好想快点见到你"),
    ("网络婚恋交友", "overseas trader wants WeChat",
     "你好，我是在婚恋网上看到你资料的，我叫林婷，在迪拜做外贸，想认真找个人过日子，方便加个微信聊吗 lt-dubai0718"),
    ("网络婚恋交友", "date short of bus fare",
     "宝贝我到你家楼下车站了，路费不够，还差300，先转我一下，见面就还你哦"),
]

WRITER_Y_ORDINARY = [
    ("family", MOBILE,
     "妈，我到学校了，火车晚点了一个小时，别担心。"),
    ("family money", MOBILE,
     "儿子，给你转了2000生活费，省着点花，天冷多穿衣服。"),
    ("family", MOBILE,
     "爸，周六我带小宝回去吃饭，你别买太多菜。"),
    ("friend", MOBILE,
     "晚上7点老地方海底捞，我订了12人桌，你直接过来就行"),
    ("colleague", MOBILE,
     "李姐，明天上午的周会改到10点了，会议室换成3楼301。"),
    ("teacher fee", MOBILE,
     "各位家长好，本学期班费每人100元，请于本周五前交给家委会王妈妈，收款后会在群里公示明细。——三年级二班班主任 陈老师"),
    ("courier reschedule", MOBILE,
     "你好，我是顺丰快递的，你的件到了，我下午3点左右到你们小区，家里没人的话帮你放丰巢可以吗？"),
    ("landlord", MOBILE,
     "小张，下个月的房租3200记得15号前转我，水电我这两天抄了表一起发你。"),
    ("neighbour", MOBILE,
     "我是602的，你家卫生间好像漏水到我家天花板了，方便的时候下来看一下吗"),
    ("friend new number", MOBILE,
     "我换号了，这是我新号码，旧号不用了，存一下。——阿杰"),
    ("friend", MOBILE,
     "到了没？我在B出口等你，穿红色羽绒服"),
    ("relative money", MOBILE,
     "姑姑，上次借的5000我今天转你卡上了，你看下收到没，谢谢啦"),
    ("colleague", MOBILE,
     "王工，图纸我发你邮箱了，有问题明天再说，今天先下班了"),
    ("teacher", MOBILE,
     "王子轩妈妈您好，孩子今天在学校有点发烧，37.8度，麻烦您下午来接一下。"),
    ("delivery", MOBILE,
     "您好，您的外卖放门口了，敲门没人应"),
    ("friend", MOBILE,
     "生日快乐！礼物下周见面给你，祝你越来越美～"),
    ("spouse", MOBILE,
     "下班顺路买瓶酱油，家里没了"),
    ("property manager", MOBILE,
     "业主您好，我是物业小刘，明天上午9点到12点小区停水检修，请提前储水。"),
    ("doctor", MOBILE,
     "张阿姨，体检报告出来了，指标都正常，就是血脂有点高，有空来诊所拿一下。"),
    ("tutor", MOBILE,
     "家长您好，这周六的数学课调到下午2点，地点不变。"),
    ("friend AA money", MOBILE,
     "昨晚吃饭一共486，我们四个人每人121.5，有空转我就行，不急"),
    ("mover", MOBILE,
     "师傅，我是搬家公司的，已经到你小区门口了，车进不去，你出来接一下"),
    ("classmate", MOBILE,
     "下个月15号高中同学聚会，在县城金龙大酒店，能来回个话，我统计人数"),
    ("family", MOBILE,
     "小红，你奶奶这两天血压高，我带她去县医院看了，没啥大事，你安心上班。"),
    ("otp", SERVICE,
     "【招商银行】验证码：482917，您正在进行网上支付，金额128.00元，请勿向任何人泄露。"),
    ("otp", SERVICE,
     "【微信】验证码 735164，用于登录，5分钟内有效。如非本人操作，请忽略本短信。"),
    ("bank", SERVICE,
     "【工商银行】您尾号3826卡10月12日14:35工资收入8,562.00元，余额12,308.47元。"),
    ("bank with link", SERVICE,
     "【建设银行】尊敬的客户，您的信用卡本期账单金额3,245.60元，到期还款日11月5日，可登录建行手机银行或 ccb.com 查看详情。"),
    ("parcel pickup", SERVICE,
     "【菜鸟驿站】您的中通包裹已到花园小区东门驿站，凭取件码6-2-1108取件，营业时间8:00-21:00。"),
    ("parcel locker", SERVICE,
     "【丰巢】您的快递已存入滨江路12号丰巢柜，取件码38276145，请于24小时内取件，超时将收取保管费。"),
    ("operator bill", SERVICE,
     "【中国移动】尊敬的客户，您2025年3月话费账单：套餐费58.00元，其他费用0.00元，合计58.00元，当前余额22.35元。"),
    ("operator data", SERVICE,
     "【中国联通】您本月通用流量已使用80%，剩余4.1GB，可发送CXLL查询详情。"),
    ("appointment", SERVICE,
     "【北京协和医院】您已成功预约4月18日上午内分泌科王医生门诊，请提前30分钟凭身份证到院取号。"),
    ("anti-fraud reminder", SERVICE,
     "【国家反诈中心】提醒您：凡是自称“公检法”要求转账到“安全账户”的，凡是“刷单返利”“注销校园贷”的，都是诈骗！接到可疑电话请拨打96110。"),
    ("anti-fraud reminder", SERVICE,
     "【杭州市公安局】近期冒充“快递理赔”“退款客服”诈骗高发，骗子会让您加微信、开屏幕共享，请勿相信，谨防被骗。"),
    ("train ticket", SERVICE,
     "【铁路客服】订单E123456789，李明您已购1月28日G102次5车12F号，北京南站08:00开，请持身份证检票。"),
    ("utility", SERVICE,
     "【国网电力】尊敬的客户，您户号0312****76的电费余额不足10元，请及时缴费，以免影响正常用电。"),
    ("flight delay", SERVICE,
     "【东方航空】您预订的MU5137航班（上海虹桥-北京首都）因天气原因延误，预计起飞时间20:40，给您带来不便深表歉意。"),
    ("government", SERVICE,
     "【浙江政务服务】您申请的居住证已办理完成，请携带回执于工作日到城西派出所户籍窗口领取。"),
    ("insurance", SERVICE,
     "【中国人寿】尊敬的客户，您的保单将于5月10日续期交费3,600元，银行将于当日自动扣款，请确保账户余额充足。"),
]

# The same writer's set of people introducing themselves or giving a new number, and of the scripts that
# open that way (session 36, scored beside N5). Never copy into the generator.
NEW_NUMBERS_Y_SCAMS = [
    ("冒充领导熟人", "guess who, new number setup",
     "猜猜我是谁？换号了，把我这个号存一下，明天去你那边办点事。"),
    ("冒充领导熟人", "director new number, come to office",
     "小陈，我是王主任，这是我新号码，旧号不用了。明天上午到我办公室来一趟。"),
    ("冒充领导熟人", "boss new number, urgent deposit transfer",
     "我是你刘总，换了个号。下午有个客户要付一笔保证金8万，我在开会不方便，你先从公司账上转给他，账户我发你。"),
    ("冒充领导熟人", "old classmate asks to add WeChat",
     "老同学，还记得我不？我是高中坐你后面的那个，换号了，加我微信 wx_zhw1987 叙叙旧"),
    ("冒充领导熟人", "uncle new number hospital deposit",
     "大侄子，我是你二舅，手机丢了换了个新号。我这边住院押金还差6000，你先帮我垫上，转到这个卡6228480123456789012，回头让你舅妈还你"),
    ("冒充领导熟人", "child new number, move to QQ",
     "妈，我手机坏了，这是我新号，微信也登不上了，先加我这个QQ 2948163705，有急事跟你说"),
    ("冒充领导熟人", "fake teacher new number fee group",
     "各位家长好，我是班主任张老师，换了新号。本学期资料费每人286元，请扫码进新群缴纳，链接 jz-qun.cn/k8 ，今天截止。"),
    ("网络婚恋交友", "dating contact new number, investment",
     "嗨，还记得我吗？我是上周在相亲角加你的小雅，换号啦，以后用这个联系我吧～最近在做一个理财项目想跟你分享"),
    ("冒充电商物流客服", "new courier compensation link",
     "您好，我是您小区新来的快递员小周，这是我新号。您有一个包裹破损了，按规定赔付您150元，请加我微信 kd-zhou66 发您理赔链接"),
    ("虚假投资理财", "ex-broker new number insider tip",
     "张哥，我是以前证券公司的小李，换号了。现在在私募做，最近有个内部消息，想带几个老客户一起，加我微信细聊"),
]

NEW_NUMBERS_Y_ORDINARY = [
    ("neighbour", MOBILE,
     "你好，我是新搬来502的住户，姓周，以后有啥事可以打这个电话，楼上楼下多关照。"),
    ("friend", MOBILE,
     "我换号了，以前那个号停了，这个是新的，微信不变，存一下哈～小敏"),
    ("teacher", MOBILE,
     "各位家长好，我是一(3)班新班主任刘芳，这是我的手机号，孩子在校有事可以随时联系我，班级群明天拉。"),
    ("property manager", MOBILE,
     "业主您好，我是新来的物业管家赵磊，负责您所在的7号楼，报修、缴费有问题都可以找我，电话24小时开机。"),
    ("colleague", MOBILE,
     "张姐，我是财务部新来的小孙，王经理让我跟您对接报销的事，这是我电话，微信同号。"),
    ("family", MOBILE,
     "哥，我是小强，换了个电信的号，原来那个卡不用了，你改一下备注。"),
    ("tutor", MOBILE,
     "您好，我是您孩子的钢琴老师陈瑶，以后上课时间有调整我会用这个号通知您。"),
    ("tenant to landlord", MOBILE,
     "房东您好，我是新租您3楼那间的小李，这是我电话，房租已经按合同转过去了，您查收一下，有事联系。"),
    ("courier", MOBILE,
     "你好，我是这片区新的顺丰快递员，姓马，以后你的件都是我派，不在家可以打我电话约时间。"),
    ("relative", MOBILE,
     "姑妈，我是晓东，我手机号换成这个了，过年回去给您拜年。"),
    ("colleague", MOBILE,
     "老王，我是同组的吴涛，新办了个号专门工作用，周末你打这个找我。"),
    ("relative", MOBILE,
     "舅舅，我是婷婷，在上海换了个本地号，以后打这个吧，您跟舅妈身体都好吧。"),
    ("shopkeeper", MOBILE,
     "大家好，我是楼下开超市的老李，换号了，要送水送米的打这个电话就行。"),
    ("classmate", MOBILE,
     "我是你初中同学陈静啊，从班长那要的你电话，下个月同学聚会，你有空来不？"),
    ("relative money", MOBILE,
     "叔，我是阿明，上次借你的那一千块钱已经微信还你了，顺便说下我号换成这个了。"),
    ("cleaner", MOBILE,
     "你好，我是给你家做保洁的刘阿姨，原来的手机坏了，这是新号，周三我照常过去打扫。"),
    ("parent to teacher", MOBILE,
     "王老师您好，我是李浩然爸爸，之前那个号不用了，以后有事联系这个号，谢谢老师。"),
    ("mechanic", MOBILE,
     "我是你小区对面修车的老张，你车修好了，随时来提，这是我手机号，修车钱提车的时候再算。"),
    ("tutor", MOBILE,
     "你好，我是新来的家教王雪，下周一晚上7点第一次上课，我提前十分钟到，这是我的电话。"),
    ("friend", MOBILE,
     "亲，我是你大学室友阿琳呀！刚回国换了国内号，微信还是原来的，有空约饭！"),
]

# Ordinary new-number notices and two new-number scripts written in session 35 knowing the new-number
# cue's word lists (docs/benchmarks.md "Candidate N4"): they measure the cue's mechanism, not
# generalisation. Never copy into the generator.
NEW_NUMBER_NOTICES_SCAMS = [
    ("冒充领导熟人", "relative new number + ask",
     "我是你表叔，换号了，这个是新号码，有件事想请你帮个忙，方便加我微信说"),
    ("冒充领导熟人", "boss private number + summons",
     "我是你们李总，这是我私人号，明天上午来我办公室一趟。"),
]

NEW_NUMBER_NOTICES_ORDINARY = [
    ("new number", MOBILE,
     "我是王磊，原来那个号不用了，这是我的新号码，麻烦存一下"),
    ("new number", MOBILE,
     "妈，这是我的新号码，旧卡下周注销，以后打这个。"),
    ("new number", MOBILE,
     "我是楼上的小林，换号了，有快递帮收的话打这个号就行，谢谢啦"),
    ("new number", MOBILE,
     "各位家长好，我是二班的周老师，原来的手机号停用了，这是我的新号，有事请打这个号码。"),
    ("new number", MOBILE,
     "我是阿杰，手机号换了，新号码就是这个，微信没变。"),
    ("new number", MOBILE,
     "这是我的新手机号，原号码不再使用，请惠存。——刘建国"),
    ("new number", MOBILE,
     "老同学，我是陈晓，换了新号码，以后同学聚会通知发这个号吧。"),
    ("new number", MOBILE,
     "我是你二姨，我换新手机了，号码也换了，这个是新号，存一下。"),
    ("new number", MOBILE,
     "王哥，我是小赵，公司给配了新号，以后工作上的事打这个，私人的还是原来的号。"),
    ("new number", MOBILE,
     "我是物业的小孙，工作手机换号了，报修还是找我，打这个新号码就行。"),
]


# Written on 2026-12-02 (session 18, branch guard) before the change they judged (docs/benchmarks.md
# "session 18", "session 19"): warning words a script borrows to look official, each a clause
# ending in a comma, inserted mid-text into the check, dev and family scams
# (``benchmarks/borrowed_warning.py``, ``tests/models/test_borrowed_warnings.py``). Never copy them
# into the demo generator: a fix that writes warning-borrowing scams must use other words.
BORROWED_WARNINGS = (
    "本平台正规合法，请勿轻信他人，",
    "谨防假冒，认准官方客服，",
    "近期诈骗高发，请提高防范意识，",
    "国家反诈中心提醒您谨防诈骗，",
    "我们不会要求您提供验证码，",
    "请警惕冒充我们的骗子，",
    "网上骗局很多，我们是正规的，",
    "请勿相信其他渠道的消息，",
)
# Official reminders, institution sender, whose only reminder words close the message.
SIGN_OFF_REMINDERS = (
    "【平安银行】近期有人冒充快递客服以理赔为由索要银行卡信息，请勿轻信，谨防上当受骗！",
    "【嘉兴市公安局】冒充公检法要求转账到安全账户的，请勿轻信，谨防上当受骗！",
    "【温州反诈中心】网上兼职刷单、先垫付后返利，请勿轻信，谨防诈骗。",
    "【工商银行】尊敬的客户，任何以注销校园贷、修复征信为由要求转账的，请勿相信，谨防受骗。",
    "【中国联通】陌生人以积分兑换为由发送的链接请勿点击，谨防诈骗！",
    "【西湖区派出所】接到自称领导、熟人借钱的微信，先电话核实，切勿盲目转账，谨防上当。",
    "【建设银行】投资理财请认准正规机构，高收益荐股群请勿加入，谨防受骗。",
    "【绍兴市反诈中心】游戏账号交易请走官方平台，私下交易请勿轻信，谨防被骗。",
)
# Official reminders quoting two or three scripts.
QUOTING_REMINDERS = (
    "【宁波市公安局】反诈提醒：自称快递理赔要加微信的、说要注销校园贷否则影响征信的、让你刷单返利的，都是诈骗。",
    "【国家反诈中心】提醒您：公检法不会让你转账到安全账户，网上贷款先交保证金的也是骗局，请拨打96110咨询。",
    "【招商银行】温馨提示：凡是冒充客服要求退款后屏幕共享、冒充领导要求转账的，均为诈骗，请勿上当。",
    "【中国移动】反诈提醒：ETC认证过期、积分即将清零要您点链接的短信都是骗子发的，切勿点击。",
    "【台州反诈中心】荐股老师拉群、网恋对象带你投资、游戏装备低价出售，都是常见诈骗手法。",
    "【上城区派出所】警惕！兼职点赞日结、无抵押低息贷款、帮你恢复征信，都是诈骗套路，请广大群众提高防范意识。",
)


SCAM_SENDERS = (MOBILE, VIRTUAL)


@dataclass(frozen=True)
class HandWrittenSet:
    """One set's scams and ordinary messages."""

    name: str
    scams: list[tuple[str, str, str]]
    ordinary: list[tuple[str, str, str]]

    def records(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Scams (senders alternate mobile / virtual-operator numbers) and ordinary messages, in
        the record contract, ready for ``ScamModel.decide``."""
        scam_senders = [SCAM_SENDERS[i % len(SCAM_SENDERS)] for i in range(len(self.scams))]
        scams = pd.DataFrame({"text": [t for *_, t in self.scams], "sender": scam_senders, "sent_at": [None] * len(self.scams)})
        ordinary = pd.DataFrame({"text": [t for *_, t in self.ordinary], "sender": [s for _, s, _ in self.ordinary],
                                 "sent_at": [None] * len(self.ordinary)})
        return scams, ordinary


CHECK = HandWrittenSet("check", CHECK_SCAMS, CHECK_ORDINARY)
DEV = HandWrittenSet("dev", DEV_SCAMS, DEV_ORDINARY)
HELD_BACK = HandWrittenSet("held back", HELD_BACK_SCAMS, HELD_BACK_ORDINARY)
PILOT_A = HandWrittenSet("pilot A", PILOT_A_SCAMS, PILOT_A_ORDINARY)
DEV_HARD = HandWrittenSet("dev hard", DEV_HARD_SCAMS, DEV_HARD_ORDINARY)
INVESTMENT = HandWrittenSet("investment", INVESTMENT_SCAMS, INVESTMENT_ORDINARY)
FAMILY = HandWrittenSet("family", FAMILY_SCAMS, FAMILY_ORDINARY)
WRITER_Y = HandWrittenSet("Y", WRITER_Y_SCAMS, WRITER_Y_ORDINARY)
NEW_NUMBERS_Y = HandWrittenSet("Y new numbers", NEW_NUMBERS_Y_SCAMS, NEW_NUMBERS_Y_ORDINARY)
NEW_NUMBER_NOTICES = HandWrittenSet("N4 notices", NEW_NUMBER_NOTICES_SCAMS, NEW_NUMBER_NOTICES_ORDINARY)
SETS = (CHECK, DEV, HELD_BACK, PILOT_A, DEV_HARD, INVESTMENT, FAMILY, WRITER_Y, NEW_NUMBERS_Y, NEW_NUMBER_NOTICES)

# A message closer than this to another (character-trigram Jaccard) is a near-duplicate.
NEAR_DUPLICATE_JACCARD = 0.5

# Near-duplicates across sets that are kept on purpose, each reported rather than dropped: the
# pilot-A writer wrote, independently, word for word the same friend's message as the check set.
# Both sets keep it (each set stays as its writer wrote it); it is an ordinary message, so tuning
# on pilot A cannot leak a scam script into the check set through it.
KNOWN_CROSS_SET_DUPLICATES = {"上次吃饭的钱我微信转你了，记得收一下哈"}


def trigrams(text: str) -> set[str]:
    """The character trigrams of ``text``."""
    return {text[i : i + 3] for i in range(len(text) - 2)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Overlap of two trigram sets, 0 (nothing shared) to 1 (the same)."""
    return len(a & b) / len(a | b) if a or b else 0.0


def texts(hand_written: HandWrittenSet) -> list[str]:
    """Every message of a set, scams first."""
    return [t for *_, t in hand_written.scams] + [t for *_, t in hand_written.ordinary]
