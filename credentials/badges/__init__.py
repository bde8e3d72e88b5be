"""Open Badges 3.0 credentials for the credentials holders hold (issue 20).

The layer sits above credentials' models, rules, selectors and services: it reads
credentials and renewals and is read by pages. Nothing in credentials' lower modules
imports it; the services tell it about lapses and reinstatements through the signal in
`credentials.signals`, which `credentials.badges.apps` connects.

- `multibase`: base58btc multibase and the Ed25519 multicodec prefixes.
- `documents`: the offline JSON-LD document loader over the bundled contexts.
- `proofs`: the eddsa-rdfc-2022 Data Integrity proof (create and verify).
- `keys`: the office's Ed25519 keys, outside the database (files or environment).
- `issuer`: the did:web identity and its DID document.
- `status_list`: the Bitstring Status List (suspension) of every credential issued.
- `badges`: the OpenBadgeCredential for a credential held.
- `verify`: our verifier, in plain words.
"""
