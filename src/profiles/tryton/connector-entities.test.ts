import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RpcConfigSchema } from '../../connectors/rpc/index.ts';
import { odooEntities } from '../odoo/index.ts';
import { trytonEntities } from './index.ts';

const ROOT = join(import.meta.dirname, '../../..');

/** The first ```yaml block after `heading` in a doc, parsed. */
function yamlAfter(doc: string, heading: string): unknown {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const at = text.indexOf(heading);
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(at));
  if (at === -1 || block?.[1] === undefined) throw new Error(`${doc}: no yaml block after "${heading}"`);
  return parse(block[1]);
}

describe('the entities the profiles need, as the docs print them', () => {
  it.each([
    ['docs/erp/tryton.md', 'tryton', trytonEntities],
    ['docs/erp/odoo.md', 'odoo', odooEntities],
  ] as const)(
    '%s shows exactly what the %s profile exports, and it is a valid configuration',
    (doc, dialect, entities) => {
      expect(yamlAfter(doc, '### The entities')).toEqual({ entities });
      const config = RpcConfigSchema.safeParse({
        kind: 'rpc',
        dialect,
        baseUrl: 'http://127.0.0.1:8000',
        database: 'erp',
        auth: { username: 'erpbridge', password: 'x' },
        entities,
      });
      expect(config.error?.issues).toBeUndefined();
    },
  );
});
