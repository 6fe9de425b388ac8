/**
 * A SAP IDoc as erpbridge reads and writes it: the EDI_DC40 control record (who sent what to whom,
 * IDoc and message type) and the data segments as a tree (`E1EDP01` holds its `E1EDP20`…).
 * Field values are text exactly as SAP wrote them (`0000000000146002`, `1.000`).
 */

/** A data segment: its type (`E1EDK01`), its fields in order, and its child segments. */
export interface IdocSegment {
  name: string;
  fields: Record<string, string>;
  children: IdocSegment[];
}

/** One IDoc (one `<IDOC>` element of an IDoc XML file). */
export interface Idoc {
  /** The basic type: EDI_DC40-IDOCTYP (`ORDERS05`), else the file's root element. */
  idocType: string;
  /** EDI_DC40-MESTYP (`ORDERS`, `INVOIC`). */
  messageType: string;
  /** The EDI_DC40 fields, in order. */
  control: Record<string, string>;
  segments: IdocSegment[];
  /** The line of its `<IDOC>` in the file (0 for one built in code). */
  line: number;
}
