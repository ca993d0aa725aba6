"""benchmarks/cue_precision.py: a reason that names no cue is a usage error, before any corpus loads."""

from __future__ import annotations

import pytest

from benchmarks import cue_precision


@pytest.mark.parametrize("flag", ["--words", "--examples"])
def test_an_unknown_reason_is_a_usage_error_naming_it(flag: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def no_corpora() -> None:
        raise AssertionError("corpora loaded before the arguments were checked")

    monkeypatch.setattr(cue_precision, "corpora", no_corpora)
    monkeypatch.setattr("sys.argv", ["cue_precision.py", flag, "没有这个理由"])
    with pytest.raises(SystemExit) as exit_info:
        cue_precision.main()
    assert exit_info.value.code == 2
    assert "没有这个理由" in capsys.readouterr().err
