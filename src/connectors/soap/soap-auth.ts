import { readFile } from 'node:fs/promises';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import { isAbsolute, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { BasicAuthSecurity, type ISecurity, NTLMSecurity, WSSecurity } from 'soap';
import { ConfigError } from '../../errors/index.ts';
import type { SoapAuth } from './soap-config.ts';

/**
 * Turning the `auth` option into what node-soap and the transport need. Basic, WS-Security
 * UsernameToken and NTLM are node-soap's own security classes. Client certificates are TLS options
 * of the transport's https agent instead of node-soap's ClientSSLSecurity(PFX): those build a new
 * https agent per call (a TLS handshake each time, and sockets nobody closes) and read files
 * synchronously; here the certificate is read once, checked at connect, and its connections are
 * closed with the client.
 */
export interface SoapAuthSetup {
  /** Set on the node-soap client: adds a header, the WS-Security block or NTLM options per call. */
  security: ISecurity | undefined;
  /** TLS options of the https agent: the client certificate and CAs. */
  tls: HttpsAgentOptions | undefined;
  /** NTLM authenticates connections: each exchange then gets a connection of its own. */
  connectionPerExchange: boolean;
  /** Values that must never appear in a message or a rendered request. */
  secrets: string[];
}

/**
 * Prepares `auth` for a connection.
 *
 * @param baseDir folder relative certificate paths resolve against (the config file's).
 * @throws ConfigError naming `connectors.<name>.auth.<option>` when a certificate file cannot be
 *   read or the certificate, key and passphrase do not make a usable TLS identity.
 */
export async function prepareAuth(
  auth: SoapAuth | undefined,
  baseDir: string,
  connector: string,
): Promise<SoapAuthSetup> {
  const none: SoapAuthSetup = {
    security: undefined,
    tls: undefined,
    connectionPerExchange: false,
    secrets: [],
  };
  switch (auth?.kind) {
    case undefined:
      return none;
    case 'basic':
      return {
        ...none,
        security: new BasicAuthSecurity(auth.username, auth.password),
        secrets: [auth.password],
      };
    case 'ws-security':
      return {
        ...none,
        security: new WSSecurity(auth.username, auth.password, {
          passwordType: auth.passwordType,
          hasTimeStamp: auth.timestamp,
          hasNonce: auth.nonce,
          mustUnderstand: auth.mustUnderstand,
        }),
        secrets: [auth.password],
      };
    case 'ntlm': {
      const { username, domain } = splitDomain(auth.username, auth.domain);
      return {
        ...none,
        security: new NTLMSecurity({
          username,
          password: auth.password,
          domain,
          workstation: auth.workstation,
        }),
        connectionPerExchange: true,
        secrets: [auth.password],
      };
    }
    case 'client-certificate': {
      const where = (option: string) => `connectors.${connector}.auth.${option}`;
      const tls: HttpsAgentOptions = {
        ...(auth.cert === undefined ? {} : { cert: await readPem(auth.cert, baseDir, where('cert')) }),
        ...(auth.key === undefined ? {} : { key: await readPem(auth.key, baseDir, where('key')) }),
        ...(auth.pfx === undefined ? {} : { pfx: await readBinary(auth.pfx, baseDir, where('pfx')) }),
        ...(auth.ca === undefined ? {} : { ca: await readPem(auth.ca, baseDir, where('ca')) }),
        ...(auth.passphrase === undefined ? {} : { passphrase: auth.passphrase }),
      };
      try {
        createSecureContext(tls);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ConfigError(
          `the client certificate cannot be used (${reason}); check cert and key (or pfx) and the passphrase`,
          { key: where(auth.pfx === undefined ? 'cert' : 'pfx') },
        );
      }
      const secrets = [auth.passphrase, typeof tls.key === 'string' ? tls.key : undefined].filter(
        (value): value is string => value !== undefined && value !== '',
      );
      return { ...none, tls, secrets };
    }
  }
}

/** `CONTOSO\svc` with no separate domain → user `svc`, domain `CONTOSO`. */
function splitDomain(username: string, domain: string): { username: string; domain: string } {
  const slash = username.indexOf('\\');
  if (domain !== '' || slash === -1) return { username, domain };
  return { username: username.slice(slash + 1), domain: username.slice(0, slash) };
}

/** PEM text as given, or the content of the PEM file the value names. */
async function readPem(value: string, baseDir: string, key: string): Promise<string> {
  if (value.trimStart().startsWith('-----BEGIN')) return value;
  return (await readBinary(value, baseDir, key)).toString('utf8');
}

async function readBinary(path: string, baseDir: string, key: string): Promise<Buffer> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    return await readFile(file);
  } catch (error) {
    const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
    const why = code === 'ENOENT' ? 'does not exist' : typeof code === 'string' ? code : 'cannot be read';
    throw new ConfigError(`${file} ${why}; give the path of the file (or, for PEM, its text)`, { key });
  }
}
