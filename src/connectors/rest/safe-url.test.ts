import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../config/secrets.ts';
import { safeUrl } from './safe-url.ts';

describe('safeUrl', () => {
  it('drops user info', () => {
    expect(safeUrl('http://bob:pw@127.0.0.1:1/a', [])).toBe('http://127.0.0.1:1/a');
  });

  it('masks query parameters with secret-looking names', () => {
    const printed = safeUrl('http://127.0.0.1/a?page=2&api_key=abc&access_token=xyz', []);
    expect(printed).toContain('page=2');
    expect(printed).not.toContain('abc');
    expect(printed).not.toContain('xyz');
    expect(printed).toContain(encodeURIComponent(REDACTED));
  });

  it('masks known secrets wherever they appear', () => {
    const printed = safeUrl('http://127.0.0.1/tenants/s3cret-tenant/po?cursor=s3cret-tenant', [
      's3cret-tenant',
    ]);
    expect(printed).not.toContain('s3cret-tenant');
  });
});
