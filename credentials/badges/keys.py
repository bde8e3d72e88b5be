"""The office's Ed25519 signing keys, kept outside the database like SECRET_KEY.

Each key is a small JSON file in BADGE_KEY_DIR (default var/badge-keys/, mode 0600):
its public key as Multikey, when it was made and, for the current key only, its private
key. Rotating makes a new current key and drops the private part of the older ones;
their public parts stay in the DID document, so credentials they signed still verify.
BADGE_PRIVATE_KEY (an Ed25519 private key as multibase, z3u2…) in the environment
overrides the files' current key, for hosts whose disk is not kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from . import multibase


class NoIssuerKey(Exception):
    """No signing key is set up: run `manage.py badge_keys --generate`."""


@dataclass(frozen=True)
class IssuerKey:
    public_key_multibase: str
    created: str
    private_key: Ed25519PrivateKey | None = None
    path: Path | None = None

    @property
    def public_key(self) -> Ed25519PublicKey:
        raw = multibase.decode_key(self.public_key_multibase, multibase.ED25519_PUB)
        return Ed25519PublicKey.from_public_bytes(raw)


def key_dir() -> Path:
    return Path(settings.BADGE_KEY_DIR)


def _from_private(private_multibase: str, created: str, path=None) -> IssuerKey:
    seed = multibase.decode_key(private_multibase, multibase.ED25519_PRIV)
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = multibase.public_key_multibase(private.public_key().public_bytes_raw())
    return IssuerKey(public, created, private, path)


def _read(path: Path) -> IssuerKey:
    data = json.loads(path.read_text())
    if data.get("privateKeyMultibase"):
        key = _from_private(data["privateKeyMultibase"], data["created"], path)
        if key.public_key_multibase != data["publicKeyMultibase"]:
            raise ValueError(f"{path}: the private key does not match the public key")
        return key
    multibase.decode_key(data["publicKeyMultibase"], multibase.ED25519_PUB)
    return IssuerKey(data["publicKeyMultibase"], data["created"], None, path)


def load_keys(directory: Path | None = None) -> list[IssuerKey]:
    """Every key the office has had, oldest first; the last is the current one."""
    directory = directory or key_dir()
    keys = []
    if directory.is_dir():
        keys = sorted((_read(p) for p in directory.glob("*.json")), key=lambda k: k.created)
    from_env = getattr(settings, "BADGE_PRIVATE_KEY", "")
    if from_env:
        env_key = _from_private(from_env, "environment")
        keys = [k for k in keys if k.public_key_multibase != env_key.public_key_multibase]
        keys.append(env_key)
    return keys


def current_key(directory: Path | None = None) -> IssuerKey:
    keys = load_keys(directory)
    if not keys or keys[-1].private_key is None:
        raise NoIssuerKey(
            "No badge signing key: run `manage.py badge_keys --generate` "
            "(or set BADGE_PRIVATE_KEY)."
        )
    return keys[-1]


def _write(directory: Path, data: dict, path: Path | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    if path is None:
        stamp = data["created"].replace(":", "")
        path = directory / f"{stamp}-{data['publicKeyMultibase'][-8:]}.json"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)
    return path


def _new_key(directory: Path) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    data = {
        "type": "Multikey",
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "publicKeyMultibase": multibase.public_key_multibase(public),
        "privateKeyMultibase": multibase.private_key_multibase(seed),
    }
    path = _write(directory, data)
    return _read(path)


def generate(directory: Path | None = None) -> tuple[IssuerKey, bool]:
    """The current key, made now if there is none. (key, True if it was made)."""
    directory = directory or key_dir()
    keys = load_keys(directory)
    if keys and keys[-1].private_key is not None:
        return keys[-1], False
    return _new_key(directory), True


def rotate(directory: Path | None = None) -> IssuerKey:
    """A new current key; older keys keep only their public part (still published)."""
    directory = directory or key_dir()
    old = [k for k in load_keys(directory) if k.path is not None]
    new = _new_key(directory)
    for key in old:
        if key.private_key is not None:
            data = {
                "type": "Multikey",
                "created": key.created,
                "publicKeyMultibase": key.public_key_multibase,
                "retired": new.created,
            }
            _write(directory, data, key.path)
    return new
