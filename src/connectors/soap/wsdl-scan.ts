import { type ScannedElement, scanElements } from '../../xml/index.ts';

/**
 * What erpbridge reads out of one WSDL or XSD document itself, before node-soap sees it: the
 * locations it imports (so each can be vetted), and the bindings, ports and port types (so the
 * SOAP version of a port and the abstract port types are known — node-soap keeps neither).
 */

export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
export const SOAP11_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
export const SOAP12_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/';

export type SoapVersion = '1.1' | '1.2';

/** An import, include or redefine, with the location as written and the line it is on. */
export interface WsdlImport {
  location: string;
  line: number | undefined;
}

export interface WsdlBinding {
  name: string;
  /** Local name of the port type it binds. */
  portType: string;
  /** SOAP version of its soap:binding / soap12:binding; undefined for an HTTP or other binding. */
  soapVersion: SoapVersion | undefined;
}

export interface WsdlPort {
  service: string;
  port: string;
  /** Local name of the binding. */
  binding: string;
  /** The soap:address location, if any. */
  address: string | undefined;
}

export interface WsdlPortType {
  name: string;
  operations: string[];
}

/** The scan of one document. */
export interface WsdlScan {
  imports: WsdlImport[];
  bindings: WsdlBinding[];
  ports: WsdlPort[];
  portTypes: WsdlPortType[];
  /** The adapter file of an Oracle SOA `<?binding.jca …?>` processing instruction, when present. */
  jcaBinding: string | undefined;
}

/** Local names of the elements that pull in another document, in WSDL and XSD alike. */
const IMPORTING = new Set(['import', 'include', 'redefine']);

/**
 * Scans one document in a single pass over its start tags (no tree: a Dynamics AX shared-types XSD
 * is over 1 MB). Every element named import, include or redefine that carries a `schemaLocation`
 * or `location` counts, whatever its namespace: node-soap follows them by local name, so vetting a
 * superset is the safe side. Imports inside comments are not imports.
 *
 * @throws XmlError for a DOCTYPE, a malformed document or one over `maxBytes` (with the line).
 */
export function scanWsdlDocument(text: string, source: string, maxBytes: number): WsdlScan {
  const scan: WsdlScan = {
    imports: [],
    bindings: [],
    ports: [],
    portTypes: [],
    jcaBinding: /^\s*(?:<\?xml[^>]*\?>\s*)?<\?binding\.jca\s+([^?\s]+)/.exec(text)?.[1],
  };
  const bindings = new Map<ScannedElement, WsdlBinding>();
  const ports = new Map<ScannedElement, WsdlPort>();
  const portTypes = new Map<ScannedElement, WsdlPortType>();
  scanElements(
    text,
    (element, ancestors) => {
      const parent = ancestors.at(-1);
      const { localName, attributes } = element;
      if (IMPORTING.has(localName)) {
        const location = attributes.schemaLocation ?? attributes.location;
        if (location !== undefined) scan.imports.push({ location, line: element.line });
      }
      if (element.namespace === WSDL_NS) {
        if (localName === 'binding') {
          const binding = {
            name: attributes.name ?? '',
            portType: element.resolve(attributes.type ?? '').localName,
            soapVersion: undefined,
          };
          bindings.set(element, binding);
          scan.bindings.push(binding);
        } else if (localName === 'port' && parent?.localName === 'service' && parent.namespace === WSDL_NS) {
          const port = {
            service: parent.attributes.name ?? '',
            port: attributes.name ?? '',
            binding: element.resolve(attributes.binding ?? '').localName,
            address: undefined,
          };
          ports.set(element, port);
          scan.ports.push(port);
        } else if (localName === 'portType') {
          const portType = { name: attributes.name ?? '', operations: [] };
          portTypes.set(element, portType);
          scan.portTypes.push(portType);
        } else if (localName === 'operation' && parent !== undefined) {
          portTypes.get(parent)?.operations.push(attributes.name ?? '');
        }
      } else if (parent !== undefined) {
        const binding = bindings.get(parent);
        if (binding !== undefined && localName === 'binding' && element.namespace === SOAP11_BINDING_NS)
          binding.soapVersion = '1.1';
        if (binding !== undefined && localName === 'binding' && element.namespace === SOAP12_BINDING_NS)
          binding.soapVersion = '1.2';
        const port = ports.get(parent);
        if (port !== undefined && localName === 'address') port.address = attributes.location;
      }
    },
    { source, maxBytes },
  );
  return scan;
}
