import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { connectSoap } from './soap-client.ts';
import { SoapConnectionConfig } from './soap-config.ts';
import { startTestSoapServer, type TestSoapServer } from './test-soap-server.ts';
import { collectWsdlDocuments, type DocumentSource, resolveImport } from './wsdl-documents.ts';

const FIXTURES = resolve(import.meta.dirname, 'test-fixtures');
const TEST_WSDL = readFileSync(join(FIXTURES, 'purchase-order.wsdl'), 'utf8');
const TEST_XSD = readFileSync(join(FIXTURES, 'purchase-order-types.xsd'), 'utf8');

/** Every host a socket was asked to connect to while the spy watched. */
function hostsContacted(spy: { mock: { calls: readonly (readonly unknown[])[] } }): string[] {
  return spy.mock.calls.map((args) => {
    const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
    return typeof first === 'object' && first !== null
      ? String(Reflect.get(first, 'host') ?? Reflect.get(first, 'path'))
      : String(first);
  });
}

describe('resolveImport', () => {
  const file: DocumentSource = { kind: 'file', path: '/srv/wsdl/service.wsdl' };
  const url: DocumentSource = { kind: 'url', url: 'http://127.0.0.1:8080/svc?wsdl' };
  const importMap = new Map([['http://ax:82/svc.svc?xsd=xsd0', '/srv/wsdl/xsd0.xsd']]);

  it('maps a mapped location to its file, whatever the case of scheme and host', () => {
    expect(resolveImport('HTTP://AX:82/svc.svc?xsd=xsd0', file, undefined, importMap)).toEqual({
      kind: 'file',
      path: '/srv/wsdl/xsd0.xsd',
    });
  });

  it('resolves relative locations of a local file beside it, and file: URLs', () => {
    expect(resolveImport('xsd/types.xsd', file, undefined, importMap)).toEqual({
      kind: 'file',
      path: '/srv/wsdl/xsd/types.xsd',
    });
    expect(resolveImport('file:///srv/other.xsd', file, undefined, importMap)).toEqual({
      kind: 'file',
      path: '/srv/other.xsd',
    });
  });

  it('refuses an unmapped remote location of a local file', () => {
    expect(resolveImport('http://192.0.2.1/types.xsd', file, undefined, importMap)).toMatchObject({
      kind: 'refused',
    });
  });

  it('allows the origin of a WSDL given as a URL, and nothing else', () => {
    expect(resolveImport('?xsd=xsd1', url, 'http://127.0.0.1:8080', importMap)).toEqual({
      kind: 'url',
      url: 'http://127.0.0.1:8080/svc?xsd=xsd1',
    });
    expect(
      resolveImport('http://127.0.0.1:9090/x.xsd', url, 'http://127.0.0.1:8080', importMap),
    ).toMatchObject({ kind: 'refused' });
    expect(resolveImport('file:///etc/passwd', url, 'http://127.0.0.1:8080', importMap)).toEqual({
      kind: 'refused',
      reason: 'names a local file, but its document was fetched from a URL',
    });
    expect(resolveImport('ftp://127.0.0.1:8080/x.xsd', url, 'http://127.0.0.1:8080', importMap)).toEqual({
      kind: 'refused',
      reason: 'uses ftp:, which erpbridge does not read',
    });
  });
});

describe('collectWsdlDocuments', () => {
  const connects = vi.fn();
  beforeAll(() => {
    vi.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket, ...args: unknown[]) {
      connects(...args);
      throw new Error('no connection may be opened here');
    });
  });
  afterAll(() => vi.restoreAllMocks());
  const folder = mkdtempSync(join(tmpdir(), 'erpbridge-wsdl-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(folder, name), text);
    return join(folder, name);
  };
  const fetchText = vi.fn(async (url: string) => {
    throw new Error(`fetched ${url}`);
  });
  const options = { importMap: new Map<string, string>(), maxBytes: 1_000_000, connector: 'erp', fetchText };

  afterEach(() => {
    connects.mockClear();
    fetchText.mockClear();
  });

  it('refuses an import that is neither local nor mapped, naming location, file and line, without any network attempt', async () => {
    const wsdl = write(
      'remote-import.wsdl',
      TEST_WSDL.replace(
        'schemaLocation="purchase-order-types.xsd"',
        'schemaLocation="http://192.0.2.1/sap/types.xsd"',
      ),
    );
    const error = await collectWsdlDocuments({ kind: 'file', path: wsdl }, options).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      file: wsdl,
      line: 15,
      key: 'connectors.erp.importMap',
      message:
        'import "http://192.0.2.1/sap/types.xsd" is neither a local file nor mapped to one, and erpbridge does not fetch it; map it to a local file under importMap (or list it in the svcmap)',
    });
    expect(fetchText).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('reads the import once it is mapped', async () => {
    const wsdl = write(
      'remote-import.wsdl',
      TEST_WSDL.replace(
        'schemaLocation="purchase-order-types.xsd"',
        'schemaLocation="http://192.0.2.1/sap/types.xsd"',
      ),
    );
    const types = write('types.xsd', TEST_XSD);
    const set = await collectWsdlDocuments(
      { kind: 'file', path: wsdl },
      { ...options, importMap: new Map([['http://192.0.2.1/sap/types.xsd', types]]) },
    );
    expect(set.documents.map((document) => document.location)).toEqual([wsdl, types]);
    expect(connects).not.toHaveBeenCalled();
  });

  it('refuses a DTD in the WSDL itself', async () => {
    const wsdl = write(
      'dtd.wsdl',
      TEST_WSDL.replace(
        '<wsdl:definitions',
        '<!DOCTYPE definitions SYSTEM "http://192.0.2.1/x.dtd">\n<wsdl:definitions',
      ),
    );
    await expect(collectWsdlDocuments({ kind: 'file', path: wsdl }, options)).rejects.toMatchObject({
      file: wsdl,
      line: 5,
    });
    expect(connects).not.toHaveBeenCalled();
  });

  it('refuses a DTD in an imported schema, naming that file and line', async () => {
    write(
      'types-dtd.xsd',
      TEST_XSD.replace(
        '<xsd:schema',
        '<!DOCTYPE xsd:schema [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<xsd:schema',
      ),
    );
    const wsdl = write('dtd-import.wsdl', TEST_WSDL.replace('purchase-order-types.xsd', 'types-dtd.xsd'));
    const error = await collectWsdlDocuments({ kind: 'file', path: wsdl }, options).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ file: join(folder, 'types-dtd.xsd'), line: 4 });
    expect(String(error)).toContain('<!DOCTYPE refused');
  });

  it('names the importing file and line when a local import is missing; ignores commented-out imports', async () => {
    const wsdl = write(
      'missing-import.wsdl',
      TEST_WSDL.replace('purchase-order-types.xsd', 'missing.xsd').replace(
        '<wsdl:types>',
        '<wsdl:types><!-- <xsd:import schemaLocation="http://192.0.2.1/old.xsd"/> -->',
      ),
    );
    const error = await collectWsdlDocuments({ kind: 'file', path: wsdl }, options).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      file: wsdl,
      line: 15,
      message: `${join(folder, 'missing.xsd')}, imported here, cannot be read (it does not exist)`,
    });
  });

  it('reads documents that import each other once', async () => {
    const a = write(
      'a.xsd',
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="b.xsd"/></xs:schema>',
    );
    write(
      'b.xsd',
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="a.xsd"/></xs:schema>',
    );
    const set = await collectWsdlDocuments({ kind: 'file', path: a }, options);
    expect(set.documents.map((document) => document.location)).toEqual([a, join(folder, 'b.xsd')]);
  });

  it('refuses a document over the size bound before reading it', async () => {
    const wsdl = write('big.wsdl', TEST_WSDL);
    await expect(
      collectWsdlDocuments({ kind: 'file', path: wsdl }, { ...options, maxBytes: 1000 }),
    ).rejects.toThrow(
      `the WSDL is ${Buffer.byteLength(TEST_WSDL)} bytes; the bound is 1000 (maxResponseBytes)`,
    );
  });
});

describe('a WSDL given as a URL on 127.0.0.1', () => {
  let server: TestSoapServer;
  let connects: MockInstance<Socket['connect']>;

  beforeAll(async () => {
    connects = vi.spyOn(Socket.prototype, 'connect');
    server = await startTestSoapServer();
    server.reply((request) => {
      if (request.url === '/sap/zpurchaseorder?wsdl')
        return { body: TEST_WSDL.replace('purchase-order-types.xsd', '?xsd=types') };
      if (request.url === '/sap/zpurchaseorder?xsd=types') return { body: TEST_XSD };
      if (request.url === '/other?wsdl')
        return { body: TEST_WSDL.replace('purchase-order-types.xsd', 'http://192.0.2.1/types.xsd') };
      return { status: 404, body: 'not found' };
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await server.close();
  });

  it('is fetched with its imports from the same origin, each once', async () => {
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${server.url}/sap/zpurchaseorder?wsdl`,
        port: 'PurchaseOrderSoap',
      }),
    );
    await client.close();
    expect(client.operations()).toEqual(['BAPI_PO_GETDETAIL1', 'BAPI_PO_CHANGE', 'PO_CHANGE_NOTIFY']);
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /sap/zpurchaseorder?wsdl',
      'GET /sap/zpurchaseorder?xsd=types',
    ]);
  });

  it('may not import from another host: refused, and that host is never contacted', async () => {
    connects.mockClear();
    const error = await connectSoap(SoapConnectionConfig.parse({ wsdl: `${server.url}/other?wsdl` }), {
      name: 'erp',
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      file: `${server.url}/other?wsdl`,
      line: 15,
      message: expect.stringMatching(
        /^import "http:\/\/192\.0\.2\.1\/types\.xsd" is neither a local file nor mapped to one/,
      ),
    });
    expect(hostsContacted(connects)).toEqual(['127.0.0.1']);
  });

  it('a WSDL URL that answers 404 is a permanent ERP error naming the URL', async () => {
    const error = await connectSoap(SoapConnectionConfig.parse({ wsdl: `${server.url}/missing?wsdl` }), {
      name: 'erp',
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      kind: 'permanent',
      message: `reading the WSDL: GET ${server.url}/missing?wsdl answered 404 Not Found: not found`,
    });
  });
});
