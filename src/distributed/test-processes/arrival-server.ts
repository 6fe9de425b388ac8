import { createServer } from 'node:http';

/**
 * A real local HTTP server standing in for the ERP in the shared-budget tests: it logs when each
 * request arrives and from which worker (`x-worker` header), counts requests in flight, and answers
 * `{}` after `delayMs`.
 */
export interface ArrivalServer {
  url: string;
  /** Arrival times (performance.now of this process, ms) and workers, in arrival order. */
  arrivals: { at: number; worker: string }[];
  /** Most requests in flight at once. */
  peakInFlight(): number;
  close(): Promise<void>;
}

export async function startArrivalServer(delayMs = 0): Promise<ArrivalServer> {
  const arrivals: { at: number; worker: string }[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = createServer((request, response) => {
    arrivals.push({ at: performance.now(), worker: String(request.headers['x-worker'] ?? '') });
    inFlight++;
    peak = Math.max(peak, inFlight);
    const answer = () => {
      inFlight--;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    };
    if (delayMs === 0) answer();
    else setTimeout(answer, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the arrival server has no TCP port');
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    peakInFlight: () => peak,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The most arrivals in any half-open window `[t, t + windowMs)`, and where that window starts. */
export function busiestWindow(times: readonly number[], windowMs: number): { count: number; start: number } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = { count: 0, start: sorted[0] ?? 0 };
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    const from = sorted[start] ?? 0;
    while (end < sorted.length && (sorted[end] ?? 0) < from + windowMs) end++;
    if (end - start > best.count) best = { count: end - start, start: from };
  }
  return best;
}
