import pytest

from bot.nlu.amounts import find_amounts, parse_number

# (text, the amount's surface text, NT$ value)
WRITTEN_FORMS = [
    ("三百五十元", "三百五十元", 350),
    ("NT$1,250", "NT$1,250", 1250),
    ("1250塊", "1250塊", 1250),
    ("兩千", "兩千", 2000),
    ("一千兩百五十元", "一千兩百五十元", 1250),
    ("多收了我兩百元", "兩百元", 200),
    ("$399", "$399", 399),
    ("NT$ 499 元", "NT$ 499 元", 499),
    ("台幣3000", "台幣3000", 3000),
    ("新台幣一萬元", "新台幣一萬元", 10000),
    ("五十塊錢", "五十塊錢", 50),
    ("十塊", "十塊", 10),
    ("十五元", "十五元", 15),
    ("1.5萬", "1.5萬", 15000),
    ("2萬5", "2萬5", 25000),
    ("三千五", "三千五", 3500),
    ("兩萬三", "兩萬三", 23000),
    ("一百零五元", "一百零五元", 105),
    ("一千零五十元", "一千零五十元", 1050),
    ("一萬二千元", "一萬二千元", 12000),
    ("1萬2千元", "1萬2千元", 12000),
    ("九百九十九元", "九百九十九元", 999),
    ("三百多元", "三百多元", 300),
    ("我要退1250", "1250", 1250),
    ("刷了3999兩次", "3999", 3999),
    ("1,250元", "1,250元", 1250),
    ("100TWD", "100TWD", 100),
    ("兩百五", "兩百五", 250),
]


@pytest.mark.parametrize(("text", "surface", "value"), WRITTEN_FORMS)
def test_written_forms_are_normalised_to_integer_ntd(text, surface, value):
    found = find_amounts(text)
    assert [(text[a.start : a.end], a.value) for a in found] == [(surface, value)]


@pytest.mark.parametrize(
    "text",
    [
        "給一百分",  # a score, not money
        "萬一壞了怎麼辦",  # 萬一 = "in case"
        "買了兩千個",  # a count
        "用了兩天",
        "訂單1234567890",
        "iPhone15",
        "0912345678",
        "等了三百年",
        "",
    ],
)
def test_numbers_that_are_not_money_are_ignored(text):
    assert find_amounts(text) == []


def test_several_amounts_in_one_message_keep_their_order():
    text = "機票訂的時候是一千八，刷卡卻刷了兩千三，多出來的五百元是什麼？"
    assert [a.value for a in find_amounts(text)] == [1800, 2300, 500]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一千兩百五十", 1250),
        ("1.5萬", 15000),
        ("三千五", 3500),
        ("十", 10),
        ("二十", 20),
        ("壹佰", 100),
    ],
)
def test_parse_number(numeral, value):
    assert parse_number(numeral) == value


@pytest.mark.parametrize("numeral", ["", "abc", "1x"])
def test_parse_number_rejects_non_numerals(numeral):
    assert parse_number(numeral) is None
