import { readText } from '../../connectors/sql/column-values.ts';
import { tableSupplierMapping } from '../table-supplier-mapping.ts';

/**
 * EBS suppliers: AP_SUPPLIERS (number SEGMENT1, VENDOR_NAME) with the purchasing site's COUNTRY;
 * lead time and on-time percentage are the supplier flexfield segments ATTRIBUTE1 and ATTRIBUTE2.
 */
export const oracleEbsTablesSupplierMapping = tableSupplierMapping({
  profile: 'oracle-ebs-tables',
  reads: 'EBS tables',
  id: ['SEGMENT1', readText],
  name: 'VENDOR_NAME',
  country: ['COUNTRY', readText],
  leadTimeDays: 'ATTRIBUTE1',
  onTimePercent: 'ATTRIBUTE2',
});
