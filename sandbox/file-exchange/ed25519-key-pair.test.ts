import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from './ed25519-key-pair.ts';

describe('generateEd25519KeyPair', () => {
  it('only hands out key pairs ssh2 reads back (its own generator fails about 1 in 300)', () => {
    for (let i = 0; i < 1500; i++) {
      const pair = generateEd25519KeyPair();
      expect(ssh2.utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    }
  });
});
