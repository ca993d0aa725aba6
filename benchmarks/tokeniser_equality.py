"""Tokens of yunmao's tokenizer (and of jieba-compatible candidates) against plain jieba 0.42.1.

A faster tokenizer is only acceptable if it gives the same words: every TF-IDF feature, score and
reason downstream reads them. Over every message of the real sets and 5,000 demo messages, after
the project's normaliser, with the fraud user dictionary and HMM on, this counts the messages whose
tokens differ from plain jieba's and times each tokenizer side by side (CPU time, interleaved):

    PYTHONPATH=. .venv/bin/python benchmarks/tokeniser_equality.py
    PYTHONPATH=/tmp/candidates:. .venv/bin/python benchmarks/tokeniser_equality.py --candidate jieba_next --candidate jieba_fast_dat

A candidate is any importable module with jieba's ``Tokenizer`` API (``initialize``,
``load_userdict``, ``lcut``). Exits 1 when yunmao's own tokenizer differs from jieba on any message.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable

import jieba

from benchmarks.quality import DATA, SETS
from features.sms.normalise import normalise_text
from features.sms.tokenise import USER_DICT, get_tokenizer
from training.data.demo_sms import generate_demo_sms
from training.data.sms import load_unlabelled

Cut = Callable[[str], list[str]]
ALL_SETS = {**SETS, "fbs_sms": [DATA / "fbs_sms" / "fbs_sms.train.tsv"]}


def messages(demo: int) -> dict[str, list[str]]:
    """Normalised texts per set: every message of each real set present, plus ``demo`` demo SMS."""
    texts = {
        name: [normalise_text(str(text)) for text in load_unlabelled(paths, "auto").frame["text"]]
        for name, paths in ALL_SETS.items()
        if all(path.exists() for path in paths)
    }
    texts["demo"] = [normalise_text(text) for text in generate_demo_sms(demo, seed=1)["text"]]
    return texts


def jieba_like(module_name: str) -> Cut:
    """``lcut`` of a fresh tokenizer of ``module_name`` with the fraud user dictionary."""
    tokenizer = importlib.import_module(module_name).Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(str(USER_DICT))
    return lambda text: tokenizer.lcut(text, HMM=True)


def messages_per_cpu_second(cut: Cut, texts: list[str]) -> float:
    start = time.thread_time()
    for text in texts:
        cut(text)
    return len(texts) / (time.thread_time() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", action="append", default=[], help="a jieba-compatible module to check too")
    parser.add_argument("--demo", type=int, default=5000, help="demo messages")
    parser.add_argument("--timed", type=int, default=20000, help="messages per timing pass")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved timing passes")
    args = parser.parse_args()
    texts = messages(args.demo)
    reference = jieba_like("jieba")
    routed = get_tokenizer()
    cuts: dict[str, Cut] = {"yunmao (routed)": routed.words}  # what tokenise() runs
    cuts |= {name: jieba_like(name) for name in args.candidate}
    print(f"| tokenizer | {' | '.join(texts)} | all |")
    print(f"|---|{'---|' * (len(texts) + 1)}")
    differing = {}
    for name, cut in cuts.items():
        counts = [sum(cut(text) != reference(text) for text in set_texts) for set_texts in texts.values()]
        differing[name] = sum(counts)
        print(
            f"| {name} | {' | '.join(f'{n} / {len(t)}' for n, t in zip(counts, texts.values(), strict=True))} "
            f"| {sum(counts)} / {sum(map(len, texts.values()))} |"
        )
    timed = [text for set_texts in texts.values() for text in set_texts][: args.timed]
    speeds: dict[str, list[float]] = {name: [] for name in ("jieba", *cuts)}
    for _ in range(args.repeats):
        for name, cut in (("jieba", reference), *cuts.items()):
            speeds[name].append(messages_per_cpu_second(cut, timed))
    for name, values in speeds.items():
        ratios = [value / base for value, base in zip(values, speeds["jieba"], strict=True)]
        print(f"{name}: {' / '.join(f'{v:,.0f}' for v in values)} msg/s; × jieba {' / '.join(f'{r:.2f}' for r in ratios)}")
    return 1 if differing["yunmao (routed)"] else 0


if __name__ == "__main__":
    jieba.setLogLevel(40)
    sys.exit(main())
