"""Words of text in Chinese and English: the one tokenizer of the classifier and search.

Chinese has no spaces between words, so runs of Han characters are segmented with jieba
(its dictionary ships inside the package: nothing is downloaded); other text is split
into Unicode words. ``words`` feeds the classifier, which adds character n-grams beside
them (they catch what segmentation misses: new product names, typos, mixed scripts).

``search_terms`` feeds the search index and its queries, so both sides always agree:
text is NFKC-folded (full-width letters and digits become ASCII), lower-cased, Chinese is
cut with jieba's search mode (a long word also yields its shorter words, so 服务中台 is
found by 中台), without jieba's HMM guesser of unknown words: it costs seconds on long
unfamiliar text, and an unknown word cut into characters is cut the same way in the
query. English words are stemmed (Snowball: "orders", "ordered" → "order"), and the
commonest function words of both languages are dropped: they match every document,
which only costs time.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba
import snowballstemmer

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A Han run, or a run of other word characters: "VMC850加工中心" is two pieces, not one.
_PIECE = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)
_ready = threading.Lock()
_loaded = False

jieba.setLogLevel(logging.WARNING)


def _segmenter() -> jieba.Tokenizer:
    """jieba's default tokenizer, its dictionary loaded once per process (about 1 s)."""
    global _loaded
    if not _loaded:
        with _ready:
            if not _loaded:
                jieba.initialize()
                _loaded = True
    return jieba.dt


def has_cjk(text: str) -> bool:
    """Whether the text holds Chinese characters (to tell a Chinese text from a Latin one)."""
    return _HAN.search(text) is not None


def words(text: str) -> list[str]:
    """Lower-case words: Han runs segmented by jieba, everything else by Unicode words."""
    result: list[str] = []
    for match in _PIECE.finditer(text.lower()):
        piece = match.group()
        if _HAN.fullmatch(piece):
            result.extend(word for word in _segmenter().lcut(piece) if word.strip())
        else:
            result.append(piece)
    return result


# Function words that carry no meaning on their own, in both languages (our own short list).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "的",
        "了",
        "是",
        "我",
        "你",
        "他",
        "她",
        "它",
        "们",
        "我们",
        "你们",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "和",
        "与",
        "或",
        "在",
        "有",
        "也",
        "都",
        "就",
        "还",
        "要",
        "会",
        "能",
        "可以",
        "一个",
        "这",
        "那",
        "这个",
        "那个",
        "怎么",
        "如何",
        "什么",
        "为什么",
        "请问",
        "请",
        "谢谢",
        "您好",
        "你好",
        "一下",
    ]
)
_stemmer = threading.local()
_SURROGATES = re.compile("[\ud800-\udfff]")  # lone halves that JSON can carry


def _stem(word: str) -> str:
    stemmer = getattr(_stemmer, "english", None)
    if stemmer is None:
        stemmer = _stemmer.english = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


@lru_cache(maxsize=65536)
def _latin_term(word: str) -> str:
    return _stem(word) if word.isascii() and word.isalpha() and len(word) > 3 else word


def latin_term(word: str) -> str:
    """The index term of one lowercase Latin word (its Snowball stem when it has one)."""
    return _latin_term(word)


def search_terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The index terms of ``text``, in order (repeats kept: they count as frequency)."""
    result: list[str] = []
    folded = _SURROGATES.sub("", unicodedata.normalize("NFKC", text).lower())
    for match in _PIECE.finditer(folded):
        piece = match.group()
        if _HAN.fullmatch(piece):
            pieces = [w for w in _segmenter().cut_for_search(piece, HMM=False) if w.strip()]
        else:
            pieces = [_latin_term(piece.strip("_"))] if piece.strip("_") else []
        result.extend(w for w in pieces if keep_stopwords or w not in STOPWORDS)
    return result


def search_text(text: str) -> str:
    """``search_terms`` joined by spaces: what the index's token columns hold."""
    return " ".join(search_terms(text))
