import { z } from 'zod';

/**
 * The `rest` connector's configuration, as written under `connectors.<name>` in erpbridge.yaml.
 * Defaults are documented on each option; impossible combinations fail at load time with a
 * message naming the option.
 *
 * @example
 *   kind: rest
 *   baseUrl: http://127.0.0.1:4010
 *   auth: { kind: bearer, token: ${ERP_TOKEN} }
 *   # or, tokens from an OAuth 2.0 token endpoint (client credentials grant):
 *   # auth:
 *   #   kind: oauth2-client-credentials
 *   #   tokenUrl: /oauth/token
 *   #   clientId: erpbridge
 *   #   clientSecret: ${file:/run/secrets/erp_client_secret}
 *   #   scope: erp.read erp.write
 *   pagination: { style: page, pageSize: 200 }
 *   entities:
 *     purchase_orders:
 *       path: /api/purchase_orders
 *       keyField: po_number
 *       versionField: updated_at
 *       write: { method: PATCH }
 */

/** Headers the HTTP client owns; setting them in `headers` would corrupt requests. */
const RESERVED_HEADERS = [
  'host',
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'if-match',
  'idempotency-key',
];

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name');
const noLineBreaks = (value: string) => !/[\r\n\0]/.test(value);
const headerValue = z.string().refine(noLineBreaks, 'must not contain line breaks');
const credential = z
  .string()
  .min(1, 'must not be empty')
  .refine(noLineBreaks, 'must not contain line breaks');

/** An absolute http(s) URL without credentials or fragment, or a path starting with a single "/". */
const TokenUrl = z.string().superRefine((value, context) => {
  if (value.startsWith('/')) {
    if (value.startsWith('//')) {
      context.addIssue({
        code: 'custom',
        message: 'a path must start with a single "/"; or write the full URL',
      });
    }
    return;
  }
  const problem = absoluteUrlProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

function absoluteUrlProblem(value: string): string | undefined {
  if (!URL.canParse(value))
    return 'must be an http:// or https:// URL, or a path starting with "/" (appended to baseUrl)';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '')
    return 'must not contain credentials; use clientId and clientSecret';
  // RFC 6749 §3.2 allows a query on the token endpoint, but not a fragment.
  if (url.hash !== '') return 'must not contain a fragment';
  return undefined;
}

/** RFC 6749 §3.3: scope-tokens of printable ASCII except double quote and backslash, separated by single spaces. */
const ScopeList = z
  .string()
  .regex(
    /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/,
    'space-separated scopes, e.g. "erp.read erp.write"',
  );

const AuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('bearer'),
    /** Sent as `Authorization: Bearer <token>`. */
    token: credential,
  }),
  z.strictObject({
    kind: z.literal('api-key'),
    /** Header that carries the key; default `X-API-Key`. */
    header: headerName.default('X-API-Key'),
    value: credential,
  }),
  z.strictObject({
    kind: z.literal('basic'),
    username: credential,
    password: headerValue,
  }),
  z.strictObject({
    kind: z.literal('oauth2-client-credentials'),
    /**
     * The token endpoint: an absolute http(s) URL (an identity provider elsewhere), or a path starting
     * with "/" appended to baseUrl's path, as entity paths are.
     */
    tokenUrl: TokenUrl,
    clientId: credential,
    clientSecret: credential,
    /** Space-separated scopes to ask for (RFC 6749 §3.3); absent: the server's default. */
    scope: ScopeList.optional(),
    /** Sent as `audience` (Auth0, Okta and others want it to name the API); absent: not sent. */
    audience: credential.optional(),
    /**
     * How the client authenticates at the token endpoint: `basic` (default; HTTP Basic, as RFC 6749
     * §2.3.1 says every server must accept) or `body` (client_id and client_secret in the form).
     */
    clientAuth: z.enum(['basic', 'body']).default('basic'),
    /**
     * Fetch a new token this many seconds before the current one expires, so no request goes out with
     * an expiring token. Default 30. A token that lives less than twice this long is refreshed at half
     * its life instead. Tokens without `expires_in` are refreshed only when the ERP answers 401.
     */
    refreshBeforeExpirySeconds: z.number().min(0).max(86_400).default(30),
    /** Bound on one token request; default the connector's `timeoutMs`. */
    tokenTimeoutMs: z.int().min(1).max(600_000).optional(),
  }),
]);

/** A dotted path into a JSON body, e.g. `links.next`; `''` is the body itself. */
const DottedPath = z
  .string()
  .regex(/^$|^[^.]+(\.[^.]+)*$/, 'a dotted path like "meta.total", or "" for the body');

const PaginationInput = z
  .strictObject({
    /** `page` (default): page number + size; `offset`: offset + limit; `next-link`: follow a URL in the body. */
    style: z.enum(['page', 'offset', 'next-link']).default('page'),
    /** page style: query parameter with the page number; default `page`. */
    pageParam: z.string().min(1).optional(),
    /** page and next-link styles: query parameter with the page size; default `page_size`. */
    sizeParam: z.string().min(1).optional(),
    /** page style: number of the first page; default 1. */
    firstPage: z.int().min(0).optional(),
    /** offset style: query parameter with the offset; default `offset`. */
    offsetParam: z.string().min(1).optional(),
    /** offset style: query parameter with the page size; default `limit`. */
    limitParam: z.string().min(1).optional(),
    /** next-link style: dotted path to the next page's URL (absolute or relative); default `links.next`. */
    nextPath: DottedPath.min(1, 'must not be empty').optional(),
    /** Records asked per page; default 500. */
    pageSize: z.int().min(1).max(100_000).default(500),
    /** Dotted path to the array of records in the body; `''` means the body is the array. Default `data`. */
    itemsPath: DottedPath.default('data'),
    /** Dotted path to the total number of records, when the ERP reports one. */
    totalPath: DottedPath.min(1, 'must not be empty').optional(),
  })
  .superRefine((pagination, context) => {
    const belongs: [option: string, given: unknown, styles: readonly string[]][] = [
      ['pageParam', pagination.pageParam, ['page']],
      ['firstPage', pagination.firstPage, ['page']],
      ['sizeParam', pagination.sizeParam, ['page', 'next-link']],
      ['offsetParam', pagination.offsetParam, ['offset']],
      ['limitParam', pagination.limitParam, ['offset']],
      ['nextPath', pagination.nextPath, ['next-link']],
    ];
    for (const [option, given, styles] of belongs) {
      if (given !== undefined && !styles.includes(pagination.style)) {
        context.addIssue({
          code: 'custom',
          path: [option],
          message: `pagination.${option} applies to style ${styles.join(' or ')}, not ${pagination.style}`,
        });
      }
    }
  });

/** Pagination with every default filled in, one shape per style. */
export type Pagination =
  | (PaginationCommon & { style: 'page'; pageParam: string; sizeParam: string; firstPage: number })
  | (PaginationCommon & { style: 'offset'; offsetParam: string; limitParam: string })
  | (PaginationCommon & { style: 'next-link'; nextPath: string; sizeParam: string });

export interface PaginationCommon {
  pageSize: number;
  itemsPath: string;
  totalPath: string | undefined;
}

const PaginationSchema = PaginationInput.transform((input): Pagination => {
  const common = { pageSize: input.pageSize, itemsPath: input.itemsPath, totalPath: input.totalPath };
  switch (input.style) {
    case 'page':
      return {
        ...common,
        style: 'page',
        pageParam: input.pageParam ?? 'page',
        sizeParam: input.sizeParam ?? 'page_size',
        firstPage: input.firstPage ?? 1,
      };
    case 'offset':
      return {
        ...common,
        style: 'offset',
        offsetParam: input.offsetParam ?? 'offset',
        limitParam: input.limitParam ?? 'limit',
      };
    case 'next-link':
      return {
        ...common,
        style: 'next-link',
        nextPath: input.nextPath ?? 'links.next',
        sizeParam: input.sizeParam ?? 'page_size',
      };
  }
});

const EntitySchema = z.strictObject({
  /** Path of the collection, appended to baseUrl's path, e.g. `/api/purchase_orders`. */
  path: z.string().startsWith('/', 'must start with "/"'),
  /** Field that holds the record's key; records without it are rejected, not yielded. */
  keyField: z.string().min(1),
  /**
   * Field whose value is the record's version (`"<value>"`, ETag-style) in list reads; a GET's ETag
   * header wins over it. Absent: list records have version null.
   */
  versionField: z.string().min(1).optional(),
  /** ReadQuery.filter keys → query parameter names; an unlisted key is sent under its own name. */
  filters: z.record(z.string(), z.string().min(1)).default({}),
  /** How records are written; absent means the entity is read-only. */
  write: z.strictObject({ method: z.enum(['PATCH', 'PUT', 'POST']) }).optional(),
  /** Appended to `path` for get and write; must contain `{key}`. Default `/{key}`. */
  itemPath: z.string().includes('{key}', { message: 'must contain {key}' }).default('/{key}'),
});

/** The schema of a `rest` connector's configuration. */
export const RestConfigSchema = z
  .strictObject({
    kind: z.literal('rest'),
    /** Where the ERP's API lives: an http(s) URL without credentials, query or fragment. */
    baseUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
      .refine((url) => {
        const parsed = new URL(url);
        return parsed.username === '' && parsed.password === '';
      }, 'must not contain credentials; put them under auth')
      .refine((url) => {
        const parsed = new URL(url);
        return parsed.search === '' && parsed.hash === '';
      }, 'must not contain a query or fragment'),
    /** Bound on each request, headers and body together, including the wait for a free connection. Default 10000. */
    timeoutMs: z.int().min(1).max(600_000).default(10_000),
    /** Maximum requests in flight (pool connections). Default 8. */
    concurrency: z.int().min(1).max(256).default(8),
    auth: AuthSchema.optional(),
    /** Extra headers sent with every request. */
    headers: z.record(headerName, headerValue).default({}),
    pagination: PaginationSchema.prefault({}),
    /** Path `test()` GETs instead of the first entity's first page. */
    testPath: z.string().startsWith('/', 'must start with "/"').optional(),
    /** Vendor entity name → how to reach it. At least one. */
    entities: z
      .record(z.string().min(1), EntitySchema)
      .refine((entities) => Object.keys(entities).length > 0, 'declare at least one entity'),
  })
  .superRefine((config, context) => {
    const headerNames = new Map(Object.keys(config.headers).map((name) => [name.toLowerCase(), name]));
    for (const reserved of RESERVED_HEADERS) {
      const name = headerNames.get(reserved);
      if (name !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `headers.${name} is set by the connector itself; remove it`,
        });
      }
    }
    const authHeader = config.auth?.kind === 'api-key' ? config.auth.header : 'Authorization';
    const clash = config.auth === undefined ? undefined : headerNames.get(authHeader.toLowerCase());
    if (clash !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['headers', clash],
        message: `headers.${clash} conflicts with auth (${config.auth?.kind}); remove one of them`,
      });
    }
  });

/** A validated `rest` connector configuration, defaults filled in. */
export type RestConfig = z.infer<typeof RestConfigSchema>;
/** One entity of a validated configuration. */
export type RestEntity = RestConfig['entities'][string];
/** The validated `auth` option. */
export type RestAuth = NonNullable<RestConfig['auth']>;
/** The validated `auth` option of kind `oauth2-client-credentials`, defaults filled in. */
export type OAuth2ClientCredentials = Extract<RestAuth, { kind: 'oauth2-client-credentials' }>;
