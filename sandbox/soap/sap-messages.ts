/**
 * The messages BAPIs return in their RETURN table: business errors are rows of type E, never SOAP
 * faults, as SAP does it. Message classes and numbers are SAP's own where SAP has the message
 * (06 = purchasing documents, ME = purchasing); `ZMM` is the class of this system's customer
 * checks (a BAdI ME_PROCESS_PO_CUST implementation, the way SAP customers add rules of their own).
 */
import type { StructureValues } from './sap-rfc-xml.ts';

/** The logical system the sandbox's messages come from (`<SID>CLNT<client>`). */
export const SAP_LOGICAL_SYSTEM = 'ERPCLNT100';

/** The user the sandbox's RFC sessions run as; it is who holds a lock (no logon here). */
export const SAP_RFC_USER = 'RFC_ERPBR';

/** A BAPI message: type S (success), E (error), W (warning), I (info), A (abort). */
export interface SapMessage {
  type: 'S' | 'E' | 'W' | 'I' | 'A';
  id: string;
  number: string;
  message: string;
  variables?: readonly string[];
  parameter?: string;
  field?: string;
}

/** A PO number as SAP prints it in a message: without the leading zeros (conversion exit ALPHA). */
export function externalPoNumber(poNumber: string): string {
  return poNumber.replace(/^0+(?=\d)/, '');
}

/** A message as a BAPIRET2 row. */
export function bapiret2(message: SapMessage): StructureValues {
  const variables = message.variables ?? [];
  return {
    TYPE: message.type,
    ID: message.id,
    NUMBER: message.number,
    MESSAGE: message.message,
    MESSAGE_V1: variables[0],
    MESSAGE_V2: variables[1],
    MESSAGE_V3: variables[2],
    MESSAGE_V4: variables[3],
    PARAMETER: message.parameter,
    FIELD: message.field,
    SYSTEM: SAP_LOGICAL_SYSTEM,
  };
}

/** A message as a BAPIRETURN row (older BAPIs such as BAPI_PO_GETITEMS): class and number in CODE. */
export function bapireturn(message: SapMessage): StructureValues {
  const variables = message.variables ?? [];
  return {
    TYPE: message.type,
    CODE: `${message.id}${message.number}`.slice(0, 5),
    MESSAGE: message.message,
    MESSAGE_V1: variables[0],
    MESSAGE_V2: variables[1],
    MESSAGE_V3: variables[2],
    MESSAGE_V4: variables[3],
  };
}

/** The messages the personality returns. */
export const sapMessages = {
  /** 06 019 "Document & does not exist". */
  documentMissing(poNumber: string): SapMessage {
    const shown = externalPoNumber(poNumber);
    return {
      type: 'E',
      id: '06',
      number: '019',
      message: `Document ${shown} does not exist`,
      variables: [shown],
      parameter: 'PURCHASEORDER',
    };
  },
  /** 06 020: a cancelled (deleted) order cannot be changed. */
  documentDeleted(poNumber: string): SapMessage {
    return {
      type: 'E',
      id: '06',
      number: '020',
      message: 'The document has already been deleted and cannot be changed',
      variables: [externalPoNumber(poNumber)],
    };
  },
  /** 06 022 "No data changed". */
  noDataChanged(): SapMessage {
    return { type: 'W', id: '06', number: '022', message: 'No data changed' };
  },
  /** 06 023 "& & changed": `Standard PO 45000123 changed`. */
  changed(poNumber: string): SapMessage {
    const shown = externalPoNumber(poNumber);
    return {
      type: 'S',
      id: '06',
      number: '023',
      message: `Standard PO ${shown} changed`,
      variables: ['Standard PO', shown],
    };
  },
  /** ME 006 "User & already processing & &": another session holds the order's lock. */
  lockedByOtherSession(poNumber: string): SapMessage {
    const shown = externalPoNumber(poNumber);
    return {
      type: 'E',
      id: 'ME',
      number: '006',
      message: `User ${SAP_RFC_USER} already processing Purchase order ${shown}`,
      variables: [SAP_RFC_USER, 'Purchase order', shown],
    };
  },
  /** ZMM 001: the order changed since this session read it (the customer check's optimistic lock). */
  changedSinceRead(poNumber: string): SapMessage {
    const shown = externalPoNumber(poNumber);
    return {
      type: 'E',
      id: 'ZMM',
      number: '001',
      message: `Purchase order ${shown} was changed by another user since you read it; read it again`,
      variables: [shown],
    };
  },
  /** ZMM 002: a field this system does not let interfaces change. */
  fieldNotChangeable(parameter: string, field: string): SapMessage {
    return {
      type: 'E',
      id: 'ZMM',
      number: '002',
      message: `Field ${parameter}-${field} cannot be changed by an interface (only POHEADER-OUR_REF and header text F01)`,
      variables: [parameter, field],
      parameter,
      field,
    };
  },
  /** ZMM 003: OUR_REF holds the priority, 1 to 4. */
  invalidPriority(value: string): SapMessage {
    return {
      type: 'E',
      id: 'ZMM',
      number: '003',
      message: `Priority "${value}" in OUR_REF is not valid; use 1 (urgent), 2 (high), 3 (normal) or 4 (low)`,
      variables: [value],
      parameter: 'POHEADER',
      field: 'OUR_REF',
    };
  },
  /** ZMM 004: header text F01 (the buyer's note) holds at most 60 characters here. */
  headerTextTooLong(length: number): SapMessage {
    return {
      type: 'E',
      id: 'ZMM',
      number: '004',
      message: `Header text F01 may hold at most 60 characters; it has ${length}`,
      variables: [String(length)],
      parameter: 'POTEXTHEADER',
      field: 'TEXT_LINE',
    };
  },
  /** ZMM 005: a selection parameter of the sandbox's paging extension is not usable. */
  invalidSelection(parameter: string, value: string): SapMessage {
    return {
      type: 'E',
      id: 'ZMM',
      number: '005',
      message: `Selection ${parameter} "${value}" is not valid`,
      variables: [parameter, value],
      parameter,
    };
  },
} as const;
