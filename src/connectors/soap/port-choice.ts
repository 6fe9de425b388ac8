import type { SoapVersion, WsdlScan } from './wsdl-scan.ts';

/**
 * Which port calls go to. Decided from erpbridge's own scan of the documents, before node-soap
 * loads them, because the SOAP version of the port decides how node-soap must build envelopes.
 */
export interface PortChoice {
  service: string;
  port: string;
  binding: string;
  soapVersion: SoapVersion;
  address: string | undefined;
  /** The operations of its port type, in document order. */
  operations: readonly string[];
}

/**
 * The chosen port, or why there is none.
 *
 * - `wrong`: the configuration names a service or port the WSDL does not have with operations:
 *   a configuration error, reported at connect;
 * - `none`: no port with a SOAP binding and operations (an abstract WSDL): describe works, calls fail;
 * - `ambiguous`: several ports qualify and the configuration names none: calls fail until it does.
 */
export type PortResolution =
  | { kind: 'chosen'; choice: PortChoice }
  | { kind: 'wrong' | 'none' | 'ambiguous'; reason: string };

/** Every port with a SOAP binding and operations, in document order: what a client can call. Pure. */
export function callablePorts(scans: readonly WsdlScan[]): PortChoice[] {
  const bindings = new Map(scans.flatMap((scan) => scan.bindings).map((binding) => [binding.name, binding]));
  const operations = new Map(
    scans.flatMap((scan) => scan.portTypes).map((portType) => [portType.name, portType.operations]),
  );
  const callable: PortChoice[] = [];
  for (const port of scans.flatMap((scan) => scan.ports)) {
    const binding = bindings.get(port.binding);
    const offered = binding === undefined ? undefined : operations.get(binding.portType);
    if (binding?.soapVersion === undefined || offered === undefined || offered.length === 0) continue;
    callable.push({
      service: port.service,
      port: port.port,
      binding: binding.name,
      soapVersion: binding.soapVersion,
      address: port.address,
      operations: offered,
    });
  }
  return callable;
}

/** Chooses a port. Pure. */
export function choosePort(
  scans: readonly WsdlScan[],
  wanted: { service?: string | undefined; port?: string | undefined },
): PortResolution {
  const callable = callablePorts(scans);
  const names = callable.map((choice) => `${choice.service}/${choice.port}`).join(', ');
  const matching = callable.filter(
    (choice) =>
      (wanted.service === undefined || choice.service === wanted.service) &&
      (wanted.port === undefined || choice.port === wanted.port),
  );
  const asked = [wanted.service && `service ${wanted.service}`, wanted.port && `port ${wanted.port}`]
    .filter(Boolean)
    .join(', ');
  const [only] = matching;
  if (matching.length === 1 && only !== undefined) return { kind: 'chosen', choice: only };
  if (callable.length === 0) {
    return {
      kind: 'none',
      reason: 'the WSDL has no port with a SOAP binding and operations (it is abstract)',
    };
  }
  if (matching.length === 0) {
    return {
      kind: 'wrong',
      reason: `the WSDL has no ${asked} with a SOAP binding and operations; it has ${names}`,
    };
  }
  return {
    kind: 'ambiguous',
    reason: `the WSDL has several ports with operations (${names}); name one with service and port`,
  };
}
