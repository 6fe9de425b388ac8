import { z } from 'zod';
import { SoapServiceConfig } from '../../connectors/soap/index.ts';
import { ConfigError } from '../../errors/index.ts';

/**
 * The `options:` of a `kind: soap, binding: dynamics-ax` connector.
 *
 * @example
 *   connectors:
 *     ax:
 *       kind: soap
 *       binding: dynamics-ax
 *       wsdl: http://ax-aos/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc?wsdl
 *       auth: { kind: ntlm, username: 'CONTOSO\svc-erpbridge', password: "${AX_PASSWORD}" }
 *       options:
 *         company: USMF
 *         vendors: { wsdl: http://ax-aos/MicrosoftDynamicsAXAif60/VendTableService/xppservice.svc?wsdl }
 */
export const DynamicsAxOptions = z.strictObject({
  /** The legal entity (DataAreaId, at most 4 characters) every call works in: CallContext/Company. */
  company: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,4}$/, 'a legal entity id (DataAreaId) of 1 to 4 letters or digits, e.g. USMF'),
  /** CallContext/Language, e.g. `en-us`; AX's default is the service account's language. */
  language: z.string().min(2).max(7).optional(),
  /** CallContext/LogonAsUser (`DOMAIN\user`): only for a service account AX trusts to act for others. */
  logonAsUser: z.string().min(1).optional(),
  /** CallContext/PartitionKey (AX 2012 R2 and later); default the AOS's default partition. */
  partitionKey: z.string().min(1).optional(),
  /**
   * Documents per `read` call, at most 1000 (the sandbox refuses more, and answers of 1000 AX
   * purchase orders are already a few MB). A read page is this or the engine's page size, whichever
   * is smaller. Default 1000.
   */
  documentsPerRead: z.int().min(1).max(1000).default(1000),
  /**
   * `read` calls in flight at once while reading pages (the AOS builds one answer while erpbridge
   * reads another). Default 2; 1 reads strictly one batch after the other.
   */
  readsInFlight: z.int().min(1).max(8).default(2),
  /**
   * The vendor document service (VendVendTableService) on its integration port: suppliers are
   * read through it. Opened on the connector's connection settings — its NTLM account, TLS
   * options and bounds — so give its WSDL (and `svcmap`, `endpoint`, `port` as for the order
   * service), and `auth` only when it differs. Relative paths resolve against the config file's folder.
   */
  vendors: SoapServiceConfig.optional(),
});
export type DynamicsAxOptions = z.infer<typeof DynamicsAxOptions>;

/** Parses a connector's `options:`, or throws a ConfigError naming the option. */
export function parseDynamicsAxOptions(options: unknown, connector: string): DynamicsAxOptions {
  const parsed = DynamicsAxOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const path = issue?.path.map(String).join('.') ?? '';
  const key = `connectors.${connector}.options${path === '' ? '' : `.${path}`}`;
  const missing = issue?.code === 'invalid_type' && issue.input === undefined;
  const message = `${path === '' ? 'options' : path} ${missing ? 'is required' : (issue?.message ?? 'is invalid')}`;
  throw new ConfigError(message, { key });
}
