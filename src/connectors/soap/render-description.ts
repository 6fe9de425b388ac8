import type {
  SoapDescription,
  SoapField,
  SoapMessageDescription,
  SoapOperationDescription,
} from './soap-description.ts';

/**
 * A SOAP description as text, for `erpbridge connectors describe <name>`: services, ports,
 * operations, and the fields of each input and output as an indented tree.
 *
 *   service RoutingService
 *     port BasicHttpBinding_TEC_STG_PurchOrderService: SOAP 1.1, address http://…/xppservice.svc
 *       operation read  (SOAPAction http://tempuri.org/TEC_STG_PurchOrderService/read)
 *         input TEC_STG_PurchOrderServiceReadRequest
 *           EntityKeyList
 *             EntityKey[]
 *               …
 */

export interface RenderDescriptionOptions {
  /** Only this operation (in every port that has it). */
  operation?: string;
  /** Field levels shown below each message; deeper levels are summarised. Default: all. */
  maxDepth?: number;
}

/** Allowed values shown before "… n more". */
const SHOWN_VALUES = 8;

/** The description as lines of text (no trailing newline). Pure. */
export function renderDescription(
  description: SoapDescription,
  options: RenderDescriptionOptions = {},
): string {
  const lines: string[] = [];
  const count = description.documents.length;
  lines.push(`WSDL ${description.wsdl} (${count} document${count === 1 ? '' : 's'})`);
  const wanted = (operation: SoapOperationDescription) =>
    options.operation === undefined || operation.name === options.operation;
  for (const service of description.services) {
    lines.push(`service ${service.name}`);
    for (const port of service.ports) {
      const address = port.address === undefined ? '' : `, address ${port.address}`;
      const none = port.operations.length === 0 ? ', no operations' : '';
      lines.push(`  port ${port.name}: SOAP ${port.soapVersion}, binding ${port.binding}${address}${none}`);
      for (const operation of port.operations.filter(wanted))
        renderOperation(lines, operation, '    ', options);
    }
  }
  for (const portType of description.abstractPortTypes) {
    const jca =
      description.jcaBinding === undefined
        ? ''
        : ` (Oracle SOA binds it to the JCA adapter ${description.jcaBinding})`;
    lines.push(`abstract port type ${portType.name}: no SOAP binding${jca}; described, not callable`);
    for (const operation of portType.operations.filter(wanted))
      renderOperation(lines, operation, '  ', options);
  }
  if (description.services.length === 0 && description.abstractPortTypes.length === 0) {
    lines.push('no services and no port types');
  }
  return lines.join('\n');
}

function renderOperation(
  lines: string[],
  operation: SoapOperationDescription,
  indent: string,
  options: RenderDescriptionOptions,
): void {
  const action = operation.soapAction === undefined ? '' : `  (SOAPAction ${operation.soapAction})`;
  lines.push(`${indent}operation ${operation.name}${action}`);
  renderMessage(lines, 'input', operation.input, `${indent}  `, options);
  renderMessage(lines, 'output', operation.output, `${indent}  `, options);
}

function renderMessage(
  lines: string[],
  label: 'input' | 'output',
  message: SoapMessageDescription | null,
  indent: string,
  options: RenderDescriptionOptions,
): void {
  if (message === null) {
    lines.push(`${indent}${label}: none${label === 'output' ? ' (one-way)' : ''}`);
    return;
  }
  lines.push(`${indent}${label} ${message.element}${message.type === undefined ? '' : `: ${message.type}`}`);
  renderFields(lines, message.fields, `${indent}  `, options.maxDepth ?? Number.POSITIVE_INFINITY);
}

function renderFields(
  lines: string[],
  fields: readonly SoapField[],
  indent: string,
  depthLeft: number,
): void {
  if (fields.length === 0) return;
  if (depthLeft <= 0) {
    lines.push(`${indent}… ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    return;
  }
  for (const field of fields) {
    const name = `${field.name}${field.repeated ? '[]' : ''}`;
    switch (field.kind) {
      case 'simple':
        lines.push(`${indent}${name}: ${field.type}${simpleDetails(field)}`);
        break;
      case 'untyped':
        lines.push(`${indent}${name}: ? (a union, xs:any or an empty type: no shape given)`);
        break;
      case 'complex': {
        const attributes = field.attributes.map(
          (attribute) => ` @${attribute.name}${attribute.type ? `: ${attribute.type}` : ''}`,
        );
        lines.push(
          `${indent}${name}${attributes.join('')}${field.recursive ? ' (recursive: as above)' : ''}`,
        );
        renderFields(lines, field.fields, `${indent}  `, depthLeft - 1);
        break;
      }
    }
  }
}

function simpleDetails(field: Extract<SoapField, { kind: 'simple' }>): string {
  const parts: string[] = [];
  if (field.base !== undefined) parts.push(field.base);
  if (field.enumeration.length > 0) {
    const shown = field.enumeration.slice(0, SHOWN_VALUES).join(', ');
    const more = field.enumeration.length - SHOWN_VALUES;
    parts.push(`one of ${shown}${more > 0 ? `, … ${more} more` : ''}`);
  }
  if (field.facets.length > 0) parts.push(field.facets.join(', '));
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}
