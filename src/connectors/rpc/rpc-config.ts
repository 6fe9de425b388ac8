import { z } from 'zod';

/**
 * The `rpc` connector's configuration, as written under `connectors.<name>` in erpbridge.yaml: an
 * ERP of the OpenERP lineage (Tryton, Odoo) reached over JSON-RPC or XML-RPC, its models read with
 * `search_read` and written with `write`. Everything a read needs — the model, the fields, how a
 * workflow's filter becomes a domain, which child records to embed — is data here, so a profile
 * maps records without knowing the wire.
 *
 * @example
 *   kind: rpc
 *   dialect: tryton            # or odoo
 *   protocol: json-rpc         # or xml-rpc (odoo: xml-rpc only)
 *   baseUrl: http://127.0.0.1:8000
 *   database: erp
 *   auth: { username: erpbridge, password: ${TRYTON_PASSWORD} }
 *   entities:
 *     purchase_orders:
 *       model: purchase.purchase
 *       fields: [number, reference, state, total_amount, party.code]
 *       filters:
 *         status: { field: state, values: { open: [draft, quotation, confirmed, processing], closed: [done] } }
 *       children:
 *         lines: { model: purchase.line, inverse: purchase, fields: [product.code, quantity, unit_price] }
 *       write: { fields: [reference] }
 */

/** A model name: `purchase.purchase`, `res.partner`. */
const ModelName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'a model name such as "purchase.purchase"');

/** A field name, or a dotted path through many-to-one fields (`party.code`) where the ERP reads those. */
const FieldName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/, 'a field name such as "state" or "party.code"');

/** A method name on a model, e.g. `cancel`. */
const MethodName = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a method name such as "cancel"');

/** A JSON value a domain clause compares with. */
type DomainOperand = string | number | boolean | null | DomainOperand[];
const DomainOperand: z.ZodType<DomainOperand> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(DomainOperand)]),
);

/**
 * A search domain as the ERP writes it: clauses `[field, operator, value]`, joined by `AND`/`OR`
 * (Tryton, nested lists) or by prefix `&`, `|`, `!` (Odoo). Sent as written.
 */
export type Domain = DomainPart[];
type DomainPart = string | [string, string, DomainOperand] | DomainPart[];
const DomainPart: z.ZodType<DomainPart> = z.lazy(() =>
  z.union([
    z.enum(['AND', 'OR', '&', '|', '!']),
    z.tuple([FieldName, z.string().min(1), DomainOperand]),
    z.array(DomainPart),
  ]),
);
export const Domain: z.ZodType<Domain> = z.array(DomainPart);

/**
 * How one key of a workflow's filter (`source.filter`, `history.filter`) becomes a domain clause:
 * a field name compares with `=`; `{ field, values }` names the ERP values each filter value stands
 * for (`open` → the four states Tryton counts as open) and compares with `in`.
 */
const FilterRule = z.union([
  FieldName,
  z.strictObject({
    field: FieldName,
    values: z
      .record(z.string().min(1), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1))
      .refine((values) => Object.keys(values).length > 0, 'name at least one value'),
  }),
]);
export type FilterRule = z.infer<typeof FilterRule>;

const ChildRead = z.strictObject({
  /** The child model, e.g. `purchase.line`. */
  model: ModelName,
  /** Its many-to-one field pointing at the parent, e.g. `purchase` (Odoo: `order_id`). */
  inverse: FieldName,
  /** Fields to read on each child; `id` is always read. */
  fields: z.array(FieldName).min(1),
});

const EntitySchema = z.strictObject({
  /** The ERP model, e.g. `purchase.purchase` (Tryton) or `purchase.order` (Odoo). */
  model: ModelName,
  /**
   * Field holding the record's key; default `id` (the database id, which every record has). Another
   * field (`number`) must be unique: get and write look the record up by it.
   */
  keyField: FieldName.default('id'),
  /** Fields `search_read` asks for; `id` and the version fields are added. */
  fields: z.array(FieldName).min(1),
  /** A domain every read and get of this entity is limited to, e.g. `[[company, '=', 1]]`. Default none. */
  domain: Domain.default([]),
  /** Workflow filter keys → domain clauses (see FilterRule). A filter key not listed here is refused. */
  filters: z.record(z.string().min(1), FilterRule).default({}),
  /** Child records embedded in each record under the given key, read with one call per page. */
  children: z.record(z.string().min(1), ChildRead).default({}),
  /**
   * Concurrency. `fields` make the record's version (joined with `|`); the first is sent back in the
   * context under `contextKey` when writing, where the ERP compares it (Tryton: `_timestamp`,
   * Odoo: `__last_update`). `precheck` (default true) also reads the version fields just before a
   * write and refuses it when they moved: Tryton on SQLite and Odoo compare whole seconds only.
   * Default per dialect: Tryton `[_timestamp, write_date]` / `_timestamp`; Odoo `[write_date]` /
   * `__last_update`.
   */
  version: z
    .strictObject({
      fields: z.array(FieldName).min(1),
      contextKey: z.string().min(1),
      precheck: z.boolean().default(true),
    })
    .optional(),
  /** How records are written; absent means the entity is read-only. */
  write: z
    .strictObject({
      /** The fields a write may set; any other field is refused before anything is sent. */
      fields: z.array(FieldName).min(1),
      /**
       * A field whose changes are workflow transitions (Tryton's `state`): the value to reach → the
       * model method (button) that moves there. The state is read back after the call, because
       * Tryton answers a transition its workflow does not allow with null, not an error.
       */
      transitions: z
        .strictObject({ field: FieldName, methods: z.record(z.string().min(1), MethodName) })
        .optional(),
    })
    .optional(),
});

const HttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .refine((url) => {
    const parsed = new URL(url);
    return parsed.username === '' && parsed.password === '';
  }, 'must not contain credentials; put them under auth')
  .refine((url) => {
    const parsed = new URL(url);
    return parsed.search === '' && parsed.hash === '';
  }, 'must not contain a query or fragment');

const credential = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => !/[\r\n\0]/.test(value), 'must not contain line breaks');

/** The schema of an `rpc` connector's configuration. */
export const RpcConfigSchema = z
  .strictObject({
    kind: z.literal('rpc'),
    /** Which ERP's conventions: `tryton` (login sessions, tagged values) or `odoo` (execute_kw). */
    dialect: z.enum(['tryton', 'odoo']),
    /** `json-rpc` or `xml-rpc`. Default: json-rpc for Tryton, xml-rpc for Odoo (the only one supported there). */
    protocol: z.enum(['json-rpc', 'xml-rpc']).optional(),
    /** The server's root URL; Tryton's database path (`/<database>/`) and Odoo's `/xmlrpc/2/…` are added. */
    baseUrl: HttpUrl,
    /** The database name on that server. */
    database: z
      .string()
      .min(1)
      .regex(/^[^/?#\s]+$/, 'a database name, without "/", "?", "#" or spaces'),
    auth: z.strictObject({ username: credential, password: credential }),
    /** Tryton: the language asked for at login (messages come back in it). Default `en`. */
    language: z.string().min(2).default('en'),
    /** Context sent with every call (Tryton: the last parameter; Odoo: `kwargs.context`), e.g. `{ company: 1 }`. */
    context: z
      .record(z.string(), z.json())
      .superRefine((context, issues) => {
        for (const key of Object.keys(context)) {
          if (key.startsWith('_')) {
            issues.addIssue({
              code: 'custom',
              path: [key],
              message: `context.${key}: keys starting with "_" are reserved for the connector (e.g. _timestamp)`,
            });
          }
        }
      })
      .default({}),
    /** Bound on each HTTP exchange, the wait for a connection included. Default 10000. */
    timeoutMs: z.int().min(1).max(600_000).default(10_000),
    /** Requests in flight (pool connections). Default 4: Tryton on SQLite writes one at a time anyway. */
    concurrency: z.int().min(1).max(64).default(4),
    /** Records asked per page when the caller does not say. Default 200. */
    pageSize: z.int().min(1).max(10_000).default(200),
    /** Vendor entity name → how to read and write it. At least one. */
    entities: z
      .record(z.string().min(1), EntitySchema)
      .refine((entities) => Object.keys(entities).length > 0, 'declare at least one entity'),
  })
  .superRefine((config, context) => {
    if (config.dialect === 'odoo' && config.protocol === 'json-rpc') {
      context.addIssue({
        code: 'custom',
        path: ['protocol'],
        message:
          'the odoo dialect speaks xml-rpc (common.login, object.execute_kw); remove protocol or set xml-rpc',
      });
    }
    for (const [name, entity] of Object.entries(config.entities)) {
      const write = entity.write;
      const transitions = write?.transitions;
      if (transitions !== undefined && !write?.fields.includes(transitions.field)) {
        context.addIssue({
          code: 'custom',
          path: ['entities', name, 'write', 'transitions', 'field'],
          message: `${transitions.field} must also be listed in entities.${name}.write.fields`,
        });
      }
    }
  })
  .transform((config) => ({
    ...config,
    protocol: config.protocol ?? (config.dialect === 'tryton' ? 'json-rpc' : 'xml-rpc'),
  }));

/** A validated `rpc` connector configuration, defaults filled in. */
export type RpcConfig = z.infer<typeof RpcConfigSchema>;
/** One entity of a validated configuration. */
export type RpcEntity = RpcConfig['entities'][string];
/** The input shape of one entity, as erpbridge.yaml (or a profile's recommended setup) writes it. */
export type RpcEntityInput = z.input<typeof EntitySchema>;
