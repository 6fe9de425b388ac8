import ssh2 from 'ssh2';

const { utils } = ssh2;

/**
 * An Ed25519 key pair whose public half ssh2 can read back. ssh2 1.17's generator writes a
 * public key whose first byte is zero with 31 bytes instead of 32 (about 1 key in 300), and its
 * own parser then calls it malformed; such a key is thrown away and another one made.
 */
export function generateEd25519KeyPair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error('could not generate an Ed25519 key pair that ssh2 reads back in 50 tries');
}
