import { sql } from 'kysely';
import type { TablePersonality } from './personality.ts';
import {
  decimalText,
  dotDecimal,
  isoDate,
  lineFigures,
  sqlDateTime,
  supplierCurrency,
  supplierNumber,
} from './sandbox-data.ts';
import {
  bigint,
  type ColumnDefinition,
  datetime,
  decimal,
  type TableDefinition,
  varchar,
} from './table-definition.ts';

/**
 * A legacy SQL Server purchasing database, from the DDL of a real one (a DataFlex/ISAM system
 * migrated to SQL Server; shared fixtures `sql/legacy_erp_POHEADER_mssql.sql` and
 * `legacy_erp_PODETAIL_mssql.sql`): POHEADER and PODETAIL with `[PO_#]` and `[LINE_#]`, a `Recnum`
 * on every row, `DEFAULT (' ') NOT NULL` text and `'01/01/1753'` (the smallest DATETIME) for "no
 * date". Translated column by column; where the sandbox's data does not fit the original, widened:
 *
 * - `PO_#` DECIMAL(6) → DECIMAL(10): the sandbox's order numbers have 8 digits.
 * - `QTY_ORD`, `QTY_RECD`, `QTY_RECD_TD`, `QTY_INVOICED` DECIMAL(n) → DECIMAL(n+3, 3): the sandbox
 *   orders half kilograms and metres.
 * - `Recnum` BIGINT IDENTITY → BIGINT with the numbers written explicitly, as a bulk load with
 *   IDENTITY_INSERT would.
 *
 * The fixtures hold no vendor table and no currency; VENDOR is ours, in the same style.
 *
 * Urgency: `ORDER_UD_FLAG`, the header's one-character user-defined flag — the kind of field legacy
 * shops repurpose — holds the priority code `1` urgent … `4` low, blank for none. Status:
 * `CLOSED_FLAG` blank (open), `Y` (closed), `V` (voided). Last change: `ChangedDate`.
 */

/** The DATETIME legacy tables write for "no date". */
export const LEGACY_NULL_DATE = '1753-01-01 00:00:00';

const blank = (name: string, length: number): ColumnDefinition => ({
  name,
  type: varchar(length),
  defaultTo: ' ',
});
const zero = (name: string, precision: number, scale = 0): ColumnDefinition => ({
  name,
  type: decimal(precision, scale),
  defaultTo: 0,
});
const date = (name: string): ColumnDefinition => ({ name, type: datetime, defaultTo: LEGACY_NULL_DATE });
const RECNUM: ColumnDefinition = { name: 'Recnum', type: bigint };

const POHEADER: TableDefinition = {
  name: 'POHEADER',
  columns: [
    RECNUM,
    blank('VENDOR_ID', 8),
    zero('PO_#', 10),
    blank('UNUSED', 1),
    blank('PO_TYPE', 1),
    date('ORDER_DATE'),
    date('DATE_REQUIRED'),
    blank('ORDER_BY', 3),
    blank('ORDER_WITH', 15),
    zero('NUMITEMS', 4),
    zero('NUMCLOSED', 4),
    blank('FOB', 16),
    blank('SHIP_VIA', 2),
    blank('CONFIRMING_FLAG', 1),
    blank('SHIPTO_FLAG', 1),
    blank('READY_TOPRINT', 1),
    blank('PRINT_FLAG', 1),
    blank('ORDER_UD_FLAG', 1),
    blank('CLOSED_FLAG', 1),
    blank('EDIT_FLAG', 1),
    blank('RMA_NUMBER', 20),
    zero('WO_#', 6),
    blank('REQUEST_BY', 20),
    blank('INQUIRY_NAME', 20),
    blank('COST_TYPE', 1),
    blank('EXTRA_FLAG', 1),
    zero('WO_LINE#', 6),
    zero('POTotal', 10, 2),
    blank('VendorName', 30),
    blank('CreatedBy', 4),
    date('CreatedDate'),
    blank('ChangedBy', 4),
    date('ChangedDate'),
    blank('Version', 15),
    { name: 'Notes', type: varchar(384), nullable: true },
  ],
  primaryKey: ['VENDOR_ID', 'PO_#'],
  indexes: [
    { name: 'POHEADER_INDEX00', columns: ['Recnum'], unique: true },
    { name: 'POHEADER_INDEX02', columns: ['PO_TYPE', 'VENDOR_ID', 'PO_#', 'Recnum'], unique: true },
    { name: 'POHEADER_INDEX03', columns: ['WO_#', 'VENDOR_ID', 'PO_#'], unique: true },
    { name: 'POHEADER_INDEX04', columns: ['PO_#'], unique: true },
    { name: 'POHEADER_INDEX05', columns: ['WO_#', 'WO_LINE#', 'VENDOR_ID', 'PO_#', 'Recnum'], unique: true },
    { name: 'POHEADER_INDEX06', columns: ['VENDOR_ID', 'PO_#'], unique: true },
    { name: 'POHEADER_INDEX07', columns: ['WO_#', 'PO_#'], unique: true },
    // Not in the original: what an incremental read by ChangedDate asks the DBA for.
    { name: 'POHEADER_CHANGED', columns: ['ChangedDate'] },
  ],
};

const PODETAIL: TableDefinition = {
  name: 'PODETAIL',
  columns: [
    RECNUM,
    blank('VENDOR_ID', 8),
    zero('PO_#', 10),
    blank('UNUSED', 1),
    { name: 'LINE_#', type: decimal(8) },
    blank('SPRNUM', 20),
    zero('QTY_ORD', 11, 3),
    zero('QTY_RECD', 11, 3),
    zero('QTY_RECD_TD', 13, 3),
    date('DATE_RECD'),
    date('DELIV_DATE'),
    zero('PRICE_EA', 10, 4),
    zero('EXTENSION', 12, 4),
    blank('CLOSED_FLAG', 1),
    blank('COMMENT_FLAG', 1),
    blank('UPDATED_OO_FLAG', 1),
    blank('UPDATED_OH_FLAG', 1),
    blank('NEW_FLAG', 1),
    blank('DESCRIPTION', 35),
    blank('UOM_CODE', 4),
    blank('PRINT_PRICE', 1),
    zero('QTY_UPDATED', 8),
    blank('COST_CLOSE', 1),
    zero('RELEASE_#', 4),
    blank('RAWFIN', 1),
    zero('QTY_INVOICED', 11, 3),
    zero('INVOICED_AMT', 12, 4),
    blank('PRINT_DRAW', 1),
    blank('SAPartNum', 20),
    { name: 'Notes', type: varchar(256), nullable: true },
    { name: 'VendPartNum', type: varchar(20), nullable: true },
  ],
  primaryKey: ['VENDOR_ID', 'PO_#', 'LINE_#'],
  indexes: [
    { name: 'PODETAIL_INDEX00', columns: ['Recnum'], unique: true },
    { name: 'PODETAIL_INDEX02', columns: ['SPRNUM', 'VENDOR_ID', 'PO_#', 'LINE_#', 'Recnum'], unique: true },
    { name: 'PODETAIL_INDEX03', columns: ['VENDOR_ID', 'SPRNUM', 'Recnum'], unique: true },
    { name: 'PODETAIL_INDEX04', columns: ['VENDOR_ID', 'PO_#', 'SPRNUM', 'Recnum'], unique: true },
    { name: 'PODETAIL_INDEX05', columns: ['PO_#', 'LINE_#'], unique: true },
    { name: 'PODETAIL_INDEX06', columns: ['SPRNUM', 'PO_#', 'Recnum'], unique: true },
  ],
};

const VENDOR: TableDefinition = {
  name: 'VENDOR',
  columns: [
    RECNUM,
    blank('VENDOR_ID', 8),
    blank('VENDOR_NAME', 35),
    blank('COUNTRY', 3),
    blank('CURRENCY', 3),
    zero('LEAD_DAYS', 4),
    zero('ONTIME_PCT', 5, 1),
    blank('ACTIVE_FLAG', 1),
    date('CreatedDate'),
    date('ChangedDate'),
  ],
  primaryKey: ['VENDOR_ID'],
  indexes: [{ name: 'VENDOR_INDEX00', columns: ['Recnum'], unique: true }],
};

/** Status → CLOSED_FLAG. */
const CLOSED_FLAGS = { OPEN: ' ', CLOSED: 'Y', CANCELLED: 'V' } as const;

/** Text of a column that defaults to a blank: the value, or `' '` for none. */
function orBlank(text: string): string {
  return text.trim() === '' ? ' ' : text.trim();
}

export const legacySqlServerPersonality: TablePersonality = {
  name: 'legacy-sqlserver',
  profile: 'legacy-sqlserver',
  description:
    'legacy SQL Server: POHEADER/PODETAIL ([PO_#], [LINE_#], 1753-01-01 for no date); urgency in ORDER_UD_FLAG',
  tables: [POHEADER, PODETAIL, VENDOR],

  rows(data) {
    const suppliers = new Map(data.suppliers.map((supplier) => [supplier.supplier_id, supplier]));
    const headers: Record<string, unknown>[] = [];
    const details: Record<string, unknown>[] = [];
    let detailRecnum = 0;
    data.orders.forEach((order, index) => {
      const vendorId = String(supplierNumber(order));
      const poNumber = String(Number(order.po_number));
      const closedFlag = CLOSED_FLAGS[order.status];
      const closed = order.status === 'CLOSED';
      const updated = sqlDateTime(order.updated_at);
      const buyer = order.buyer.trim();
      const figures = order.lines.map(lineFigures);
      const total = figures.reduce((sum, line) => sum + line.amountCents, 0);
      headers.push({
        Recnum: index + 1,
        VENDOR_ID: vendorId,
        'PO_#': poNumber,
        UNUSED: ' ',
        PO_TYPE: 'S',
        ORDER_DATE: `${isoDate(order.order_date)} 00:00:00`,
        DATE_REQUIRED: `${isoDate(order.need_by)} 00:00:00`,
        ORDER_BY: buyer.slice(0, 3),
        ORDER_WITH: ' ',
        NUMITEMS: order.lines.length,
        NUMCLOSED: closed ? order.lines.length : 0,
        FOB: ' ',
        SHIP_VIA: ' ',
        CONFIRMING_FLAG: ' ',
        SHIPTO_FLAG: ' ',
        READY_TOPRINT: ' ',
        PRINT_FLAG: 'Y',
        ORDER_UD_FLAG: orBlank(order.priority),
        CLOSED_FLAG: closedFlag,
        EDIT_FLAG: ' ',
        RMA_NUMBER: ' ',
        'WO_#': 0,
        REQUEST_BY: buyer,
        INQUIRY_NAME: ' ',
        COST_TYPE: ' ',
        EXTRA_FLAG: ' ',
        'WO_LINE#': 0,
        POTotal: decimalText(total, 2),
        VendorName: orBlank((suppliers.get(order.supplier_id)?.name ?? '').slice(0, 30)),
        CreatedBy: buyer.slice(0, 4),
        CreatedDate: `${isoDate(order.order_date)} 00:00:00`,
        ChangedBy: buyer.slice(0, 4),
        ChangedDate: updated,
        Version: ' ',
        Notes: order.notes.trim() === '' ? null : order.notes.trim(),
      });
      order.lines.forEach((line, lineIndex) => {
        const lineFigure = figures[lineIndex] ?? lineFigures(line);
        const quantity = dotDecimal(line.quantity, 3);
        details.push({
          Recnum: ++detailRecnum,
          VENDOR_ID: vendorId,
          'PO_#': poNumber,
          UNUSED: ' ',
          'LINE_#': Number(line.line_no),
          SPRNUM: String(Number(line.item_no)),
          QTY_ORD: quantity,
          QTY_RECD: closed ? quantity : 0,
          QTY_RECD_TD: closed ? quantity : 0,
          DATE_RECD: closed ? updated : LEGACY_NULL_DATE,
          DELIV_DATE: `${isoDate(line.need_by)} 00:00:00`,
          PRICE_EA: decimalText(lineFigure.priceCents * 100, 4),
          EXTENSION: decimalText(lineFigure.amountCents * 100, 4),
          CLOSED_FLAG: closedFlag,
          COMMENT_FLAG: ' ',
          UPDATED_OO_FLAG: ' ',
          UPDATED_OH_FLAG: ' ',
          NEW_FLAG: ' ',
          DESCRIPTION: line.description.trim().slice(0, 35),
          UOM_CODE: line.uom.trim(),
          PRINT_PRICE: 'Y',
          QTY_UPDATED: 0,
          COST_CLOSE: ' ',
          'RELEASE_#': 0,
          RAWFIN: ' ',
          QTY_INVOICED: closed ? quantity : 0,
          INVOICED_AMT: closed ? decimalText(lineFigure.amountCents * 100, 4) : 0,
          PRINT_DRAW: ' ',
          SAPartNum: ' ',
          Notes: null,
          VendPartNum: null,
        });
      });
    });
    const vendors = data.suppliers.map((supplier, index) => ({
      Recnum: index + 1,
      VENDOR_ID: String(supplierNumber(supplier)),
      VENDOR_NAME: supplier.name.trim(),
      COUNTRY: supplier.country.trim(),
      CURRENCY: supplierCurrency(supplier),
      LEAD_DAYS: supplier.lead_time_days.trim(),
      ONTIME_PCT: dotDecimal(supplier.on_time_pct, 1),
      ACTIVE_FLAG: 'Y',
      CreatedDate: '2015-01-01 00:00:00',
      ChangedDate: '2015-01-01 00:00:00',
    }));
    return { POHEADER: headers, PODETAIL: details, VENDOR: vendors };
  },

  async touch(db, poNumbers, at) {
    if (poNumbers.length === 0) return;
    await db
      .updateTable('POHEADER')
      .set({ ChangedDate: sqlDateTime(at), ChangedBy: 'SYS' })
      .where(
        sql.ref('PO_#'),
        'in',
        poNumbers.map((poNumber) => String(Number(poNumber))),
      )
      .execute();
  },

  async latestChange(db) {
    const latest = await db
      .selectFrom('POHEADER')
      .select(sql<string | null>`max(${sql.ref('ChangedDate')})`.as('LATEST'))
      .executeTakeFirst();
    const value = latest?.LATEST;
    return typeof value === 'string' ? new Date(`${value.slice(0, 19).replace(' ', 'T')}Z`) : null;
  },
};
