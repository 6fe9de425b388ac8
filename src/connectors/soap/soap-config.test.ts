import { describe, expect, it } from 'vitest';
import { SoapConnectionConfig } from './soap-config.ts';

function issues(input: unknown): string[] {
  const result = SoapConnectionConfig.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('SoapConnectionConfig', () => {
  it('fills in the defaults', () => {
    expect(SoapConnectionConfig.parse({ wsdl: 'wsdl/service.wsdl' })).toEqual({
      wsdl: 'wsdl/service.wsdl',
      timeoutMs: 30_000,
      maxResponseBytes: 10 * 1024 * 1024,
      headers: {},
    });
    expect(
      SoapConnectionConfig.parse({
        wsdl: 'x.wsdl',
        auth: { kind: 'ws-security', username: 'u', password: 'p' },
      }).auth,
    ).toEqual({
      kind: 'ws-security',
      username: 'u',
      password: 'p',
      passwordType: 'PasswordText',
      timestamp: true,
      nonce: false,
      mustUnderstand: false,
    });
    expect(
      SoapConnectionConfig.parse({ wsdl: 'x.wsdl', auth: { kind: 'ntlm', username: 'u', password: 'p' } })
        .auth,
    ).toEqual({
      kind: 'ntlm',
      username: 'u',
      password: 'p',
      domain: '',
      workstation: '',
    });
  });

  it('accepts a path, a file: URL or an http(s) URL as wsdl, and nothing else', () => {
    for (const wsdl of [
      'a.wsdl',
      '/abs/a.wsdl',
      'C:\\wsdl\\a.wsdl',
      'file:///srv/a.wsdl',
      'https://erp:8443/svc?wsdl',
    ]) {
      expect(issues({ wsdl }), wsdl).toEqual([]);
    }
    expect(issues({ wsdl: '' })).toEqual(['wsdl: name the WSDL: a file path, or an http:// or https:// URL']);
    expect(issues({ wsdl: 'ftp://erp/a.wsdl' })).toEqual([
      'wsdl: must be an http:// or https:// URL, or a file path',
    ]);
    expect(issues({ wsdl: 'http://user:pw@erp/a?wsdl' })).toEqual([
      'wsdl: must not contain credentials; put them under auth, or a file path',
    ]);
  });

  it('checks endpoint, importMap keys and unknown options', () => {
    expect(issues({ wsdl: 'a.wsdl', endpoint: 'erp:8000/sap' })).toEqual([
      'endpoint: must be an http:// or https:// URL',
    ]);
    expect(issues({ wsdl: 'a.wsdl', importMap: { 'xsd/a.xsd': 'a.xsd' } })).toEqual([
      'importMap.xsd/a.xsd: importMap keys are the http(s) locations the WSDL names, e.g. http://erp/svc?xsd=xsd0',
    ]);
    expect(issues({ wsdl: 'a.wsdl', timeout: 5 })).toEqual([': Unrecognized key: "timeout"']);
    expect(issues({ wsdl: 'a.wsdl', timeoutMs: 0 })).toEqual([
      'timeoutMs: Too small: expected number to be >=1',
    ]);
  });

  it('refuses headers the client sets itself, and an Authorization header beside basic or NTLM auth', () => {
    expect(issues({ wsdl: 'a.wsdl', headers: { SOAPAction: 'x' } })).toEqual([
      'headers.SOAPAction: headers.SOAPAction is set by the SOAP client itself; remove it',
    ]);
    expect(
      issues({
        wsdl: 'a.wsdl',
        headers: { Authorization: 'Bearer x' },
        auth: { kind: 'basic', username: 'u', password: 'p' },
      }),
    ).toEqual([
      'headers.Authorization: headers.Authorization conflicts with auth (basic); remove one of them',
    ]);
    expect(issues({ wsdl: 'a.wsdl', headers: { 'X-Line': 'a\r\nInjected: 1' } })).toEqual([
      'headers.X-Line: must not contain line breaks',
    ]);
  });

  it('wants a client certificate as cert and key, or pfx, and over https', () => {
    const base = { wsdl: 'a.wsdl', endpoint: 'https://erp/' };
    expect(issues({ ...base, auth: { kind: 'client-certificate', cert: 'c.pem', key: 'k.pem' } })).toEqual(
      [],
    );
    expect(issues({ ...base, auth: { kind: 'client-certificate', pfx: 'id.p12', passphrase: 'x' } })).toEqual(
      [],
    );
    expect(issues({ ...base, auth: { kind: 'client-certificate', cert: 'c.pem' } })).toEqual([
      'auth.key: cert and key go together; give both',
    ]);
    expect(issues({ ...base, auth: { kind: 'client-certificate' } })).toEqual([
      'auth: give cert and key, or pfx',
    ]);
    expect(issues({ ...base, auth: { kind: 'client-certificate', cert: 'c', key: 'k', pfx: 'p' } })).toEqual([
      'auth.pfx: give either cert and key, or pfx; not both',
    ]);
    expect(
      issues({ wsdl: 'a.wsdl', endpoint: 'http://erp/', auth: { kind: 'client-certificate', pfx: 'p' } }),
    ).toEqual(['endpoint: a client certificate needs an https:// endpoint']);
    expect(issues({ ...base, auth: { kind: 'kerberos' } })[0]).toMatch(/^auth.kind: /);
  });
});
