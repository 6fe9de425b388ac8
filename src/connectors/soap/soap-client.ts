import type { Client, SoapMethod } from 'soap';
import { isSensitiveName } from '../../config/secrets.ts';
import { ConfigError, ErpError } from '../../errors/index.ts';
import { XmlError } from '../../xml/index.ts';
import { callablePorts, choosePort, type PortChoice, type PortResolution } from './port-choice.ts';
import { redactEnvelope } from './redact-envelope.ts';
import { prepareAuth, type SoapAuthSetup } from './soap-auth.ts';
import { type SoapConnectionConfig, type SoapServiceConfig, serviceConnectionConfig } from './soap-config.ts';
import { type DescriptionInput, describeWsdl, type SoapDescription } from './soap-description.ts';
import { errorForExchange } from './soap-errors.ts';
import type { AnswerHeaders } from './soap-exchange.ts';
import { SoapExchange } from './soap-exchange.ts';
import { EXCHANGE, readEnvelope, SoapTransport } from './soap-transport.ts';
import type { WsdlDocumentSet } from './wsdl-documents.ts';
import { loadIntoNodeSoap, readWsdlDocuments } from './wsdl-loader.ts';

/**
 * A SOAP client for one ERP connection: what ERP profiles (SAP RFC-SOAP, Oracle EBS SOA services,
 * Dynamics AX AIF) build on. `connectSoap` reads and vets the WSDL (no network beyond what the
 * configuration names), `describe` says what the service offers, `renderRequest` shows the envelope a
 * call would send, and `call` sends it, with every failure an ErpError of the right kind.
 *
 * A call may go to any port of the WSDL (SAP publishes one port per function module), with the
 * connection's auth, TLS, headers and bounds; `openService` reaches another WSDL (Oracle EBS's query
 * services beside its update service) on the same settings.
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
  /**
   * The port to call, as `Port` or `Service/Port`. Needed only when the operation is on several
   * ports and the connection names none; by default a call goes to the connection's port when it
   * has the operation, else to the one port that has it.
   */
  port?: string;
  /** URL parameters added to the port's address for this call (SAP's `sap-sessioncmd=open`). */
  query?: Readonly<Record<string, string>>;
  /**
   * Told of a successful answer's text as soon as it arrives — size-checked and free of DTD markup,
   * not yet read — before `call` reads it. A paged read starts its next page's call here (its
   * cursor is in the answer's first bytes), so the ERP prepares that page while this one is read.
   * What it throws fails the call.
   */
  onAnswer?: (text: string) => void;
  /**
   * Reads a successful answer's text in place of node-soap, for large answers of a shape the caller
   * knows (SAP's RFC tables): what it returns is the call's `result`. The text has passed the size
   * bound and the DTD refusal; the reader must read it with `src/xml`'s `readXml` (or as strictly).
   * An `XmlError` it throws fails the call as broken XML; anything else it throws means the answer
   * is not what it reads — the client then parses the answer to say what it is (a SOAP fault's
   * text, "not a SOAP envelope"), or fails with the reader's message. `maxBytes` is the
   * connection's bound on answers, for the reader's own size check.
   */
  readAnswer?: (text: string, bounds: { maxBytes: number }) => unknown;
}

export interface SoapCallResult {
  /** The output message's content as node-soap reads it (decimals and dates as written); null for a one-way operation. */
  result: unknown;
  /** The answer's text, as received. */
  rawResponse: string;
  /** The envelope sent, with passwords and configured secrets redacted: fit for logs and plans. */
  rawRequest: string;
  /** The answer's HTTP headers, lower-case names (`set-cookie` as a list). */
  headers: Readonly<AnswerHeaders>;
}

export interface SoapClient {
  /** The connector's name. */
  readonly name: string;
  /** The connection's port; undefined when the WSDL has none to call or several and none was named. */
  readonly port: PortChoice | undefined;
  /** Where calls go: the `endpoint` option (for every port), else the connection's port's soap:address. */
  readonly endpoint: string | undefined;
  /** Every port a call can reach: those with a SOAP binding and operations. */
  readonly ports: readonly PortChoice[];
  /** Services, ports, operations and their input and output shapes. Computed once. */
  describe(): SoapDescription;
  /**
   * The operations calls can reach: the connection's port's; when it names none, those of every
   * callable port (each name once); `[]` when there is none.
   */
  operations(): string[];
  /**
   * Calls `operation` with `args` (the input message's content) on the port `options.port` names,
   * else the connection's port, else the one port that offers it. Throws ErpError: a SOAP fault is a
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
    options?: Pick<SoapCallOptions, 'soapHeaders' | 'port'>,
  ): string;
  /**
   * Opens another service on this connection's settings (see `SoapServiceConfig`): its WSDL is
   * read and vetted like this one's, relative paths resolve against the same folder, and calls go
   * with this connection's auth, TLS options, headers and bounds unless the service overrides them.
   * Closed with this client.
   *
   * @param name for messages and hints, e.g. `ebs.options.query` (default: this client's name).
   * @throws what `connectSoap` throws.
   */
  openService(service: SoapServiceConfig, name?: string): Promise<SoapClient>;
  /** Closes the connection's sockets and the services opened on it; later calls fail. */
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
  return openConnection(config, {
    name: options.name ?? 'soap',
    baseDir: options.baseDir ?? process.cwd(),
    secrets: options.secrets ?? [],
  });
}

/** A transport one connection lends the services opened on it, with the auth it was made for. */
interface SharedTransport {
  transport: SoapTransport;
  auth: SoapAuthSetup;
}

async function openConnection(
  config: SoapConnectionConfig,
  where: { name: string; baseDir: string; secrets: readonly string[] },
  shared?: SharedTransport,
): Promise<Connection> {
  const { name, baseDir } = where;
  const auth = shared?.auth ?? (await prepareAuth(config.auth, baseDir, name));
  const headerSecrets = Object.entries(config.headers)
    .filter(([header]) => isSensitiveName(header))
    .map(([, value]) => value);
  const secrets = [...new Set([...auth.secrets, ...headerSecrets, ...where.secrets])];
  const transport =
    shared?.transport ??
    new SoapTransport({
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
    const scans = documents.documents.map((document) => document.scan);
    const resolution = choosePort(scans, config);
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
    return new Connection({
      name,
      baseDir,
      config,
      client,
      documents,
      resolution,
      ports: callablePorts(scans),
      endpoint,
      transport: { transport, auth },
      ownsTransport: shared === undefined,
      secrets,
    });
  } catch (error) {
    if (shared === undefined) transport.close();
    throw error;
  }
}

class Connection implements SoapClient {
  readonly name: string;
  readonly port: PortChoice | undefined;
  readonly endpoint: string | undefined;
  readonly ports: readonly PortChoice[];
  readonly #baseDir: string;
  readonly #config: SoapConnectionConfig;
  readonly #client: Client;
  readonly #documents: DescriptionInput;
  readonly #resolution: PortResolution;
  readonly #shared: SharedTransport;
  readonly #ownsTransport: boolean;
  readonly #secrets: readonly string[];
  readonly #services = new Set<Connection>();
  #description: SoapDescription | undefined;
  #closed = false;

  constructor(parts: {
    name: string;
    baseDir: string;
    config: SoapConnectionConfig;
    client: Client;
    documents: WsdlDocumentSet;
    resolution: PortResolution;
    ports: readonly PortChoice[];
    endpoint: string | undefined;
    transport: SharedTransport;
    ownsTransport: boolean;
    secrets: readonly string[];
  }) {
    this.name = parts.name;
    this.#baseDir = parts.baseDir;
    this.#config = parts.config;
    this.#client = parts.client;
    this.#documents = {
      wsdl: parts.config.wsdl,
      documents: parts.documents.documents.map((document) => document.location),
      scans: parts.documents.documents.map((document) => document.scan),
    };
    this.#resolution = parts.resolution;
    this.port = parts.resolution.kind === 'chosen' ? parts.resolution.choice : undefined;
    this.ports = parts.ports;
    this.endpoint = parts.endpoint;
    this.#shared = parts.transport;
    this.#ownsTransport = parts.ownsTransport;
    this.#secrets = parts.secrets;
  }

  describe(): SoapDescription {
    this.#description ??= describeWsdl(this.#client, this.#documents);
    return this.#description;
  }

  operations(): string[] {
    const described = (port: PortChoice) =>
      this.describe()
        .services.find((candidate) => candidate.name === port.service)
        ?.ports.find((candidate) => candidate.name === port.port)
        ?.operations.map((operation) => operation.name) ?? [];
    if (this.port !== undefined) return described(this.port);
    return [...new Set(this.ports.flatMap(described))];
  }

  async call(
    operation: string,
    args: Readonly<Record<string, unknown>>,
    options: SoapCallOptions = {},
  ): Promise<SoapCallResult> {
    const target = this.#target(operation, options.port);
    const method = this.#method(operation, target);
    options.signal?.throwIfAborted();
    const exchange = new SoapExchange({
      timeoutMs: options.timeoutMs ?? this.#config.timeoutMs,
      signal: options.signal,
      source: `the answer of ${operation}`,
      query: options.query,
      onAnswer: options.onAnswer,
      ...(options.readAnswer === undefined
        ? {}
        : {
            readAnswer: (text: string) =>
              options.readAnswer?.(text, { maxBytes: this.#config.maxResponseBytes }),
          }),
    });
    const outcome = await new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
      this.#invoke(method, target, args, exchange, options, (error, result) =>
        resolve(error ? { error } : { result }),
      );
    });
    if (options.signal?.aborted) throw options.signal.reason;
    if (exchange.listenerFailure !== undefined) throw exchange.listenerFailure.error;
    if (exchange.request === undefined) throw this.#unbuildable(operation, outcome.error);
    const url = exchange.request.url;
    const status = exchange.answer?.status ?? 0;
    const read = exchange.read;
    if (read !== undefined && 'error' in read && read.error instanceof XmlError)
      exchange.xmlError = read.error;
    if (status >= 200 && status < 300 && exchange.xmlError === undefined) {
      // node-soap (or the call's reader) read a result: an envelope with a Body. Otherwise read
      // the answer once more, with parseXml, to say what it is (a fault, broken XML, no envelope).
      const readResult = read === undefined ? outcome.error === undefined : 'result' in read;
      if (readResult && exchange.answer?.body.trim() !== '') exchange.bodyRead = true;
      else readEnvelope(exchange, this.#config.maxResponseBytes);
    }
    const expectsAnswer = this.#expectsAnswer(operation, target);
    const problem = errorForExchange(exchange, {
      connector: this.name,
      operation,
      url,
      expectsAnswer,
      maxResponseBytes: this.#config.maxResponseBytes,
      hasAuth: this.#config.auth !== undefined,
      secrets: this.#secrets,
    });
    if (problem !== undefined) throw problem;
    if (read !== undefined) {
      if ('result' in read) return this.#result(read.result, exchange);
      const reason = read.error instanceof Error ? read.error.message : String(read.error);
      throw new ErpError('permanent', `${operation}: cannot read the answer: ${reason}`, {
        connector: this.name,
        method: 'POST',
        url,
        cause: read.error,
        hint: 'the answer does not have the shape this call reads; compare rawResponse with `connectors describe`',
      });
    }
    if (outcome.error !== undefined && expectsAnswer) {
      const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      throw new ErpError('permanent', `${operation}: node-soap cannot read the answer: ${reason}`, {
        connector: this.name,
        method: 'POST',
        url,
        hint: 'the answer does not match the WSDL; compare rawResponse with `connectors describe`',
      });
    }
    return this.#result(outcome.result ?? null, exchange);
  }

  #result(result: unknown, exchange: SoapExchange): SoapCallResult {
    return {
      result,
      rawResponse: exchange.answer?.body ?? '',
      rawRequest: redactEnvelope(exchange.request?.body ?? '', this.#secrets),
      headers: exchange.answer?.headers ?? {},
    };
  }

  renderRequest(
    operation: string,
    args: Readonly<Record<string, unknown>>,
    options: Pick<SoapCallOptions, 'soapHeaders' | 'port'> = {},
  ): string {
    const target = this.#target(operation, options.port);
    const method = this.#method(operation, target);
    const exchange = new SoapExchange({
      timeoutMs: this.#config.timeoutMs,
      source: operation,
      renderOnly: true,
    });
    let failure: unknown;
    // The transport answers a render-only exchange synchronously: the envelope is there on return.
    this.#invoke(method, target, args, exchange, options, (error) => {
      failure = error;
    });
    if (exchange.request === undefined) throw this.#unbuildable(operation, failure);
    return redactEnvelope(exchange.request.body, this.#secrets);
  }

  async openService(service: SoapServiceConfig, name: string = this.name): Promise<SoapClient> {
    if (this.#closed) {
      throw new ErpError('permanent', `cannot open ${service.wsdl}: the SOAP connection is closed`, {
        connector: this.name,
      });
    }
    const config = serviceConnectionConfig(this.#config, service);
    // The connection's sockets (and its client certificate) serve the service too, unless it
    // brings credentials or bounds of its own.
    const sameTransport =
      service.auth === undefined && config.maxResponseBytes === this.#config.maxResponseBytes;
    const opened = await openConnection(
      config,
      { name, baseDir: this.#baseDir, secrets: this.#secrets },
      sameTransport ? this.#shared : undefined,
    );
    if (this.#closed) {
      await opened.close();
      throw new ErpError('permanent', `cannot open ${service.wsdl}: the SOAP connection is closed`, {
        connector: this.name,
      });
    }
    this.#services.add(opened);
    return opened;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const services = [...this.#services];
    this.#services.clear();
    await Promise.all(services.map((service) => service.close()));
    if (this.#ownsTransport) this.#shared.transport.close();
  }

  /** Runs node-soap's method with this call's SOAP headers and version, restoring the client's afterwards. */
  #invoke(
    method: SoapMethod,
    target: PortChoice,
    args: Readonly<Record<string, unknown>>,
    exchange: SoapExchange,
    options: Pick<SoapCallOptions, 'headers' | 'soapHeaders'>,
    done: (error: unknown, result?: unknown) => void,
  ): void {
    const headers = { ...this.#config.headers, ...options.headers };
    const wsdlOptions = this.#client.wsdl.options;
    const version = wsdlOptions.forceSoap12Headers;
    // node-soap builds the envelope synchronously inside the method call, so headers (and the
    // SOAP version of the port) set just before it and reset just after belong to this call
    // alone, even with calls in flight.
    this.#client.clearSoapHeaders();
    wsdlOptions.forceSoap12Headers = target.soapVersion === '1.2';
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
      wsdlOptions.forceSoap12Headers = version;
    }
  }

  /** The port `operation` goes to (see `call`), or why there is none. */
  #target(operation: string, wanted: string | undefined): PortChoice {
    const where = { connector: this.name, ...(this.endpoint === undefined ? {} : { url: this.endpoint }) };
    if (this.#closed) throw new ErpError('permanent', `${operation}: the SOAP connection is closed`, where);
    const names = (ports: readonly PortChoice[]) =>
      ports.map((port) => `${port.service}/${port.port}`).join(', ');
    if (wanted !== undefined) {
      const named = this.ports.find(
        (port) => port.port === wanted || `${port.service}/${port.port}` === wanted,
      );
      if (named !== undefined) return named;
      throw new ErpError(
        'permanent',
        `cannot call ${operation}: the WSDL has no port ${wanted} with a SOAP binding and operations; it has ${names(this.ports) || 'none'}`,
        where,
      );
    }
    if (this.port?.operations.includes(operation)) return this.port;
    const offering = this.ports.filter((port) => port.operations.includes(operation));
    const [only] = offering;
    if (offering.length === 1 && only !== undefined) return only;
    const resolution = this.#resolution;
    if (resolution.kind === 'chosen') {
      throw new ErpError(
        'permanent',
        offering.length === 0
          ? `port ${resolution.choice.port} has no operation "${operation}"; it has ${this.operations().join(', ')}`
          : `${operation} is on several other ports (${names(offering)}); name one in the call's port option`,
        { ...where, hint: 'check the operation name against `erpbridge connectors describe`' },
      );
    }
    if (resolution.kind === 'ambiguous' && offering.length > 1) {
      throw new ErpError('permanent', `cannot call ${operation}: ${resolution.reason}`, {
        ...where,
        hint: `set connectors.${this.name}.port (and service)`,
      });
    }
    if (resolution.kind === 'none') {
      const jca = this.describe().jcaBinding;
      throw new ErpError('permanent', `cannot call ${operation}: ${resolution.reason}`, {
        ...where,
        hint:
          jca !== undefined
            ? `Oracle SOA binds this WSDL to the JCA adapter ${jca} inside its composite; point connectors.${this.name}.wsdl at the concrete WSDL the composite exposes (…/soa-infra/services/<partition>/<composite>/<service>?WSDL)`
            : `point connectors.${this.name}.wsdl at a WSDL with a SOAP binding and service`,
      });
    }
    throw new ErpError(
      'permanent',
      `no port of the WSDL has an operation "${operation}"; it has ${this.operations().join(', ')}`,
      { ...where, hint: 'check the operation name against `erpbridge connectors describe`' },
    );
  }

  #method(operation: string, target: PortChoice): SoapMethod {
    const url = this.#config.endpoint ?? target.address;
    const where = { connector: this.name, ...(url === undefined ? {} : { url }) };
    if (url === undefined) {
      throw new ErpError('permanent', `cannot call ${operation}: the port has no soap:address`, {
        ...where,
        hint: `set connectors.${this.name}.endpoint`,
      });
    }
    const method = ownProperty(
      ownProperty(ownProperty(this.#client, target.service), target.port),
      operation,
    );
    if (!isSoapMethod(method)) {
      throw new ErpError(
        'permanent',
        `port ${target.port} has no operation "${operation}"; it has ${target.operations.join(', ')}`,
        {
          ...where,
          hint: 'check the operation name against `erpbridge connectors describe`',
        },
      );
    }
    return method;
  }

  #expectsAnswer(operation: string, target: PortChoice): boolean {
    const described = this.describe()
      .services.find((service) => service.name === target.service)
      ?.ports.find((candidate) => candidate.name === target.port)
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
