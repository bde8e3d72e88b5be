// Independent verification of the portal's Open Badges (issue 20): Digital Bazaar's
// @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, not our code, checks a credential.
//
//   node tests/badges/verify_independent.mjs input.json
//
// input.json: {"credential": {...}, "didDocument": {...}, "contexts": {url: document},
// "statusList": {...} (the status list credential), "now": "ISO date"}. Every document is
// served from that file: the documentLoader never touches the network. Prints one JSON line
// {"verified": bool, "suspended": bool|null, "error": "..."}.
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const did = input.didDocument;

async function documentLoader(url) {
  if(input.contexts[url]) {
    return {contextUrl: null, documentUrl: url, document: input.contexts[url]};
  }
  if(url === did.id) {
    return {contextUrl: null, documentUrl: url, document: did};
  }
  if(url.startsWith(did.id + '#')) {
    const method = did.verificationMethod.find(m => m.id === url);
    if(method) {
      const document = {'@context': 'https://w3id.org/security/multikey/v1', ...method};
      return {contextUrl: null, documentUrl: url, document};
    }
  }
  if(input.statusList && url === input.statusList.id) {
    return {contextUrl: null, documentUrl: url, document: input.statusList};
  }
  throw new Error(`Not served offline: ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
let suspended = null;

// The status list credential is itself verified by the same library; then the bit is read
// (GZIP, base64url multibase 'u', bit 0 = the first byte's high bit).
async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  const {document: list} = await documentLoader(entry.statusListCredential);
  // The list is signed when served, so it is checked against the real clock.
  const listResult = await vc.verifyCredential({credential: list, suite, documentLoader});
  if(!listResult.verified) {
    const why = JSON.stringify(listResult.error || listResult.results);
    return {verified: false, error: new Error(`status list does not verify: ${why}`)};
  }
  const encoded = list.credentialSubject.encodedList;
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = parseInt(entry.statusListIndex, 10);
  suspended = Boolean(bits[index >> 3] & (0x80 >> (index % 8)));
  return {verified: true};
}

try {
  const result = await vc.verifyCredential({
    credential: input.credential, suite, documentLoader, checkStatus, now: input.now
  });
  const errors = [];
  const collect = e => e && (e.errors || [e]).forEach(x => errors.push(x.message || String(x)));
  collect(result.error);
  (result.results || []).forEach(r => collect(r.error));
  if(result.statusResult && result.statusResult.error) {
    collect(result.statusResult.error);
  }
  const error = result.verified ? '' : (errors.join('; ') || JSON.stringify(result));
  console.log(JSON.stringify({verified: result.verified, suspended, error}));
} catch(e) {
  console.log(JSON.stringify({verified: false, suspended, error: String(e)}));
}
