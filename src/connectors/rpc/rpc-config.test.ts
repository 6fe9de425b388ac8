import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { prepareConnector } from '../registry.ts';
import { RpcConfigSchema } from './rpc-config.ts';

const base = {
  kind: 'rpc',
  dialect: 'tryton',
  baseUrl: 'http://127.0.0.1:8000',
  database: 'erp',
  auth: { username: 'erpbridge', password: '${TRYTON_PASSWORD}' },
  entities: { purchase_orders: { model: 'purchase.purchase', fields: ['number', 'party.code'] } },
};

describe('rpc connector configuration', () => {
  it('fills in defaults, the protocol by dialect', () => {
    const tryton = RpcConfigSchema.parse({ ...base, auth: { username: 'u', password: 'p' } });
    expect(tryton).toMatchObject({
      protocol: 'json-rpc',
      language: 'en',
      timeoutMs: 10_000,
      concurrency: 4,
      pageSize: 200,
      context: {},
    });
    expect(tryton.entities.purchase_orders).toMatchObject({
      keyField: 'id',
      domain: [],
      filters: {},
      children: {},
    });
    const odoo = RpcConfigSchema.parse({ ...base, dialect: 'odoo', auth: { username: 'u', password: 'p' } });
    expect(odoo.protocol).toBe('xml-rpc');
  });

  it('refuses bad combinations at load time, naming the option', () => {
    const env = { TRYTON_PASSWORD: 'secret-value' };
    const odooJson = thrownBy(
      () => prepareConnector('erp', { ...base, dialect: 'odoo', protocol: 'json-rpc' }, env),
      ConfigError,
    );
    expect(odooJson.key).toBe('connectors.erp.protocol');
    expect(odooJson.message).toMatch(/the odoo dialect speaks xml-rpc/);

    const transitions = thrownBy(
      () =>
        prepareConnector(
          'erp',
          {
            ...base,
            entities: {
              purchase_orders: {
                model: 'purchase.purchase',
                fields: ['state'],
                write: {
                  fields: ['reference'],
                  transitions: { field: 'state', methods: { cancelled: 'cancel' } },
                },
              },
            },
          },
          env,
        ),
      ConfigError,
    );
    expect(transitions.key).toBe('connectors.erp.entities.purchase_orders.write.transitions.field');
    expect(transitions.message).toBe('state must also be listed in entities.purchase_orders.write.fields');

    const model = thrownBy(
      () =>
        prepareConnector(
          'erp',
          { ...base, entities: { purchase_orders: { model: 'Purchase Orders', fields: ['x'] } } },
          env,
        ),
      ConfigError,
    );
    expect(model.key).toBe('connectors.erp.entities.purchase_orders.model');

    const reserved = thrownBy(
      () => prepareConnector('erp', { ...base, context: { _timestamp: {} } }, env),
      ConfigError,
    );
    expect(reserved.message).toMatch(/keys starting with "_" are reserved/);

    const credentials = thrownBy(
      () => prepareConnector('erp', { ...base, baseUrl: 'http://admin:pw@host' }, env),
      ConfigError,
    );
    expect(credentials.message).toBe('must not contain credentials; put them under auth');
    const unknown = thrownBy(() => prepareConnector('erp', { ...base, sessionTimeout: 5 }, env), ConfigError);
    expect(unknown.key).toBe('connectors.erp.sessionTimeout');
  });

  it('resolves the password from the environment and never prints it', () => {
    const prepared = prepareConnector('erp', base, { TRYTON_PASSWORD: 'secret-value' });
    expect(prepared).toMatchObject({
      kind: 'rpc',
      capabilities: { concurrency: 'version-field', write: true },
    });
    const missing = thrownBy(() => prepareConnector('erp', base, {}), ConfigError);
    expect(missing.message).toMatch(/TRYTON_PASSWORD/);
  });
});
