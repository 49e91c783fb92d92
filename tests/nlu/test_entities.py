from bot.nlu.entities import extract, product_pattern
from bot.nlu.script import to_traditional

PRODUCTS = product_pattern(["吹風機", "手機", "手機殼", "冷氣", "珍奶"])


def _found(text):
    return [
        (e.entity, text[e.start : e.end], e.value) for e in extract(to_traditional(text), PRODUCTS)
    ]


def test_the_issue_example():
    text = "我上週買的吹風機用兩天就壞了，你們到底要不要處理？"
    assert _found(text) == [("date", "上週", "上週"), ("product", "吹風機", "吹風機")]


def test_order_ids_after_a_keyword_and_standalone():
    assert ("order_id", "58213377", "58213377") in _found("單號58213377 多收了我兩百元")
    assert ("order_id", "TW20241103015", "TW20241103015") in _found("訂單編號 TW20241103015 還沒到")
    assert ("order_id", "HB7721", "HB7721") in _found("訂位代號：HB7721")
    assert ("order_id", "tw20241103015", "TW20241103015") in _found("tw20241103015 怎麼還沒出貨")


def test_a_mobile_number_is_not_an_order_id():
    assert _found("我的電話是0912345678") == []


def test_an_order_id_containing_a_date_is_one_order_id():
    assert _found("訂單 20241103015 的冷氣") == [
        ("order_id", "20241103015", "20241103015"),
        ("product", "冷氣", "冷氣"),
    ]


def test_dates():
    assert [v for k, _, v in _found("11/3 訂的，2024-11-05 才到，昨天又壞") if k == "date"] == [
        "11/3",
        "2024-11-05",
        "昨天",
    ]
    assert ("date", "上禮拜五", "上禮拜五") in _found("上禮拜五送來的")


def test_longest_product_name_wins():
    assert ("product", "手機殼", "手機殼") in _found("手機殼破了")


def test_simplified_input_offsets_point_into_the_original_and_values_are_traditional():
    text = "订单号 a12345678 的吹风机坏了，多收我三百五十元"
    assert _found(text) == [
        ("order_id", "a12345678", "A12345678"),
        ("product", "吹风机", "吹風機"),
        ("amount", "三百五十元", 350),
    ]


def test_no_entities_in_plain_text():
    assert _found("你好，請問在嗎") == []


def test_no_products_without_a_lookup_table():
    assert extract("吹風機壞了", None) == []
