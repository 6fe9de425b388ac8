/**
 * oracle-ebs, writing: the PL/SQL API `XX_PO_HEADER_PUB.UPDATE_PO_HEADER` published through the
 * Integrated SOA Gateway at `/webservices/SOAProvider/plsql/xx_po_header_pub/` — a customer
 * package, the usual way EBS sites expose a narrow update. It takes P_PO_HEADER_ID, the
 * P_LAST_UPDATE_DATE the caller read (optimistic locking, as Oracle Forms and OAF lock by
 * LAST_UPDATE_DATE) and the columns to change: P_ATTRIBUTE1 (the priority) and P_NOTE_TO_VENDOR.
 * Business errors come back as X_RETURN_STATUS 'E' with X_MSG_DATA, the FND API convention; a
 * stale LAST_UPDATE_DATE is raised by the package (ORA-20001), which ISG turns into a SOAP fault.
 */
import { PRIORITY_CODES } from '../hidden-rules.ts';
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import { etagOf } from '../record-version.ts';
import { FIELD_WIDTHS } from '../records.ts';
import { poNumberOfHeaderId } from './ebs-mapping.ts';
import { EBS_STYLE } from './ebs-query-service.ts';
import { EBS_UPDATE_PARAMETERS_NAMESPACE, ebsUpdateWsdl } from './ebs-wsdl.ts';
import type { PurchaseOrderSource } from './purchase-order-source.ts';
import { soapFault } from './soap-envelope.ts';
import {
  bodyResult,
  faultResult,
  type SoapOperation,
  type SoapResult,
  type SoapService,
} from './soap-service.ts';
import { childNamed, isNil, XSI_NAMESPACE } from './xml-document.ts';
import { element, type Markup } from './xml-writer.ts';

/** The service's endpoint on the EBS web tier. */
export const EBS_UPDATE_PATH = '/webservices/SOAProvider/plsql/xx_po_header_pub/';

/** What the update service needs. */
export interface EbsUpdateDependencies {
  orders: PurchaseOrderSource;
  patch: (request: PatchRequest) => PatchOutcome;
}

function outputParameters(status: 'S' | 'E', message: string | null, lastUpdateDate: string | null): Markup {
  const nil = { 'xsi:nil': 'true' };
  return element(
    'OutputParameters',
    [
      element('X_RETURN_STATUS', status),
      element('X_MSG_COUNT', message === null ? 0 : 1),
      message === null ? element('X_MSG_DATA', null, nil) : element('X_MSG_DATA', message),
      lastUpdateDate === null
        ? element('X_LAST_UPDATE_DATE', null, nil)
        : element('X_LAST_UPDATE_DATE', lastUpdateDate),
    ],
    { xmlns: EBS_UPDATE_PARAMETERS_NAMESPACE, 'xmlns:xsi': XSI_NAMESPACE },
  );
}

/** Creates the PL/SQL service. */
export function createEbsUpdateService(dependencies: EbsUpdateDependencies): SoapService {
  const { orders, patch } = dependencies;

  const updatePoHeader: SoapOperation = {
    name: 'UPDATE_PO_HEADER',
    kind: 'writes',
    handle({ request }): SoapResult {
      const input = request.body;
      const parameter = (name: string) => childNamed(input, name);
      const error = (message: string, poNumber: string | null = null, lastUpdateDate: string | null = null) =>
        bodyResult(outputParameters('E', message, lastUpdateDate), { poNumber });

      const idText = parameter('P_PO_HEADER_ID')?.text.trim() ?? '';
      const poNumber = /^\d+$/.test(idText) ? poNumberOfHeaderId(Number(idText)) : null;
      const record = poNumber === null ? null : orders.get(poNumber);
      if (poNumber === null || record === null) {
        return error(
          `PO_HEADER_ID ${idText || '(none)'} does not identify a purchase order in this operating unit.`,
        );
      }
      const sentText = parameter('P_LAST_UPDATE_DATE')?.text.trim() ?? '';
      const sent = Date.parse(sentText);
      if (sentText === '' || Number.isNaN(sent)) {
        return error(
          'P_LAST_UPDATE_DATE is required: pass the LAST_UPDATE_DATE you read (optimistic locking).',
          poNumber,
          record.updated_at,
        );
      }
      if (sent !== Date.parse(record.updated_at)) {
        return faultResult(
          soapFault(
            'Server',
            `ORA-20001: PO_HEADERS_ALL row PO_HEADER_ID=${idText} was updated by another user since it was queried ` +
              `(LAST_UPDATE_DATE is ${record.updated_at}, not ${sentText}). Requery the record and try again.\n` +
              'ORA-06512: at "APPS.XX_PO_HEADER_PUB", line 87\nORA-06512: at line 1',
          ),
          poNumber,
        );
      }

      const body: { priority?: string; notes?: string } = {};
      const attribute1 = parameter('P_ATTRIBUTE1');
      if (attribute1 !== null) {
        const value = isNil(attribute1) ? '' : attribute1.text.trim();
        if (!PRIORITY_CODES.some((code) => code === value)) {
          return error(
            `ATTRIBUTE1 (Priority) must be 1 (urgent), 2 (high), 3 (normal) or 4 (low); got "${value}".`,
            poNumber,
            record.updated_at,
          );
        }
        body.priority = value;
      }
      const note = parameter('P_NOTE_TO_VENDOR');
      if (note !== null) {
        const value = isNil(note) ? '' : note.text.trim();
        if (value.length > FIELD_WIDTHS.notes) {
          return error(
            `NOTE_TO_VENDOR holds at most ${FIELD_WIDTHS.notes} characters on this instance; got ${value.length}.`,
            poNumber,
            record.updated_at,
          );
        }
        body.notes = value;
      }
      if (body.priority === undefined && body.notes === undefined) {
        return error(
          'Nothing to update: pass P_ATTRIBUTE1 and/or P_NOTE_TO_VENDOR.',
          poNumber,
          record.updated_at,
        );
      }
      const outcome = patch({ poNumber, body, ifMatch: etagOf(record.updated_at), idempotencyKey: null });
      if (outcome.kind !== 'updated') {
        return error(`The update was refused (${outcome.kind}).`, poNumber, record.updated_at);
      }
      return bodyResult(outputParameters('S', null, outcome.etag.slice(1, -1)), {
        applied: outcome.applied,
        poNumber,
      });
    },
  };

  return {
    name: 'XX_PO_HEADER_PUB',
    path: EBS_UPDATE_PATH,
    style: EBS_STYLE,
    operations: [updatePoHeader.name],
    wsdlPaths: [],
    dispatch(body) {
      if (body.local === 'InputParameters' && body.namespace === EBS_UPDATE_PARAMETERS_NAMESPACE)
        return updatePoHeader;
      return soapFault(
        'Client',
        `No operation takes <${body.local}> in "${body.namespace}"; UPDATE_PO_HEADER takes InputParameters.`,
      );
    },
    wsdl: (baseUrl) => ebsUpdateWsdl(`${baseUrl}${EBS_UPDATE_PATH}`),
    wsdlUrl: (baseUrl) => `${baseUrl}${EBS_UPDATE_PATH}?wsdl`,
  };
}
