// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ENV} references are what these tests are about

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, describeError, ErpError } from '../errors/index.ts';
import { thrownBy } from '../errors/test-errors.ts';
import {
  connectConnector,
  connectorConfigCheck,
  connectorKinds,
  isConnectorKind,
  prepareConnector,
} from './registry.ts';
import { restConnector } from './rest/index.ts';
import { startTestErp, type TestErp } from './rest/test-erp-server.ts';

const rest = (overrides: Record<string, unknown> = {}) => ({
  kind: 'rest',
  baseUrl: 'http://127.0.0.1:4010',
  auth: { kind: 'bearer', token: '${ERP_TOKEN}' },
  entities: { purchase_orders: { path: '/v1/page/purchase_orders', keyField: 'po_number' } },
  ...overrides,
});

describe('connectorKinds', () => {
  it('lists rest', () => {
    expect(connectorKinds.rest).toBe(restConnector);
    expect(isConnectorKind('rest')).toBe(true);
    expect(isConnectorKind('toString')).toBe(false);
  });
});

describe('prepareConnector', () => {
  it('validates without I/O and keeps the kind and capabilities', () => {
    // Nothing listens on port 9; preparing must not notice.
    const prepared = prepareConnector('erp', rest({ baseUrl: 'http://127.0.0.1:9' }), {
      ERP_TOKEN: 't-1234',
    });
    expect(prepared).toMatchObject({ name: 'erp', kind: 'rest', capabilities: restConnector.capabilities });
  });

  it('names connectors.<name>.kind for a missing or unknown kind', () => {
    expect(thrownBy(() => prepareConnector('erp', { baseUrl: 'x' }, {}), ConfigError).key).toBe(
      'connectors.erp.kind',
    );
    const unknown = thrownBy(() => prepareConnector('erp', { kind: 'carrier-pigeon' }, {}), ConfigError);
    expect(unknown.key).toBe('connectors.erp.kind');
    expect(unknown.message).toMatch(/^unknown connector kind "carrier-pigeon"; one of rest, /);
    expect(thrownBy(() => prepareConnector('erp', 'rest', {}), ConfigError).key).toBe('connectors.erp');
  });

  it('names the option of a schema problem under connectors.<name>', () => {
    const error = thrownBy(
      () => prepareConnector('erp', rest({ pagination: { style: 'cursor' } }), { ERP_TOKEN: 't-1234' }),
      ConfigError,
    );
    expect(error.key).toBe('connectors.erp.pagination.style');
    expect(error.message).toBe('Invalid option: expected one of "page"|"offset"|"next-link"');
  });

  it('lists every problem when there are several', () => {
    const error = thrownBy(
      () => prepareConnector('erp', rest({ timeoutMs: 0, concurrency: 0 }), { ERP_TOKEN: 'x' }),
      ConfigError,
    );
    expect(error.key).toBe('connectors.erp.timeoutMs');
    expect(error.message).toBe(
      'connectors.erp.timeoutMs: Too small: expected number to be >=1; connectors.erp.concurrency: Too small: expected number to be >=1',
    );
  });

  it('points at an unknown option itself', () => {
    const error = thrownBy(
      () => prepareConnector('erp', rest({ pagnation: {} }), { ERP_TOKEN: 'x' }),
      ConfigError,
    );
    expect(error.key).toBe('connectors.erp.pagnation');
    expect(error.message).toBe('unknown option "pagnation"');
  });

  it('names the key path and variable of a missing secret', () => {
    const error = thrownBy(() => prepareConnector('erp', rest(), {}), ConfigError);
    expect(error.key).toBe('connectors.erp.auth.token');
    expect(error.message).toContain('ERP_TOKEN is not set');
  });

  it('resolves references before validating, so a URL can come from the environment', () => {
    const prepared = prepareConnector('erp', rest({ baseUrl: '${ERP_URL}' }), {
      ERP_URL: 'http://127.0.0.1:4010',
      ERP_TOKEN: 't',
    });
    expect(prepared.kind).toBe('rest');
  });

  it('never puts a secret in a validation message', () => {
    const error = thrownBy(
      () =>
        prepareConnector('erp', rest({ headers: { 'X-Session': '${SID}', 'x-bad header': '${SID}' } }), {
          ERP_TOKEN: 't',
          SID: 'session-secret-77',
        }),
      ConfigError,
    );
    expect(error.message).not.toContain('session-secret-77');
  });
});

describe('connectorConfigCheck', () => {
  const check = connectorConfigCheck({ ERP_TOKEN: 't' });

  it('passes valid connectors', () => {
    expect(check({ connectors: { erp: rest(), other: rest() } })).toBeUndefined();
  });

  it('reports the first problem by its path from the root', () => {
    expect(check({ connectors: { erp: rest(), bad: rest({ concurrency: 0 }) } })).toEqual({
      path: ['connectors', 'bad', 'concurrency'],
      message: 'Too small: expected number to be >=1',
    });
  });
});

describe('connectConnector', () => {
  let erp: TestErp;
  beforeAll(async () => {
    erp = await startTestErp(3);
  });
  afterAll(async () => {
    await erp.close();
  });

  it('connects with resolved secrets', async () => {
    const connection = await connectConnector('erp', rest({ baseUrl: erp.url }), { ERP_TOKEN: erp.token });
    expect(await connection.get('purchase_orders', 'PO-0001')).toMatchObject({ key: 'PO-0001' });
    expect(await connection.test()).toMatchObject({ ok: true });
    await connection.close();
  });

  it('an auth failure names the variable, never its value', async () => {
    const token = 'expired-token-0042';
    const connection = await connectConnector(
      'erp',
      rest({ baseUrl: erp.url, headers: { 'X-Tenant': '${TENANT:-acme}' } }),
      { ERP_TOKEN: token },
    );
    const error = await connection.get('purchase_orders', 'PO-0001').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ErpError);
    if (!(error instanceof ErpError)) return;
    expect(error.kind).toBe('auth');
    expect(error.context.hint).toBe(
      'check the credentials in connectors.erp.auth; the credentials come from ${ERP_TOKEN}',
    );
    expect(describeError(error)).not.toContain(token);
    const result = await connection.test();
    expect(result.ok).toBe(false);
    expect(result.message).not.toContain(token);
    expect(result.message).toContain('(from ${ERP_TOKEN})');
    await connection.close();
  });

  it('redacts a secret the connector itself does not know is one', async () => {
    // The tenant is a secret by its variable name; the ERP echoes the URL path holding it.
    const tenant = 'tenant-secret-9321';
    const connection = await connectConnector(
      'erp',
      rest({
        baseUrl: erp.url,
        entities: {
          purchase_orders: { path: '/v1/status/404?tenant=${TENANT_SECRET}', keyField: 'po_number' },
        },
      }),
      { ERP_TOKEN: erp.token, TENANT_SECRET: tenant },
    );
    const reading = (async () => {
      for await (const _page of connection.read({ entity: 'purchase_orders' })) {
        // A 404 yields no page.
      }
    })();
    const error = await reading.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ErpError);
    expect(describeError(error)).not.toContain(tenant);
    await connection.close();
  });
});
