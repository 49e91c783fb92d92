from bot.nlu.dictionary import convert_entries, traditional_dictionary


def test_entries_are_converted_and_collisions_keep_the_larger_frequency():
    lines = ["吹风机 30 n", "头发 50 n", "后来 100 t", "後來 40 t", "AT&T 3 nz"]
    assert convert_entries(lines) == ["吹風機 30 n", "頭髮 50 n", "後來 100 t", "AT&T 3 nz"]


def test_entries_without_tag_or_frequency_are_kept():
    assert convert_entries(["退货", "客服 7"]) == ["退貨 1", "客服 7"]


def test_the_derived_dictionary_is_built_once_and_cached(tmp_path):
    first = traditional_dictionary(tmp_path)
    mtime = first.stat().st_mtime_ns
    assert traditional_dictionary(tmp_path) == first
    assert first.stat().st_mtime_ns == mtime  # not rebuilt
    words = {line.split(" ")[0] for line in first.read_text(encoding="utf-8").splitlines()}
    assert {"吹風機", "頭髮", "後來"} <= words
    assert not list(tmp_path.glob("*.part"))  # no half-written file left behind
