#!/usr/bin/env python3
"""Independent sketch of a timeline verifier, written from docs/timeline-format.md alone.

Usage: reference-verifier.py TIMELINE [OPERATOR.pub]   (needs the 'cryptography' package)
It checks format versions 1 and 2: one version per file, the run id, seq and prev chain; the order of open,
session_key, recover, close and final checkpoint (a close and its final checkpoint stand in the middle only
before a resume: a recover with after: close, then a session key never certified before in the file; a
recover after a crash may stand where a session key or a final checkpoint was due); that the open record's
operator key certifies every session key; each recover's prior_last_seq and prior_last_hash; checkpoint
roots; and every signature (version 2 checkpoints sign their own line with the sig value left empty). It
prints OK and exits 0 only for a timeline that ends with close + final checkpoint, and stops with an
AssertionError or InvalidSignature at the first failure. It does not tell INCOMPLETE from TAMPERED as
lockstep verify does; it exists to show the format needs nothing from Lockstep's code.
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
def fingerprint(raw): return 'SHA256:'+base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip('=')
def b64(text):  # canonical base64 only: another spelling of the same bytes is a changed byte
    raw=base64.b64decode(text, validate=True)
    assert base64.b64encode(raw).decode()==text, 'not canonical base64'
    return raw
run=None; v=None; prev=None; signed=None; opened_by=None; skey=None; skey_b64=None
certified=set(); need_key=False; last=None; resumes=0
for i,l in enumerate(lines):
    o=json.loads(l); t=o['type']; b=o['body']
    if i==0:
        assert t=='open', 'the first line is not open'
        run=o['run']; v=o['v']; signed=b['signed']; opened_by=b.get('operator_key')
        assert v in (1,2), 'unknown format version'
        assert (opened_by is not None) == signed, 'open names an operator key if and only if signed'
        prev=hashlib.sha256(('lockstep-timeline/1 genesis\n'+run+'\n').encode()).hexdigest()
    assert o['v']==v and o['run']==run and o['seq']==i and o['prev']==prev, (i, 'version, run, seq or prev')
    assert t!='open' or i==0, (i, 'a second open')
    resume = t=='recover' and b.get('after')=='close'
    crash = t=='recover' and not resume
    assert last!='final' or resume, (i, 'only a resume (recover after close) may follow a final checkpoint')
    assert last=='final' or not resume, (i, 'a resume that follows no final checkpoint')
    # a close is sealed by the final checkpoint, unless a crash came between them (a recover after a crash follows)
    assert last!='close' or (t=='checkpoint' and b['final']) or crash, (i, 'close not followed by the final checkpoint')
    # a crash after open (or a recover) and before its session key: a recover after a crash takes its place
    assert not need_key or t=='session_key' or (crash and last in ('open','recover')), (i, 'no session key')
    if t=='recover':
        if v==2 or 'prior_last_seq' in b:
            assert b['prior_last_seq']==i-1 and b['prior_last_hash']==prev, (i, 'recover names another prior line')
        if resume: resumes+=1
    if t=='session_key':
        assert signed and need_key, (i, 'an unexpected session key')
        ok=b64(b['operator_key'])
        assert opub is None or ok==opub, (i, 'not certified by this operator key')
        assert fingerprint(ok)==opened_by, (i, 'certified by another operator key than the open record names')
        assert b['key'] not in certified, (i, 'a session key certified twice')
        msg=f"lockstep-timeline/1 session-key\nrun {run}\nseq {i}\nprev {o['prev']}\nkey {b['key']}\n".encode()
        Ed25519PublicKey.from_public_bytes(ok).verify(b64(b['sig']), msg)
        certified.add(b['key']); need_key=False
        skey_b64=b['key']; skey=Ed25519PublicKey.from_public_bytes(b64(skey_b64))
    if t in ('open','recover'): need_key=signed
    if t=='checkpoint':
        root=mth(lines[:i]).hex()
        assert b['size']==i and b['root']==root, (i, 'checkpoint size or root')
        assert not b['final'] or last=='close', (i, 'a final checkpoint without close')
        if signed:
            assert b['key']==skey_b64, (i, 'checkpoint not by the session key in force')
            if v==1:
                msg=f"lockstep-timeline/1 checkpoint\nrun {run}\nsize {i}\nroot {root}\nfinal {'true' if b['final'] else 'false'}\n".encode()
            else:
                member=b'"sig":"'+b['sig'].encode()+b'"'
                assert l.count(member)==1, (i, 'the signature member is not in the line exactly once')
                msg=l.replace(member, b'"sig":""')
            skey.verify(b64(b['sig']), msg)
        else:
            assert 'sig' not in b, (i, 'a signature in an unsigned timeline')
    last = 'final' if t=='checkpoint' and b['final'] else t
    prev=hashlib.sha256(l).hexdigest()
assert last=='final', 'does not end with close + final checkpoint'
print(f"python verifier: OK {len(lines)} lines, format {v}, {resumes} resumes, {'signed' if signed else 'UNSIGNED'}")
