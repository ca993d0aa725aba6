"""UTF-8 vs GB18030 detection and clear errors for what is neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.data.sms import DataFormatError
from training.data.sms.encoding import decode_file

TEXT = "content,label\n您的账户存在风险，请转入安全账户,冒充公检法\r\n"


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_decodes_utf8_and_gbk_family(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(TEXT.encode(encoding))
    text, used = decode_file(path)
    assert used == expected
    assert text == TEXT.replace("\r\n", "\n")


def test_garbage_bytes_fail_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "f.tsv"
    path.write_bytes("1\t正常短信\n".encode() + b"0\t\xff\xfe\xfd\xfc\n")
    with pytest.raises(DataFormatError, match=r"f\.tsv:2: not UTF-8 or GB18030"):
        decode_file(path)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"text,label\n\x00\x01\x02")
    with pytest.raises(DataFormatError, match=r"f\.csv:2: binary file"):
        decode_file(path)
