import { connectSoap, type SoapClient, SoapConnectionConfig } from '../../connectors/soap/index.ts';
import { ErpError } from '../../errors/index.ts';

/**
 * A SOAP client per function module — a workaround, to be removed when the SOAP client can call
 * an operation on any port of its WSDL.
 *
 * SAP's RFC-SOAP WSDL (`/sap/bc/soap/wsdl11?services=A,B,…`, and the sandbox's) publishes every
 * function module on a service and port of its own, all with the same address. A `SoapClient`
 * calls the operations of one port. So the binding uses the connector's client for the functions
 * on its port and opens, for each other function, a client on the same WSDL and endpoint with that
 * function's `service` and `port`. Those siblings carry only `wsdl` and `endpoint`: not the
 * connection's auth, headers, timeouts or TLS options, which the binding cannot see (fine for the
 * sandbox; a real SAP needs the client fix). They open in the background when the binding opens;
 * calls wait for them, but rendering is synchronous and can only use a sibling that is open.
 */
export interface RfcFunctionClients {
  /** The client that calls `fn`, once open. @throws ErpError when the WSDL does not publish `fn`. */
  client(fn: string): Promise<SoapClient>;
  /** The client that calls `fn` if it is open now; undefined while it is still opening (or failed). */
  openClient(fn: string): SoapClient | undefined;
  /** Closes the siblings (not the connector's client). */
  close(): Promise<void>;
}

interface Entry {
  promise: Promise<SoapClient>;
  open: SoapClient | undefined;
  sibling: boolean;
}

/** Starts opening a client for every function in `functions` that the connector's client cannot call. */
export function rfcFunctionClients(
  client: SoapClient,
  functions: readonly string[],
  connector: string,
): RfcFunctionClients {
  const own = new Set(client.operations());
  const entries = new Map<string, Entry>();
  for (const fn of functions) {
    if (own.has(fn)) {
      entries.set(fn, { promise: Promise.resolve(client), open: client, sibling: false });
      continue;
    }
    const entry: Entry = { promise: openSibling(client, fn, connector), open: undefined, sibling: true };
    // The failure reaches whoever calls `client(fn)`; this handler only records success.
    entry.promise.then(
      (opened) => {
        entry.open = opened;
      },
      () => undefined,
    );
    entries.set(fn, entry);
  }
  const entryFor = (fn: string): Entry => {
    const entry = entries.get(fn);
    if (entry === undefined) throw new Error(`function module ${fn} was not declared to rfcFunctionClients`);
    return entry;
  };
  return {
    client: (fn) => entryFor(fn).promise,
    openClient: (fn) => entryFor(fn).open,
    async close() {
      const siblings = await Promise.allSettled(
        [...entries.values()].filter((entry) => entry.sibling).map((entry) => entry.promise),
      );
      await Promise.all(
        siblings.flatMap((settled) => (settled.status === 'fulfilled' ? [settled.value.close()] : [])),
      );
    },
  };
}

async function openSibling(client: SoapClient, fn: string, connector: string): Promise<SoapClient> {
  const description = client.describe();
  const found = description.services.flatMap((service) =>
    service.ports
      .filter((port) => port.operations.some((operation) => operation.name === fn))
      .map((port) => ({ service: service.name, port: port.name })),
  );
  const [place] = found;
  if (place === undefined) {
    throw new ErpError(
      'permanent',
      `the WSDL ${description.wsdl} does not publish the function module ${fn}`,
      {
        connector,
        hint: `add ${fn} to the WSDL's services (…/sap/bc/soap/wsdl11?services=…,${fn}&sap-client=…)`,
      },
    );
  }
  if (client.endpoint === undefined) {
    throw new ErpError('permanent', `cannot call ${fn}: the connector names no endpoint`, {
      connector,
      hint: `set connectors.${connector}.endpoint to the RFC-SOAP address, e.g. https://sap:8000/sap/bc/soap/rfc?sap-client=100`,
    });
  }
  const config = SoapConnectionConfig.parse({
    wsdl: description.wsdl,
    endpoint: client.endpoint,
    service: place.service,
    port: place.port,
  });
  return connectSoap(config, { name: connector });
}
