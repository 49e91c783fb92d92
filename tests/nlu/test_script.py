import pytest

from bot.nlu.script import to_traditional


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("我买的吹风机用了两天就坏了", "我買的吹風機用了兩天就壞了"),
        ("我要退货退款", "我要退貨退款"),
        ("优惠券不能用", "優惠券不能用"),
        ("头发", "頭髮"),  # phrase-level: 发 → 髮, not 發
        ("发票", "發票"),
        ("台湾", "台灣"),  # Taiwan usage, not 臺
    ],
)
def test_simplified_becomes_taiwan_traditional(simplified, traditional):
    assert to_traditional(simplified) == traditional


@pytest.mark.parametrize(
    "text",
    ["我上週買的吹風機用兩天就壞了，你們到底要不要處理？", "裡面的發票呢", "客服專員說會回電"],
)
def test_traditional_text_is_unchanged(text):
    assert to_traditional(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "方便面太咸了",
        "后来又发了一次",
        "吹风机 NT$1,250 😡😡",
        "mixed 中英 text",
        "a\x00b\x1fc\u200bd",
        "",
    ],
)
def test_length_is_preserved_so_offsets_still_point_into_the_original(text):
    assert len(to_traditional(text)) == len(text)


def test_control_characters_become_spaces_but_newlines_stay():
    assert to_traditional("壞\x00了\n\t！") == "壞 了\n\t！"


def test_mixed_scripts_are_all_traditional():
    assert to_traditional("我的订单編號是多少？运费退了嗎") == "我的訂單編號是多少？運費退了嗎"
