import type { Capabilities, Connection, WriteRequest } from '../contract.ts';
import type { SoapClient } from './soap-client.ts';
import type { SoapServiceConfig } from './soap-config.ts';

/**
 * How one ERP product reads and writes its entities over SOAP: which operations a page, a record and
 * a change become (SAP: BAPI_PO_GETITEMS + BAPI_PO_GETDETAIL1, BAPI_PO_CHANGE + commit; Oracle EBS:
 * queryByExample, an update service; Dynamics AX: AIF find/read/update). The generic SOAP client
 * knows operations; a binding knows the ERP. Bindings live with their profiles
 * (`src/profiles/<erp>/soap-binding.ts`) and are listed in `bindings.ts`.
 *
 * A binding's records carry the ERP's own field names and formats; the profile's mapping turns them
 * into canonical entities, exactly as for the REST connector.
 */
export interface SoapBinding {
  /** The name written as `binding:` in erpbridge.yaml, e.g. `sap-ecc`. */
  name: string;
  capabilities: Capabilities;
  /** Opens the binding over a connected client; `options` are the connector's `options:`. */
  open(client: SoapClient, context: SoapBindingContext): SoapEntityAccess;
}

export interface SoapBindingContext {
  /** The connector's name, for messages. */
  connector: string;
  /** The connector's `options:` as written (the binding parses them). */
  options: Readonly<Record<string, unknown>>;
  /** The folder relative paths resolve against: the config file's. */
  baseDir: string;
  /**
   * Opens another service of the ERP on this connector's connection settings (auth, TLS options,
   * headers, bounds; see `SoapServiceConfig`), e.g. Oracle EBS's query service beside its update
   * service. `key` is where the service is configured, for messages: `options.query`. Closed
   * with the connector.
   */
  openService(service: SoapServiceConfig, key: string): Promise<SoapClient>;
}

/** The Connection methods a binding provides; the connector adds `test` and `close`. */
export interface SoapEntityAccess extends Pick<Connection, 'read' | 'get' | 'write'> {
  /** The envelope(s) `write` would send for this request (see `Connection.describeWrite`). */
  describeWrite(request: WriteRequest): string;
  /** Ends the binding's sessions (e.g. SAP's stateful session); the client is closed after. */
  close?(): Promise<void>;
}

/** The context a binding opens with over `client`: its services open on the client's settings. */
export function bindingContext(
  client: SoapClient,
  context: { connector: string; options?: Readonly<Record<string, unknown>>; baseDir?: string },
): SoapBindingContext {
  return {
    connector: context.connector,
    options: context.options ?? {},
    baseDir: context.baseDir ?? process.cwd(),
    openService: (service, key) => client.openService(service, `${context.connector}.${key}`),
  };
}
