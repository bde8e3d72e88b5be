"""Multibase base58btc ('z…') and the Ed25519 multicodec prefixes used by Multikey."""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(ALPHABET)}

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub (0xed), varint
ED25519_PRIV = b"\x80\x26"  # multicodec ed25519-priv (0x1300), varint


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = ALPHABET[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    """Multibase base58btc: 'z' + base58btc."""
    return "z" + b58encode(data)


def decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    return b58decode(text[1:])


def public_key_multibase(raw: bytes) -> str:
    return encode(ED25519_PUB + raw)


def private_key_multibase(seed: bytes) -> str:
    return encode(ED25519_PRIV + seed)


def decode_key(text: str, prefix: bytes) -> bytes:
    data = decode(text)
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise ValueError("not an Ed25519 Multikey value")
    return data[len(prefix) :]
