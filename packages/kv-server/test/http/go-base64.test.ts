import { expect } from 'chai';
import fc from 'fast-check';
import { decodeGoBase64, decodeGoBase64ByRules } from '../../src/http/go-base64.js';

/** The outcome of a decode: its bytes as hex, or the error's message. */
function outcome(decode: (text: string) => Buffer, text: string): string {
  try {
    return `ok:${decode(text).toString('hex')}`;
  } catch (err) {
    return `error:${(err as Error).message}`;
  }
}

describe('decodeGoBase64', () => {
  it('decodes canonical base64 (the fast path) to the bytes that were encoded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(decodeGoBase64(text).equals(Buffer.from(bytes))).to.equal(true);
        expect(decodeGoBase64ByRules(text).equals(Buffer.from(bytes))).to.equal(true);
      }),
    );
  });

  it('agrees with Go’s byte-by-byte rules on any text, accepted or refused', () => {
    const chars = fc.constantFrom(...'AQgw+/9z=\n\r-_ *'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 24 }), (list) => {
        const text = list.join('');
        expect(outcome(decodeGoBase64, text), JSON.stringify(text)).to.equal(outcome(decodeGoBase64ByRules, text));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses what Go refuses, naming the byte offset', () => {
    expect(() => decodeGoBase64('A===')).to.throw('illegal base64 data at input byte 1');
    expect(() => decodeGoBase64('AB=C')).to.throw('illegal base64 data at input byte 2');
    expect(() => decodeGoBase64('ABC')).to.throw('illegal base64 data at input byte 0');
    expect(decodeGoBase64('QUJD\n').toString()).to.equal('ABC');
  });
});
