import { ErpError } from '../../errors/index.ts';
import { childAt, parseXml, textOf } from '../../xml/index.ts';

/**
 * The query-by-example side of the oracle-ebs binding, as pure functions: a workflow's filter
 * becomes the example a database-adapter `queryByExample` matches, and the answer's `QueryStatus`
 * header says where the next page starts.
 */

/** A read's filter, as erpbridge.yaml writes it (`source.filter`, `history.filter`). */
export type ReadFilter = Readonly<Record<string, string | number | boolean>>;

/** An example: adapter column name (`closedCode`) → the value it must equal. */
export type QueryExample = Record<string, string>;

/**
 * The canonical `status` a workflow filters by (the config's defaults are `status: open` and
 * `status: closed`), as PO_HEADERS_ALL columns. queryByExample matches only equality, so
 * `closed` is CLOSED_CODE `CLOSED` (not FINALLY CLOSED) and not cancelled — what the history needs.
 */
const STATUS_EXAMPLES: Readonly<Record<string, QueryExample>> = {
  open: { closedCode: 'OPEN' },
  closed: { closedCode: 'CLOSED', cancelFlag: 'N' },
  cancelled: { cancelFlag: 'Y' },
};

/** `CLOSED_CODE` → `closedCode` (the adapter's element name); a name already in camel case stays. */
export function adapterColumnName(name: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return name;
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());
}

/** A filter value as the column holds it: EBS flags are `Y`/`N`. */
function columnValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return String(value);
}

/**
 * The example for a read of `entity` with `filter`. Filter keys are PO_HEADERS_ALL (or AP_SUPPLIERS)
 * columns, written as EBS names them (`CLOSED_CODE`) or as the adapter does (`closedCode`); for
 * purchase orders `status: open | closed | cancelled` stands for the columns above.
 *
 * @throws ErpError `validation` for an unknown status, or a status with the columns it sets.
 */
export function exampleOf(
  filter: ReadFilter | undefined,
  options: { entity: string; statusShorthand: boolean },
): QueryExample {
  const example: QueryExample = {};
  let status: string | undefined;
  for (const [name, value] of Object.entries(filter ?? {})) {
    if (options.statusShorthand && name === 'status') {
      status = String(value).toLowerCase();
      continue;
    }
    example[adapterColumnName(name)] = columnValue(value);
  }
  if (status === undefined) return example;
  const columns = STATUS_EXAMPLES[status];
  if (columns === undefined) {
    throw new ErpError(
      'validation',
      `filter status "${status}" is not one the oracle-ebs binding knows; use open, closed or cancelled, or filter by CLOSED_CODE and CANCEL_FLAG`,
      { entity: options.entity, field: 'status' },
    );
  }
  for (const [column, value] of Object.entries(columns)) {
    if (column in example && example[column] !== value) {
      throw new ErpError(
        'validation',
        `filter status "${status}" means ${column} ${value}, but the filter also asks for ${column} ${example[column]}; give one of them`,
        { entity: options.entity, field: column },
      );
    }
    example[column] = value;
  }
  return example;
}

/** What the answer's `QueryStatus` header says: more rows after this page, and the last row's id. */
export interface QueryStatus {
  hasMore: boolean;
  /** The id (`lastPoHeaderId`, `lastVendorId`) to continue after; null for an empty page. */
  lastId: string | null;
}

/**
 * The `QueryStatus` SOAP header of an answer, or undefined when it has none. Reads only the
 * envelope's header part (the SOAP client does not hand out answer headers): the body, with its
 * thousand orders, is not parsed a second time.
 *
 * @param lastElement `lastPoHeaderId` or `lastVendorId`.
 */
export function queryStatusOf(rawResponse: string, lastElement: string): QueryStatus | undefined {
  const body = /<(?:[A-Za-z_][\w.-]*:)?Body[\s/>]/.exec(rawResponse);
  const head = body === null ? rawResponse : rawResponse.slice(0, body.index);
  const found = /<((?:[A-Za-z_][\w.-]*:)?)QueryStatus[\s/>][\s\S]*?(?:<\/\1QueryStatus>|\/>)/.exec(head);
  if (found === null) return undefined;
  const status = parseXml(found[0], { source: 'the QueryStatus header' });
  const hasMore = textOf(childAt(status, 'QueryStatus', 'hasMore'))?.trim();
  const lastId = textOf(childAt(status, 'QueryStatus', lastElement))?.trim();
  return {
    hasMore: hasMore === 'true' || hasMore === '1',
    lastId: lastId === undefined || lastId === '' ? null : lastId,
  };
}
