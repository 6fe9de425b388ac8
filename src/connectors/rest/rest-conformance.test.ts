// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ENV} references are what these tests are about
import { describeConnectorConformance } from '../connector-conformance.ts';
import { connectConnector } from '../registry.ts';
import { RestConfigSchema } from './rest-config.ts';
import { restCapabilities } from './rest-connector.ts';
import { startTestErp, type TestErp } from './test-erp-server.ts';

const keys = Array.from({ length: 23 }, (_, index) => `PO-${String(index + 1).padStart(4, '0')}`);

/** A live connection through the registry, with the capabilities its configuration declares. */
async function connect(erp: TestErp, config: Record<string, unknown>) {
  const raw = { kind: 'rest', auth: { kind: 'bearer', token: '${ERP_TOKEN}' }, ...config };
  const connection = await connectConnector('erp', raw, { ERP_TOKEN: erp.token });
  return { connection, capabilities: restCapabilities(RestConfigSchema.parse(raw)), teardown: erp.close };
}

describeConnectorConformance('rest, page style, writable', async () => {
  const erp = await startTestErp();
  return {
    ...(await connect(erp, {
      baseUrl: erp.url,
      pagination: { style: 'page', totalPath: 'total' },
      entities: {
        purchase_orders: {
          path: '/v1/page/purchase_orders',
          keyField: 'po_number',
          versionField: 'updated_at',
          write: { method: 'PATCH' },
        },
        suppliers: { path: '/v1/page/suppliers', keyField: 'supplier_id' },
      },
    })),
    readable: { entity: 'purchase_orders', keys, pageSize: 5, reportsTotal: true },
    missingKey: 'PO-9999',
    writable: { entity: 'purchase_orders', key: 'PO-0002', fields: { status: 'open', amount: 99 } },
    readOnly: { entity: 'suppliers', key: 'S1' },
  };
});

describeConnectorConformance('rest, offset style capped by the ERP, read-only', async () => {
  const erp = await startTestErp();
  return {
    ...(await connect(erp, {
      baseUrl: erp.url,
      pagination: { style: 'offset', itemsPath: 'items', totalPath: 'meta.count' },
      entities: { purchase_orders: { path: '/v1/offset/purchase_orders', keyField: 'po_number' } },
    })),
    readable: { entity: 'purchase_orders', keys, pageSize: 4, reportsTotal: true },
    missingKey: 'PO-9999',
  };
});

describeConnectorConformance('rest, next-link style under a base path, writable', async () => {
  const erp = await startTestErp();
  return {
    ...(await connect(erp, {
      baseUrl: `${erp.url}/v1/`,
      pagination: { style: 'next-link' },
      entities: {
        purchase_orders: {
          path: '/cursor/purchase_orders',
          keyField: 'po_number',
          write: { method: 'PATCH' },
        },
      },
    })),
    readable: { entity: 'purchase_orders', keys, pageSize: 6, reportsTotal: false },
    missingKey: 'PO-9999',
    writable: { entity: 'purchase_orders', key: 'PO-0005', fields: { amount: 1 } },
  };
});
