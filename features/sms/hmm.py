"""jieba's HMM for words its dictionary does not know (``jieba.finalseg``), with the same words out.

jieba hands a run of single characters that is not itself a dictionary word to ``finalseg.cut``,
whose Viterbi search copies each state's whole path list at every character and builds a list of
tuples per state and step: on mudou SMS ``finalseg.cut`` was ~10 % of a batch's decision time and
~3.5 % of one message's (py-spy, docs/benchmarks.md, session 12). :func:`hmm_cut` runs the same search
with back-pointers: the same sums in the same order (previous score + transition + emission),
ties broken as ``max`` over ``(score, state)`` tuples breaks them (the later letter wins), so the
same path and the same words (pinned against ``finalseg.cut`` in tests/features/sms/test_hmm.py,
and token for token against plain jieba by ``benchmarks/tokeniser_equality.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from jieba import finalseg

_STATES = "BMES"
# Per state, its two possible previous states with the transition score from each (jieba's values).
_FROM = {state: tuple((prev, finalseg.trans_P[prev].get(state, finalseg.MIN_FLOAT)) for prev in finalseg.PrevStatus[state])
         for state in _STATES}


# Runs whose words :func:`hmm_words` remembers. Runs are short (mean 3.8 characters on mudou) and
# recur: half of a 2,000-message stream's 11,209 runs had come before (docs/benchmarks.md, session 26).
# 16,384 runs hold a few MB per process.
REMEMBERED_RUNS = 16_384


@lru_cache(maxsize=REMEMBERED_RUNS)
def hmm_words(text: str) -> tuple[str, ...]:
    """:func:`hmm_cut`'s words, remembered for the most recent runs (the HMM's answer for a run
    depends on the run alone)."""
    return tuple(hmm_cut(text))


def hmm_cut(text: str) -> Iterator[str]:
    """``jieba.finalseg.cut(text)``: Chinese runs segmented by the HMM, other runs split as jieba splits them."""
    for block in finalseg.re_han.split(text):
        if finalseg.re_han.match(block):
            for word in _segment(block):
                if word in finalseg.Force_Split_Words:
                    yield from word
                else:
                    yield word
        else:
            yield from filter(None, finalseg.re_skip.split(block))


def _segment(block: str) -> Iterator[str]:
    """Words of one run of Chinese characters from its most likely B/M/E/S labels."""
    begin = following = 0
    for i, (char, label) in enumerate(zip(block, _labels(block), strict=True)):
        if label == "B":
            begin = i
        elif label == "E":
            yield block[begin : i + 1]
            following = i + 1
        elif label == "S":
            yield char
            following = i + 1
    if following < len(block):
        yield block[following:]


def _labels(observed: str) -> list[str]:
    """The Viterbi path of ``finalseg.viterbi(observed, "BMES", …)``, kept as back-pointers."""
    emit, missing = finalseg.emit_P, finalseg.MIN_FLOAT
    scores = {state: finalseg.start_P[state] + emit[state].get(observed[0], missing) for state in _STATES}
    pointers: list[dict[str, str]] = []
    for char in observed[1:]:
        step: dict[str, float] = {}
        back: dict[str, str] = {}
        for state in _STATES:
            emission = emit[state].get(char, missing)
            (first, first_move), (second, second_move) = _FROM[state]
            first_score = scores[first] + first_move + emission
            second_score = scores[second] + second_move + emission
            if second_score > first_score or (second_score == first_score and second > first):
                step[state], back[state] = second_score, second
            else:
                step[state], back[state] = first_score, first
        scores = step
        pointers.append(back)
    state = "S" if scores["S"] >= scores["E"] else "E"  # max((score, state)): "S" > "E" wins a tie
    path = [state]
    for back in reversed(pointers):
        state = back[state]
        path.append(state)
    path.reverse()
    return path
