import { describe, it } from 'vitest';
import { describeConnectorConformance } from '../../src/connectors/connector-conformance.ts';
import { connectConnector } from '../../src/connectors/registry.ts';
import { rpcConnector } from '../../src/connectors/rpc/index.ts';
import { prepareTryton, startTryton } from '../support/tryton.ts';
import { idsOf } from './json-rpc-client.ts';

/** The connector conformance suite against a real Tryton, over each protocol, on a server of its own. */

const tryton = await prepareTryton();

if (!tryton.ok) describe.skip('rpc (Tryton) connector conformance', () => it('needs Tryton', () => {}));

for (const protocol of tryton.ok ? (['json-rpc', 'xml-rpc'] as const) : []) {
  describeConnectorConformance(`rpc (Tryton over ${protocol})`, async () => {
    if (!tryton.ok) throw new Error('unreachable: Tryton is not available');
    const server = await startTryton(tryton);
    const admin = server.client('admin');
    const keys = idsOf(await admin.model('purchase.purchase', 'search', [], 0, null, null)).map(String);
    const [draft] = server.seed.open.draft;
    const [party] = idsOf(await admin.model('party.party', 'search', [['code', '=', 'SUP01']], 0, 1, null));
    const connection = await connectConnector('tryton', server.connectorConfig(protocol), server.env);
    return {
      connection,
      capabilities: rpcConnector.capabilities,
      readable: { entity: 'purchase_orders', keys, pageSize: 150, reportsTotal: true },
      missingKey: '999999',
      writable: {
        entity: 'purchase_orders',
        key: String(draft),
        fields: { reference: 'high', comment: 'conformance' },
      },
      readOnly: { entity: 'suppliers', key: String(party) },
      teardown: () => server.stop(),
    };
  });
}
