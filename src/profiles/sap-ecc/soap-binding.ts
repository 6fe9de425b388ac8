import { z } from 'zod';
import type {
  ReadQuery,
  RecordPage,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../../connectors/contract.ts';
import type { SoapBinding, SoapBindingContext, SoapEntityAccess } from '../../connectors/soap/binding.ts';
import {
  assertBapiSuccess,
  BapiError,
  bapiReturnErrors,
  DEFAULT_SOAP_TIMEOUT_MS,
  type SoapCallOptions,
  type SoapClient,
  SoapFaultError,
} from '../../connectors/soap/index.ts';
import { ConfigError, ErpError } from '../../errors/index.ts';
import { READ_TEXT } from './header-texts.ts';
import { changeArguments, HEADER_TEXT, NOTE_TEXT_ID, OUR_REF } from './purchase-order-change.ts';
import { PURCHASE_ORDER_ENTITY, purchaseOrderDetail, purchaseOrderRecord } from './purchase-order-detail.ts';
import { GETITEMS, READ_TABLE, readPurchaseOrderPages } from './purchase-order-pages.ts';
import { type RfcAnswerOptions, readRfcAnswer } from './rfc-answer.ts';
import { rfcParameter, rfcStructure, rfcTable } from './rfc-values.ts';
import { sapText } from './sap-formats.ts';
import {
  closeSapSession,
  openSapSession,
  type SapSession,
  SESSION_FUNCTION,
  type SessionRequest,
} from './sap-session.ts';
import { DEFAULT_VENDOR_TABLE, VENDOR_ENTITY, vendorRows, vendorTableArguments } from './vendor-table.ts';

/**
 * The `sap-ecc` SOAP binding: purchase orders and vendors of SAP ECC over RFC-SOAP
 * (`/sap/bc/soap/rfc`, namespace `urn:sap-com:document:sap:rfc:functions`). SAP's WSDL publishes
 * each function module on a port of its own; the SOAP client calls each on its port, with the
 * connection's auth, TLS options and bounds.
 *
 * - **read** `PurchaseOrder`: a page of orders from BAPI_PO_GETITEMS, completed in bulk — EKET's
 *   schedule lines (RFC_READ_TABLE) and the header notes (RFC_READ_TEXT), one call each per
 *   page — with BAPI_PO_GETDETAIL1 only for an order those do not cover; or GETDETAIL1 for
 *   every order (`readDetails: per-order`). See purchase-order-pages.ts.
 * - **read** `Vendor`: RFC_READ_TABLE on the vendor view (`vendorTable`), ROWSKIPS/ROWCOUNT pages.
 * - **get**: GETDETAIL1 (message 06 019 → null); RFC_READ_TABLE with `LIFNR = '…'`.
 * - **write**: in one stateful session — open; GETDETAIL1 (the version check, and what SAP's
 *   customer check compares against); BAPI_PO_CHANGE (POHEADER-OUR_REF with POHEADERX-OUR_REF = X,
 *   header text F01); BAPI_TRANSACTION_COMMIT (`WAIT = X`); GETDETAIL1 to prove the commit wrote
 *   it; close (a ROLLBACK, so nothing stays buffered).
 *
 * Versions are content digests (see purchase-order-detail.ts): SAP has no ETag. A version that no
 * longer matches, or a RETURN saying someone else changed or holds the order (ZMM 001, ME 006), is
 * an ErpError of kind `conflict`.
 *
 * @example
 *   connectors:
 *     sap:
 *       kind: soap
 *       binding: sap-ecc
 *       wsdl: http://127.0.0.1:4010/sap/bc/soap/wsdl11?sap-client=100
 *       endpoint: http://127.0.0.1:4010/sap/bc/soap/rfc?sap-client=100
 *       auth: { kind: basic, username: RFC_ERPBR, password: "${SAP_PASSWORD}" }
 *       options: { vendorTable: ZERPBR_VENDOR }
 */

const GETDETAIL = 'BAPI_PO_GETDETAIL1';
const CHANGE = 'BAPI_PO_CHANGE';
const COMMIT = 'BAPI_TRANSACTION_COMMIT';
/** The function modules the binding calls; RFC_READ_TEXT only with `readDetails: bulk`. */
const FUNCTIONS = [GETITEMS, GETDETAIL, CHANGE, COMMIT, SESSION_FUNCTION, READ_TABLE] as const;

/** Vendor rows per RFC_READ_TABLE when the query names no page size. */
const DEFAULT_VENDOR_PAGE = 1000;

/** BAPIRET2 messages that mean another user's change or lock, not bad data: a `conflict`. */
const CONCURRENCY_MESSAGES: ReadonlyArray<{ id: string; number: string; why: string }> = [
  { id: 'ZMM', number: '001', why: 'changed by someone else since this session read it' },
  { id: 'ME', number: '006', why: 'locked: another session holds an uncommitted change to it' },
];

/** The binding's `options:` in erpbridge.yaml. */
export const SapEccBindingOptions = z.strictObject({
  /**
   * How a page of orders gets what BAPI_PO_GETITEMS lacks (schedule lines, the note): `bulk`
   * (default) — RFC_READ_TABLE on EKET and RFC_READ_TEXT, one call each per page, GETDETAIL1 only
   * for orders they do not cover; `per-order` — BAPI_PO_GETDETAIL1 for every order, for a user
   * who may not read EKET.
   */
  readDetails: z.enum(['bulk', 'per-order']).default('bulk'),
  /** GETDETAIL1 calls in flight while a page of orders is read. Default 8. */
  detailConcurrency: z.number().int().min(1).max(64).default(8),
  /** The view RFC_READ_TABLE reads vendors from (LIFNR, NAME1, LAND1, PLIFZ, OTDPCT). */
  vendorTable: z
    .string()
    .regex(/^[A-Z/][A-Z0-9_/]{0,29}$/, 'expected an SAP table or view name, e.g. ZERPBR_VENDOR')
    .default(DEFAULT_VENDOR_TABLE),
  /** Bound on each session open/close request. Default the SOAP client's default timeout. */
  sessionTimeoutMs: z.number().int().min(100).max(600_000).default(DEFAULT_SOAP_TIMEOUT_MS),
});
export type SapEccBindingOptions = z.output<typeof SapEccBindingOptions>;

export const sapEccBinding: SoapBinding = {
  name: 'sap-ecc',
  capabilities: { read: true, get: true, write: true, concurrency: 'version-field', incremental: false },
  open(client, context) {
    return openSapEcc(client, context);
  },
};

function parseOptions(context: SoapBindingContext): SapEccBindingOptions {
  const parsed = SapEccBindingOptions.safeParse(context.options);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const path = issue?.path.map(String).join('.') ?? '';
  throw new ConfigError(`binding sap-ecc: ${issue?.message ?? 'invalid options'}`, {
    key: `connectors.${context.connector}.options${path === '' ? '' : `.${path}`}`,
  });
}

/** Refuses, before any call, a WSDL that does not publish a function module the binding calls. */
function requireFunctions(client: SoapClient, options: SapEccBindingOptions, connector: string): void {
  const offered = new Set(client.operations());
  const needed = options.readDetails === 'bulk' ? [...FUNCTIONS, READ_TEXT] : [...FUNCTIONS];
  const missing = needed.filter((fn) => !offered.has(fn));
  if (missing.length === 0) return;
  throw new ConfigError(
    `binding sap-ecc: the WSDL does not publish ${missing.join(', ')}; add ${missing.length === 1 ? 'it' : 'them'} to its services (…/sap/bc/soap/wsdl11?services=${needed.join(',')}&sap-client=…)`,
    { key: `connectors.${connector}.wsdl` },
  );
}

/** `0045000123` → `45000123`: how SAP prints a PO number in messages (conversion exit ALPHA). */
function shown(poNumber: string): string {
  return poNumber.replace(/^0+(?=\d)/, '');
}

function openSapEcc(client: SoapClient, context: SoapBindingContext): SoapEntityAccess {
  const options = parseOptions(context);
  const connector = context.connector;
  requireFunctions(client, options, connector);
  const url = client.endpoint;
  const where = { connector, ...(url === undefined ? {} : { url }) };

  /**
   * Calls a function module; its answer is read into rows by `readRfcAnswer` (keeping the
   * `fields` named), not by node-soap.
   */
  async function call(
    fn: string,
    args: Record<string, unknown>,
    callOptions: SoapCallOptions,
    answer: Pick<RfcAnswerOptions, 'fields'> = {},
  ) {
    const readAnswer = (text: string, bounds: { maxBytes: number }) =>
      readRfcAnswer(text, fn, { ...answer, maxBytes: bounds.maxBytes });
    return (await client.call(fn, args, { ...callOptions, readAnswer })).result;
  }

  const cookieOptions = (signal: AbortSignal | undefined, session?: SapSession): SoapCallOptions => ({
    ...(signal === undefined ? {} : { signal }),
    ...(session === undefined ? {} : { headers: { cookie: session.cookie } }),
  });

  /** GETDETAIL1 of one order; null when SAP says it does not exist (06 019). */
  async function detail(
    poNumber: string,
    signal?: AbortSignal,
    session?: SapSession,
  ): Promise<VendorRecord | null> {
    const result = await call(
      GETDETAIL,
      { PURCHASEORDER: poNumber, HEADER_TEXT: 'X' },
      cookieOptions(signal, session),
    );
    const errors = bapiReturnErrors(rfcParameter(result, 'RETURN'));
    if (errors.some((line) => line.id === '06' && line.number === '019')) return null;
    assertBapiSuccess(result, GETDETAIL, where);
    const header = rfcStructure(rfcParameter(result, 'POHEADER'));
    return purchaseOrderRecord(sapText(header.PO_NUMBER) || poNumber, purchaseOrderDetail(result));
  }

  async function vendorPage(
    args: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<VendorRecord[]> {
    let result: unknown;
    try {
      result = await call(READ_TABLE, args, cookieOptions(signal));
    } catch (error) {
      if (error instanceof SoapFaultError && error.fault.reason.trim() === 'TABLE_NOT_AVAILABLE') {
        throw new ErpError(
          'permanent',
          `RFC_READ_TABLE cannot read the vendor view ${options.vendorTable}: TABLE_NOT_AVAILABLE`,
          {
            ...where,
            entity: VENDOR_ENTITY,
            hint: `create the view (docs/erp/sap-ecc.md) or name yours in connectors.${connector}.options.vendorTable`,
            cause: error,
          },
        );
      }
      throw error;
    }
    const rows = vendorRows(
      rfcTable(rfcParameter(result, 'FIELDS')),
      rfcTable(rfcParameter(result, 'DATA')),
      {
        connector,
        table: options.vendorTable,
      },
    );
    return rows.map((row) => ({ key: row.LIFNR ?? '', version: null, data: { ...row } }));
  }

  async function* readVendors(query: ReadQuery): AsyncGenerator<RecordPage> {
    if (query.filter !== undefined && Object.keys(query.filter).length > 0) {
      throw new ErpError('validation', `the sap-ecc binding reads ${VENDOR_ENTITY} without a filter`, {
        ...where,
        entity: VENDOR_ENTITY,
      });
    }
    const size = query.pageSize ?? DEFAULT_VENDOR_PAGE;
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new ErpError('validation', `page size ${size} is not a positive whole number`, {
        entity: query.entity,
      });
    }
    let skip = query.resumeFrom === undefined ? 0 : Number(query.resumeFrom);
    if (!Number.isSafeInteger(skip) || skip < 0) {
      throw new ErpError(
        'validation',
        `cannot resume a ${VENDOR_ENTITY} read from "${query.resumeFrom}"`,
        where,
      );
    }
    for (;;) {
      const records = await vendorPage(
        vendorTableArguments(options.vendorTable, { skip, count: size }),
        query.signal,
      );
      const cursor = records.length < size ? null : String(skip + size);
      yield { records, total: null, cursor };
      if (cursor === null) return;
      skip += size;
    }
  }

  function sessionRequest(signal: AbortSignal | undefined): SessionRequest {
    if (url === undefined) {
      throw new ErpError('permanent', 'cannot open an SAP session: the connector names no endpoint', {
        connector,
        hint: `set connectors.${connector}.endpoint to the RFC-SOAP address (…/sap/bc/soap/rfc?sap-client=…)`,
      });
    }
    return { client, connector, timeoutMs: options.sessionTimeoutMs, signal };
  }

  async function write(request: WriteRequest): Promise<WriteResult> {
    if (request.entity !== PURCHASE_ORDER_ENTITY) {
      throw new ErpError(
        'validation',
        `the sap-ecc binding writes only ${PURCHASE_ORDER_ENTITY}, not ${request.entity}`,
        {
          ...where,
          entity: request.entity,
        },
      );
    }
    const poNumber = request.key;
    const at = { ...where, entity: PURCHASE_ORDER_ENTITY, key: poNumber };
    const args = changeArguments(poNumber, request.fields, { connector, entity: PURCHASE_ORDER_ENTITY });
    const { signal } = request;
    const session = sessionRequest(signal);
    const opened = await openSapSession(session);
    try {
      const current = await detail(poNumber, signal, opened);
      if (current === null) {
        throw new ErpError('validation', `purchase order ${shown(poNumber)} does not exist (06 019)`, at);
      }
      if (
        request.ifVersion !== undefined &&
        request.ifVersion !== null &&
        current.version !== request.ifVersion
      ) {
        throw new ErpError(
          'conflict',
          `purchase order ${shown(poNumber)} changed in SAP since it was read (version ${request.ifVersion} → ${current.version})`,
          {
            ...at,
            hint: 're-read the order and plan again; the value in SAP stays',
          },
        );
      }
      const changed = await call(CHANGE, args, cookieOptions(signal, opened));
      assertChangeAccepted(changed, poNumber, at);
      const committed = await call(COMMIT, { WAIT: 'X' }, cookieOptions(signal, opened));
      assertBapiSuccess(committed, COMMIT, where);
      const after = await detail(poNumber, signal, opened);
      if (after === null) {
        throw new ErpError(
          'permanent',
          `purchase order ${shown(poNumber)} disappeared during its change`,
          at,
        );
      }
      assertCommitted(after, request.fields, poNumber, at);
      return { record: after };
    } finally {
      await closeQuietly(session, opened);
    }
  }

  return {
    read(query) {
      if (query.entity === PURCHASE_ORDER_ENTITY) {
        return readPurchaseOrderPages(
          {
            connector,
            url,
            readDetails: options.readDetails,
            detailConcurrency: options.detailConcurrency,
            call,
            detail: (poNumber, signal) => detail(poNumber, signal),
          },
          query,
        );
      }
      if (query.entity === VENDOR_ENTITY) return readVendors(query);
      throw unknownEntity(query.entity, where);
    },

    async get(entity, key, signal) {
      if (entity === PURCHASE_ORDER_ENTITY) return detail(key, signal);
      if (entity === VENDOR_ENTITY) {
        const [record] = await vendorPage(vendorTableArguments(options.vendorTable, { vendor: key }), signal);
        return record ?? null;
      }
      throw unknownEntity(entity, where);
    },

    write,

    describeWrite(request) {
      const args = changeArguments(request.key, request.fields, { connector, entity: PURCHASE_ORDER_ENTITY });
      const endpoint = url ?? '(the connector’s endpoint)';
      const steps = [
        `POST ${endpoint} + sap-sessioncmd=open (BAPI_TRANSACTION_ROLLBACK; the answer's SAP_SESSIONID cookie goes with every call below)`,
        `BAPI_PO_GETDETAIL1 PURCHASEORDER=${request.key} HEADER_TEXT=X — write only if its version is still ${request.ifVersion ?? '(any)'}`,
        client.renderRequest(CHANGE, args),
        client.renderRequest(COMMIT, { WAIT: 'X' }),
        `BAPI_PO_GETDETAIL1 PURCHASEORDER=${request.key} — the commit must show the change`,
        `POST ${endpoint} + sap-sessioncmd=close (BAPI_TRANSACTION_ROLLBACK)`,
      ];
      return steps.join('\n');
    },
  };
}

function unknownEntity(entity: string, where: { connector: string }): ErpError {
  return new ErpError(
    'validation',
    `the sap-ecc binding knows ${PURCHASE_ORDER_ENTITY} and ${VENDOR_ENTITY}, not ${entity}`,
    {
      ...where,
      entity,
    },
  );
}

/** RETURN of BAPI_PO_CHANGE: concurrency messages are conflicts, other errors a BapiError. */
function assertChangeAccepted(
  result: unknown,
  poNumber: string,
  at: { connector: string; entity: string; key: string },
): void {
  const errors = bapiReturnErrors(rfcParameter(result, 'RETURN'));
  if (errors.length === 0) return;
  const refusal = new BapiError(CHANGE, errors, { connector: at.connector });
  const concurrency = CONCURRENCY_MESSAGES.find((known) =>
    errors.some((line) => line.id === known.id && line.number === known.number),
  );
  if (concurrency === undefined) throw refusal;
  throw new ErpError(
    'conflict',
    `purchase order ${shown(poNumber)} is ${concurrency.why}: ${refusal.message}`,
    {
      ...at,
      hint: 'the value in SAP stays; re-read the order and plan again',
      cause: refusal,
    },
  );
}

/**
 * BAPI_TRANSACTION_COMMIT answers the same whether it wrote something or found nothing buffered,
 * so the binding reads the order again in the session: a change that is not there was lost before
 * the commit (most often: a call reached SAP without the session cookie and ran in a session of
 * its own, which ended with it).
 */
function assertCommitted(
  after: VendorRecord,
  fields: Readonly<Record<string, unknown>>,
  poNumber: string,
  at: { connector: string; entity: string; key: string },
): void {
  const header = rfcStructure(after.data.POHEADER);
  const found: string[] = [];
  if (fields[OUR_REF] !== undefined && sapText(header.OUR_REF) !== String(fields[OUR_REF] ?? '')) {
    found.push(`OUR_REF is "${sapText(header.OUR_REF)}", not "${String(fields[OUR_REF])}"`);
  }
  if (fields[HEADER_TEXT] !== undefined) {
    const note = rfcTable(after.data.POTEXTHEADER)
      .filter((row) => sapText(row.TEXT_ID) === NOTE_TEXT_ID)
      .map((row) => sapText(row.TEXT_LINE))
      .join(' ')
      .trim();
    if (note !== String(fields[HEADER_TEXT] ?? '').trim()) found.push(`header text F01 is "${note}"`);
  }
  if (found.length === 0) return;
  throw new ErpError(
    'permanent',
    `${COMMIT} did not write the change to purchase order ${shown(poNumber)}: after the commit ${found.join(' and ')}. ` +
      `${CHANGE} accepted it, but the commit found nothing to write — the change was lost before ${COMMIT} ran in its session`,
    {
      ...at,
      hint: 'every call must reach SAP with the SAP_SESSIONID cookie of its session: check proxies and load balancers (cookies passed, one application server per session)',
    },
  );
}

/**
 * Ends the session. A failure here is not the write's: after a commit or a rollback the session
 * holds nothing, and SAP ends idle sessions itself — so it is reported as a warning, not thrown.
 * A `validation` refusal (a Client fault: SAP no longer knows the session) holds nothing either
 * and is not reported.
 */
async function closeQuietly(request: SessionRequest, session: SapSession): Promise<void> {
  try {
    await closeSapSession({ ...request, signal: undefined }, session);
  } catch (error) {
    if (error instanceof ErpError && error.kind === 'validation') return;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(`sap-ecc: closing the SAP session failed (SAP ends it when idle): ${reason}`, {
      code: 'ERPBRIDGE_SAP_SESSION',
    });
  }
}
