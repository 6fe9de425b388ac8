import { readText } from '../../connectors/sql/column-values.ts';
import { stripLeadingZeros } from '../legacy-formats.ts';
import { tableSupplierMapping } from '../table-supplier-mapping.ts';

/** The VENDOR table: name, country, lead days and on-time percentage. */
export const legacySqlServerSupplierMapping = tableSupplierMapping({
  profile: 'legacy-sqlserver',
  reads: 'the tables',
  id: ['VENDOR_ID', stripLeadingZeros],
  name: 'VENDOR_NAME',
  country: ['COUNTRY', readText],
  leadTimeDays: 'LEAD_DAYS',
  onTimePercent: 'ONTIME_PCT',
});
