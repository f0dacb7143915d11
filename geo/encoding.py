"""Which character encoding a partner's text file is in, told from its bytes.

Exports come from Excel ("CSV UTF-8", or Windows-1252 from older versions, or UTF-16 from
"Unicode text"), from police and city systems, and from hand-edited files. The bytes
decide: a byte order mark, the NUL pattern of UTF-16, valid UTF-8, else an 8-bit code
page with a note saying so, because ä, ö and å then may look wrong.
"""

from __future__ import annotations

from geo.errors import InputFormatError


def decode(raw: bytes, name: str) -> tuple[str, str, list[str]]:
    """Decode a text file's bytes, telling its encoding from the bytes themselves.

    UTF-16 (by its BOM or its NUL bytes), UTF-8 (with or without BOM), else cp1252, else
    latin-1. NUL characters are removed (and counted).

    Parameters
    ----------
    raw
        The file's content.
    name
        The file's name, for notes and messages.

    Returns
    -------
    text : str
        The content as text, NUL characters removed.
    encoding : str
        The codec used: ``'utf-16'``, ``'utf-16-le'``, ``'utf-16-be'``, ``'utf-8-sig'``,
        ``'utf-8'``, ``'cp1252'`` or ``'latin-1'``.
    notes : list of str
        What a person should know: a guessed 8-bit encoding, removed NUL characters.

    Raises
    ------
    InputFormatError
        The bytes claim UTF-8 (a byte order mark) or UTF-16 but are not; the message says
        how to save the file again.
    """
    text, encoding, notes = _decode_text(raw, name)
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        notes = [*notes, f"{name}: {nuls} NUL characters removed (a damaged or binary file?)"]
    return text, encoding, notes


def _utf16(raw: bytes) -> str | None:
    """Return the UTF-16 codec of ``raw`` by its byte order mark or its NUL pattern; None when not UTF-16."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = raw[:2000]
    if len(sample) >= 8:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        # ASCII text in UTF-16 has a NUL in every other byte.
        if odd > 0.4 * len(sample) / 2 and even < 0.05 * len(sample) / 2:
            return "utf-16-le"
        if even > 0.4 * len(sample) / 2 and odd < 0.05 * len(sample) / 2:
            return "utf-16-be"
    return None


def _decode_text(raw: bytes, name: str) -> tuple[str, str, list[str]]:
    codec = _utf16(raw)
    if codec is not None:
        try:
            return raw.decode(codec), codec, []
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"{name}: looks like UTF-16 but byte {exc.start} is not; save the file again as 'CSV UTF-8'",
                code="encoding",
                name=name,
            ) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise InputFormatError(
                f"{name}: starts with a UTF-8 byte order mark but byte {exc.start + 3} is not UTF-8; "
                "save the file again as 'CSV UTF-8'",
                code="encoding",
                name=name,
            ) from exc
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    for encoding, label in (("cp1252", "Windows-1252"), ("latin-1", "ISO-8859-1 (latin-1)")):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        note = (
            f"{name} is not UTF-8; read it as {label}. If letters such as ä, ö, å look wrong, "
            "save the file as 'CSV UTF-8' and import again"
        )
        return text, encoding, [note]
    raise InputFormatError(
        f"{name}: cannot be decoded as text", code="encoding", name=name
    )  # latin-1 decodes anything
