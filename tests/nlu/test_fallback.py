import pytest

from bot.nlu.fallback import has_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東西壞了", True),
        ("refund", True),
        ("12345", True),
        ("😡😡😡", False),
        ("！！！？？？", False),
        ("   \n", False),
        ("", False),
        ("😡 爛", True),
    ],
)
def test_has_words(text, expected):
    assert has_words(text) is expected
