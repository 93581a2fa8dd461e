#!/usr/bin/env python3
"""Verify a Redoubt / Nanorix CDP 1.0 with nothing but hashlib and `cryptography`.

Usage: python3 scripts/verify_cdp.py proof.json   (a CDP, or a DELETE response holding one)
Prints {"valid": ...} and exits 0 when the chain, the final hash and the signature all check.
The same steps are shown in docs/cdp.md.
"""
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

METHODS = ["procfs_verification", "mountinfo_verification", "dod_5220_multipass_wipe",
           "ed25519_key_destruction", "credential_incineration", "merkle_tree_verification",
           "hash_chain_validation", "capsule_lifecycle_verification"]

doc = json.load(open(sys.argv[1]))
cdp = doc.get("cdp", doc)
alg, _ = cdp["final_hash"].split(":", 1)                 # "sha512" (or the docs' "sha256")
h = lambda data: hashlib.new(alg, data).hexdigest()
prev, chain_ok = h(b""), len(cdp["chain"]) == 8
for i, step in enumerate(cdp["chain"]):
    fields = [prev, step["subsystem"], "destroy", METHODS[i], cdp["destroyed_at"]]
    prev = h("\0".join(fields).encode())
    chain_ok &= step["step"] == i + 1 and step["chain_hash"] == f"{alg}:{prev}"
final_ok = cdp["final_hash"] == f"{alg}:{prev}" == cdp["chain"][-1]["chain_hash"]
att = cdp["attestation"]
key = Ed25519PublicKey.from_public_bytes(base64.b64decode(att["public_key"].removeprefix("base64:")))
try:
    key.verify(base64.b64decode(att["signature"].removeprefix("base64:")), prev.encode())
    sig_ok = att["algorithm"] == "Ed25519"
except Exception:
    sig_ok = False
valid = chain_ok and final_ok and sig_ok
print(json.dumps({"valid": valid, "chain_integrity": chain_ok, "final_hash": final_ok, "signature": sig_ok}))
sys.exit(0 if valid else 1)
