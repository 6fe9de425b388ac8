import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * How the sandbox ERP puts files where others read them: a temporary name starting with "." in
 * the same folder, fsync, then rename — a reader sees the whole file or none of it.
 */
export function writeFileAtomic(path: string, data: Buffer | string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  const folder = openSync(dirname(path), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/** `dir/name`, or `dir/stem~1.ext`, `dir/stem~2.ext`, … — the first that does not exist. */
export function freePath(dir: string, name: string): string {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let attempt = 0; ; attempt++) {
    const candidate = join(dir, attempt === 0 ? name : `${stem}~${attempt}${extension}`);
    if (!existsSync(candidate)) return candidate;
  }
}
