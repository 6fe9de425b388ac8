import { createHash } from 'node:crypto';
import type { VendorRecord } from '../../connectors/contract.ts';
import { type RfcRow, rfcParameter, rfcStructure, rfcTable } from './rfc-values.ts';

/** The entity name purchase orders go by in the sap-ecc binding and profile (SAP's BOR object BUS2012). */
export const PURCHASE_ORDER_ENTITY = 'PurchaseOrder';

/**
 * A purchase order as BAPI_PO_GETDETAIL1 (with `HEADER_TEXT = X`) returns it: the record's `data`
 * in the sap-ecc profile, keyed by SAP's parameter names so a person can hold it against SE37.
 */
export interface PurchaseOrderDetail {
  POHEADER: RfcRow;
  POITEM: RfcRow[];
  POSCHEDULE: RfcRow[];
  POTEXTHEADER: RfcRow[];
}

/**
 * The version of an order: a digest of everything GETDETAIL1 says about it. SAP has no ETag and
 * its PO header no change timestamp (EKKO keeps only the creation date; EKPO-AEDAT is a date, and
 * only on items), so the version is the content itself — any change to any field the profile
 * reads, by anyone, gives another version. The same order read twice gives the same version.
 */
export function detailVersion(detail: PurchaseOrderDetail): string {
  return createHash('sha256').update(JSON.stringify(detail)).digest('hex').slice(0, 32);
}

/** The detail parameters of a GETDETAIL1 answer (whose RETURN was checked). Pure. */
export function purchaseOrderDetail(result: unknown): PurchaseOrderDetail {
  return {
    POHEADER: rfcStructure(rfcParameter(result, 'POHEADER')),
    POITEM: rfcTable(rfcParameter(result, 'POITEM')),
    POSCHEDULE: rfcTable(rfcParameter(result, 'POSCHEDULE')),
    POTEXTHEADER: rfcTable(rfcParameter(result, 'POTEXTHEADER')),
  };
}

/** The vendor record of a GETDETAIL1 answer, keyed by its PO number, versioned by its content. Pure. */
export function purchaseOrderRecord(key: string, result: unknown): VendorRecord {
  const detail = purchaseOrderDetail(result);
  return { key, version: detailVersion(detail), data: { ...detail } };
}
