import { padWithZeros, stripLeadingZeros, trimPadded } from '../legacy-formats.ts';
import { tableSupplierMapping } from '../table-supplier-mapping.ts';

/**
 * SAP vendors: LFA1 (name, country) with LFM1's planned delivery time PLIFZ (days) for the
 * purchasing organisation, and the on-time percentage from the customer table ZMM_VEND_OTD.
 */
export const sapEccTablesSupplierMapping = tableSupplierMapping({
  profile: 'sap-ecc-tables',
  reads: 'SAP tables',
  id: ['LIFNR', stripLeadingZeros],
  name: 'NAME1',
  country: ['LAND1', trimPadded],
  leadTimeDays: 'PLIFZ',
  onTimePercent: 'OTDPCT',
  toVendorKey: (id) => padWithZeros(id, 10),
});
