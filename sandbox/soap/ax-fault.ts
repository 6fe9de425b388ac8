/**
 * AIF faults as AX 2012 sends them through WCF: faultcode `s:Client`, the generic faultstring
 * "Request Failed. See the Exception Log for details.", and the detail an `AifFault` whose
 * InfologMessageList carries what the infolog said (the message a person in AX would have seen)
 * and whose FaultMessageListArray names the service, operation and document.
 */
import { type SoapFault, soapFault } from './soap-envelope.ts';
import { XSI_NAMESPACE } from './xml-document.ts';
import { element, type Markup } from './xml-writer.ts';

export const AIF_FAULT_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2008/01/documents/Fault';
export const AX_FRAMEWORK_NAMESPACE =
  'http://schemas.datacontract.org/2004/07/Microsoft.Dynamics.AX.Framework.Services';

/** X++ exception type `Error` (the enum's value 3), which AIF reports for business errors. */
const XPP_EXCEPTION_ERROR = 3;

/** The faultstring every AIF fault carries; the real reason is in the detail. */
export const AIF_FAULT_STRING = 'Request Failed. See the Exception Log for details.';

/** Where a fault arose, for its FaultMessageList. */
export interface AifFaultContext {
  service: string;
  operation: string;
  document: string;
}

/** An AifFault with one infolog error per message (the last one is what AX shows first). */
export function aifFault(messages: readonly string[], context: AifFaultContext): SoapFault {
  const nil = { 'i:nil': 'true' };
  const infolog = messages.map((message) =>
    element('a:InfologMessage', [element('a:InfologMessageType', 'Error'), element('a:Message', message)]),
  );
  const faultMessages = element('FaultMessageListArray', [
    element('FaultMessageList', [
      element('Document', context.document),
      element('DocumentOperation', context.operation),
      element(
        'FaultMessageArray',
        messages.map((message) =>
          element('FaultMessage', [element('Code', 'Error'), element('Message', message)]),
        ),
      ),
      element('Field', null, nil),
      element('Service', context.service),
      element('ServiceOperation', context.operation),
      element('ServiceOperationParameter', null, nil),
      element('XPath', null, nil),
      element('XmlLine', null, nil),
      element('XmlPosition', null, nil),
    ]),
  ]);
  const detail: Markup = element(
    'AifFault',
    [
      element('CustomDetailXml', null, nil),
      faultMessages,
      element('InfologMessageList', infolog, { 'xmlns:a': AX_FRAMEWORK_NAMESPACE }),
      element('StackTrace', null, nil),
      element('XppExceptionType', XPP_EXCEPTION_ERROR),
    ],
    { xmlns: AIF_FAULT_NAMESPACE, 'xmlns:i': XSI_NAMESPACE },
  );
  return soapFault('Client', AIF_FAULT_STRING, detail);
}

/** AX's message when a record changed since it was read (RecVersion or _DocumentHash differ). */
export const UPDATE_CONFLICT_MESSAGE =
  'Cannot edit a record in Purchase orders (PurchTable). The values displayed in the form are not current, ' +
  'so an update or deletion cannot be made. To view the current values, on the Command menu, click Restore or press CTRL+F5.';
