import { KvError } from '../mvcc/types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE_MAP = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE_MAP[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // '='
const CR = 0x0d;
const LF = 0x0a;

function corrupt(offset: number): KvError {
  return new KvError(3, `illegal base64 data at input byte ${offset}`);
}

/** Canonical padded base64: Go and Node decode it to the same bytes, so Node's native decoder may do it. */
const CANONICAL = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes standard padded base64 exactly as Go's base64.StdEncoding does (what etcd's gateway uses):
 * the same inputs are refused, with the same byte offset in the message. Node's own decoder accepts anything,
 * so it only takes the canonical form (what clients send); everything else goes through Go's rules.
 */
export function decodeGoBase64(text: string): Buffer {
  if (text.length % 4 === 0 && CANONICAL.test(text)) return Buffer.from(text, 'base64');
  return decodeGoBase64ByRules(text);
}

/** Go's decoding loop, byte by byte (exported for the test that compares it with the fast path). */
export function decodeGoBase64ByRules(text: string): Buffer {
  const src = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(Math.floor(src.length / 4) * 3 + 3);
  let n = 0;
  let si = 0;
  for (;;) {
    const quad = [0, 0, 0, 0];
    let dlen = 4;
    let done = false;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return out.subarray(0, n);
        throw corrupt(si - j);
      }
      const ch = src[si++]!;
      const v = DECODE_MAP[ch]!;
      if (v >= 0) {
        quad[j] = v;
        continue;
      }
      if (ch === LF || ch === CR) {
        j--;
        continue;
      }
      if (ch !== PAD || j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== PAD) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
      if (si < src.length) throw corrupt(si);
      dlen = j;
      done = true;
      break;
    }
    const val = (quad[0]! << 18) | (quad[1]! << 12) | (quad[2]! << 6) | quad[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out[n++] = bytes[k]!;
    if (done) return out.subarray(0, n);
  }
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
