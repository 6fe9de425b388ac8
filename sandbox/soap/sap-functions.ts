/**
 * The RFC function modules the sap-ecc personality serves, with their parameters and structures
 * as SAP's dictionary defines them (names, order, types and lengths from the real BAPI metadata in
 * shared/fixtures/fieldlists). Each structure lists the subset of its real fields the sandbox
 * fills — every field it writes is a real one, with its real type. `MAX_ROWS`,
 * `PO_NUMBER_FROM` and `ITEMS_DELIVERY_COMPLETED` of BAPI_PO_GETITEMS are the sandbox's own — the
 * interface of the customer wrapper a real system needs for paging (SAP's BAPI has no paging; see
 * sandbox/README.md). RFC_READ_TABLE has SAP's own interface (function group SDTX); the sandbox
 * lets it read the vendors' view and the schedule lines, EKET (sap-read-table.ts). RFC_READ_TEXT
 * reads many SAPscript texts in one call; its TEXT_LINES table is as public integrations fill it.
 */
import {
  type AbapStructure,
  type AbapType,
  char,
  cuky,
  dats,
  dec,
  int4,
  lang,
  numc,
  quan,
  unit,
} from './sap-abap-types.ts';

const flag = char(1);

/** The PO header fields BAPI_PO_GETDETAIL1 and BAPI_PO_CHANGE use (types as in BAPIEKKO/EKKO). */
const HEADER_FIELDS: ReadonlyArray<readonly [string, AbapType]> = [
  ['PO_NUMBER', char(10)],
  ['COMP_CODE', char(4)],
  ['DOC_TYPE', char(4)],
  ['DELETE_IND', flag],
  ['STATUS', flag],
  ['CREAT_DATE', dats],
  ['CREATED_BY', char(12)],
  ['ITEM_INTVL', numc(5)],
  ['VENDOR', char(10)],
  ['LANGU', lang],
  ['PMNTTRMS', char(4)],
  ['PURCH_ORG', char(4)],
  ['PUR_GROUP', char(3)],
  ['CURRENCY', cuky],
  ['CURRENCY_ISO', char(3)],
  ['EXCH_RATE', dec(9, 5)],
  ['DOC_DATE', dats],
  ['REF_1', char(12)],
  ['COLLECT_NO', char(10)],
  ['OUR_REF', char(12)],
];

export const BAPIMEPOHEADER: AbapStructure = { name: 'BAPIMEPOHEADER', fields: HEADER_FIELDS };

/** The change bar: one X/blank flag per header field. */
export const BAPIMEPOHEADERX: AbapStructure = {
  name: 'BAPIMEPOHEADERX',
  fields: HEADER_FIELDS.map(([name]) => [name, flag] as const),
};

export const BAPIMEPOITEM: AbapStructure = {
  name: 'BAPIMEPOITEM',
  fields: [
    ['PO_ITEM', numc(5)],
    ['DELETE_IND', flag],
    ['SHORT_TEXT', char(40)],
    ['MATERIAL', char(18)],
    ['PLANT', char(4)],
    ['MATL_GROUP', char(9)],
    ['QUANTITY', quan(13, 3)],
    ['PO_UNIT', unit],
    ['PO_UNIT_ISO', char(3)],
    ['NET_PRICE', dec(28, 9)],
    ['PRICE_UNIT', dec(5, 0)],
    ['NO_MORE_GR', flag],
    ['FINAL_INV', flag],
    ['ITEM_CAT', flag],
    ['ACCTASSCAT', flag],
    ['GR_IND', flag],
    ['IR_IND', flag],
  ],
};

export const BAPIMEPOSCHEDULE: AbapStructure = {
  name: 'BAPIMEPOSCHEDULE',
  fields: [
    ['PO_ITEM', numc(5)],
    ['SCHED_LINE', numc(4)],
    ['DEL_DATCAT_EXT', flag],
    ['DELIVERY_DATE', char(10)],
    ['QUANTITY', quan(13, 3)],
    ['STAT_DATE', dats],
    ['PO_DATE', dats],
  ],
};

export const BAPIMEPOTEXTHEADER: AbapStructure = {
  name: 'BAPIMEPOTEXTHEADER',
  fields: [
    ['PO_NUMBER', char(10)],
    ['PO_ITEM', numc(5)],
    ['TEXT_ID', char(4)],
    ['TEXT_FORM', char(2)],
    ['TEXT_LINE', char(132)],
  ],
};

/** Where a message was logged: the application log's number and the message's number in it. */
const LOG_FIELDS: ReadonlyArray<readonly [string, AbapType]> = [
  ['LOG_NO', char(20)],
  ['LOG_MSG_NO', numc(6)],
];

/** The message's variables (`&1` … `&4` of its text). */
const MESSAGE_VARIABLES: ReadonlyArray<readonly [string, AbapType]> = [1, 2, 3, 4].map(
  (number) => [`MESSAGE_V${number}`, char(50)] as const,
);

export const BAPIRET2: AbapStructure = {
  name: 'BAPIRET2',
  fields: [
    ['TYPE', flag],
    ['ID', char(20)],
    ['NUMBER', numc(3)],
    ['MESSAGE', char(220)],
    ...LOG_FIELDS,
    ...MESSAGE_VARIABLES,
    ['PARAMETER', char(32)],
    ['ROW', int4],
    ['FIELD', char(30)],
    ['SYSTEM', char(10)],
  ],
};

/** The older return structure (BAPI_PO_GETITEMS's): class and number together in CODE. */
export const BAPIRETURN: AbapStructure = {
  name: 'BAPIRETURN',
  fields: [['TYPE', flag], ['CODE', char(5)], ['MESSAGE', char(220)], ...LOG_FIELDS, ...MESSAGE_VARIABLES],
};

/** PO headers of BAPI_PO_GETITEMS (`WITH_PO_HEADERS = 'X'`). */
export const BAPIEKKOL: AbapStructure = {
  name: 'BAPIEKKOL',
  fields: [
    ['PO_NUMBER', char(10)],
    ['CO_CODE', char(4)],
    ['DOC_CAT', flag],
    ['DOC_TYPE', char(4)],
    ['DELETE_IND', flag],
    ['STATUS', flag],
    ['CREATED_ON', dats],
    ['CREATED_BY', char(12)],
    ['VENDOR', char(10)],
    ['LANGUAGE', lang],
    ['PURCH_ORG', char(4)],
    ['PUR_GROUP', char(3)],
    ['CURRENCY', cuky],
    ['DOC_DATE', dats],
    ['REF_1', char(12)],
    ['COLL_NO', char(10)],
    ['OUR_REF', char(12)],
    ['VEND_NAME', char(35)],
    ['CURRENCY_ISO', char(3)],
  ],
};

/** PO items of BAPI_PO_GETITEMS. */
export const BAPIEKPOC: AbapStructure = {
  name: 'BAPIEKPOC',
  fields: [
    ['PO_NUMBER', char(10)],
    ['PO_ITEM', numc(5)],
    ['DELETE_IND', flag],
    ['CHANGED_ON', dats],
    ['SHORT_TEXT', char(40)],
    ['MATERIAL', char(18)],
    ['CO_CODE', char(4)],
    ['PLANT', char(4)],
    ['MAT_GRP', char(9)],
    ['QUANTITY', quan(13, 3)],
    ['UNIT', unit],
    ['NET_PRICE', dec(23, 4)],
    ['PRICE_UNIT', dec(5, 0)],
    ['NET_VALUE', dec(23, 4)],
    ['GROS_VALUE', dec(23, 4)],
    ['DEL_COMPL', flag],
    ['FINAL_INV', flag],
    ['ITEM_CAT', flag],
    ['ACCTASSCAT', flag],
    ['PREQ_NAME', char(12)],
  ],
};

/** RFC_READ_TABLE's WHERE clause, in lines of 72 characters. */
export const RFC_DB_OPT: AbapStructure = { name: 'RFC_DB_OPT', fields: [['TEXT', char(72)]] };

/** RFC_READ_TABLE's field list: asked by FIELDNAME, answered with where each sits in a DATA row. */
export const RFC_DB_FLD: AbapStructure = {
  name: 'RFC_DB_FLD',
  fields: [
    ['FIELDNAME', char(30)],
    ['OFFSET', numc(6)],
    ['LENGTH', numc(6)],
    ['TYPE', flag],
    ['FIELDTEXT', char(60)],
  ],
};

/** RFC_READ_TABLE's rows: each a fixed-width line of 512 characters. */
export const TAB512: AbapStructure = { name: 'TAB512', fields: [['WA', char(512)]] };

/**
 * RFC_READ_TEXT's table (structure TEXT_LINES): the caller fills the keys of the texts it wants
 * (TDOBJECT, TDNAME, TDID, TDSPRAS), the answer has a row per line of each text that exists.
 */
export const TEXT_LINES: AbapStructure = {
  name: 'TEXT_LINES',
  fields: [
    ['MANDT', char(3)],
    ['TDOBJECT', char(10)],
    ['TDNAME', char(70)],
    ['TDID', char(4)],
    ['TDSPRAS', lang],
    ['COUNTER', numc(3)],
    ['TDFORMAT', char(2)],
    ['TDLINE', char(132)],
  ],
};

/** A parameter of a function module: IMPORTING, EXPORTING or TABLES. */
export interface RfcParameter {
  name: string;
  direction: 'import' | 'export' | 'table';
  type: AbapType | AbapStructure;
}

/** An RFC-enabled function module. */
export interface RfcFunction {
  name: string;
  parameters: readonly RfcParameter[];
}

/** A parameter maker for one direction: `importing('PURCHASEORDER', char(10))`. */
const parameterOf =
  <Type extends AbapType | AbapStructure>(direction: RfcParameter['direction']) =>
  (name: string, type: Type): RfcParameter => ({ name, direction, type });
const importing = parameterOf('import');
const exporting = parameterOf('export');
const table = parameterOf<AbapStructure>('table');

export const BAPI_PO_GETITEMS: RfcFunction = {
  name: 'BAPI_PO_GETITEMS',
  parameters: [
    importing('DELETED_ITEMS', flag),
    importing('DOC_DATE', dats),
    importing('ITEMS_DELIVERY_COMPLETED', flag),
    importing('ITEMS_OPEN_FOR_RECEIPT', flag),
    importing('MATERIAL', char(18)),
    importing('MAX_ROWS', int4),
    importing('PO_NUMBER_FROM', char(10)),
    importing('PUR_GROUP', char(3)),
    importing('PURCH_ORG', char(4)),
    importing('PURCHASEORDER', char(10)),
    importing('VENDOR', char(10)),
    importing('WITH_PO_HEADERS', flag),
    table('PO_HEADERS', BAPIEKKOL),
    table('PO_ITEMS', BAPIEKPOC),
    table('RETURN', BAPIRETURN),
  ],
};

export const BAPI_PO_GETDETAIL1: RfcFunction = {
  name: 'BAPI_PO_GETDETAIL1',
  parameters: [
    importing('PURCHASEORDER', char(10)),
    importing('HEADER_TEXT', flag),
    importing('ITEM_TEXT', flag),
    exporting('POHEADER', BAPIMEPOHEADER),
    table('POITEM', BAPIMEPOITEM),
    table('POSCHEDULE', BAPIMEPOSCHEDULE),
    table('POTEXTHEADER', BAPIMEPOTEXTHEADER),
    table('RETURN', BAPIRET2),
  ],
};

export const BAPI_PO_CHANGE: RfcFunction = {
  name: 'BAPI_PO_CHANGE',
  parameters: [
    importing('PURCHASEORDER', char(10)),
    importing('POHEADER', BAPIMEPOHEADER),
    importing('POHEADERX', BAPIMEPOHEADERX),
    importing('TESTRUN', flag),
    exporting('EXPHEADER', BAPIMEPOHEADER),
    table('POTEXTHEADER', BAPIMEPOTEXTHEADER),
    table('RETURN', BAPIRET2),
  ],
};

export const BAPI_TRANSACTION_COMMIT: RfcFunction = {
  name: 'BAPI_TRANSACTION_COMMIT',
  parameters: [importing('WAIT', flag), exporting('RETURN', BAPIRET2)],
};

export const BAPI_TRANSACTION_ROLLBACK: RfcFunction = {
  name: 'BAPI_TRANSACTION_ROLLBACK',
  parameters: [exporting('RETURN', BAPIRET2)],
};

/** SAP's generic table reader (function group SDTX), here for the vendor view and EKET. */
export const RFC_READ_TABLE: RfcFunction = {
  name: 'RFC_READ_TABLE',
  parameters: [
    importing('QUERY_TABLE', char(30)),
    importing('DELIMITER', flag),
    importing('NO_DATA', flag),
    importing('ROWSKIPS', int4),
    importing('ROWCOUNT', int4),
    table('OPTIONS', RFC_DB_OPT),
    table('FIELDS', RFC_DB_FLD),
    table('DATA', TAB512),
  ],
};

/** SAPscript texts for many keys in one call (the header notes, text F01 of object EKKO). */
export const RFC_READ_TEXT: RfcFunction = {
  name: 'RFC_READ_TEXT',
  parameters: [table('TEXT_LINES', TEXT_LINES)],
};

/** Every function module the personality serves, in the order its WSDL lists them. */
export const SAP_FUNCTIONS: readonly RfcFunction[] = [
  BAPI_PO_GETITEMS,
  BAPI_PO_GETDETAIL1,
  BAPI_PO_CHANGE,
  BAPI_TRANSACTION_COMMIT,
  BAPI_TRANSACTION_ROLLBACK,
  RFC_READ_TABLE,
  RFC_READ_TEXT,
];

/** Whether a parameter's type is a structure (rather than a single field). */
export function isStructure(type: AbapType | AbapStructure): type is AbapStructure {
  return 'fields' in type;
}
