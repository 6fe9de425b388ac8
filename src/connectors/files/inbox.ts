import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { describeError } from '../../errors/index.ts';
import { FormatError } from '../../formats/format-error.ts';
import { csvRecords } from './csv-records.ts';
import { type ExportRecord, exportRecords } from './export-records.ts';
import { type FileEntry, type FileTransport, TransportError } from './file-transport.ts';
import type { FilesConfig, FilesEntity } from './files-config.ts';
import type { FilesState } from './files-state.ts';
import { namePattern } from './name-pattern.ts';
import { isStable, observe, type Sighting } from './stability.ts';

/**
 * The inbox the ERP exports into, and what happens to each file: noticed (folder events and/or
 * polling), claimed only when complete (stable size and mtime, or a done-marker), moved atomically
 * into `processing/`, read into the connector's state in one transaction, then moved to `done/` —
 * or to `error/` with `<name>.error.txt` beside it, one line naming the file, the line and the
 * reason. A file with the same content as one processed before is moved to `done/` without being
 * merged again, with `<name>.duplicate.txt` saying which file it repeats. Nothing is deleted.
 *
 * Claims are renames, so two connectors on one inbox never process a file twice; files found in
 * `processing/` at start (a crash mid-file) are processed again, which the content ledger makes safe.
 */

export interface InboxOptions {
  transport: FileTransport;
  state: FilesState;
  config: FilesConfig;
  connector: string;
  /** The inbound folder as a local path, to watch with chokidar; absent over SFTP. */
  localPath?: string;
  /** Told of a failure in the background (a scan the poll timer started), once per distinct message. */
  onProblem?: (message: string) => void;
  now?: () => number;
}

/** What became of one file taken from the inbox. */
export type InboxOutcome =
  | { kind: 'done'; file: string; entity: string; records: number }
  | { kind: 'duplicate'; file: string; entity: string; repeats: string }
  | { kind: 'error'; file: string; reason: string };

export interface Inbox {
  /** Creates the folders, takes up files a crash left in processing/, and starts noticing new files. */
  start(): Promise<void>;
  /**
   * Processes every complete file now in the inbox; waits (up to `inbound.waitForFilesMs`) for files
   * still being written. Throws what went wrong with the transport, or a background failure not yet reported.
   */
  drain(signal?: AbortSignal): Promise<void>;
  /** Every outcome so far, oldest first (the last 1000). */
  outcomes(): readonly InboxOutcome[];
  close(): Promise<void>;
}

interface ScanResult {
  /** Candidates seen but not yet complete. */
  waiting: number;
}

const STAGE_BATCH = 1000;
const KEPT_OUTCOMES = 1000;

/** Creates the inbox; nothing happens until `start`. */
export function createInbox(options: InboxOptions): Inbox {
  const { transport, state, config, connector } = options;
  const { inbound, csv } = config;
  const now = options.now ?? Date.now;
  const dirs = {
    inbox: inbound.dir,
    processing: posix.join(inbound.dir, inbound.processingDir),
    done: posix.join(inbound.dir, inbound.doneDir),
    error: posix.join(inbound.dir, inbound.errorDir),
  };
  const entities = Object.entries(config.entities).map(([name, entity]) => ({
    name,
    entity,
    matches: namePattern(entity.files),
  }));
  const ignored = inbound.ignore.map(namePattern);
  const marker = inbound.doneMarker;
  const history: InboxOutcome[] = [];
  let sightings = new Map<string, Sighting>();
  let backgroundFailure: unknown;
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;

  const remember = (outcome: InboxOutcome) => {
    history.push(outcome);
    if (history.length > KEPT_OUTCOMES) history.shift();
  };

  const isCandidate = (name: string): boolean =>
    !name.startsWith('.') &&
    !(marker !== undefined && name.endsWith(marker)) &&
    !ignored.some((match) => match(name));

  /** A name in `dir` nobody uses yet: `name`, else `stem~1.ext`, `stem~2.ext`, … */
  const freeName = async (dir: string, name: string): Promise<string> => {
    const extension = posix.extname(name);
    const stem = name.slice(0, name.length - extension.length);
    for (let attempt = 0; ; attempt++) {
      const candidate = attempt === 0 ? name : `${stem}~${attempt}${extension}`;
      if ((await transport.stat(posix.join(dir, candidate))) === null) return candidate;
    }
  };

  /** Moves `from` into `dir` under a free name; returns the name it got. */
  const moveInto = async (from: string, dir: string, name: string): Promise<string> => {
    for (;;) {
      const target = await freeName(dir, name);
      try {
        await transport.rename(from, posix.join(dir, target));
        return target;
      } catch (error) {
        // Someone took that name between the look and the move: look again.
        if (!(error instanceof TransportError && error.failure === 'exists')) throw error;
      }
    }
  };

  /**
   * Moves a processed file into `dir` with its note beside it (`<name><suffix>`). The note is
   * written first, so whoever sees the file also finds its note.
   */
  const moveWithNote = async (
    processingName: string,
    dir: string,
    original: string,
    suffix: string,
    text: string,
  ) => {
    const target = await freeName(dir, original);
    const line = `${text.replace(/[\r\n]+/g, ' ')}\n`;
    await transport.writeAtomic(
      posix.join(dir, await freeName(dir, `${target}${suffix}`)),
      Buffer.from(line, 'utf8'),
    );
    try {
      await transport.rename(posix.join(dirs.processing, processingName), posix.join(dir, target));
    } catch (error) {
      if (!(error instanceof TransportError && error.failure === 'exists')) throw error;
      await moveInto(posix.join(dirs.processing, processingName), dir, original);
    }
  };

  const refuse = async (processingName: string, original: string, reason: string): Promise<void> => {
    await moveWithNote(processingName, dirs.error, original, '.error.txt', reason);
    remember({ kind: 'error', file: original, reason });
  };

  /** Reads one claimed file into the state and moves it on. */
  const processClaimed = async (processingName: string, original: string): Promise<void> => {
    const match = entities.find((candidate) => candidate.matches(original));
    if (match === undefined) {
      const patterns = entities.map((candidate) => candidate.entity.files).join(', ');
      await refuse(
        processingName,
        original,
        `${original}: matches no entity's file pattern (${patterns}); list such files under connectors.${connector}.inbound.ignore to leave them in the inbox`,
      );
      return;
    }
    const hash = createHash('sha256');
    let records = 0;
    state.beginStaging();
    try {
      records = await stageFile(
        posix.join(dirs.processing, processingName),
        original,
        match.name,
        match.entity,
        hash,
      );
    } catch (error) {
      state.discardStaging();
      if (error instanceof FormatError) {
        await refuse(processingName, original, error.message);
        return;
      }
      if (error instanceof TransportError) {
        // The file could not be read (the connection dropped): back to the inbox for the next scan.
        await transport
          .rename(posix.join(dirs.processing, processingName), posix.join(dirs.inbox, original))
          .catch(() => undefined);
        throw error;
      }
      await refuse(processingName, original, `${original}: cannot be read: ${describeError(error)}`);
      return;
    }
    const digest = hash.digest('hex');
    const result = state.commitStaging({
      hash: digest,
      file: original,
      entity: match.name,
      records,
      processedAt: new Date(now()).toISOString(),
    });
    if (result.kind === 'duplicate') {
      await moveWithNote(
        processingName,
        dirs.done,
        original,
        '.duplicate.txt',
        `${original}: same content (sha256 ${digest.slice(0, 16)}…) as ${result.first.file}, processed ${result.first.processedAt}; not merged again`,
      );
      remember({ kind: 'duplicate', file: original, entity: match.name, repeats: result.first.file });
      return;
    }
    await moveInto(posix.join(dirs.processing, processingName), dirs.done, original);
    remember({ kind: 'done', file: original, entity: match.name, records });
  };

  const stageFile = async (
    path: string,
    source: string,
    entityName: string,
    entity: FilesEntity,
    hash: ReturnType<typeof createHash>,
  ): Promise<number> => {
    const bytes = hashing(transport.read(path), hash);
    const rows = csvRecords(bytes, source, csv);
    let batch: ExportRecord[] = [];
    let count = 0;
    for await (const record of exportRecords(rows, entity, { source, delimiter: csv.delimiter })) {
      batch.push(record);
      count++;
      if (batch.length >= STAGE_BATCH) {
        state.stage(entityName, batch);
        batch = [];
      }
    }
    state.stage(entityName, batch);
    return count;
  };

  /** Claims `name` (a rename into processing/) and processes it; does nothing when another consumer took it first. */
  const claimAndProcess = async (name: string, listing: ReadonlyMap<string, FileEntry>): Promise<void> => {
    const claimed = await freeName(dirs.processing, name);
    try {
      await transport.rename(posix.join(dirs.inbox, name), posix.join(dirs.processing, claimed));
    } catch (error) {
      if (error instanceof TransportError && (error.failure === 'not-found' || error.failure === 'exists'))
        return;
      throw error;
    }
    if (marker !== undefined && listing.has(`${name}${marker}`)) {
      await transport.remove(posix.join(dirs.inbox, `${name}${marker}`));
    }
    await processClaimed(claimed, name);
  };

  const scanOnce = async (): Promise<ScanResult> => {
    const listing = await transport.list(dirs.inbox);
    const byName = new Map(listing.map((entry) => [entry.name, entry]));
    const candidates = listing.filter((entry) => isCandidate(entry.name));
    const at = now();
    sightings = observe(sightings, candidates, at);
    const ready = candidates
      .filter((entry) => {
        if (marker !== undefined) return byName.has(`${entry.name}${marker}`);
        const seen = sightings.get(entry.name);
        return seen !== undefined && isStable(seen, at, inbound.stableMs);
      })
      // Oldest first, so a later export of the same records is merged last.
      .sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
    for (const entry of ready) {
      if (closed) break;
      await claimAndProcess(entry.name, byName);
      sightings.delete(entry.name);
    }
    return { waiting: candidates.length - ready.length };
  };

  // One scan at a time; callers arriving during a scan share the next one.
  let running: Promise<ScanResult> | undefined;
  let queued: Promise<ScanResult> | undefined;
  const scan = (): Promise<ScanResult> => {
    if (queued !== undefined) return queued;
    if (running === undefined) {
      running = scanOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return scan();
      });
    return queued;
  };

  const scanInBackground = () => {
    if (closed) return;
    scan().then(
      () => {
        backgroundFailure = undefined;
      },
      (error: unknown) => {
        if (closed) return;
        const first =
          backgroundFailure === undefined || describeError(backgroundFailure) !== describeError(error);
        backgroundFailure = error;
        if (first)
          options.onProblem?.(
            `connector ${connector}: inbox ${transport.describe}/${dirs.inbox}: ${describeError(error)}`,
          );
      },
    );
  };

  return {
    async start() {
      for (const dir of Object.values(dirs)) await transport.mkdir(dir);
      for (const leftover of await transport.list(dirs.processing)) {
        if (!leftover.name.startsWith('.')) await processClaimed(leftover.name, leftover.name);
      }
      poller = setInterval(scanInBackground, inbound.pollMs);
      poller.unref();
      if (options.localPath !== undefined && inbound.watch !== 'poll') {
        watcher = watch(options.localPath, { depth: 0, ignoreInitial: true, persistent: false });
        const soon = () => {
          scanInBackground();
          // The file is complete only after the window; look again then.
          if (inbound.stableMs > 0) setTimeout(scanInBackground, inbound.stableMs + 5).unref();
        };
        watcher.on('add', soon).on('change', soon);
        watcher.on('error', (error) =>
          options.onProblem?.(
            `connector ${connector}: watching ${options.localPath}: ${describeError(error)}`,
          ),
        );
      }
      scanInBackground();
    },

    async drain(signal) {
      const deadline = now() + inbound.waitForFilesMs;
      for (;;) {
        signal?.throwIfAborted();
        const { waiting } = await scan();
        backgroundFailure = undefined;
        if (waiting === 0 || now() >= deadline) return;
        await delay(Math.max(5, Math.min(inbound.pollMs, Math.ceil(inbound.stableMs / 2) || 5)), signal);
      }
    },

    outcomes: () => history,

    async close() {
      closed = true;
      if (poller !== undefined) clearInterval(poller);
      await watcher?.close();
      await running?.catch(() => undefined);
      await queued?.catch(() => undefined);
    },
  };
}

async function* hashing(
  chunks: AsyncIterable<Buffer>,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
