"""Hand-written sets kept outside the repository load as the in-repo ones do (``--extra-sets``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.hand_written import external_set, main
from tests.hand_written_sms import MOBILE, SERVICE

SET_FILE = '''
SCAMS = [("冒充公检法", "police", "我是派出所民警，你涉嫌洗钱，请配合调查。")]
ORDINARY = [("family", "MOBILE", "妈，我到家了。"), ("otp", "SERVICE", "【银行】验证码123456，请勿泄露。")]
'''


def test_an_external_set_is_named_by_its_file_and_its_senders_are_the_in_repo_numbers(tmp_path: Path) -> None:
    path = tmp_path / "blind_x.py"
    path.write_text(SET_FILE, encoding="utf-8")
    loaded = external_set(path)
    scams, ordinary = loaded.records()
    assert loaded.name == "blind_x"
    assert scams["text"].tolist() == ["我是派出所民警，你涉嫌洗钱，请配合调查。"]
    assert ordinary["sender"].tolist() == [MOBILE, SERVICE]


def test_an_unknown_sender_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text(SET_FILE.replace('"SERVICE"', '"BANK"'), encoding="utf-8")
    with pytest.raises(ValueError, match="BANK"):
        external_set(path)


def test_a_file_without_the_two_lists_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "half.py"
    path.write_text('SCAMS = []\n', encoding="utf-8")
    with pytest.raises(ValueError, match="ORDINARY"):
        external_set(path)


def test_a_negative_row_count_is_refused_before_anything_trains(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["hand_written.py", "--max-per-set", "-3"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert "--max-per-set" in capsys.readouterr().err
