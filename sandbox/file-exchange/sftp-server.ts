import { createHash, timingSafeEqual } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import ssh2, {
  type Attributes,
  type AuthenticationType,
  type Connection,
  type FileEntry,
  type SFTPWrapper,
} from 'ssh2';
import { generateEd25519KeyPair } from './ed25519-key-pair.ts';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

/**
 * A real SFTP server over one folder, in-process, built on ssh2's `Server`: how the sandbox ERP
 * offers its exchange folder the way ERP hosts do. Password (or public key) authentication for one user; a fresh
 * ed25519 host key per start, whose fingerprint clients pin. The folder is the client's `/` (a
 * chroot: `..` never leaves it).
 *
 * It implements the requests SFTP clients send for listing, reading, writing, renaming and
 * removing files (OPEN READ WRITE CLOSE FSTAT STAT LSTAT OPENDIR READDIR REMOVE RMDIR MKDIR RENAME
 * REALPATH SETSTAT FSETSTAT), with OpenSSH's semantics where they matter: RENAME onto an existing
 * file fails, and OPEN with EXCL refuses an existing file.
 */

export interface SftpServerOptions {
  root: string;
  host: string;
  port: number;
  username: string;
  password: string;
  /** Also accept this public key (an OpenSSH `ssh-ed25519 AAAA…` line) for the user. */
  authorizedKey?: string | undefined;
}

/** A running SFTP server. */
export interface SftpServer {
  host: string;
  port: number;
  username: string;
  password: string;
  /** `SHA256:<base64>`, as `ssh-keygen -lf` prints it. */
  hostKeySha256: string;
  close(): Promise<void>;
}

type Handle = { kind: 'file'; handle: fs.FileHandle } | { kind: 'dir'; path: string; listed: boolean };

export async function startSftpServer(options: SftpServerOptions): Promise<SftpServer> {
  const hostKey = generateEd25519KeyPair();
  const parsed = utils.parseKey(hostKey.public);
  if (parsed instanceof Error) throw parsed;
  const fingerprint = createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '');
  const clients = new Set<Connection>();
  const authorized = options.authorizedKey === undefined ? undefined : utils.parseKey(options.authorizedKey);
  if (authorized instanceof Error) throw new Error(`sftp authorizedKey: ${authorized.message}`);

  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    // A client that drops mid-handshake is the client's problem, not the server's.
    client.on('error', () => undefined);
    client.on('authentication', (context) => {
      const methods: AuthenticationType[] =
        authorized === undefined ? ['password'] : ['publickey', 'password'];
      if (!same(context.username, options.username)) return context.reject(methods);
      if (context.method === 'password' && same(context.password, options.password)) return context.accept();
      if (
        context.method === 'publickey' &&
        authorized !== undefined &&
        context.key.algo === authorized.type &&
        context.key.data.equals(authorized.getPublicSSH())
      ) {
        // Without a signature the client only asks whether the key would do; with one, it must verify.
        if (context.signature === undefined || context.blob === undefined) return context.accept();
        if (authorized.verify(context.blob, context.signature, context.hashAlgo)) return context.accept();
      }
      return context.reject(methods);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), options.root));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address: AddressInfo | string | null = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port,
    username: options.username,
    password: options.password,
    hostKeySha256: `SHA256:${fingerprint}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Answers one client's SFTP requests against `root`. */
function serveSftp(sftp: SFTPWrapper, root: string): void {
  const handles = new Map<number, Handle>();
  let nextHandle = 1;

  /** The local path of a client path: resolved against `/`, never above it. */
  const local = (path: string): string => join(root, posix.normalize(posix.join('/', path)));
  const newHandle = (handle: Handle): Buffer => {
    const id = nextHandle++;
    handles.set(id, handle);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(id);
    return buffer;
  };
  const handleOf = (buffer: Buffer): Handle | undefined =>
    buffer.length === 4 ? handles.get(buffer.readUInt32BE(0)) : undefined;
  const fail = (request: number, error: unknown) => {
    const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
    if (code === 'ENOENT') sftp.status(request, STATUS_CODE.NO_SUCH_FILE);
    else if (code === 'EACCES' || code === 'EPERM') sftp.status(request, STATUS_CODE.PERMISSION_DENIED);
    else sftp.status(request, STATUS_CODE.FAILURE, error instanceof Error ? error.message : String(error));
  };
  /** Runs a request's work, answering a failure with its status. */
  const answer = (request: number, work: () => Promise<void>) => {
    work().catch((error: unknown) => fail(request, error));
  };

  sftp.on('REALPATH', (request, path) => {
    const normal = posix.normalize(posix.join('/', path));
    sftp.name(request, [{ filename: normal, longname: normal, attrs: emptyAttributes() }]);
  });
  sftp.on('OPEN', (request, path, flags) =>
    answer(request, async () => {
      const mode = utils.sftp.flagsToString(flags);
      if (mode === null) {
        sftp.status(request, STATUS_CODE.OP_UNSUPPORTED, `open flags ${flags}`);
        return;
      }
      sftp.handle(request, newHandle({ kind: 'file', handle: await fs.open(local(path), mode) }));
    }),
  );
  sftp.on('READ', (request, buffer, offset, length) =>
    answer(request, async () => {
      const handle = handleOf(buffer);
      if (handle?.kind !== 'file') return sftp.status(request, STATUS_CODE.FAILURE, 'not an open file');
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.handle.read(chunk, 0, length, offset);
      if (bytesRead === 0) sftp.status(request, STATUS_CODE.EOF);
      else sftp.data(request, chunk.subarray(0, bytesRead));
    }),
  );
  sftp.on('WRITE', (request, buffer, offset, data) =>
    answer(request, async () => {
      const handle = handleOf(buffer);
      if (handle?.kind !== 'file') return sftp.status(request, STATUS_CODE.FAILURE, 'not an open file');
      await handle.handle.write(data, 0, data.length, offset);
      sftp.status(request, STATUS_CODE.OK);
    }),
  );
  sftp.on('FSTAT', (request, buffer) =>
    answer(request, async () => {
      const handle = handleOf(buffer);
      if (handle?.kind !== 'file') return sftp.status(request, STATUS_CODE.FAILURE, 'not an open file');
      sftp.attrs(request, attributesOf(await handle.handle.stat()));
    }),
  );
  sftp.on('CLOSE', (request, buffer) =>
    answer(request, async () => {
      const handle = handleOf(buffer);
      if (handle === undefined) return sftp.status(request, STATUS_CODE.FAILURE, 'unknown handle');
      handles.delete(buffer.readUInt32BE(0));
      if (handle.kind === 'file') await handle.handle.close();
      sftp.status(request, STATUS_CODE.OK);
    }),
  );
  sftp.on('OPENDIR', (request, path) =>
    answer(request, async () => {
      const info = await fs.stat(local(path));
      if (!info.isDirectory()) return sftp.status(request, STATUS_CODE.FAILURE, 'not a folder');
      sftp.handle(request, newHandle({ kind: 'dir', path: local(path), listed: false }));
    }),
  );
  sftp.on('READDIR', (request, buffer) =>
    answer(request, async () => {
      const handle = handleOf(buffer);
      if (handle?.kind !== 'dir') return sftp.status(request, STATUS_CODE.FAILURE, 'not an open folder');
      if (handle.listed) return sftp.status(request, STATUS_CODE.EOF);
      handle.listed = true;
      const entries: FileEntry[] = [];
      for (const name of await fs.readdir(handle.path)) {
        try {
          const info = await fs.lstat(join(handle.path, name));
          entries.push({ filename: name, longname: longName(name, info), attrs: attributesOf(info) });
        } catch {
          // Gone between readdir and lstat: not in the listing.
        }
      }
      if (entries.length === 0) sftp.status(request, STATUS_CODE.EOF);
      else sftp.name(request, entries);
    }),
  );
  const statWith = (stat: (path: string) => Promise<Stats>) => (request: number, path: string) =>
    answer(request, async () => sftp.attrs(request, attributesOf(await stat(local(path)))));
  sftp.on(
    'STAT',
    statWith((path) => fs.stat(path)),
  );
  sftp.on(
    'LSTAT',
    statWith((path) => fs.lstat(path)),
  );
  sftp.on('REMOVE', (request, path) =>
    answer(request, async () => {
      await fs.unlink(local(path));
      sftp.status(request, STATUS_CODE.OK);
    }),
  );
  sftp.on('RMDIR', (request, path) =>
    answer(request, async () => {
      await fs.rmdir(local(path));
      sftp.status(request, STATUS_CODE.OK);
    }),
  );
  sftp.on('MKDIR', (request, path) =>
    answer(request, async () => {
      await fs.mkdir(local(path));
      sftp.status(request, STATUS_CODE.OK);
    }),
  );
  sftp.on('RENAME', (request, from, to) =>
    answer(request, async () => {
      // OpenSSH refuses to rename onto an existing file (SFTP v3); so does this server.
      const exists = await fs.access(local(to), constants.F_OK).then(
        () => true,
        () => false,
      );
      if (exists) return sftp.status(request, STATUS_CODE.FAILURE, `${to} already exists`);
      await fs.rename(local(from), local(to));
      sftp.status(request, STATUS_CODE.OK);
    }),
  );
  sftp.on('SETSTAT', (request) => sftp.status(request, STATUS_CODE.OK));
  sftp.on('FSETSTAT', (request) => sftp.status(request, STATUS_CODE.OK));
  sftp.on('READLINK', (request) => sftp.status(request, STATUS_CODE.OP_UNSUPPORTED));
  sftp.on('SYMLINK', (request) => sftp.status(request, STATUS_CODE.OP_UNSUPPORTED));
  sftp.on('close', () => {
    for (const handle of handles.values())
      if (handle.kind === 'file') void handle.handle.close().catch(() => undefined);
    handles.clear();
  });
}

function attributesOf(info: Stats): Attributes {
  return {
    mode: info.mode,
    uid: info.uid,
    gid: info.gid,
    size: info.size,
    atime: Math.floor(info.atimeMs / 1000),
    mtime: Math.floor(info.mtimeMs / 1000),
  };
}

function emptyAttributes(): Attributes {
  return { mode: 0, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 };
}

/** An `ls -l` line; clients read the entry's type from its first character. */
function longName(name: string, info: Stats): string {
  const type = info.isDirectory() ? 'd' : info.isSymbolicLink() ? 'l' : '-';
  const bits = ['r', 'w', 'x'];
  const permissions = Array.from({ length: 9 }, (_, bit) =>
    (info.mode >> (8 - bit)) & 1 ? bits[bit % 3] : '-',
  ).join('');
  const date = new Date(info.mtimeMs).toUTCString().slice(5, 22);
  return `${type}${permissions} 1 erp erp ${String(info.size).padStart(8)} ${date} ${name}`;
}
