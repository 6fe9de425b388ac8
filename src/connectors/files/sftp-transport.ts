import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { ErpError } from '../../errors/index.ts';
import {
  type FileEntry,
  type FileTransport,
  TransportError,
  type TransportFailure,
} from './file-transport.ts';
import type { FilesTransportConfig } from './files-config.ts';

type SftpConfig = Extract<FilesTransportConfig, { kind: 'sftp' }>;

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) the connector tells apart. */
const NO_SUCH_FILE = 2;
const FAILURE = 4;

/**
 * Folders on an SFTP server, through one ssh2-sftp-client connection opened at connect. Calls are
 * serialised: the client keeps per-call listeners on one connection, and the connector's calls are
 * short (a listing, a rename) except for reading a file, which the others then wait for.
 *
 * The server's host key must match `hostKeySha256` (unless `acceptAnyHostKey`). A rename fails when
 * its target exists (SFTP v3 semantics), which the connector relies on to never overwrite a file.
 *
 * @throws ErpError `auth` for refused credentials or host key, `transient` for an unreachable server.
 */
export async function connectSftpTransport(config: SftpConfig, connector: string): Promise<FileTransport> {
  const client = new SftpClient(`erpbridge-${connector}`);
  const where = `sftp://${config.username}@${config.host}:${config.port}`;
  const expected = config.hostKeySha256?.replace(/^SHA256:/, '').replace(/=$/, '');
  let presented: string | undefined;
  try {
    await client.connect({
      host: config.host,
      port: config.port,
      username: config.username,
      readyTimeout: config.readyTimeoutMs,
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.privateKey !== undefined ? { privateKey: config.privateKey } : {}),
      ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
      hostVerifier: (key: Buffer) => {
        presented = createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
        return config.acceptAnyHostKey || presented === expected;
      },
    });
  } catch (cause) {
    await client.end().catch(() => false);
    throw connectError(
      cause,
      config,
      connector,
      where,
      expected !== undefined && presented !== undefined && presented !== expected ? presented : undefined,
    );
  }

  let base: string;
  try {
    base =
      config.root === '.'
        ? await client.cwd()
        : posix.isAbsolute(config.root)
          ? config.root
          : posix.join(await client.cwd(), config.root);
  } catch (cause) {
    await client.end().catch(() => false);
    throw new ErpError(
      'transient',
      `${where}: cannot resolve transport.root ${config.root}: ${messageOf(cause)}`,
      {
        connector,
        url: where,
        cause,
      },
    );
  }
  const at = (path: string): string => posix.join(base, path);

  // One call at a time on the connection (see above).
  let tail: Promise<void> = Promise.resolve();
  const acquire = async (): Promise<() => void> => {
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => done);
    await previous;
    return release;
  };
  const serial = async <T>(run: () => Promise<T>): Promise<T> => {
    const release = await acquire();
    try {
      return await run();
    } finally {
      release();
    }
  };

  const fail = (error: unknown, path: string, doing: string): TransportError => {
    const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
    const failure: TransportFailure = code === NO_SUCH_FILE || code === 'ENOENT' ? 'not-found' : 'other';
    return new TransportError(failure, path, `${doing} ${where}${at(path)}: ${messageOf(error)}`, error);
  };

  const statOf = async (path: string): Promise<FileEntry | null> => {
    try {
      const info = await client.stat(at(path));
      return info.isFile ? { name: posix.basename(path), size: info.size, mtimeMs: info.modifyTime } : null;
    } catch (error) {
      const failed = fail(error, path, 'cannot stat');
      if (failed.failure === 'not-found') return null;
      throw failed;
    }
  };

  let closed = false;
  return {
    describe: `${where}${base}`,

    list: (dir) =>
      serial(async () => {
        try {
          const entries = await client.list(at(dir));
          return entries
            .filter((entry) => entry.type === '-')
            .map((entry) => ({ name: entry.name, size: entry.size, mtimeMs: entry.modifyTime }));
        } catch (error) {
          throw fail(error, dir, 'cannot list');
        }
      }),

    stat: (path) => serial(() => statOf(path)),

    async *read(path) {
      // Holds the connection until the file is read, or until the consumer stops reading.
      const release = await acquire();
      try {
        const stream = client.createReadStream(at(path));
        try {
          for await (const chunk of stream) {
            if (Buffer.isBuffer(chunk)) yield chunk;
          }
        } catch (error) {
          throw fail(error, path, 'cannot read');
        } finally {
          stream.destroy();
        }
      } finally {
        release();
      }
    },

    writeAtomic: (path, data) =>
      serial(async () => {
        const temporary = posix.join(
          posix.dirname(path),
          `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.tmp`,
        );
        if ((await statOf(path)) !== null) {
          throw new TransportError('exists', path, `cannot write ${where}${at(path)}: it already exists`);
        }
        try {
          await client.put(data, at(temporary));
          await renameOnServer(temporary, path);
        } catch (error) {
          await client.delete(at(temporary), true).catch(() => undefined);
          throw error instanceof TransportError ? error : fail(error, path, 'cannot write');
        }
      }),

    rename: (from, to) => serial(() => renameOnServer(from, to)),

    remove: (path) =>
      serial(async () => {
        try {
          await client.delete(at(path), true);
        } catch (error) {
          throw fail(error, path, 'cannot remove');
        }
      }),

    mkdir: (dir) =>
      serial(async () => {
        try {
          await client.mkdir(at(dir), true);
        } catch (error) {
          throw fail(error, dir, 'cannot create folder');
        }
      }),

    async close() {
      if (closed) return;
      closed = true;
      await tail;
      await client.end().catch(() => false);
    },
  };

  async function renameOnServer(from: string, to: string): Promise<void> {
    try {
      await client.rename(at(from), at(to));
    } catch (error) {
      const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
      // SFTP v3 answers a plain FAILURE when the target exists; tell that apart from a vanished source.
      if (code === FAILURE || code === 'ERR_GENERIC_CLIENT') {
        const [source, target] = [await statOf(from), await statOf(to)];
        if (source === null)
          throw new TransportError('not-found', from, `cannot move ${where}${at(from)}: it is gone`, error);
        if (target !== null)
          throw new TransportError(
            'exists',
            to,
            `cannot move to ${where}${at(to)}: it already exists`,
            error,
          );
      }
      throw fail(error, from, `cannot move to ${to}:`);
    }
  }
}

function connectError(
  cause: unknown,
  config: SftpConfig,
  connector: string,
  where: string,
  wrongHostKey: string | undefined,
): ErpError {
  const message = messageOf(cause);
  const key = `connectors.${connector}.transport`;
  if (wrongHostKey !== undefined) {
    return new ErpError(
      'auth',
      `${where}: the server's host key is SHA256:${wrongHostKey}, not the one configured`,
      {
        connector,
        url: where,
        cause,
        hint: `if the server's key changed on purpose, set ${key}.hostKeySha256 to SHA256:${wrongHostKey}`,
      },
    );
  }
  if (/authentication|auth methods/i.test(message)) {
    return new ErpError(
      'auth',
      `${where}: the server refused the ${config.password !== undefined ? 'password' : 'key'} for ${config.username}`,
      {
        connector,
        url: where,
        cause,
        hint: `check ${key}.username and ${key}.${config.password !== undefined ? 'password' : 'privateKey'}`,
      },
    );
  }
  return new ErpError('transient', `${where}: cannot connect: ${message}`, {
    connector,
    url: where,
    cause,
    hint: `check that the SFTP server runs and ${key}.host and port are right`,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
