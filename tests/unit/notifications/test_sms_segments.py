# ruff: noqa: RUF001  (full-width Chinese punctuation and the multiplication sign are the text under test)

from __future__ import annotations

import pytest

from notifications.domain.sms_segments import SmsEncoding, sms_size


@pytest.mark.parametrize(
    ("length", "segments"), [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_segments(length: int, segments: int) -> None:
    size = sms_size("a" * length)
    assert (size.encoding, size.units, size.segments) == (SmsEncoding.GSM7, length, segments)


def test_gsm7_extension_characters_take_two_septets() -> None:
    assert sms_size("€" * 80) == sms_size("a" * 160)
    assert sms_size("€" * 81).segments == 2
    assert sms_size("Total: CNY 1,129.00 {ok} [x] ~ | ^ \\ £ ¥ é Ω").encoding is SmsEncoding.GSM7


def test_extension_character_never_straddles_a_segment_boundary() -> None:
    # 152 septets then a 2-septet character: it moves to the second segment, leaving 1 unused
    text = "a" * 152 + "€" + "a" * 152
    assert sms_size(text).units == 306
    assert sms_size(text).segments == 3


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_chinese_text_is_ucs2(length: int, segments: int) -> None:
    size = sms_size("订" * length)
    assert (size.encoding, size.units, size.segments) == (SmsEncoding.UCS2, length, segments)


def test_one_non_gsm_character_switches_the_whole_message_to_ucs2() -> None:
    assert sms_size("a" * 70).segments == 1
    assert sms_size("a" * 69 + "订").segments == 1
    assert sms_size("a" * 70 + "订").segments == 2
    assert sms_size("2 × tea").encoding is SmsEncoding.UCS2  # the multiplication sign is not GSM-7


def test_characters_outside_the_bmp_count_as_two_units() -> None:
    assert sms_size("🙂" * 35) == sms_size("🙂" * 35)
    assert sms_size("🙂" * 35).units == 70 and sms_size("🙂" * 35).segments == 1
    assert sms_size("🙂" * 36).segments == 2
