"""jieba tokenisation with yunmao's fraud-domain user dictionary.

jieba builds its prefix dictionary lazily (about a second) and ``load_userdict`` mutates the
tokenizer, so both happen exactly once per process through :func:`get_tokenizer`, never per
call. A private ``jieba.Tokenizer`` keeps our dictionary from leaking into other users of the
global jieba instance. Its cache directory is ``configs.paths.jieba_cache_dir`` (movable off a
read-only root filesystem).
"""

from __future__ import annotations

import logging
import threading
from importlib.resources import files

import jieba

from configs.paths import jieba_cache_dir

USER_DICT = files("features.sms") / "resources" / "fraud_words.txt"

_tokenizer: jieba.Tokenizer | None = None
_lock = threading.Lock()


def get_tokenizer() -> jieba.Tokenizer:
    """The process-wide tokenizer, initialised (dictionary + user dictionary) on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                cache_dir = jieba_cache_dir()
                if cache_dir is not None:
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    tokenizer.tmp_dir = str(cache_dir)
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICT))
                _tokenizer = tokenizer
    return _tokenizer


def tokenise(text: str) -> list[str]:
    """Words of an already-normalised text, without whitespace or lone punctuation tokens."""
    return [token for token in get_tokenizer().lcut(text, HMM=True) if token.strip() and _is_wordlike(token)]


def _is_wordlike(token: str) -> bool:
    return any(ch.isalnum() for ch in token)
