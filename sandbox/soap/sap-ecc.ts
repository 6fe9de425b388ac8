/**
 * The sap-ecc personality: RFC-enabled function modules over SOAP at `/sap/bc/soap/rfc`, namespace
 * `urn:sap-com:document:sap:rfc:functions` — BAPI_PO_GETITEMS, BAPI_PO_GETDETAIL1, BAPI_PO_CHANGE,
 * BAPI_TRANSACTION_COMMIT and BAPI_TRANSACTION_ROLLBACK, RFC_READ_TABLE for the vendor view and the
 * schedule lines (EKET), RFC_READ_TEXT for the header notes. Business errors are RETURN rows; SOAP
 * faults are for protocol problems only. Changes follow SAP's logical unit of work: buffered by
 * BAPI_PO_CHANGE, written by BAPI_TRANSACTION_COMMIT in the same stateful session (see
 * sap-sessions.ts). WSDL at `/sap/bc/soap/wsdl11?services=...` (all functions without `services`).
 */
import { PRIORITY_CODES, type PriorityCode } from '../hidden-rules.ts';
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import type { PurchaseOrderRecord } from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import type { PurchaseOrderSource } from './purchase-order-source.ts';
import { isoDateOf } from './record-formats.ts';
import {
  BAPI_PO_CHANGE,
  BAPI_PO_GETDETAIL1,
  BAPI_PO_GETITEMS,
  BAPI_TRANSACTION_COMMIT,
  BAPI_TRANSACTION_ROLLBACK,
  RFC_READ_TABLE,
  RFC_READ_TEXT,
  type RfcFunction,
  SAP_FUNCTIONS,
} from './sap-functions.ts';
import {
  HEADER_NOTE_TEXT_ID,
  itemListHeader,
  itemListItem,
  poHeader,
  poItem,
  poSchedule,
  poTextHeader,
  SAP_ORGANISATION,
} from './sap-mapping.ts';
import { bapiret2, bapireturn, type SapMessage, sapMessages } from './sap-messages.ts';
import { readTableCall } from './sap-read-table.ts';
import {
  type FunctionOutput,
  functionResponse,
  RFC_NAMESPACE,
  readScalar,
  readStructure,
  readTable,
  type StructureValues,
} from './sap-rfc-xml.ts';
import {
  createSapSessionStore,
  type PendingChange,
  type SapSession,
  type SapSessionStore,
} from './sap-sessions.ts';
import { sapWsdl } from './sap-wsdl.ts';
import { type EnvelopeStyle, type SoapFault, soapFault } from './soap-envelope.ts';
import type { SoapCall, SoapOperation, SoapResult, SoapService } from './soap-service.ts';
import { bodyResult, faultResult } from './soap-service.ts';
import { childNamed, type XmlElement } from './xml-document.ts';

/** The RFC-SOAP endpoint. */
export const SAP_RFC_PATH = '/sap/bc/soap/rfc';
/** Where SAP generates WSDL for function modules; `/sap/bc/soap/wsdl` is the older alias. */
export const SAP_WSDL_PATHS = ['/sap/bc/soap/wsdl11', '/sap/bc/soap/wsdl'] as const;
/** The client of the simulated system. */
export const SAP_CLIENT = '100';
/** The cookie that carries a stateful session (`SAP_SESSIONID_<SID>_<client>`). */
export const SAP_SESSION_COOKIE = `SAP_SESSIONID_ERP_${SAP_CLIENT}`;

const SAP_STYLE: EnvelopeStyle = { prefix: 'soap-env', faultLanguage: 'en' };

/** What the personality needs. */
export interface SapEccDependencies {
  orders: PurchaseOrderSource;
  patch: (request: PatchRequest) => PatchOutcome;
  /** The vendors RFC_READ_TABLE reads (view ZERPBR_VENDOR, see sap-read-table.ts). */
  suppliers: SupplierRepository;
  sessions?: SapSessionStore;
}

/** What a function module's implementation returns. */
interface FunctionResult {
  output: FunctionOutput;
  /** An ABAP exception the function raised: answered as a SOAP fault instead of `output`. */
  fault?: SoapFault;
  applied?: boolean;
  poNumber?: string | null;
}

type FunctionImplementation = (call: XmlElement, session: SapSession) => FunctionResult;

function isPriorityCode(value: string): value is PriorityCode {
  return PRIORITY_CODES.some((code) => code === value);
}

function returnRows(messages: readonly SapMessage[]): StructureValues[] {
  return messages.map(bapiret2);
}

/** Which orders BAPI_PO_GETITEMS selects, read from its IMPORTING parameters. */
interface ItemSelection {
  purchaseOrder: string;
  vendor: string;
  material: string;
  docDateFrom: string;
  openForReceipt: boolean;
  /** The wrapper's selection: only orders whose items are all delivery-completed (EKPO-ELIKZ). */
  deliveryCompleted: boolean;
  withDeleted: boolean;
  withHeaders: boolean;
  organisationMatches: boolean;
  maxRows: number;
  after: string;
}

function readItemSelection(call: XmlElement): ItemSelection | SapMessage {
  const maxRowsText = readScalar(call, 'MAX_ROWS');
  const maxRows = maxRowsText === '' ? 0 : Number(maxRowsText);
  if (!Number.isSafeInteger(maxRows) || maxRows < 0)
    return sapMessages.invalidSelection('MAX_ROWS', maxRowsText);
  const from = readScalar(call, 'PO_NUMBER_FROM');
  let after = '';
  if (from !== '') {
    if (!/^\d{1,10}$/.test(from)) return sapMessages.invalidSelection('PO_NUMBER_FROM', from);
    const number = Number(from);
    // Inclusive "from": continue after the number just below it.
    after = number === 0 ? '' : String(number - 1).padStart(10, '0');
  }
  const docDate = readScalar(call, 'DOC_DATE');
  if (docDate !== '' && docDate !== '0000-00-00' && !/^\d{4}-\d{2}-\d{2}$/.test(docDate)) {
    return sapMessages.invalidSelection('DOC_DATE', docDate);
  }
  const purchGroup = readScalar(call, 'PUR_GROUP');
  const purchOrg = readScalar(call, 'PURCH_ORG');
  return {
    purchaseOrder: readScalar(call, 'PURCHASEORDER'),
    vendor: readScalar(call, 'VENDOR'),
    material: readScalar(call, 'MATERIAL'),
    docDateFrom: docDate === '0000-00-00' ? '' : docDate,
    openForReceipt: readScalar(call, 'ITEMS_OPEN_FOR_RECEIPT') === 'X',
    deliveryCompleted: readScalar(call, 'ITEMS_DELIVERY_COMPLETED') === 'X',
    withDeleted: readScalar(call, 'DELETED_ITEMS') === 'X',
    withHeaders: readScalar(call, 'WITH_PO_HEADERS') === 'X',
    organisationMatches:
      (purchGroup === '' || purchGroup === SAP_ORGANISATION.purchasingGroup) &&
      (purchOrg === '' || purchOrg === SAP_ORGANISATION.purchasingOrg),
    maxRows,
    after,
  };
}

function selects(selection: ItemSelection, record: PurchaseOrderRecord): boolean {
  if (selection.purchaseOrder !== '' && record.po_number !== selection.purchaseOrder) return false;
  if (selection.vendor !== '' && record.supplier_id !== selection.vendor) return false;
  if (selection.docDateFrom !== '' && isoDateOf(record.order_date) < selection.docDateFrom) return false;
  if (!selection.withDeleted && record.status === 'CANCELLED') return false;
  if (selection.material !== '' && !record.lines.some((line) => line.item_no === selection.material))
    return false;
  return true;
}

/** The header note a POTEXTHEADER table sets, or a message saying why it cannot. */
function noteFrom(rows: readonly Map<string, string>[]): { notes: string | undefined } | SapMessage {
  if (rows.length === 0) return { notes: undefined };
  const lines: string[] = [];
  for (const row of rows) {
    const textId = row.get('TEXT_ID') ?? '';
    const item = row.get('PO_ITEM') ?? '';
    if (textId !== HEADER_NOTE_TEXT_ID)
      return sapMessages.fieldNotChangeable('POTEXTHEADER', `TEXT_ID ${textId}`);
    if (item !== '' && !/^0+$/.test(item))
      return sapMessages.fieldNotChangeable('POTEXTHEADER', `PO_ITEM ${item}`);
    lines.push(row.get('TEXT_LINE') ?? '');
  }
  const notes = lines.join(' ').trim();
  return notes.length > 60 ? sapMessages.headerTextTooLong(notes.length) : { notes };
}

function isMessage(value: object): value is SapMessage {
  return 'type' in value && 'id' in value;
}

/** Creates the personality's one service. */
export function createSapEccService(dependencies: SapEccDependencies): SoapService {
  const { orders, patch } = dependencies;
  const sessions = dependencies.sessions ?? createSapSessionStore();

  const getItems: FunctionImplementation = (call): FunctionResult => {
    const selection = readItemSelection(call);
    if ('type' in selection) return { output: { tables: { RETURN: [bapireturn(selection)] } } };
    const headers: StructureValues[] = [];
    const items: StructureValues[] = [];
    // Items open for receipt and items all delivered exclude each other: asked together, none.
    const contradictory = selection.openForReceipt && selection.deliveryCompleted;
    if (selection.organisationMatches && !contradictory) {
      const status = selection.openForReceipt
        ? ('OPEN' as const)
        : selection.deliveryCompleted
          ? ('CLOSED' as const)
          : null;
      const single = selection.purchaseOrder === '' ? null : orders.get(selection.purchaseOrder);
      const candidates =
        selection.purchaseOrder === ''
          ? orders.scan(
              { status, after: selection.after },
              selection.maxRows > 0 ? selection.maxRows : undefined,
            )
          : single !== null &&
              (status === null || single.status === status) &&
              single.po_number > selection.after
            ? [single]
            : [];
      let found = 0;
      for (const record of candidates) {
        if (!selects(selection, record)) continue;
        if (selection.withHeaders)
          headers.push(itemListHeader(record, orders.supplierName(record.supplier_id)));
        for (const line of record.lines) items.push(itemListItem(record, line));
        found += 1;
        if (selection.maxRows > 0 && found >= selection.maxRows) break;
      }
    }
    return { output: { tables: { PO_HEADERS: headers, PO_ITEMS: items, RETURN: [] } } };
  };

  const getDetail: FunctionImplementation = (call, session): FunctionResult => {
    const poNumber = readScalar(call, 'PURCHASEORDER');
    const record = orders.get(poNumber);
    if (record === null) {
      return { output: { tables: { RETURN: returnRows([sapMessages.documentMissing(poNumber)]) } } };
    }
    session.readVersions.set(poNumber, record.updated_at);
    const withText = readScalar(call, 'HEADER_TEXT') === 'X';
    return {
      poNumber,
      output: {
        exporting: { POHEADER: poHeader(record) },
        tables: {
          POITEM: record.lines.map((line) => poItem(record, line)),
          POSCHEDULE: record.lines.map((line) => poSchedule(record, line)),
          POTEXTHEADER: withText ? poTextHeader(record) : [],
          RETURN: [],
        },
      },
    };
  };

  const change: FunctionImplementation = (call, session): FunctionResult => {
    const poNumber = readScalar(call, 'PURCHASEORDER');
    const record = orders.get(poNumber);
    const refuse = (message: SapMessage, current: PurchaseOrderRecord | null = record): FunctionResult => ({
      poNumber: current === null ? null : poNumber,
      output: {
        exporting: current === null ? {} : { EXPHEADER: poHeader(current) },
        tables: { RETURN: returnRows([message]) },
      },
    });
    if (record === null) return refuse(sapMessages.documentMissing(poNumber));
    if (record.status === 'CANCELLED') return refuse(sapMessages.documentDeleted(poNumber));
    if (sessions.lockHolder(poNumber, session) !== null)
      return refuse(sapMessages.lockedByOtherSession(poNumber));
    const readVersion = session.readVersions.get(poNumber);
    if (readVersion !== undefined && readVersion !== record.updated_at) {
      return refuse(sapMessages.changedSinceRead(poNumber));
    }

    const header = readStructure(childNamed(call, 'POHEADER'));
    const changeBar = readStructure(childNamed(call, 'POHEADERX'));
    const requested: PendingChange = {};
    for (const [field, flag] of changeBar) {
      if (flag !== 'X' || field === 'PO_NUMBER') continue;
      if (field !== 'OUR_REF') return refuse(sapMessages.fieldNotChangeable('POHEADERX', field));
      const value = header.get('OUR_REF') ?? '';
      if (!isPriorityCode(value)) return refuse(sapMessages.invalidPriority(value));
      requested.priority = value;
    }
    const note = noteFrom(readTable(childNamed(call, 'POTEXTHEADER')));
    if (isMessage(note)) return refuse(note);
    if (note.notes !== undefined) requested.notes = note.notes;

    const buffered = session.pending.get(poNumber) ?? {};
    const effectivePriority = buffered.priority ?? record.priority;
    const effectiveNotes = buffered.notes ?? record.notes.trim();
    const changes =
      (requested.priority !== undefined && requested.priority !== effectivePriority) ||
      (requested.notes !== undefined && requested.notes !== effectiveNotes);
    if (!changes) {
      return {
        poNumber,
        output: {
          exporting: { EXPHEADER: poHeader(record, effectivePriority) },
          tables: { RETURN: returnRows([sapMessages.noDataChanged()]) },
        },
      };
    }
    if (readScalar(call, 'TESTRUN') !== 'X') session.pending.set(poNumber, { ...buffered, ...requested });
    return {
      poNumber,
      output: {
        exporting: { EXPHEADER: poHeader(record, requested.priority ?? effectivePriority) },
        tables: { RETURN: returnRows([sapMessages.changed(poNumber)]) },
      },
    };
  };

  const commit: FunctionImplementation = (_call, session): FunctionResult => {
    const changes = [...session.pending];
    session.pending.clear();
    let applied = false;
    const failures: SapMessage[] = [];
    for (const [poNumber, pending] of changes) {
      const outcome = patch({ poNumber, body: { ...pending }, ifMatch: null, idempotencyKey: null });
      if (outcome.kind === 'updated') {
        applied ||= outcome.applied;
        session.readVersions.set(poNumber, outcome.etag.slice(1, -1));
      } else if (outcome.kind === 'not_found') {
        failures.push(sapMessages.documentMissing(poNumber));
      } else {
        failures.push(sapMessages.noDataChanged());
      }
    }
    const [failure] = failures;
    return {
      applied,
      poNumber: changes.length === 1 ? (changes[0]?.[0] ?? null) : null,
      output: { exporting: { RETURN: failure === undefined ? {} : bapiret2(failure) } },
    };
  };

  const readTableFunction: FunctionImplementation = (call): FunctionResult => {
    const outcome = readTableCall(call, { suppliers: dependencies.suppliers, orders });
    return 'fault' in outcome ? { output: {}, fault: outcome.fault } : { output: { tables: outcome.tables } };
  };

  /** RFC_READ_TEXT: the lines of each asked text that exists — here the header notes (EKKO, F01). */
  const readText: FunctionImplementation = (call): FunctionResult => {
    const keys = readTable(childNamed(call, 'TEXT_LINES')).flatMap((key) => {
      const object = (key.get('TDOBJECT') ?? '').toUpperCase();
      const name = key.get('TDNAME') ?? '';
      const id = (key.get('TDID') ?? '').toUpperCase();
      const language = (key.get('TDSPRAS') ?? '').toUpperCase();
      if (object !== 'EKKO' || id !== HEADER_NOTE_TEXT_ID || (language !== 'E' && language !== 'EN'))
        return [];
      return /^\d{1,10}$/.test(name) ? [{ name, poNumber: name.padStart(10, '0') }] : [];
    });
    // The page's notes in one read, not one a key.
    const notes = orders.notes(keys.map((key) => key.poNumber));
    const lines: StructureValues[] = [];
    for (const { name, poNumber } of keys) {
      const text = notes.get(poNumber)?.trim() ?? '';
      // A blank note is no text at all: SAP keeps no empty F01.
      if (text === '') continue;
      lines.push({
        MANDT: SAP_CLIENT,
        TDOBJECT: 'EKKO',
        TDNAME: name,
        TDID: HEADER_NOTE_TEXT_ID,
        TDSPRAS: 'E',
        COUNTER: '1',
        TDFORMAT: '*',
        TDLINE: text,
      });
    }
    return { output: { tables: { TEXT_LINES: lines } } };
  };

  const rollback: FunctionImplementation = (_call, session): FunctionResult => {
    session.pending.clear();
    return { output: { exporting: { RETURN: {} } } };
  };

  const implementations: ReadonlyArray<readonly [RfcFunction, 'reads' | 'writes', FunctionImplementation]> = [
    [BAPI_PO_GETITEMS, 'reads', getItems],
    [BAPI_PO_GETDETAIL1, 'reads', getDetail],
    [BAPI_PO_CHANGE, 'writes', change],
    [BAPI_TRANSACTION_COMMIT, 'writes', commit],
    [BAPI_TRANSACTION_ROLLBACK, 'writes', rollback],
    [RFC_READ_TABLE, 'reads', readTableFunction],
    [RFC_READ_TEXT, 'reads', readText],
  ];

  const operations = new Map<string, SoapOperation>(
    implementations.map(([fn, kind, implementation]) => [
      fn.name,
      { name: fn.name, kind, handle: (call) => runInSession(call, fn, implementation) },
    ]),
  );

  /**
   * Runs a function module in the caller's session: `?sap-sessioncmd=open` starts a stateful one
   * (its cookie comes back), the cookie continues it, `?sap-sessioncmd=close` ends it after the
   * call, and a call without the cookie runs in a session of its own that ends with the call.
   */
  function runInSession(call: SoapCall, fn: RfcFunction, implementation: FunctionImplementation): SoapResult {
    const command = (call.query['sap-sessioncmd'] ?? '').toLowerCase();
    const cookie = call.cookies.get(SAP_SESSION_COOKIE);
    const setCookies: string[] = [];
    let session: SapSession;
    const existing = cookie === undefined ? null : sessions.find(cookie);
    if (command === 'open') {
      session = existing ?? sessions.open();
      setCookies.push(
        `${SAP_SESSION_COOKIE}=${session.id}; path=/; HttpOnly`,
        `sap-usercontext=sap-client=${SAP_CLIENT}; path=/`,
      );
    } else if (cookie !== undefined) {
      if (existing === null) {
        return faultResult(
          soapFault(
            'Client',
            `Session ${SAP_SESSION_COOKIE} no longer exists (ended, or idle for too long); ` +
              'its uncommitted changes are lost. Open a new session with sap-sessioncmd=open.',
          ),
        );
      }
      session = existing;
    } else {
      session = sessions.oneCall();
    }
    const result = implementation(call.request.body, session);
    if (!session.stateful || command === 'close' || command === 'logoff') {
      sessions.end(session);
      if (session.stateful) setCookies.push(`${SAP_SESSION_COOKIE}=; path=/; Max-Age=0`);
    }
    if (result.fault !== undefined) return { ...faultResult(result.fault), setCookies };
    return bodyResult(functionResponse(fn, result.output), {
      applied: result.applied ?? false,
      poNumber: result.poNumber ?? null,
      setCookies,
    });
  }

  return {
    name: 'RfcFunctions',
    path: SAP_RFC_PATH,
    style: SAP_STYLE,
    wsdlPaths: SAP_WSDL_PATHS,
    operations: SAP_FUNCTIONS.map((fn) => fn.name),
    dispatch(body) {
      const operation = body.namespace === RFC_NAMESPACE ? operations.get(body.local) : undefined;
      return (
        operation ??
        soapFault('Client', `Function module "${body.local}" not found in ${RFC_NAMESPACE} (FU_NOT_FOUND)`)
      );
    },
    wsdl(baseUrl, query) {
      const wanted = (query.services ?? '').split(',').filter((name) => name.trim() !== '');
      const functions =
        wanted.length === 0 ? SAP_FUNCTIONS : SAP_FUNCTIONS.filter((fn) => wanted.includes(fn.name));
      if (functions.length === 0 || functions.length !== (wanted.length || SAP_FUNCTIONS.length)) return null;
      return sapWsdl(functions, `${baseUrl}${SAP_RFC_PATH}?sap-client=${SAP_CLIENT}`);
    },
    wsdlUrl: (baseUrl) => `${baseUrl}${SAP_WSDL_PATHS[0]}?sap-client=${SAP_CLIENT}`,
  };
}
