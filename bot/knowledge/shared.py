"""The process's knowledge index, built on first use (never at import).

The words are the NLU's: the segmenter of :mod:`bot.nlu.segmenter` over the Traditional
jieba dictionary (:mod:`bot.nlu.dictionary`) and the domain dictionaries of
``data/dict/domain``, after the same script normalisation
(:func:`bot.nlu.script.to_traditional`); the jieba prefix cache file is shared with the
NLU.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Dict, List, Tuple

from bot.knowledge.articles import KnowledgeError, load_articles
from bot.knowledge.ranking import KnowledgeIndex, Words

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_indexes: Dict[Tuple[Path, Path, Path], KnowledgeIndex] = {}


def jieba_words(cache_dir: Path, dictionary_dir: Path) -> Words:
    """The NLU's segmentation as a function from a text to its words."""
    import jieba

    from bot.nlu.dictionary import traditional_dictionary
    from bot.nlu.script import to_traditional
    from bot.nlu.segmenter import build_segmenter

    jieba.setLogLevel(logging.WARNING)
    segmenter = build_segmenter(
        traditional_dictionary(Path(cache_dir)), sorted(Path(dictionary_dir).glob("*.txt"))
    )
    lock = threading.Lock()  # a jieba.Tokenizer is not safe to share between threads

    def words(text: str) -> List[str]:
        with lock:
            return [word for word, _, _ in segmenter.tokenize(to_traditional(text))]

    return words


def shared_index(
    folder: Path,
    cache_dir: Path = Path(".cache"),
    dictionary_dir: Path = Path("data/dict/domain"),
) -> KnowledgeIndex:
    """The index of ``folder``'s articles, built once per process (about a second)."""
    key = (Path(folder).resolve(), Path(cache_dir).resolve(), Path(dictionary_dir).resolve())
    with _lock:
        index = _indexes.get(key)
        if index is None:
            articles = load_articles(Path(folder))
            index = KnowledgeIndex.build(articles, jieba_words(cache_dir, dictionary_dir))
            _indexes[key] = index
        return index


def preload(
    folder: Path,
    cache_dir: Path = Path(".cache"),
    dictionary_dir: Path = Path("data/dict/domain"),
) -> threading.Thread:
    """Build the index in the background (the action server calls this as it starts,
    so the first customer turn does not wait about three seconds for jieba and OpenCC).
    A wrong article is logged here, with its file and field, and raised again at first
    use."""

    def build() -> None:
        try:
            shared_index(folder, cache_dir, dictionary_dir)
        except KnowledgeError as error:
            logger.error("knowledge articles not loaded: %s", error)

    thread = threading.Thread(target=build, name="kefu-knowledge", daemon=True)
    thread.start()
    return thread
