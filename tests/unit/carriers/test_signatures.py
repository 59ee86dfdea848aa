"""Each provider's signature scheme against the known-answer values in the sample READMEs."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from carriers.domain import signatures
from tests.unit.carriers.samples import sample_bytes

EASYPOST_KAT = {
    "01_in_transit.json": "hmac-sha256-hex=6a558b1b0808845005def794de0e42139ae4855e5f8e6235790dd11c2eba8b19",
    "02_out_for_delivery.json": "hmac-sha256-hex=5f71cc87b423891e742d1458cbc2424c49033ae9c133a982033369a97722f13b",
    "03_delivered.json": "hmac-sha256-hex=77fc0e7b32022ec9963c45b4875785f50e9c59f5e51cfc74d506c7f9761ea49e",
    "04_batch_updated.json": "hmac-sha256-hex=1cbdee708c7b5352f2520f5ad75ed0b1ad6a2f9996bfd06559647f7403d5ee8e",
}
AFTERSHIP_KAT = {
    "01_in_transit.json": "ez8s+UWinioGwWaXXropC+223wRewsTMkLhNUQULOHw=",
    "02_exception.json": "OyB8D1a6+RNn1aytU1GGlzI02ahZNVvd3dcSRdyTb9g=",
    "03_delivered.json": "ILlUPR9chOR44WqVWrwz7+0TKCPV0u2GxpStW3eo3g8=",
    "04_in_transit_2025_01.json": "rGy8XFZ4NNSKEFCvjgWM3B5PhE2p7VS6cst7zTCsMdE=",
}
KUAIDI100_KAT = {
    "01_in_transit.txt": "BC9994B53BFF9FB9D70DAAB2CD8A3579",
    "02_out_for_delivery.txt": "216CA192A9DE2B60649D355D1DEAA3CB",
    "03_delivered.txt": "650AF2FF3240E8C4758A80C84C4F30E3",
}


@pytest.mark.parametrize(("name", "expected"), EASYPOST_KAT.items())
def test_easypost_known_answers_with_nfkd_secret(name: str, expected: str) -> None:
    body = sample_bytes("easypost", name)
    assert signatures.easypost_signature(body, "sample-wh-sécret") == expected
    signatures.verify_easypost(body, expected, "sample-wh-sécret")
    # the same secret typed as e + combining acute accent is the same key after NFKD
    signatures.verify_easypost(body, expected, "sample-wh-se\u0301cret")


@pytest.mark.parametrize(("name", "expected"), AFTERSHIP_KAT.items())
def test_aftership_known_answers(name: str, expected: str) -> None:
    body = sample_bytes("aftership", name)
    assert signatures.aftership_signature(body, "sample-aftership-secret") == expected
    signatures.verify_aftership(body, expected, "sample-aftership-secret")


@pytest.mark.parametrize(("name", "expected"), KUAIDI100_KAT.items())
def test_kuaidi100_known_answers_over_the_param_text(name: str, expected: str) -> None:
    form = parse_qs(sample_bytes("kuaidi100", name).decode())
    assert form["sign"] == [expected]
    assert signatures.kuaidi100_signature(form["param"][0], "sample-kd100-salt") == expected
    signatures.verify_kuaidi100(form["param"][0], expected.lower(), "sample-kd100-salt")


SEVENTEENTRACK_KAT = {
    "01_in_transit.json": "5a3634f6d6b31848c28878ea72a0dbb0bdb43a547921ebe20b18be1b0155769f",
    "02_exception.json": "99a07390ee4ba0102af941294b214ed232ab4ffdaf680821a875eb41b0091e6a",
    "03_delivered.json": "0c8c442421ae34863df5229d1ecd54f8cf4e0790bddfa5c0aa6e158876f0814e",
}


@pytest.mark.parametrize(("name", "expected"), SEVENTEENTRACK_KAT.items())
def test_17track_known_answers(name: str, expected: str) -> None:
    body = sample_bytes("17track", name)
    assert signatures.seventeentrack_signature(body, "sample-17track-key") == expected
    signatures.verify_seventeentrack(body, expected.upper(), "sample-17track-key")


def test_generic_round_trip_and_rotation() -> None:
    body = b'{"a":1}'
    header = signatures.generic_signature(body, "s3cret", 1_700_000_000)
    signatures.verify_generic(body, header, "s3cret", now=1_700_000_100)
    rotated = header.replace("v1=", "v1=00,v1=")  # an extra signature for another secret is ignored
    signatures.verify_generic(body, rotated, "s3cret", now=1_700_000_100)


@pytest.mark.parametrize(
    ("header", "now", "reason"),
    [
        (None, 1_700_000_000, "missing_signature"),
        ("v1=abc", 1_700_000_000, "malformed_signature"),
        ("t=1700000000,v1=abc", 1_700_000_000, "signature_mismatch"),
        ("GOOD", 1_700_000_301, "stale_timestamp"),
        ("GOOD", 1_699_999_699, "stale_timestamp"),
    ],
)
def test_generic_rejections(header: str | None, now: int, reason: str) -> None:
    body = b'{"a":1}'
    if header == "GOOD":
        header = signatures.generic_signature(body, "s3cret", 1_700_000_000)
    with pytest.raises(signatures.SignatureRejected) as rejected:
        signatures.verify_generic(body, header, "s3cret", now=now)
    assert rejected.value.reason == reason


def test_a_flipped_byte_or_wrong_secret_fails_every_scheme() -> None:
    body = sample_bytes("easypost", "01_in_transit.json")
    flipped = bytes([body[0] ^ 1]) + body[1:]
    with pytest.raises(signatures.SignatureRejected):
        signatures.verify_easypost(flipped, EASYPOST_KAT["01_in_transit.json"], "sample-wh-sécret")
    with pytest.raises(signatures.SignatureRejected):
        signatures.verify_easypost(body, EASYPOST_KAT["01_in_transit.json"], "wrong")
    with pytest.raises(signatures.SignatureRejected):
        signatures.verify_aftership(body, "", "sample-aftership-secret")
