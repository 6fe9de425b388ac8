import { z } from 'zod';
import { SoapServiceConfig } from '../../connectors/soap/index.ts';
import { ConfigError } from '../../errors/index.ts';

/**
 * The `options:` of a `kind: soap, binding: oracle-ebs` connector. EBS publishes reads and writes
 * as separate services on separate servers — the queries are SOA Suite composites (database adapter),
 * the update is a PL/SQL API on the EBS web tier (Integrated SOA Gateway) — often with different
 * credentials. The connector's own `wsdl` is the update service (so `plan --wire` can render an
 * update without a network call); the two queries are services opened on the connector's
 * connection settings (auth, TLS, headers, bounds): give each its WSDL, and only what differs —
 * its own `auth`, say, when the SOA server has other users than EBS. Relative paths resolve
 * against the config file's folder, as the connector's own do.
 *
 * @example
 *   connectors:
 *     ebs:
 *       kind: soap
 *       binding: oracle-ebs
 *       wsdl: https://ebs.example.com/webservices/SOAProvider/plsql/xx_po_header_pub/?wsdl
 *       auth: { kind: ws-security, username: ERPBRIDGE, password: "${EBS_PASSWORD}" }
 *       options:
 *         query: { wsdl: https://soa.example.com/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS?WSDL }
 *         suppliers: { wsdl: https://soa.example.com/soa-infra/services/default/SupplierEBS/DB_QuerySupplierEBS?WSDL }
 *         soaHeader: { Responsibility: XX_ERPBRIDGE_PO, RespApplication: PO, Org_Id: 204 }
 */
export const OracleEbsBindingOptions = z.strictObject({
  /** The purchase-order query: DB_QueryPurchaseOrderEBS (PO_HEADERS_ALL → lines → shipments). */
  query: SoapServiceConfig,
  /** The supplier query: DB_QuerySupplierEBS (AP_SUPPLIERS → sites). */
  suppliers: SoapServiceConfig,
  /**
   * ISG's `SOAHeader` on every UPDATE_PO_HEADER call: the responsibility (and operating unit) the
   * PL/SQL API runs under, as `fnd_global.apps_initialize` needs it. Left out when not given.
   */
  soaHeader: z
    .strictObject({
      Responsibility: z.string().min(1),
      RespApplication: z.string().min(1),
      SecurityGroup: z.string().min(1).default('STANDARD'),
      NLSLanguage: z.string().min(1).default('AMERICAN'),
      Org_Id: z
        .union([z.string().min(1), z.int().nonnegative()])
        .transform(String)
        .optional(),
    })
    .optional(),
  /**
   * `query-control` (default): page with the `QueryControl` SOAP header (maxRows, after id) and read
   * `QueryStatus` — what the composite must offer for large tables; `none`: one call per read, the
   * whole answer at once (the database adapter's plain queryByExample), bounded by maxResponseBytes.
   */
  paging: z.enum(['query-control', 'none']).default('query-control'),
  /** The most rows the composite answers per call; a read's page size above it is served in pages of this. Default 1000. */
  maxRows: z.int().min(1).max(100_000).default(1000),
});
export type OracleEbsBindingOptions = z.infer<typeof OracleEbsBindingOptions>;

/** Which of the two query services. */
export type EbsQueryServiceName = 'query' | 'suppliers';

/**
 * Parses the options, naming the key of the first problem (`connectors.ebs.options.query.wsdl`).
 *
 * @throws ConfigError for a missing or wrong option.
 */
export function parseBindingOptions(
  connector: string,
  options: Readonly<Record<string, unknown>>,
): OracleEbsBindingOptions {
  const parsed = OracleEbsBindingOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const path = issue?.path.map(String).join('.') ?? '';
  throw new ConfigError(`oracle-ebs binding: ${issue?.message ?? 'invalid options'}`, {
    key: `connectors.${connector}.options${path === '' ? '' : `.${path}`}`,
  });
}
