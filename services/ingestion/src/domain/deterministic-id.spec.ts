import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { deterministicMessageId, sha1, toHex, uuidV5 } from './deterministic-id';
import { utf8Encode } from './json';

describe('sha1', () => {
  it.each([
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ])('matches the FIPS 180 vector for %j', (input, digest) => {
    expect(toHex(sha1(utf8Encode(input)))).toBe(digest);
  });

  it('agrees with node:crypto on inputs of every length around the block boundaries', () => {
    for (let length = 0; length < 300; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(toHex(sha1(bytes))).toBe(createHash('sha1').update(bytes).digest('hex'));
    }
  });
});

describe('uuidV5', () => {
  it('matches the RFC 9562 example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});

describe('deterministicMessageId', () => {
  it('given the same source, file and row, gives the same id (a re-upload is deduplicated)', () => {
    const first = deterministicMessageId(['src_pos', 'sha256:9f2c', 'row', '42']);
    expect(deterministicMessageId(['src_pos', 'sha256:9f2c', 'row', '42'])).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is pinned: ids stored by earlier imports must still match', () => {
    expect(deterministicMessageId(['src_pos', 'order', '00001-1997-01-01'])).toBe(
      uuidV5('["src_pos","order","00001-1997-01-01"]', '9c6a3e52-5b0e-4c53-8f3c-1d2f6a7b8e90'),
    );
  });

  it('never confuses parts that concatenate to the same text', () => {
    expect(deterministicMessageId(['a,b'])).not.toBe(deterministicMessageId(['a', 'b']));
    expect(deterministicMessageId(['ab', 'c'])).not.toBe(deterministicMessageId(['a', 'bc']));
  });

  it('agrees with a node:crypto v5 for any parts, including non-ASCII', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' })), (parts) => {
        const ns = Buffer.from('9c6a3e525b0e4c538f3c1d2f6a7b8e90', 'hex');
        const hash = createHash('sha1').update(ns).update(JSON.stringify(parts), 'utf8').digest();
        hash[6] = (hash[6] & 0x0f) | 0x50;
        hash[8] = (hash[8] & 0x3f) | 0x80;
        const hex = hash.subarray(0, 16).toString('hex');
        const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        expect(deterministicMessageId(parts)).toBe(expected);
      }),
    );
  });
});
