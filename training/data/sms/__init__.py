"""SMS data in: every format in ``../shared/data`` plus canonical CSV/JSONL/Parquet, one contract.

>>> result = load_labelled(["a.csv", "mudou_spam.train"])   # doctest: +SKIP
>>> result.frame.columns.tolist()                           # doctest: +SKIP
['id', 'text', 'sender', 'receiver', 'sent_at', 'label', 'fraud_type']
>>> print(result.report.summary())                          # doctest: +SKIP
"""

from training.data.sms.load import FORMATS, load_file, load_labelled, load_unlabelled
from features.labels import parse_label
from training.data.report import FileReport, LoadReport
from training.data.sms.records import DataFormatError, LoadResult

__all__ = [
    "FORMATS",
    "DataFormatError",
    "FileReport",
    "LoadReport",
    "LoadResult",
    "load_file",
    "load_labelled",
    "load_unlabelled",
    "parse_label",
]
