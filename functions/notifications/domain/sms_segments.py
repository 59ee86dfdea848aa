"""How many SMS segments a text costs.

GSM 03.38 (GSM-7) text fits 160 septets in one segment, 153 per segment when concatenated;
characters of the extension table (`{ } [ ] ~ \\ | ^ €` and form feed) take two septets and are
never split across segments. Any other character forces UCS-2 for the whole message: 70 UTF-16
code units in one segment, 67 per segment when concatenated, a surrogate pair never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


class SmsEncoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


# encoding -> (capacity of a single segment, capacity of each segment of a concatenated message)
_CAPACITY = {SmsEncoding.GSM7: (160, 153), SmsEncoding.UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsSize:
    encoding: SmsEncoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _unit_costs(text: str) -> tuple[SmsEncoding, list[int]]:
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return SmsEncoding.GSM7, [2 if char in GSM7_EXTENSION else 1 for char in text]
    return SmsEncoding.UCS2, [2 if ord(char) > 0xFFFF else 1 for char in text]


def sms_size(text: str) -> SmsSize:
    encoding, costs = _unit_costs(text)
    units = sum(costs)
    single, part = _CAPACITY[encoding]
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0)
    segments, used = 1, 0
    for cost in costs:  # greedy packing: a two-unit character never straddles a boundary
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsSize(encoding, units, segments)
