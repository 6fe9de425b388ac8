/**
 * The narrow port the `files` connector reaches folders through, local or over SFTP (as Camel
 * serves file, FTP and SFTP through one file-operations interface). Paths are POSIX paths relative
 * to the transport's root; the connector never builds an absolute path itself.
 */

/** One file in a folder listing. */
export interface FileEntry {
  name: string;
  size: number;
  /** Modification time in ms since the epoch (SFTP servers report whole seconds). */
  mtimeMs: number;
}

/** What a file operation failed with, in the terms the connector acts on. */
export type TransportFailure = 'not-found' | 'exists' | 'other';

/** An error of a transport call: what failed, on which path, and the cause. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly failure: TransportFailure;
  readonly path: string;

  constructor(failure: TransportFailure, path: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.failure = failure;
    this.path = path;
  }
}

export interface FileTransport {
  /** `file:///abs/root` or `sftp://user@host:port/root`: for messages. */
  readonly describe: string;
  /** The regular files directly in `dir` (not folders, not links). A missing folder is `not-found`. */
  list(dir: string): Promise<FileEntry[]>;
  /** The file's entry, or null when it does not exist. */
  stat(path: string): Promise<FileEntry | null>;
  /** The file's bytes as chunks, streamed. */
  read(path: string): AsyncIterable<Buffer>;
  /**
   * Writes `data` so that no reader ever sees part of it: a temporary name starting with "." in the
   * same folder, flushed to disk where the transport can (fsync), then renamed into place. Fails
   * with `exists` when `path` already exists.
   */
  writeAtomic(path: string, data: Buffer): Promise<void>;
  /** Renames atomically within the transport; `exists` when `to` exists, `not-found` when `from` does not. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** Creates the folder and its parents; an existing folder is not an error. */
  mkdir(dir: string): Promise<void>;
  close(): Promise<void>;
}
