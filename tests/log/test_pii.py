import pytest

from bot.log.pii import find, mask, mask_value

# (customer or agent message, what the outcome log stores)
MASKED = [
    # mobile
    ("我的手機是0912-345-678，麻煩再打給我", "我的手機是[手機]，麻煩再打給我"),
    ("可以打 0987654321 找我，下午都在家", "可以打 [手機] 找我，下午都在家"),
    ("電話 0933 222 111，謝謝你", "電話 [手機]，謝謝你"),
    ("我人在日本出差，請撥 +886-912-345-678", "我人在日本出差，請撥 [手機]"),
    ("LINE 不方便的話打+886912345678就好", "LINE 不方便的話打[手機]就好"),
    ("聯絡電話：(+886)912345678，找林先生", "聯絡電話：[手機]，找林先生"),
    ("0958-123456 是我太太的，有事打給她也可以", "[手機] 是我太太的，有事打給她也可以"),
    ("手機０９１２３４５６７８，簡訊也收得到", "手機[手機]，簡訊也收得到"),
    # landline
    ("公司電話是(02)2345-6789，白天打比較找得到人", "公司電話是[電話]，白天打比較找得到人"),
    ("家裡電話 02-2345-6789 分機 123，晚上再打", "家裡電話 [電話]，晚上再打"),
    ("請回電 0223456789 謝謝", "請回電 [電話] 謝謝"),
    ("我家電話 07-123-4567，七點以後有人", "我家電話 [電話]，七點以後有人"),
    ("台中辦公室 04 2345 6789#123 找會計", "台中辦公室 [電話] 找會計"),
    ("打 03-456-7890 ext. 12 找我", "打 [電話] 找我"),
    ("南投老家的電話是049-2345678", "南投老家的電話是[電話]"),
    ("台東這邊 089-123456，苗栗那邊 037-123456", "台東這邊 [電話]，苗栗那邊 [電話]"),
    ("金門 082-312345、馬祖 0836-22345 都是我們家的", "金門 [電話]、馬祖 [電話] 都是我們家的"),
    ("從國外打要撥 +886-2-2345-6789 轉 305", "從國外打要撥 [電話]"),
    # e-mail
    ("發票寄到 amy.lin1988@gmail.com 就可以", "發票寄到 [電子郵件] 就可以"),
    ("我信箱是chen_wei+shop@yahoo.com.tw，麻煩確認一下", "我信箱是[電子郵件]，麻煩確認一下"),
    ("信箱ｋｅｖｉｎ＠ｍａｉｌ．ｃｏｍ。", "信箱[電子郵件]。"),
    # credit card (Luhn-valid)
    ("卡號 4111 1111 1111 1111，刷退到這張就好", "卡號 [卡號]，刷退到這張就好"),
    ("我是用 5555-5555-5555-4444 這張付的", "我是用 [卡號] 這張付的"),
    ("美國運通那張，3782 822463 10005", "美國運通那張，[卡號]"),
    ("卡號4111111111111111有被重複扣款", "卡號[卡號]有被重複扣款"),
    # national ID and resident certificates
    ("身分證字號 A123456789，生日是 1990/05/12", "身分證字號 [身分證號]，生日是 1990/05/12"),
    ("我身分證是 a123456789，剛剛打成小寫", "我身分證是 [身分證號]，剛剛打成小寫"),
    ("幫我查 B223456789 的會員資料", "幫我查 [身分證號] 的會員資料"),
    ("我是外籍配偶，居留證號碼 F812345678", "我是外籍配偶，居留證號碼 [身分證號]"),
    ("舊的居留證號是AC12345678，新的還沒拿到", "舊的居留證號是[身分證號]，新的還沒拿到"),
    # street address
    ("請寄到台北市信義區松仁路100號5樓", "請寄到[地址]"),
    ("收件地址改成新北市板橋區文化路一段188巷3弄5號", "收件地址改成[地址]"),
    ("公司在臺中市西屯區台灣大道三段99號，有警衛代收", "公司在[地址]，有警衛代收"),
    ("高雄市前鎮區中山二路5號12樓之1，管理室代收", "[地址]，管理室代收"),
    ("我住中正路123號，門口有一家7-11", "我住[地址]，門口有一家7-11"),
    ("地址是民生東路三段45巷6號2樓，麻煩下午送", "地址是[地址]，麻煩下午送"),
    ("寄到中山路１２３號３樓就好", "寄到[地址]就好"),
    ("新竹縣竹北市光明六路10號7F", "[地址]"),
    ("送到彰化縣員林市中正路5之1號", "送到[地址]"),
]

# messages that hold no personal data: the log keeps them word for word
UNTOUCHED = [
    "我的訂單編號是 KF20261102001，到現在還沒出貨",
    "訂單編號 123456789012 顯示已出貨，可是我沒收到",
    "總共 NT$1,280，結果我被扣了兩次",
    "退款 1280元什麼時候會到？",
    "新台幣 3,000 元的折價券要怎麼用",
    "這個 $499 的方案還有嗎",
    "我是 2026-11-02 下的單，2026/11/02 跟 11/2 都有扣款",
    "下午3點到15:30之間都可以收貨",
    "我訂了 3 件外套跟 2 台吹風機",
    "會員打 85% 還是 8.5 折？",
    "發票號碼是 AB-12345678，統編要改",
    "iPhone 15 的保護殼跟吹風機 2 代一起寄",
    "我家附近的路口有便利商店，可以寄到那邊嗎",
    "你們的號碼是多少？市區有門市嗎",
    "路上塞車，司機說晚一點到",
    "物流單號 620012345678 查不到",
    "客服專線 0800-123-456 一直打不通",
    "第 3 號櫃台說要等 20 分鐘",
    "兩週前買的，用不到 7 天就壞了",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_data_is_replaced_by_placeholders(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", UNTOUCHED)
def test_messages_without_personal_data_are_kept(text):
    assert mask(text) == text
    assert find(text) == []


@pytest.mark.parametrize("text", [text for text, _ in MASKED] + UNTOUCHED)
def test_masking_twice_changes_nothing(text):
    assert mask(mask(text)) == mask(text)


def test_several_kinds_in_one_message():
    text = (
        "我是王小姐，手機0912345678，email是wang.mei@gmail.com，"
        "地址台北市大安區復興南路一段100號8樓，卡號 4111-1111-1111-1111"
    )
    assert mask(text) == "我是王小姐，手機[手機]，email是[電子郵件]，地址[地址]，卡號 [卡號]"
    assert [kind for kind, _, _ in find(text)] == ["mobile", "email", "address", "card"]


def test_find_gives_spans_in_the_original_text():
    text = "手機０９１２-３４５-６７８"
    assert find(text) == [("mobile", 2, len(text))]


def test_luhn_invalid_sixteen_digits_stay():
    assert mask("卡號 4111 1111 1111 1112 好像打錯了") == "卡號 4111 1111 1111 1112 好像打錯了"
    assert mask("訂單 4000123412341230 怎麼還沒到") == "訂單 4000123412341230 怎麼還沒到"
    assert mask("物流單號 2026110200001234") == "物流單號 2026110200001234"


def test_luhn_valid_sixteen_digits_are_masked():
    assert mask("訂單 4000123412341234 怎麼還沒到") == "訂單 [卡號] 怎麼還沒到"


def test_mask_value_masks_nested_strings_and_keeps_keys():
    value = {
        "text": "電話 02-2345-6789",
        "slots": {"phone": "0912345678", "quantity": 3, "confirmed": True, "note": None},
        "A123456789": ["身分證 A123456789", ("amy@example.com", 1280)],
    }
    assert mask_value(value) == {
        "text": "電話 [電話]",
        "slots": {"phone": "[手機]", "quantity": 3, "confirmed": True, "note": None},
        "A123456789": ["身分證 [身分證號]", ("[電子郵件]", 1280)],
    }


def test_mask_value_returns_other_values_as_is():
    assert mask_value(1280) == 1280
    assert mask_value(None) is None
