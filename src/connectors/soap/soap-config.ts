import { z } from 'zod';

/**
 * The configuration of a SOAP connection, as written under `connectors.<name>` in erpbridge.yaml
 * (a connector kind adds its own `kind` with `.extend`). Paths are relative to the folder the caller
 * names as `baseDir` (the config file's). Secrets arrive already resolved (`${ENV}` is handled by
 * the config loader) and never appear in a message.
 *
 * @example
 *   wsdl: ./wsdl/TEC_STG_PurchOrderService/RoutingService1.wsdl
 *   svcmap: ./wsdl/TEC_STG_PurchOrderService/Reference.svcmap   # imports → local files
 *   endpoint: http://ax-aos:8101/DynamicsAx/Services/TecPurchOrderService
 *   port: BasicHttpBinding_TEC_STG_PurchOrderService
 *   auth: { kind: ntlm, username: svc-erpbridge, password: "${AX_PASSWORD}", domain: CONTOSO }
 */

const noLineBreaks = (value: string) => !/[\r\n\0]/.test(value);
const credential = z
  .string()
  .min(1, 'must not be empty')
  .refine(noLineBreaks, 'must not contain line breaks');
const secret = z.string().refine(noLineBreaks, 'must not contain line breaks');
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name');
const filePath = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => !value.includes('\0'), 'must not contain NUL');

/** Why a text is not an http(s) URL erpbridge may print and send to; undefined when it is one. */
function httpUrlProblem(value: string): string | undefined {
  if (!URL.canParse(value)) return 'must be an http:// or https:// URL';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials; put them under auth';
  if (url.hash !== '') return 'must not contain a fragment';
  return undefined;
}

const HttpUrl = z.string().superRefine((value, context) => {
  const problem = httpUrlProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** A local WSDL file (path or file: URL) or an http(s) URL. */
const WsdlLocation = z
  .string()
  .min(1, 'name the WSDL: a file path, or an http:// or https:// URL')
  .superRefine((value, context) => {
    if (value.includes('\0')) context.addIssue({ code: 'custom', message: 'must not contain NUL' });
    if (!/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value) || /^[A-Za-z]:[\\/]/.test(value)) return;
    if (value.toLowerCase().startsWith('file:')) return;
    const problem = httpUrlProblem(value);
    if (problem !== undefined) {
      context.addIssue({ code: 'custom', message: `${problem}, or a file path` });
    }
  });

/** PEM text, or the path of a PEM file. */
const PemOrPath = filePath;

const BasicAuth = z.strictObject({
  kind: z.literal('basic'),
  username: credential,
  password: secret,
});

const WsSecurityAuth = z.strictObject({
  kind: z.literal('ws-security'),
  username: credential,
  password: secret,
  /** `PasswordText` (default) sends the password; `PasswordDigest` a SHA-1 digest with nonce and time. */
  passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordText'),
  /** Add a `wsu:Timestamp` (created, expires in 10 minutes); default true. */
  timestamp: z.boolean().default(true),
  /** Add a `wsse:Nonce` to a PasswordText token too; default false (a digest always has one). */
  nonce: z.boolean().default(false),
  /** Mark the Security header `mustUnderstand="1"`; default false. */
  mustUnderstand: z.boolean().default(false),
});

const NtlmAuth = z.strictObject({
  kind: z.literal('ntlm'),
  /** `user`, or `DOMAIN\user` when `domain` is not given separately. */
  username: credential,
  password: secret,
  domain: secret.default(''),
  workstation: secret.default(''),
});

const ClientCertificateAuth = z
  .strictObject({
    kind: z.literal('client-certificate'),
    /** The client certificate: PEM text or the path of a PEM file. With `key`. */
    cert: PemOrPath.optional(),
    /** Its private key: PEM text or the path of a PEM file. With `cert`. */
    key: PemOrPath.optional(),
    /** A PKCS#12 bundle (.pfx/.p12) holding certificate and key: the path of the file. Instead of cert/key. */
    pfx: filePath.optional(),
    /** Unlocks an encrypted `key` or `pfx`. */
    passphrase: secret.optional(),
    /** CA certificates (PEM text or path) the ERP's server certificate must chain to; default Node's. */
    ca: PemOrPath.optional(),
  })
  .superRefine((auth, context) => {
    const pem = auth.cert !== undefined || auth.key !== undefined;
    if (pem && auth.pfx !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['pfx'],
        message: 'give either cert and key, or pfx; not both',
      });
    } else if (!pem && auth.pfx === undefined) {
      context.addIssue({ code: 'custom', message: 'give cert and key, or pfx' });
    } else if (pem && (auth.cert === undefined || auth.key === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [auth.cert === undefined ? 'cert' : 'key'],
        message: 'cert and key go together; give both',
      });
    }
  });

/** How erpbridge proves who it is to the ERP. One kind per connection. */
export const SoapAuth = z.discriminatedUnion('kind', [
  BasicAuth,
  WsSecurityAuth,
  NtlmAuth,
  ClientCertificateAuth,
]);
export type SoapAuth = z.infer<typeof SoapAuth>;

/** HTTP headers the SOAP client sets itself; a configured value would corrupt requests. */
const RESERVED_HEADERS = [
  'host',
  'content-length',
  'content-type',
  'soapaction',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
];

/** Default bound on one call (and one WSDL document fetch): 30 s. SOAP ERPs answer slowly. */
export const DEFAULT_SOAP_TIMEOUT_MS = 30_000;
/** Default bound on one answer and on one WSDL or XSD document: 10 MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** The schema of a SOAP connection's configuration; see the module comment for an example. */
export const SoapConnectionConfig = z
  .strictObject({
    /** The WSDL: a file path (relative to the config file), a file: URL, or an http(s) URL. */
    wsdl: WsdlLocation,
    /**
     * Remote import location (as the WSDL/XSD files write it, `http://…?xsd=xsd2`) → local file.
     * An import that is neither relative to a local file nor mapped here (or in `svcmap`) is an
     * error: erpbridge never fetches it. Wins over `svcmap` for the same location.
     */
    importMap: z
      .record(z.string(), filePath)
      .superRefine((map, context) => {
        for (const location of Object.keys(map)) {
          if (httpUrlProblem(location) !== undefined) {
            context.addIssue({
              code: 'custom',
              path: [location],
              message:
                'importMap keys are the http(s) locations the WSDL names, e.g. http://erp/svc?xsd=xsd0',
            });
          }
        }
      })
      .optional(),
    /**
     * A Visual Studio `Reference.svcmap` whose MetadataFile entries map each SourceUrl to a file
     * beside it: how a downloaded Dynamics AX service reference resolves its imports.
     */
    svcmap: filePath.optional(),
    /** Where calls go, overriding the WSDL's soap:address (which often names a server you cannot reach). */
    endpoint: HttpUrl.optional(),
    /** The wsdl:service to call; needed only when the WSDL has several with operations. */
    service: z.string().min(1).optional(),
    /** The wsdl:port to call; needed only when the service has several with operations. */
    port: z.string().min(1).optional(),
    auth: SoapAuth.optional(),
    /** Bound on one call (headers and body) and on one WSDL document fetch. Default 30000. */
    timeoutMs: z.int().min(1).max(600_000).default(DEFAULT_SOAP_TIMEOUT_MS),
    /** Largest answer, WSDL or XSD document read, in bytes. Default 10 MB. */
    maxResponseBytes: z
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(DEFAULT_MAX_RESPONSE_BYTES),
    /** Extra HTTP headers sent with every call. */
    headers: z.record(headerName, secret).default({}),
  })
  .superRefine((config, context) => {
    for (const name of Object.keys(config.headers)) {
      if (RESERVED_HEADERS.includes(name.toLowerCase())) {
        context.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `headers.${name} is set by the SOAP client itself; remove it`,
        });
      }
      if (
        name.toLowerCase() === 'authorization' &&
        (config.auth?.kind === 'basic' || config.auth?.kind === 'ntlm')
      ) {
        context.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `headers.${name} conflicts with auth (${config.auth.kind}); remove one of them`,
        });
      }
    }
    if (config.auth?.kind === 'client-certificate' && config.endpoint?.startsWith('http:')) {
      context.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: 'a client certificate needs an https:// endpoint',
      });
    }
  });

/** A validated SOAP connection configuration, defaults filled in. */
export type SoapConnectionConfig = z.infer<typeof SoapConnectionConfig>;
/** What may be written, before defaults. */
export type SoapConnectionConfigInput = z.input<typeof SoapConnectionConfig>;

/**
 * Another service reached with a connection's settings (`SoapClient.openService`): where it is —
 * its WSDL, imports, endpoint, service and port — and, only where they differ, its own `auth`,
 * `headers`, `timeoutMs` or `maxResponseBytes`. What is left out is the connection's: its
 * credentials, client certificate, extra headers and bounds. Relative paths resolve against the
 * connection's folder (the config file's).
 *
 * @example
 *   options:
 *     query: { wsdl: https://soa.example.com/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS?WSDL }
 *     suppliers: { wsdl: ./wsdl/DB_QuerySupplierEBS.wsdl, auth: { kind: basic, username: SOA, password: "${SOA_PASSWORD}" } }
 */
export const SoapServiceConfig = z
  .strictObject({
    wsdl: WsdlLocation,
    importMap: z.record(z.string(), filePath).optional(),
    svcmap: filePath.optional(),
    endpoint: HttpUrl.optional(),
    service: z.string().min(1).optional(),
    port: z.string().min(1).optional(),
    auth: SoapAuth.optional(),
    timeoutMs: z.int().min(1).max(600_000).optional(),
    maxResponseBytes: z
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .optional(),
    headers: z.record(headerName, secret).optional(),
  })
  .superRefine((service, context) => {
    // The same rules as a connection's, checked on what the service would end up with.
    const checked = SoapConnectionConfig.safeParse(service);
    if (!checked.success)
      for (const issue of checked.error.issues) context.addIssue({ ...issue, code: 'custom' });
  });
/** A validated sibling service: its location and what it overrides. */
export type SoapServiceConfig = z.infer<typeof SoapServiceConfig>;

/** The connection settings of a service opened on `connection`: the service's location and overrides over the connection's. */
export function serviceConnectionConfig(
  connection: SoapConnectionConfig,
  service: SoapServiceConfig,
): SoapConnectionConfig {
  // The connection's own location stays its own; everything else is inherited.
  const {
    importMap: _importMap,
    svcmap: _svcmap,
    endpoint: _endpoint,
    service: _service,
    port: _port,
    ...settings
  } = connection;
  const merged: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(service)) if (value !== undefined) merged[key] = value;
  return SoapConnectionConfig.parse(merged);
}
