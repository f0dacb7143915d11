"""Character encodings told from the bytes: UTF-16 with or without BOM, UTF-8, code pages, NULs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.encoding import decode
from geo.errors import InputFormatError

TEXT = "aika;luokka;kuvaus\n1.6.2026 klo 22.10;ryöstö;Pyörä & puhelin, Åbo\n"


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_unicode_files_decode_without_a_note(encoding: str, codec: str) -> None:
    text, used, notes = decode(TEXT.encode(encoding), "x.csv")
    assert (text, used, notes) == (TEXT, codec, [])


def test_code_pages_decode_with_a_note_saying_how_to_fix() -> None:
    text, used, notes = decode("Pyörä 5 €\n".encode("cp1252"), "vanha.csv")
    assert text == "Pyörä 5 €\n" and used == "cp1252"
    assert notes == [
        "vanha.csv is not UTF-8; read it as Windows-1252. If letters such as ä, ö, å look wrong, "
        "save the file as 'CSV UTF-8' and import again"
    ]
    text, used, notes = decode(b"a\x81b", "outo.csv")  # 0x81 is undefined in cp1252
    assert text == "a\x81b" and used == "latin-1" and "ISO-8859-1 (latin-1)" in notes[0]


def test_nul_characters_are_removed_and_counted() -> None:
    text, used, notes = decode(b"aika;luokka\x00\x00\n", "nul.csv")
    assert text == "aika;luokka\n" and used == "utf-8"
    assert notes == ["nul.csv: 2 NUL characters removed (a damaged or binary file?)"]


def test_a_false_byte_order_mark_is_refused_with_the_fix() -> None:
    with pytest.raises(
        InputFormatError, match=r"^rikki\.csv: starts with a UTF-8 byte order mark but byte 5 is not"
    ):
        decode(b"\xef\xbb\xbfab\xff", "rikki.csv")


@given(
    st.text(alphabet="aäöåÄÖÅbcxyz ;,.\n0123456789€", min_size=4),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_finnish_text_round_trips(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), "x.csv")[0] == text
