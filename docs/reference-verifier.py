#!/usr/bin/env python3
"""Independent sketch of a timeline verifier, written from docs/timeline-format.md alone.

Usage: reference-verifier.py TIMELINE [OPERATOR.pub]   (needs the 'cryptography' package)
It checks the prev chain, seq, session key certificates, checkpoint roots and signatures, and stops
with an AssertionError or InvalidSignature at the first failure. It does not classify INCOMPLETE/
TAMPERED as lockstep verify does; it exists to show the format needs nothing from Lockstep's code.
"""
import sys, json, hashlib, base64
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
data = open(sys.argv[1],'rb').read()
opub = base64.b64decode(open(sys.argv[2]).read().split()[1]) if len(sys.argv)>2 else None
lines = data.split(b'\n')
assert lines[-1] == b''
lines = [l + b'\n' for l in lines[:-1]]
def mth(ls):
    if len(ls)==0: return hashlib.sha256(b'').digest()
    if len(ls)==1: return hashlib.sha256(b'\x00'+ls[0]).digest()
    k=1
    while k*2 < len(ls): k*=2
    return hashlib.sha256(b'\x01'+mth(ls[:k])+mth(ls[k:])).digest()
run=None; prev=None; skey=None
for i,l in enumerate(lines):
    o=json.loads(l)
    if i==0:
        run=o['run']; prev=hashlib.sha256(('lockstep-timeline/1 genesis\n'+run+'\n').encode()).hexdigest()
    assert o['seq']==i and o['prev']==prev, i
    b=o['body']
    if o['type']=='session_key':
        ok=base64.b64decode(b['operator_key'])
        if opub: assert ok==opub
        msg=f"lockstep-timeline/1 session-key\nrun {run}\nseq {i}\nprev {o['prev']}\nkey {b['key']}\n".encode()
        Ed25519PublicKey.from_public_bytes(ok).verify(base64.b64decode(b['sig']), msg)
        skey=Ed25519PublicKey.from_public_bytes(base64.b64decode(b['key']))
    if o['type']=='checkpoint':
        root=mth(lines[:i]).hex()
        assert b['size']==i and b['root']==root, i
        msg=f"lockstep-timeline/1 checkpoint\nrun {run}\nsize {i}\nroot {root}\nfinal {'true' if b['final'] else 'false'}\n".encode()
        skey.verify(base64.b64decode(b['sig']), msg)
    prev=hashlib.sha256(l).hexdigest()
print("python verifier: OK", len(lines), "lines, last type", json.loads(lines[-1])['type'])
