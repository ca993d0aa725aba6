"""jieba tokenisation with yunmao's fraud-domain user dictionary.

jieba builds its prefix dictionary lazily (about a second) and ``load_userdict`` mutates the
tokenizer, so both happen exactly once per process through :func:`get_tokenizer`, never per
call. A private ``jieba.Tokenizer`` keeps our dictionary from leaking into other users of the
global jieba instance. Its cache directory is ``configs.paths.jieba_cache_dir`` (movable off a
read-only root filesystem).

jieba's pure-Python prefix-dictionary walk (``get_DAG``) and best-route search (``calc``) were about
60 % of a batch's tokenisation. :class:`RoutedTokenizer` leaves the other steps to jieba 0.42.1
(its regexes, its HMM's model) and takes the route from jieba-next's Rust ``PrefixDict``, built
from this tokenizer's own frequencies: the same arithmetic (``ln(freq) - ln(total)``, ties to the
longer word), so the same words. Runs of unknown characters go through jieba's HMM searched with
back-pointers (``features.sms.hmm``, session 12: same labels, ~3.5× faster than ``finalseg``).
Checked token for token on every message of the six real and demo sets (36,979 messages, 0 differ;
docs/benchmarks.md, issue #12 sessions 8 and 12) and pinned by ``tests/features/sms/test_tokenise.py``.
jieba-next's own tokenizer was not taken: its regexes and HMM split 211 of those messages differently.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator

import jieba
from jieba_next import jieba_next_rust

from configs.paths import jieba_cache_dir
from features.resource_files import FRAUD_WORDS_FILE, resource_path
from features.sms.hmm import hmm_words

USER_DICT = resource_path(FRAUD_WORDS_FILE)
# jieba's own block and skip patterns (``Tokenizer.cut``): the Chinese, ASCII-alphanumeric runs it
# routes, and the whitespace it keeps whole between them.
_HAN_BLOCKS, _SKIPPED = jieba.re_han_default, jieba.re_skip_default
# PrefixDict.get_dag_and_calc keeps at most this many word ends per start position; jieba keeps all.
# Equal routes need no dictionary word to have more dictionary words among its prefixes.
RUST_MAX_ENDS = 12


class RoutedTokenizer(jieba.Tokenizer):
    """jieba's tokenizer with the route from a Rust prefix trie (see the module docstring).

    Built by :func:`get_tokenizer` after the user dictionary: words added later (``add_word``)
    would not reach the trie, so nothing adds any. ``cut_all`` needs jieba's DAG and is refused.
    """

    _prefix: jieba_next_rust.PrefixDict | None = None

    def freeze(self) -> None:
        """Build the Rust trie from the dictionary as it now is (main + user words)."""
        self._prefix = jieba_next_rust.PrefixDict(self.FREQ, float(self.total))

    def cut(self, sentence: str, cut_all: bool = False, HMM: bool = True, use_paddle: bool = False):  # noqa: N803 - jieba's name
        if cut_all:
            raise ValueError("RoutedTokenizer has no full mode (cut_all): it never builds jieba's DAG")
        return super().cut(sentence, cut_all=False, HMM=HMM, use_paddle=use_paddle)

    def get_DAG(self, sentence: str) -> None:  # noqa: N802 - jieba's hook
        """Nothing: :meth:`calc` walks the trie itself."""
        return None

    def calc(self, sentence: str, _dag: None, route: dict[int, tuple[int, int]]) -> None:
        """Fill ``route`` as jieba's ``__cut_DAG_NO_HMM`` reads it: ``route[i][1]`` is where the word starting at i ends."""
        ends = self._prefix.get_dag_and_calc(sentence)
        route.update(enumerate(zip(ends, ends, strict=True)))  # jieba's (score, end) pairs; nothing reads the score

    def words(self, sentence: str) -> list[str]:
        """``lcut(sentence, HMM=True)``, built as one list: jieba's ``cut`` step for step (its
        block and skip regexes, each block's words from :meth:`_block_words`, other blocks split
        as jieba splits them) without its chain of generators, which cost more per token than the
        route itself on the scoring path (docs/benchmarks.md, session 21)."""
        found: list[str] = []
        for block in _HAN_BLOCKS.split(sentence):
            if not block:
                continue
            if _HAN_BLOCKS.match(block):
                self._block_words(block, found)
                continue
            for piece in _SKIPPED.split(block):
                if _SKIPPED.match(piece):
                    found.append(piece)
                else:
                    found.extend(piece)
        return found

    def _Tokenizer__cut_DAG(self, sentence: str) -> Iterator[str]:  # noqa: N802 - jieba's private hook, name-mangled
        """jieba's ``__cut_DAG`` (HMM on), for jieba's own ``cut``: :meth:`_block_words`."""
        found: list[str] = []
        self._block_words(sentence, found)
        return iter(found)

    def _block_words(self, block: str, found: list[str]) -> None:
        """jieba's ``__cut_DAG`` (HMM on) on one block, step for step, appending to ``found``: the
        trie's words, and each run of single characters between them as jieba treats it — one
        character as it is; a longer run that is no dictionary word through the HMM of
        ``features.sms.hmm`` (where jieba calls ``finalseg.cut``; recent runs' words remembered); one that is (but was routed
        character by character) as its characters."""
        ends = self._prefix.get_dag_and_calc(block)
        start = run_start = 0
        while start < len(block):
            end = ends[start] + 1
            if end - start > 1:
                self._run(block[run_start:start], found)
                found.append(block[start:end])
                run_start = end
            start = end
        self._run(block[run_start:], found)

    def _run(self, run: str, found: list[str]) -> None:
        if len(run) == 1:
            found.append(run)
        elif len(run) > 1:
            found.extend(hmm_words(run) if not self.FREQ.get(run) else run)


_tokenizer: RoutedTokenizer | None = None
_lock = threading.Lock()


def get_tokenizer() -> RoutedTokenizer:
    """The process-wide tokenizer, initialised (dictionary + user dictionary) on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = RoutedTokenizer()
                cache_dir = jieba_cache_dir()
                if cache_dir is not None:
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    tokenizer.tmp_dir = str(cache_dir)
                tokenizer.initialize()
                tokenizer.load_userdict(str(USER_DICT))
                tokenizer.freeze()
                _tokenizer = tokenizer
    return _tokenizer


# A letter or a digit of any script: exactly the characters ``str.isalnum`` accepts (the regex
# module's \w is that set plus "_", taken back out here), so a token is kept when one of its
# characters is alphanumeric. One search per token instead of a Python generator over its
# characters (that generator was ~3 % of a batch's decision time, docs/benchmarks.md session 12).
_ALPHANUMERIC = re.compile(r"[^\W_]")


def tokenise(text: str) -> list[str]:
    """Words of an already-normalised text, without whitespace or lone punctuation tokens
    (a token with an alphanumeric character is never blank, so no separate strip test)."""
    search = _ALPHANUMERIC.search
    return [token for token in get_tokenizer().words(text) if search(token)]
