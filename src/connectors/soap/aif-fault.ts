import { childAt, childNamed, childrenNamed, textOf, type XmlValue } from '../../xml/index.ts';

/**
 * Dynamics AX 2012 AIF faults. AX answers a refused document service call with a SOAP fault whose
 * faultstring is the same for every failure ("Request Failed. See the Exception Log for
 * details."); what went wrong is in the detail, as the schema of the AIF fault contract
 * (`http://schemas.microsoft.com/dynamics/2008/01/documents/Fault`) has it:
 *
 *   <AifFault>
 *     <FaultMessageListArray><FaultMessageList>…<FaultMessageArray><FaultMessage><Code/><Message/>…
 *     <InfologMessageList><InfologMessage><InfologMessageType>Error</InfologMessageType><Message>…
 *     <StackTrace/><XppExceptionType/>
 *   </AifFault>
 *
 * `InfologMessage` is in the datacontract namespace `…/Microsoft.Dynamics.AX.Framework.Services`;
 * parsed with prefixes stripped, both read the same.
 */

/** One line of the AX infolog, as the AOS wrote it. */
export interface InfologMessage {
  /** `Info`, `Warning` or `Error`. */
  type: string;
  message: string;
}

/** One AIF fault message (document validation), with the field it names when AX says. */
export interface AifFaultMessage {
  code: string;
  message: string;
  field: string | undefined;
  xpath: string | undefined;
}

export interface AifFault {
  infolog: InfologMessage[];
  faultMessages: AifFaultMessage[];
  /** `XppExceptionType`, as sent (an X++ Exception enum value). */
  exceptionType: string | undefined;
}

/** The AifFault in a fault's detail element, if there is one. Pure. */
export function aifFaultOf(detail: XmlValue | undefined): AifFault | undefined {
  const fault = childNamed(detail, 'AifFault');
  if (fault === undefined) return undefined;
  const infolog = childrenNamed(childNamed(fault, 'InfologMessageList'), 'InfologMessage').map((entry) => ({
    type: textOf(childNamed(entry, 'InfologMessageType')) ?? '',
    message: textOf(childNamed(entry, 'Message')) ?? '',
  }));
  const faultMessages = childrenNamed(childNamed(fault, 'FaultMessageListArray'), 'FaultMessageList').flatMap(
    (list) =>
      childrenNamed(childAt(list, 'FaultMessageArray'), 'FaultMessage').map((entry) => ({
        code: textOf(childNamed(entry, 'Code')) ?? '',
        message: textOf(childNamed(entry, 'Message')) ?? '',
        field: nonEmpty(textOf(childNamed(list, 'Field'))),
        xpath: nonEmpty(textOf(childNamed(list, 'XPath'))),
      })),
  );
  return { infolog, faultMessages, exceptionType: nonEmpty(textOf(childNamed(fault, 'XppExceptionType'))) };
}

/**
 * What AX said, in one line: the infolog messages joined with "; " (each trimmed; AX indents
 * nested infolog lines with tabs), else the fault messages; undefined when the AifFault is empty.
 */
export function aifMessage(fault: AifFault): string | undefined {
  const infolog = fault.infolog.map((entry) => entry.message.trim()).filter((message) => message !== '');
  if (infolog.length > 0) return infolog.join('; ');
  const messages = fault.faultMessages
    .map((entry) => entry.message.trim())
    .filter((message) => message !== '');
  return messages.length > 0 ? messages.join('; ') : undefined;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
