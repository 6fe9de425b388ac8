import type { Client, SoapMethod } from 'soap';
import { isSensitiveName } from '../../config/secrets.ts';
import { ConfigError, ErpError } from '../../errors/index.ts';
import { choosePort, type PortChoice, type PortResolution } from './port-choice.ts';
import { redactEnvelope } from './redact-envelope.ts';
import { prepareAuth } from './soap-auth.ts';
import type { SoapConnectionConfig } from './soap-config.ts';
import { type DescriptionInput, describeWsdl, type SoapDescription } from './soap-description.ts';
import { errorForExchange } from './soap-errors.ts';
import { SoapExchange } from './soap-exchange.ts';
import { EXCHANGE, SoapTransport } from './soap-transport.ts';
import type { WsdlDocumentSet } from './wsdl-documents.ts';
import { loadIntoNodeSoap, readWsdlDocuments } from './wsdl-loader.ts';

/**
 * A SOAP client for one ERP service: what ERP profiles (SAP RFC-SOAP, Oracle EBS SOA services,
 * Dynamics AX AIF) build on. `connectSoap` reads and vets the WSDL (no network beyond what the
 * configuration names), `describe` says what the service offers, `renderRequest` shows the envelope a
 * call would send, and `call` sends it, with every failure an ErpError of the right kind.
 *
 * @example
 *   const ax = await connectSoap(SoapConnectionConfig.parse(raw), { name: 'ax', baseDir });
 *   const key = { KeyData: { KeyField: [{ Field: 'PurchId', Value: '000123' }] } };
 *   const { result } = await ax.call('read', { EntityKeyList: { EntityKey: [key] } }, {
 *     soapHeaders: [{ value: { CallContext: { Company: 'dat' } }, prefix: 'ctx', namespace: AX_DATACONTRACTS }],
 *   });
 */

/** A SOAP header block: XML text as it is, or an object node-soap serialises (values escaped). */
export type SoapHeader = string | { value: Record<string, unknown>; prefix?: string; namespace?: string };

export interface SoapCallOptions {
  signal?: AbortSignal;
  /** Bound on this call; default the connection's `timeoutMs`. */
  timeoutMs?: number;
  /** HTTP headers for this call, over the configured `headers`. */
  headers?: Readonly<Record<string, string>>;
  /** SOAP header blocks for this call (Dynamics AX's CallContext, for one). */
  soapHeaders?: readonly SoapHeader[];
}

export interface SoapCallResult {
  /** The output message's content as node-soap reads it (decimals and dates as written); null for a one-way operation. */
  result: unknown;
  /** The answer's text, as received. */
  rawResponse: string;
  /** The envelope sent, with passwords and configured secrets redacted: fit for logs and plans. */
  rawRequest: string;
}

export interface SoapClient {
  /** The connector's name. */
  readonly name: string;
  /** The port calls go to; undefined when the WSDL has none to call or several and none was named. */
  readonly port: PortChoice | undefined;
  /** Where calls go: the `endpoint` option, else the port's soap:address. */
  readonly endpoint: string | undefined;
  /** Services, ports, operations and their input and output shapes. Computed once. */
  describe(): SoapDescription;
  /** The operations of the chosen port; `[]` when there is none. */
  operations(): string[];
  /**
   * Calls `operation` with `args` (the input message's content). Throws ErpError: a SOAP fault is a
   * {@link SoapFaultError} whose message is the ERP's text; HTTP, network and timeout failures
   * have the kinds `errorForExchange` gives. A caller's abort throws the signal's reason.
   */
  call(
    operation: string,
    args: Readonly<Record<string, unknown>>,
    options?: SoapCallOptions,
  ): Promise<SoapCallResult>;
  /** The envelope `call` would send (passwords redacted), without sending anything. */
  renderRequest(
    operation: string,
    args: Readonly<Record<string, unknown>>,
    options?: Pick<SoapCallOptions, 'soapHeaders'>,
  ): string;
  /** Closes the connection's sockets; later calls fail. */
  close(): Promise<void>;
}

export interface ConnectSoapOptions {
  /** The connector's name in erpbridge.yaml, for messages and hints. Default `soap`. */
  name?: string;
  /** Folder relative paths (wsdl, svcmap, importMap, certificates) resolve against; default the working directory. */
  baseDir?: string;
  /** More values to keep out of messages (the config loader's resolved secrets). */
  secrets?: readonly string[];
}

/**
 * Reads and vets the WSDL, loads it into node-soap and returns a client.
 *
 * @throws ConfigError for a refused import, an invalid document or svcmap, an unusable client
 *   certificate, or a `service`/`port` the WSDL does not have; ErpError when fetching a WSDL URL fails.
 */
export async function connectSoap(
  config: SoapConnectionConfig,
  options: ConnectSoapOptions = {},
): Promise<SoapClient> {
  const name = options.name ?? 'soap';
  const baseDir = options.baseDir ?? process.cwd();
  const auth = await prepareAuth(config.auth, baseDir, name);
  const headerSecrets = Object.entries(config.headers)
    .filter(([header]) => isSensitiveName(header))
    .map(([, value]) => value);
  const secrets = [...auth.secrets, ...headerSecrets, ...(options.secrets ?? [])];
  const transport = new SoapTransport({
    maxResponseBytes: config.maxResponseBytes,
    ...(auth.tls === undefined ? {} : { tls: auth.tls }),
    connectionPerExchange: auth.connectionPerExchange,
  });
  try {
    const documents = await readWsdlDocuments({
      config,
      connector: name,
      baseDir,
      transport,
      security: auth.security,
      secrets,
    });
    const resolution = choosePort(
      documents.documents.map((document) => document.scan),
      config,
    );
    if (resolution.kind === 'wrong') {
      throw new ConfigError(resolution.reason, {
        key: `connectors.${name}.${config.port === undefined ? 'service' : 'port'}`,
      });
    }
    const soapVersion = resolution.kind === 'chosen' ? resolution.choice.soapVersion : undefined;
    const client = await loadIntoNodeSoap(documents, { config, transport, soapVersion });
    if (auth.security !== undefined) client.setSecurity(auth.security);
    const endpoint =
      config.endpoint ?? (resolution.kind === 'chosen' ? resolution.choice.address : undefined);
    if (config.auth?.kind === 'client-certificate' && endpoint?.startsWith('http:')) {
      throw new ConfigError(
        `a client certificate needs https, but calls would go to ${endpoint}; set an https:// endpoint`,
        {
          key: `connectors.${name}.endpoint`,
        },
      );
    }
    return new Connection({ name, config, client, documents, resolution, endpoint, transport, secrets });
  } catch (error) {
    transport.close();
    throw error;
  }
}

class Connection implements SoapClient {
  readonly name: string;
  readonly port: PortChoice | undefined;
  readonly endpoint: string | undefined;
  readonly #config: SoapConnectionConfig;
  readonly #client: Client;
  readonly #documents: DescriptionInput;
  readonly #resolution: PortResolution;
  readonly #transport: SoapTransport;
  readonly #secrets: readonly string[];
  #description: SoapDescription | undefined;
  #closed = false;

  constructor(parts: {
    name: string;
    config: SoapConnectionConfig;
    client: Client;
    documents: WsdlDocumentSet;
    resolution: PortResolution;
    endpoint: string | undefined;
    transport: SoapTransport;
    secrets: readonly string[];
  }) {
    this.name = parts.name;
    this.#config = parts.config;
    this.#client = parts.client;
    this.#documents = {
      wsdl: parts.config.wsdl,
      documents: parts.documents.documents.map((document) => document.location),
      scans: parts.documents.documents.map((document) => document.scan),
    };
    this.#resolution = parts.resolution;
    this.port = parts.resolution.kind === 'chosen' ? parts.resolution.choice : undefined;
    this.endpoint = parts.endpoint;
    this.#transport = parts.transport;
    this.#secrets = parts.secrets;
  }

  describe(): SoapDescription {
    this.#description ??= describeWsdl(this.#client, this.#documents);
    return this.#description;
  }

  operations(): string[] {
    const port = this.port;
    if (port === undefined) return [];
    const service = this.describe().services.find((candidate) => candidate.name === port.service);
    return (
      service?.ports
        .find((candidate) => candidate.name === port.port)
        ?.operations.map((operation) => operation.name) ?? []
    );
  }

  async call(
    operation: string,
    args: Readonly<Record<string, unknown>>,
    options: SoapCallOptions = {},
  ): Promise<SoapCallResult> {
    const method = this.#method(operation);
    options.signal?.throwIfAborted();
    const exchange = new SoapExchange({
      timeoutMs: options.timeoutMs ?? this.#config.timeoutMs,
      signal: options.signal,
      source: `the answer of ${operation}`,
    });
    const outcome = await new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
      this.#invoke(method, args, exchange, options, (error, result) =>
        resolve(error ? { error } : { result }),
      );
    });
    if (options.signal?.aborted) throw options.signal.reason;
    const url = this.endpoint ?? '';
    if (exchange.request === undefined) throw this.#unbuildable(operation, outcome.error);
    const problem = errorForExchange(exchange, {
      connector: this.name,
      operation,
      url,
      expectsAnswer: this.#expectsAnswer(operation),
      maxResponseBytes: this.#config.maxResponseBytes,
      hasAuth: this.#config.auth !== undefined,
      secrets: this.#secrets,
    });
    if (problem !== undefined) throw problem;
    if (outcome.error !== undefined) {
      const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      throw new ErpError('permanent', `${operation}: node-soap cannot read the answer: ${reason}`, {
        connector: this.name,
        method: 'POST',
        url,
        hint: 'the answer does not match the WSDL; compare rawResponse with `connectors describe`',
      });
    }
    return {
      result: outcome.result ?? null,
      rawResponse: exchange.answer?.body ?? '',
      rawRequest: redactEnvelope(exchange.request.body, this.#secrets),
    };
  }

  renderRequest(
    operation: string,
    args: Readonly<Record<string, unknown>>,
    options: Pick<SoapCallOptions, 'soapHeaders'> = {},
  ): string {
    const method = this.#method(operation);
    const exchange = new SoapExchange({
      timeoutMs: this.#config.timeoutMs,
      source: operation,
      renderOnly: true,
    });
    let failure: unknown;
    // The transport answers a render-only exchange synchronously: the envelope is there on return.
    this.#invoke(method, args, exchange, options, (error) => {
      failure = error;
    });
    if (exchange.request === undefined) throw this.#unbuildable(operation, failure);
    return redactEnvelope(exchange.request.body, this.#secrets);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#transport.close();
  }

  /** Runs node-soap's method with this call's SOAP headers, restoring the client's afterwards. */
  #invoke(
    method: SoapMethod,
    args: Readonly<Record<string, unknown>>,
    exchange: SoapExchange,
    options: Pick<SoapCallOptions, 'headers' | 'soapHeaders'>,
    done: (error: unknown, result?: unknown) => void,
  ): void {
    const headers = { ...this.#config.headers, ...options.headers };
    // node-soap builds the envelope synchronously inside the method call, so headers set just
    // before it and cleared just after belong to this call alone, even with calls in flight.
    this.#client.clearSoapHeaders();
    try {
      for (const header of options.soapHeaders ?? []) {
        if (typeof header === 'string') this.#client.addSoapHeader(header);
        else this.#client.addSoapHeader(header.value, '', header.prefix, header.namespace);
      }
      method({ ...args }, (error, result) => done(error, result), { [EXCHANGE]: exchange }, headers);
    } catch (error) {
      done(error);
    } finally {
      this.#client.clearSoapHeaders();
    }
  }

  #method(operation: string): SoapMethod {
    const where = { connector: this.name, ...(this.endpoint === undefined ? {} : { url: this.endpoint }) };
    if (this.#closed) throw new ErpError('permanent', `${operation}: the SOAP connection is closed`, where);
    const resolution = this.#resolution;
    if (resolution.kind !== 'chosen') {
      const jca = this.describe().jcaBinding;
      throw new ErpError('permanent', `cannot call ${operation}: ${resolution.reason}`, {
        ...where,
        hint:
          resolution.kind === 'ambiguous'
            ? `set connectors.${this.name}.port (and service)`
            : jca !== undefined
              ? `Oracle SOA binds this WSDL to the JCA adapter ${jca} inside its composite; point connectors.${this.name}.wsdl at the concrete WSDL the composite exposes (…/soa-infra/services/<partition>/<composite>/<service>?WSDL)`
              : `point connectors.${this.name}.wsdl at a WSDL with a SOAP binding and service`,
      });
    }
    if (this.endpoint === undefined) {
      throw new ErpError('permanent', `cannot call ${operation}: the port has no soap:address`, {
        ...where,
        hint: `set connectors.${this.name}.endpoint`,
      });
    }
    const { service, port } = resolution.choice;
    const method = ownProperty(ownProperty(ownProperty(this.#client, service), port), operation);
    if (!isSoapMethod(method)) {
      throw new ErpError(
        'permanent',
        `port ${port} has no operation "${operation}"; it has ${this.operations().join(', ')}`,
        {
          ...where,
          hint: 'check the operation name against `erpbridge connectors describe`',
        },
      );
    }
    return method;
  }

  #expectsAnswer(operation: string): boolean {
    const port = this.port;
    const described = this.describe()
      .services.find((service) => service.name === port?.service)
      ?.ports.find((candidate) => candidate.name === port?.port)
      ?.operations.find((candidate) => candidate.name === operation);
    return described?.output !== null;
  }

  #unbuildable(operation: string, error: unknown): ErpError {
    const reason = error instanceof Error ? error.message : String(error);
    return new ErpError('permanent', `${operation}: node-soap cannot build the request: ${reason}`, {
      connector: this.name,
      hint: 'the arguments do not fit the input message; compare them with `connectors describe`',
    });
  }
}

function ownProperty(target: unknown, key: string): unknown {
  return typeof target === 'object' && target !== null && Object.hasOwn(target, key)
    ? Reflect.get(target, key)
    : undefined;
}

function isSoapMethod(value: unknown): value is SoapMethod {
  return typeof value === 'function';
}
