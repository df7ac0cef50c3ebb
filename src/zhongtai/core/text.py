"""Words of a ticket's text for the classifier, in Chinese and English.

Chinese has no spaces between words, so runs of Han characters are segmented with jieba
(its dictionary ships inside the package: nothing is downloaded); other text is split
into Unicode words. The classifier adds character n-grams beside these words, which
catch what segmentation misses (new product names, typos, mixed scripts).
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PIECE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|\w+")
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
