import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Where a reader takes its bytes from: a file path, a Node stream, or any (async) iterable of byte
 * chunks (a test's generator, an HTTP body). Every reader in src/formats reads chunk by chunk from
 * this; none needs the whole file in memory.
 */
export type ByteInput = string | Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Chunk size for files: Node's default. Larger chunks measured no faster and let a reader hold
 * more at once (1 MiB chunks doubled the CSV reader's peak RSS on a 100 MB file).
 */
export const FILE_CHUNK_BYTES = 64 * 1024;

/** Bytes as chunks, and what to call them in messages. */
export interface ByteSource {
  /** The path as given, or the caller's description ("stdin"), or "input". */
  source: string;
  chunks: AsyncIterable<Buffer>;
}

/** Opens `input` as chunks. A path is read with {@link FILE_CHUNK_BYTES} chunks, lazily. */
export function openBytes(input: ByteInput, source?: string): ByteSource {
  if (typeof input === 'string') {
    return { source: source ?? input, chunks: fileChunks(input) };
  }
  return { source: source ?? 'input', chunks: asBuffers(input) };
}

async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      if (Buffer.isBuffer(chunk)) yield chunk;
    }
  } finally {
    stream.destroy();
  }
}

async function* asBuffers(input: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    if (Buffer.isBuffer(chunk)) yield chunk;
    else if (chunk instanceof Uint8Array) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else throw new TypeError(`a byte source yielded ${typeof chunk}, not bytes`);
  }
}

/** The first bytes of a stream, and the whole stream again (those bytes included). */
export interface PeekedBytes {
  head: Buffer;
  chunks: AsyncIterable<Buffer>;
}

/**
 * Reads at least `count` bytes (fewer only when the stream is shorter) without losing them: the
 * returned `chunks` yields everything from the first byte. For sniffing a BOM, a format or a
 * CSV dialect before reading.
 */
export async function peekBytes(chunks: AsyncIterable<Buffer>, count: number): Promise<PeekedBytes> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < count) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    seen.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(seen, length);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head, chunks: replay() };
}
