/**
 * oracle-ebs, reading: `DB_QueryPurchaseOrderEBS`, SOA Suite's database adapter over PO_HEADERS_ALL
 * (with PO_LINES_ALL and PO_LINE_LOCATIONS_ALL), operation `queryByExample`: the request is a
 * `PoHeadersAll` example — every column given must be equal (numbers as numbers, dates as
 * instants), columns left out or nil match anything — and the answer a `PoHeadersAllCollection`
 * in PO_HEADER_ID order. The adapter itself has no paging; here the SOAP header `QueryControl`
 * (`maxRows` up to 1000, `afterPoHeaderId` a keyset cursor) asks for a page and the answer's
 * `QueryStatus` header says whether more rows follow. Without it, a query matching more than 1000
 * orders is a fault rather than a silently cut answer.
 */
import type { PoStatus, PurchaseOrderRecord } from '../records.ts';
import {
  columnType,
  HEADER_COLUMNS,
  type HeaderColumn,
  headerRow,
  headerValues,
  lineLocationRow,
  lineRow,
  poHeaderIdOf,
  poNumberOfHeaderId,
  type Row,
} from './ebs-mapping.ts';
import { EBS_QUERY_TOP_NAMESPACE, ebsQueryWsdl } from './ebs-wsdl.ts';
import type { PurchaseOrderSource } from './purchase-order-source.ts';
import { type EnvelopeStyle, isSoapFault, type SoapFault, soapFault } from './soap-envelope.ts';
import { bodyResult, faultResult, type SoapOperation, type SoapService } from './soap-service.ts';
import { childNamed, childText, isNil, type XmlElement, XSI_NAMESPACE } from './xml-document.ts';
import { element, fragment, leafElements, type Markup } from './xml-writer.ts';

/** The composite's service endpoint on the SOA server. */
export const EBS_QUERY_PATH = '/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS';
/** The most rows one query answers. */
export const EBS_MAX_ROWS = 1000;

/** Oracle's SOAP stack writes `env:` envelopes. */
export const EBS_STYLE: EnvelopeStyle = { prefix: 'env' };

const HEADER_COLUMN_SET: ReadonlySet<string> = new Set(HEADER_COLUMNS);

function isHeaderColumn(name: string): name is HeaderColumn {
  return HEADER_COLUMN_SET.has(name);
}

/** One condition of the example: a column and the value it must equal. */
interface Condition {
  column: HeaderColumn;
  matches: (value: string | null) => boolean;
}

function readConditions(example: XmlElement): Condition[] | SoapFault {
  const conditions: Condition[] = [];
  for (const child of example.children) {
    if (child.local === 'poLinesAllCollection') {
      return soapFault(
        'Client',
        'queryByExample on PO_LINES_ALL rows is not supported; give header columns only.',
      );
    }
    if (!isHeaderColumn(child.local)) {
      return soapFault('Client', `PoHeadersAll has no column "${child.local}" this service can query.`);
    }
    const text = child.text.trim();
    if (isNil(child) || text === '') continue;
    const type = columnType(child.local);
    if (type === 'decimal') {
      const wanted = Number(text);
      if (!Number.isFinite(wanted))
        return soapFault('Client', `${child.local} must be a number, got "${text}".`);
      conditions.push({
        column: child.local,
        matches: (value) => value !== null && Number(value) === wanted,
      });
    } else if (type === 'dateTime') {
      const wanted = Date.parse(text);
      if (Number.isNaN(wanted))
        return soapFault('Client', `${child.local} must be an xs:dateTime, got "${text}".`);
      conditions.push({
        column: child.local,
        matches: (value) => value !== null && Date.parse(value) === wanted,
      });
    } else {
      conditions.push({ column: child.local, matches: (value) => value === text });
    }
  }
  return conditions;
}

/** The page asked for in the `QueryControl` header; null when there is none. */
interface QueryControl {
  maxRows: number;
  afterPoHeaderId: number;
}

function readQueryControl(header: XmlElement | null): QueryControl | null | SoapFault {
  const control = header === null ? null : childNamed(header, 'QueryControl', EBS_QUERY_TOP_NAMESPACE);
  if (control === null) return null;
  const maxRowsText = childText(control, 'maxRows') ?? '';
  const afterText = childText(control, 'afterPoHeaderId') ?? '';
  const maxRows = maxRowsText === '' ? EBS_MAX_ROWS : Number(maxRowsText);
  const afterPoHeaderId = afterText === '' ? 0 : Number(afterText);
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > EBS_MAX_ROWS) {
    return soapFault(
      'Client',
      `QueryControl/maxRows must be a whole number from 1 to ${EBS_MAX_ROWS}, got "${maxRowsText}".`,
    );
  }
  if (!Number.isSafeInteger(afterPoHeaderId) || afterPoHeaderId < 0) {
    return soapFault('Client', `QueryControl/afterPoHeaderId must be a PO_HEADER_ID, got "${afterText}".`);
  }
  return { maxRows, afterPoHeaderId };
}

/**
 * A row's columns, NULL ones left out: the adapter's elements are optional, and an answer of 500
 * orders with every NULL column written as `xsi:nil` would be a third larger for nothing.
 */
function rowMarkup(row: Row, children: readonly Markup[] = []): Markup {
  return fragment([leafElements(row), ...children]);
}

function orderMarkup(record: PurchaseOrderRecord): Markup {
  const lines = record.lines.map((line) =>
    element(
      'PoLinesAll',
      rowMarkup(lineRow(record, line), [
        element('poLineLocationsAll', rowMarkup(lineLocationRow(record, line))),
      ]),
    ),
  );
  return element('PoHeadersAll', rowMarkup(headerRow(record), [element('poLinesAllCollection', lines)]));
}

/** The candidates an example can match, narrowed by its key columns and its status. */
function candidates(
  orders: PurchaseOrderSource,
  example: XmlElement,
  after: string,
  wanted: number,
): Iterable<PurchaseOrderRecord> {
  const id = childText(example, 'poHeaderId');
  const segment1 = childText(example, 'segment1');
  const key =
    id !== null && id !== ''
      ? poNumberOfHeaderId(Number(id))
      : segment1 !== null && /^\d{1,10}$/.test(segment1)
        ? segment1.padStart(10, '0')
        : undefined;
  if (key !== undefined) {
    const record = key === null ? null : orders.get(key);
    return record !== null && record.po_number > after ? [record] : [];
  }
  return orders.scan({ status: statusOfExample(example), after }, wanted);
}

/**
 * The one sandbox status an example's CLOSED_CODE and CANCEL_FLAG pin down, so only those orders
 * are scanned (as the database would use an index): OPEN, CLOSED and not cancelled, cancelled;
 * null when they leave several.
 */
function statusOfExample(example: XmlElement): PoStatus | null {
  const closedCode = childText(example, 'closedCode');
  const cancelFlag = childText(example, 'cancelFlag');
  if (closedCode === 'OPEN') return 'OPEN';
  if (cancelFlag === 'Y') return 'CANCELLED';
  if (closedCode === 'CLOSED' && cancelFlag === 'N') return 'CLOSED';
  return null;
}

/** Creates the query service. */
export function createEbsQueryService(orders: PurchaseOrderSource): SoapService {
  const queryByExample: SoapOperation = {
    name: 'queryByExample',
    kind: 'reads',
    handle({ request }) {
      const example = request.body;
      const conditions = readConditions(example);
      if (isSoapFault(conditions)) return faultResult(conditions);
      const control = readQueryControl(request.header);
      if (control !== null && isSoapFault(control)) return faultResult(control);
      const limit = control?.maxRows ?? EBS_MAX_ROWS;
      const after = control === null ? '' : (poNumberOfHeaderId(control.afterPoHeaderId) ?? '');
      const found: PurchaseOrderRecord[] = [];
      // The page and one more: whether more rows follow.
      for (const record of candidates(orders, example, after, limit + 1)) {
        const values = headerValues(record);
        if (!conditions.every((condition) => condition.matches(values[condition.column]))) continue;
        found.push(record);
        if (found.length > limit) break;
      }
      const hasMore = found.length > limit;
      if (hasMore && control === null) {
        return faultResult(
          soapFault(
            'Client',
            `The query matches more than ${EBS_MAX_ROWS} purchase orders; page through them with the QueryControl header (maxRows, afterPoHeaderId).`,
          ),
        );
      }
      const page = found.slice(0, limit);
      const last = page.at(-1);
      const collection = element('PoHeadersAllCollection', page.map(orderMarkup), {
        xmlns: EBS_QUERY_TOP_NAMESPACE,
        'xmlns:xsi': XSI_NAMESPACE,
      });
      const status = element(
        'QueryStatus',
        [
          element('rowCount', page.length),
          element('hasMore', hasMore ? 'true' : 'false'),
          ...(last === undefined ? [] : [element('lastPoHeaderId', poHeaderIdOf(last.po_number))]),
        ],
        { xmlns: EBS_QUERY_TOP_NAMESPACE },
      );
      return bodyResult(collection, {
        header: status,
        poNumber: page.length === 1 ? (last?.po_number ?? null) : null,
      });
    },
  };

  return {
    name: 'DB_QueryPurchaseOrderEBS',
    path: EBS_QUERY_PATH,
    style: EBS_STYLE,
    operations: [queryByExample.name],
    wsdlPaths: [],
    dispatch(body) {
      if (body.local === 'PoHeadersAll' && body.namespace === EBS_QUERY_TOP_NAMESPACE) return queryByExample;
      return soapFault(
        'Client',
        `No operation takes <${body.local}> in "${body.namespace}"; queryByExample takes PoHeadersAll.`,
      );
    },
    wsdl: (baseUrl) => ebsQueryWsdl(`${baseUrl}${EBS_QUERY_PATH}`),
    wsdlUrl: (baseUrl) => `${baseUrl}${EBS_QUERY_PATH}?WSDL`,
  };
}
