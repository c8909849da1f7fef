#!/usr/bin/env python3
"""Independent sketch of a timeline verifier, written from docs/timeline-format.md alone.

Usage: reference-verifier.py TIMELINE [OPERATOR.pub]   (needs the 'cryptography' package)
It checks the run id, seq and prev chain; the order of open, session_key, recover, close and final
checkpoint (a close and its final checkpoint stand in the middle only before a resume: a recover with
after: close, then a session key never certified before in the file); that one operator key certifies
every session key; checkpoint roots; and every signature. It prints OK and exits 0 only for a timeline
that ends with close + final checkpoint, and stops with an AssertionError or InvalidSignature at the
first failure. It does not tell INCOMPLETE from TAMPERED as lockstep verify does; it exists to show
the format needs nothing from Lockstep's code.
"""
import sys, json, hashlib, base64
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
data = open(sys.argv[1],'rb').read()
opub = base64.b64decode(open(sys.argv[2]).read().split()[1]) if len(sys.argv)>2 else None
lines = data.split(b'\n')
assert lines[-1] == b'', 'torn last line'
lines = [l + b'\n' for l in lines[:-1]]
def mth(ls):
    if len(ls)==0: return hashlib.sha256(b'').digest()
    if len(ls)==1: return hashlib.sha256(b'\x00'+ls[0]).digest()
    k=1
    while k*2 < len(ls): k*=2
    return hashlib.sha256(b'\x01'+mth(ls[:k])+mth(ls[k:])).digest()
run=None; prev=None; signed=None; certifier=None; skey=None; skey_b64=None
certified=set(); need_key=False; last=None; resumes=0
for i,l in enumerate(lines):
    o=json.loads(l); t=o['type']; b=o['body']
    if i==0:
        assert t=='open', 'the first line is not open'
        run=o['run']; signed=b['signed']
        prev=hashlib.sha256(('lockstep-timeline/1 genesis\n'+run+'\n').encode()).hexdigest()
    assert o['run']==run and o['seq']==i and o['prev']==prev, (i, 'run, seq or prev')
    assert t!='open' or i==0, (i, 'a second open')
    resume = t=='recover' and b.get('after')=='close'
    assert last!='final' or resume, (i, 'only a resume (recover after close) may follow a final checkpoint')
    assert last=='final' or not resume, (i, 'a resume that follows no final checkpoint')
    # a close is sealed by the final checkpoint, unless a crash came between them (a recover after a crash follows)
    assert last!='close' or (t=='checkpoint' and b['final']) or (t=='recover' and not resume), (i, 'close not followed by the final checkpoint')
    # a crash after open (or a recover) and before its session key: a recover after a crash takes its place
    assert not need_key or t=='session_key' or (t=='recover' and last in ('open','recover') and not resume), (i, 'no session key')
    if resume: resumes+=1
    if t=='session_key':
        assert signed and need_key, (i, 'an unexpected session key')
        ok=base64.b64decode(b['operator_key'])
        assert opub is None or ok==opub, (i, 'not certified by this operator key')
        assert certifier is None or ok==certifier, (i, 'certified by another operator key than the first')
        assert b['key'] not in certified, (i, 'a session key certified twice')
        msg=f"lockstep-timeline/1 session-key\nrun {run}\nseq {i}\nprev {o['prev']}\nkey {b['key']}\n".encode()
        Ed25519PublicKey.from_public_bytes(ok).verify(base64.b64decode(b['sig']), msg)
        certifier=ok; certified.add(b['key']); need_key=False
        skey_b64=b['key']; skey=Ed25519PublicKey.from_public_bytes(base64.b64decode(skey_b64))
    if t in ('open','recover'): need_key=signed
    if t=='checkpoint':
        root=mth(lines[:i]).hex()
        assert b['size']==i and b['root']==root, (i, 'checkpoint size or root')
        assert not b['final'] or last=='close', (i, 'a final checkpoint without close')
        if signed:
            assert b['key']==skey_b64, (i, 'checkpoint not by the session key in force')
            msg=f"lockstep-timeline/1 checkpoint\nrun {run}\nsize {i}\nroot {root}\nfinal {'true' if b['final'] else 'false'}\n".encode()
            skey.verify(base64.b64decode(b['sig']), msg)
        else:
            assert 'sig' not in b, (i, 'a signature in an unsigned timeline')
    last = 'final' if t=='checkpoint' and b['final'] else t
    prev=hashlib.sha256(l).hexdigest()
assert last=='final', 'does not end with close + final checkpoint'
print("python verifier: OK", len(lines), "lines,", resumes, "resumes,", "signed" if signed else "UNSIGNED")
