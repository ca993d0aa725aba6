"""Decode text files that arrive as UTF-8 or as GB18030/GBK (common from Chinese carriers' systems).

Strict UTF-8 first: random GBK text almost never decodes as valid UTF-8, so a success is reliable.
Then GB18030, a superset of GBK and GB2312 that also rejects malformed byte sequences. Statistical
charset guessing is deliberately not used: on short Chinese texts it mislabels GBK as Big5 or
Shift-JIS and produces plausible-looking garbage instead of a clear error.
"""

from __future__ import annotations

from pathlib import Path

from training.data.sms.records import DataFormatError

ENCODINGS = ("utf-8", "gb18030")


def decode_file(path: Path) -> tuple[str, str]:
    """The file's text with newlines unified, and the encoding that decoded it.

    Raises:
        DataFormatError: unreadable, binary (NUL bytes), or neither UTF-8 nor GB18030; the
            message gives the line of the first undecodable byte.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if b"\x00" in raw:
        raise DataFormatError(path, "binary file (NUL bytes), not text", _line_of(raw, raw.index(b"\x00")))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc  # the last (most permissive) decoder's failure points at the real problem
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
    raise DataFormatError(
        path, f"not UTF-8 or GB18030 text (undecodable byte 0x{raw[error.start]:02x})",
        _line_of(raw, error.start),
    )


def _line_of(raw: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return raw.count(b"\n", 0, offset) + 1
