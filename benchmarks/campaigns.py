"""Campaign grouping on real labelled SMS: purity, coverage, time and peak memory.

Purity (issue #11, target ≥ 0.98 on mudou): over campaigns of at least ``--min-size`` messages,
the share of their messages whose campaign's majority label is their own; coverage: the share of
all messages in such campaigns. Every row of the file is grouped (no deduplication: repeats are
what campaigns are made of). ``--templates-only`` turns contact-point merging off, to tell which
merges cost purity; ``--show-impure N`` prints the N campaigns holding the most minority messages.
Peak RSS is the process's maximum resident set (``getrusage``), imports included.

Run: .venv/bin/python benchmarks/campaigns.py [--sets mudou_spam uci_sms_spam sms80w_sample] [--show-impure 10]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import pandas as pd

from configs import default_config_path, load_config
from configs.campaigns import CampaignsConfig
from training.campaigns.evaluation import campaign_purity
from training.campaigns.grouping import Grouping, group_messages
from training.data.sms import load_unlabelled

DATA = Path(__file__).resolve().parents[2] / "shared/data"
FILES = {
    "mudou_spam": "mudou_spam/mudou_spam.train",
    "uci_sms_spam": "uci_sms_spam/SMSSpamCollection.train30",
    "sms80w_sample": "sms80w_sample/junk_message.txt",
}


def show_impure(frame: pd.DataFrame, grouping: Grouping, count: int, min_size: int) -> None:
    """The campaigns with the most messages against their majority label, with a few of their texts."""
    table = pd.DataFrame({"campaign": grouping.campaign, "label": frame["label"].astype(int)})
    sizes = table.groupby("campaign").size()
    mix = table[table["campaign"].isin(sizes[sizes >= min_size].index)].groupby(["campaign", "label"]).size().unstack(fill_value=0)
    minority = mix.min(axis=1).sort_values(ascending=False)
    for campaign in minority.index[:count]:
        if not minority[campaign]:
            break
        members = table.index[table["campaign"] == campaign]
        contacts = pd.Series([k for m in members for k in grouping.contacts[m]], dtype=object).value_counts().head(4)
        print(f"\n# campaign {campaign}: labels {mix.loc[campaign].to_dict()} templates {grouping.templates.iloc[members].nunique()}"
              f" contacts {contacts.to_dict()}")
        for label in (0, 1):
            for text in frame["text"].iloc[members][table["label"].iloc[members] == label].head(2):
                print(f"  [{label}] {text[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(FILES), choices=list(FILES))
    parser.add_argument("--min-size", type=int, default=5)
    parser.add_argument("--templates-only", action="store_true", help="no contact-point merging")
    parser.add_argument("--show-impure", type=int, default=0)
    args = parser.parse_args()
    config = load_config(default_config_path("campaigns"), CampaignsConfig)
    if args.templates_only:
        contacts = config.campaigns.contacts.model_copy(update={"max_templates_per_contact": 0})
        config = config.model_copy(update={"campaigns": config.campaigns.model_copy(update={"contacts": contacts})})
    print(f"| set | messages | campaigns ≥ {args.min_size} | messages in them (share) | purity | grouping s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.sets:
        frame = load_unlabelled([DATA / FILES[name]]).frame
        start = time.perf_counter()
        grouping = group_messages(frame["text"].tolist(), config)
        seconds = time.perf_counter() - start
        result = campaign_purity(grouping.campaign, frame["label"].astype(int).to_numpy(), args.min_size)
        print(f"| {name} | {result.messages:,} | {result.campaigns:,} | {result.messages_in_campaigns:,} ({result.coverage:.3f})"
              f" | {result.purity:.4f} | {seconds:.1f} |", flush=True)
        if args.show_impure:
            show_impure(frame, grouping, args.show_impure, args.min_size)
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
