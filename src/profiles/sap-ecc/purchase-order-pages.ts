import type { ReadQuery, RecordPage, VendorRecord } from '../../connectors/contract.ts';
import type { SoapCallOptions } from '../../connectors/soap/index.ts';
import { ErpError } from '../../errors/index.ts';
import { headerTextArguments, headerTextsByOrder, READ_TEXT } from './header-texts.ts';
import { itemSelection } from './item-selection.ts';
import {
  fromListedParts,
  LISTED_HEADER_FIELDS,
  LISTED_ITEM_FIELDS,
  PURCHASE_ORDER_ENTITY,
  purchaseOrderRecord,
} from './purchase-order-detail.ts';
import type { RfcAnswerOptions } from './rfc-answer.ts';
import { type RawRfcRow, type RfcRow, rfcParameter, rfcRows, rfcTable } from './rfc-values.ts';
import { sapText } from './sap-formats.ts';
import { scheduleLineArguments, scheduleLinesByOrder } from './schedule-lines.ts';

/**
 * Reading purchase orders a page at a time. BAPI_PO_GETITEMS (`WITH_PO_HEADERS = X`, the filter's
 * selection, `MAX_ROWS` = page size, `PO_NUMBER_FROM` = the cursor) lists a page of orders with
 * their header (BAPIEKKOL) and item (BAPIEKPOC) rows. What it lacks — the schedule lines (need-by)
 * and the header note — comes, with `readDetails: bulk` (the default), from two more calls per
 * page: RFC_READ_TABLE on EKET for the page's PO number range, and RFC_READ_TEXT for the notes.
 * BAPI_PO_GETDETAIL1 is called only for an order those do not cover: one with an item GETITEMS
 * did not list (a delivered item under ITEMS_OPEN_FOR_RECEIPT, a deleted one) or without a
 * schedule line. With `readDetails: per-order`, GETDETAIL1 reads every listed order, as a system
 * that does not let the user read EKET needs.
 */

export const GETITEMS = 'BAPI_PO_GETITEMS';
export const READ_TABLE = 'RFC_READ_TABLE';

/** What page reading needs of the binding. */
export interface PageReading {
  connector: string;
  url: string | undefined;
  readDetails: 'bulk' | 'per-order';
  detailConcurrency: number;
  /** Calls a function module, answering its result (only the `fields` named, where it names some). */
  call(
    fn: string,
    args: Record<string, unknown>,
    options: SoapCallOptions,
    answer?: Pick<RfcAnswerOptions, 'fields'>,
  ): Promise<unknown>;
  /** GETDETAIL1 of one order; null when SAP says it does not exist. */
  detail(poNumber: string, signal: AbortSignal | undefined): Promise<VendorRecord | null>;
}

/**
 * The fields of GETITEMS's rows a page reads — what `fromListedParts` takes, the item selection's
 * flags, and the header's LANGUAGE for its note; the rest of BAPIEKKOL and BAPIEKPOC (half of
 * each row) is read past, not kept.
 */
const LISTED_FIELDS = {
  PO_HEADERS: [...LISTED_HEADER_FIELDS, 'LANGUAGE'],
  PO_ITEMS: ['PO_NUMBER', ...LISTED_ITEM_FIELDS],
};

/** Orders per GETITEMS call when the query names no page size. */
const DEFAULT_ORDER_PAGE = 500;
/** Listings a read asks for before its consumer reads them: enough to keep SAP busy, no more. */
const READ_AHEAD = 2;

/** The pages of a read of purchase orders (see the module comment). */
export async function* readPurchaseOrderPages(
  reading: PageReading,
  query: ReadQuery,
): AsyncGenerator<RecordPage> {
  const { connector } = reading;
  const where = { connector, ...(reading.url === undefined ? {} : { url: reading.url }) };
  const selection = itemSelection(query.filter, { connector, entity: PURCHASE_ORDER_ENTITY });
  const size = pageSize(query, DEFAULT_ORDER_PAGE);
  const from = query.resumeFrom ?? '';
  if (from !== '' && !/^\d{10}$/.test(from)) {
    throw new ErpError(
      'validation',
      `cannot resume a ${PURCHASE_ORDER_ENTITY} read from "${from}": not a PO number`,
      where,
    );
  }
  const signal = query.signal === undefined ? {} : { signal: query.signal };
  /**
   * A page's listing. Its answer's headers, scanned as they arrive, start the next listing at
   * once — while at most READ_AHEAD listings wait unread, so a slow consumer never makes the read
   * hold more than that.
   */
  interface Listing {
    start: string;
    answer: Promise<unknown>;
    next?: Listing;
  }
  /** Listings asked for ahead of the one the loop reads. */
  let ahead = 0;
  const list = (start: string): Listing => {
    const listing: Listing = { start, answer: Promise.resolve(undefined) };
    listing.answer = reading.call(
      GETITEMS,
      {
        ...selection.parameters,
        WITH_PO_HEADERS: 'X',
        MAX_ROWS: size,
        ...(start === '' ? {} : { PO_NUMBER_FROM: start }),
      },
      {
        ...signal,
        // SAP lists the next page while this one is read.
        onAnswer: (text) => {
          const cursor = listedCursor(text, size);
          if (cursor === undefined || cursor === null || ahead >= READ_AHEAD) return;
          ahead += 1;
          listing.next = list(cursor);
        },
      },
      { fields: LISTED_FIELDS },
    );
    // Awaited below; a read that stops early leaves it unread, never unhandled.
    listing.answer.catch(() => undefined);
    return listing;
  };
  /** A page made whole: its listing read, its orders completed; and the listing after it. */
  const produce = async (listing: Listing): Promise<{ page: RecordPage; next: Listing | null }> => {
    const result = await listing.answer;
    assertGetItemsSuccess(result, where);
    // Rows as node-soap gave them: most of a `closed` listing is open orders, dropped unread.
    const headers = rfcRows(rfcParameter(result, 'PO_HEADERS'));
    const last = sapText(headers.at(-1)?.PO_NUMBER);
    const cursor = headers.length < size || last === '' ? null : nextPoNumber(last, where);
    const early = listing.next;
    let next: Listing | null = null;
    if (cursor !== null && early !== undefined && early.start === cursor) {
      // The listing started early continues from here.
      ahead -= 1;
      next = early;
    } else {
      // None, or not the right one (the scan of the text saw otherwise): dropped unread.
      for (let dropped = early; dropped !== undefined; dropped = dropped.next) ahead -= 1;
      if (cursor !== null) next = list(cursor);
    }
    const items = groupByOrder(rfcRows(rfcParameter(result, 'PO_ITEMS')));
    const wanted = headers.filter((header) =>
      selection.keeps(header, items.get(sapText(header.PO_NUMBER)) ?? []),
    );
    const records =
      reading.readDetails === 'bulk'
        ? await bulkRecords(reading, wanted, items, query.signal)
        : await detailRecords(
            reading,
            wanted.map((header) => sapText(header.PO_NUMBER)),
            query.signal,
          );
    return { page: { records, total: null, cursor }, next };
  };
  const start = (listing: Listing) => {
    const producing = produce(listing);
    // Awaited below; a read that stops early leaves it unread, never unhandled.
    producing.catch(() => undefined);
    return producing;
  };
  let producing = start(list(from));
  for (;;) {
    const { page, next } = await producing;
    // The next page is completed (its schedule lines and notes asked for) while this one is used.
    if (next !== null) producing = start(next);
    yield page;
    if (next === null) return;
  }
}

/**
 * The next page's PO_NUMBER_FROM, read from a GETITEMS answer's text before it is parsed: null
 * for a last page (fewer headers than the page size), undefined when the text is not laid out as
 * expected — the caller then waits for the parsed answer. A head start only: the parsed answer
 * decides.
 */
export function listedCursor(text: string, size: number): string | null | undefined {
  const open = text.indexOf('<PO_HEADERS>');
  if (open === -1) return /<PO_HEADERS\s*\/>/.test(text) ? null : undefined;
  const close = text.indexOf('</PO_HEADERS>', open);
  if (close === -1) return undefined;
  const headers = text.slice(open, close);
  let count = 0;
  for (let at = headers.indexOf('<item>'); at !== -1; at = headers.indexOf('<item>', at + 6)) count++;
  if (count < size) return null;
  const at = headers.lastIndexOf('<PO_NUMBER>');
  const last =
    at === -1 ? undefined : /^<PO_NUMBER>(\d{1,10})<\/PO_NUMBER>/.exec(headers.slice(at, at + 40))?.[1];
  return last === undefined ? undefined : String(Number(last) + 1).padStart(10, '0');
}

/** The page's orders from GETITEMS, EKET and their notes; GETDETAIL1 for what those do not cover. */
async function bulkRecords(
  reading: PageReading,
  headers: readonly RawRfcRow[],
  items: ReadonlyMap<string, RawRfcRow[]>,
  signal: AbortSignal | undefined,
): Promise<VendorRecord[]> {
  const numbers = headers.map((header) => sapText(header.PO_NUMBER));
  const [first] = numbers;
  const last = numbers.at(-1);
  if (first === undefined || last === undefined) return [];
  const where = { connector: reading.connector, entity: PURCHASE_ORDER_ENTITY };
  const options = signal === undefined ? {} : { signal };
  const [schedules, texts] = await Promise.all([
    reading
      .call(READ_TABLE, scheduleLineArguments(first, last), options)
      .then((result) =>
        scheduleLinesByOrder(
          rfcTable(rfcParameter(result, 'FIELDS')),
          rfcTable(rfcParameter(result, 'DATA')),
          where,
        ),
      ),
    reading
      .call(
        READ_TEXT,
        headerTextArguments(
          headers.map((header) => ({
            poNumber: sapText(header.PO_NUMBER),
            language: sapText(header.LANGUAGE),
          })),
        ),
        options,
      )
      .then((result) => headerTextsByOrder(rfcTable(rfcParameter(result, 'TEXT_LINES')))),
  ]);
  const records: (VendorRecord | null)[] = [];
  const uncovered: { index: number; poNumber: string }[] = [];
  for (const [index, header] of headers.entries()) {
    const poNumber = numbers[index] ?? '';
    const listed = items.get(poNumber) ?? [];
    const lines = schedules.get(poNumber) ?? [];
    if (!covers(listed, lines)) {
      uncovered.push({ index, poNumber });
      records.push(null);
      continue;
    }
    const detail = fromListedParts({
      header,
      items: listed,
      schedules: lines,
      texts: texts.get(poNumber) ?? [],
    });
    records.push(purchaseOrderRecord(poNumber, detail));
  }
  const details = await mapBounded(uncovered, reading.detailConcurrency, (order) =>
    reading.detail(order.poNumber, signal),
  );
  for (const [position, order] of uncovered.entries()) records[order.index] = details[position] ?? null;
  // An order deleted from the database between the list and its detail is simply gone.
  return records.filter((record): record is VendorRecord => record !== null);
}

/**
 * Whether GETITEMS's items and EKET's schedule lines are the whole order: every item EKET knows
 * was listed, and every listed item has a schedule line. EKET has a line for every item.
 */
function covers(items: readonly RawRfcRow[], schedules: readonly RfcRow[]): boolean {
  if (items.length === 0 || schedules.length === 0) return false;
  const listed = new Set(items.map((item) => Number(sapText(item.PO_ITEM))));
  const scheduled = new Set(schedules.map((line) => Number(sapText(line.PO_ITEM))));
  for (const item of scheduled) if (!listed.has(item)) return false;
  for (const item of listed) if (!scheduled.has(item)) return false;
  return true;
}

async function detailRecords(
  reading: PageReading,
  numbers: readonly string[],
  signal: AbortSignal | undefined,
): Promise<VendorRecord[]> {
  const details = await mapBounded(numbers, reading.detailConcurrency, (poNumber) =>
    reading.detail(poNumber, signal),
  );
  return details.filter((record): record is VendorRecord => record !== null);
}

function groupByOrder(rows: readonly RawRfcRow[]): Map<string, RawRfcRow[]> {
  const byOrder = new Map<string, RawRfcRow[]>();
  for (const row of rows) {
    const number = sapText(row.PO_NUMBER);
    const listed = byOrder.get(number);
    if (listed === undefined) byOrder.set(number, [row]);
    else listed.push(row);
  }
  return byOrder;
}

function pageSize(query: ReadQuery, fallback: number): number {
  const size = query.pageSize ?? fallback;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new ErpError('validation', `page size ${size} is not a positive whole number`, {
      entity: query.entity,
    });
  }
  return size;
}

/** The PO number after `last`, zero-padded: the next page's inclusive PO_NUMBER_FROM. */
function nextPoNumber(last: string, where: { connector: string }): string {
  if (!/^\d{1,10}$/.test(last)) {
    throw new ErpError(
      'permanent',
      `cannot page past PO number "${last}": PO_NUMBER_FROM pages numeric numbers only`,
      where,
    );
  }
  return String(Number(last) + 1).padStart(10, '0');
}

/** BAPI_PO_GETITEMS returns the older BAPIRETURN (class and number in CODE), not BAPIRET2. */
function assertGetItemsSuccess(result: unknown, where: { connector: string }): void {
  const failed = rfcTable(rfcParameter(result, 'RETURN')).filter((line) =>
    ['E', 'A'].includes(sapText(line.TYPE)),
  );
  if (failed.length === 0) return;
  const text = failed
    .map((line) => `${sapText(line.TYPE)} ${sapText(line.CODE)}: ${sapText(line.MESSAGE)}`)
    .join('; ');
  throw new ErpError('validation', `${GETITEMS} returned ${text}`, {
    ...where,
    entity: PURCHASE_ORDER_ENTITY,
    hint: 'SAP refused the selection; the message says which parameter',
  });
}

/** Runs `work` over `items`, at most `limit` at a time, results in input order; stops starting work after a failure. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item.
  const queue = items.entries();
  let failed = false;
  const worker = async () => {
    for (const [index, item] of queue) {
      if (failed) return;
      try {
        results[index] = await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
