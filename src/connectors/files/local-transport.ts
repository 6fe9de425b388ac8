import { randomBytes } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type FileEntry,
  type FileTransport,
  TransportError,
  type TransportFailure,
} from './file-transport.ts';

/**
 * Folders on a local (or mounted) file system. A rename is `rename(2)`, atomic, so of two
 * processes claiming one file only one succeeds; it refuses a target that already exists (as SFTP
 * does) by looking first, which is enough for the folders this connector owns. Folders are fsynced
 * after each change so a claim or a move survives a crash.
 */
export function createLocalTransport(root: string): FileTransport {
  const base = resolve(root);
  const at = (path: string): string => join(base, path);

  const fail = (error: unknown, path: string, doing: string): TransportError => {
    const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
    const failure: TransportFailure =
      code === 'ENOENT' ? 'not-found' : code === 'EEXIST' ? 'exists' : 'other';
    const reason = error instanceof Error ? error.message : String(error);
    return new TransportError(failure, path, `${doing} ${at(path)}: ${reason}`, error);
  };

  const syncDir = async (dir: string): Promise<void> => {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };

  return {
    describe: pathToFileURL(base).href,

    async list(dir) {
      let entries: Dirent[];
      try {
        entries = await readdir(at(dir), { withFileTypes: true });
      } catch (error) {
        throw fail(error, dir, 'cannot list');
      }
      const files: FileEntry[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        try {
          const info = await stat(join(at(dir), entry.name));
          files.push({ name: entry.name, size: info.size, mtimeMs: info.mtimeMs });
        } catch (error) {
          const failed = fail(error, `${dir}/${entry.name}`, 'cannot stat');
          // Gone between readdir and stat (claimed by someone else): not in the listing.
          if (failed.failure !== 'not-found') throw failed;
        }
      }
      return files;
    },

    async stat(path) {
      try {
        const info = await stat(at(path));
        return info.isFile()
          ? { name: path.split('/').pop() ?? path, size: info.size, mtimeMs: info.mtimeMs }
          : null;
      } catch (error) {
        const failed = fail(error, path, 'cannot stat');
        if (failed.failure === 'not-found') return null;
        throw failed;
      }
    },

    async *read(path) {
      const stream = createReadStream(at(path), { highWaterMark: 256 * 1024 });
      try {
        for await (const chunk of stream) {
          if (Buffer.isBuffer(chunk)) yield chunk;
        }
      } catch (error) {
        throw fail(error, path, 'cannot read');
      } finally {
        stream.destroy();
      }
    },

    async writeAtomic(path, data) {
      const target = at(path);
      const temporary = join(
        dirname(target),
        `.${path.split('/').pop() ?? 'file'}.${randomBytes(6).toString('hex')}.tmp`,
      );
      try {
        const handle = await open(temporary, 'wx');
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        // link fails with EEXIST instead of replacing: a file already in place is never overwritten.
        await link(temporary, target);
        await syncDir(dirname(target));
      } catch (error) {
        throw fail(error, path, 'cannot write');
      } finally {
        await rm(temporary, { force: true });
      }
    },

    async rename(from, to) {
      try {
        if (await exists(at(to))) {
          throw Object.assign(new Error(`${at(to)} already exists`), { code: 'EEXIST' });
        }
        await rename(at(from), at(to));
        await syncDir(dirname(at(to)));
        if (dirname(at(to)) !== dirname(at(from))) await syncDir(dirname(at(from)));
      } catch (error) {
        throw fail(error, from, `cannot move to ${to}:`);
      }
    },

    async remove(path) {
      try {
        await rm(at(path), { force: true });
      } catch (error) {
        throw fail(error, path, 'cannot remove');
      }
    },

    async mkdir(dir) {
      try {
        await mkdir(at(dir), { recursive: true });
      } catch (error) {
        throw fail(error, dir, 'cannot create folder');
      }
    },

    async close() {},
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (error instanceof Error && Reflect.get(error, 'code') === 'ENOENT') return false;
    throw error;
  }
}
