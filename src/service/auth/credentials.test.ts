import { describe, expect, it } from 'vitest';
import { hashPassword, newSecret, sameSecret, secretHash, verifyPassword } from './credentials.ts';
import { roleAtLeast } from './roles.ts';

describe('credentials', () => {
  it('makes distinct prefixed secrets and hashes them with SHA-256', () => {
    const a = newSecret('ebt');
    const b = newSecret('ebt');
    expect(a).toMatch(/^ebt_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(secretHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('verifies a password against its scrypt hash, and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });

  it('orders roles viewer < operator < approver < admin', () => {
    expect(roleAtLeast('admin', 'approver')).toBe(true);
    expect(roleAtLeast('approver', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'approver')).toBe(false);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast('viewer', 'viewer')).toBe(true);
  });
});
