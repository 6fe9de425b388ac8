/**
 * The fault decisions as pure functions of the resolved config, the request's kind, the clock and
 * a uniform draw in [0, 1). The injector keeps the state; these say what the state means.
 */
import { type RequestKind, type ResolvedFaults, targets } from './fault-config.ts';

/** A fault that answers instead of the handler, or does not answer at all. */
export type GateFault = { kind: 'hang' } | { kind: 'reset' } | { kind: 'error'; status: number };

interface GateSlice {
  fault: GateFault;
  rate: number;
}

function gateSlices(faults: ResolvedFaults, kind: RequestKind): GateSlice[] {
  const slices: GateSlice[] = [];
  if (faults.hangs && targets(faults.hangs.target, kind))
    slices.push({ fault: { kind: 'hang' }, rate: faults.hangs.rate });
  if (faults.resets && targets(faults.resets.target, kind))
    slices.push({ fault: { kind: 'reset' }, rate: faults.resets.rate });
  if (faults.errors && targets(faults.errors.target, kind)) {
    for (const { status, rate } of faults.errors.rates)
      slices.push({ fault: { kind: 'error', status }, rate });
  }
  return slices;
}

/** Whether a request of this kind draws for hangs, resets or errors at all. */
export function drawsGateFault(faults: ResolvedFaults, kind: RequestKind): boolean {
  return gateSlices(faults, kind).length > 0;
}

/**
 * Hangs, resets and the error statuses share one draw: [0, 1) is cut into consecutive slices of
 * their rates (hang, reset, then the statuses in ascending order), so each happens at exactly its
 * rate and they never compete. A draw past the last slice is no fault.
 */
export function gateFault(faults: ResolvedFaults, kind: RequestKind, draw: number): GateFault | null {
  let upTo = 0;
  for (const slice of gateSlices(faults, kind)) {
    upTo += slice.rate;
    if (draw < upTo) return slice.fault;
  }
  return null;
}

/** Whether the `count`-th request (from 1) falls in a 429 burst: counts every+1..every+length, 2·every+1.., …. */
export function inBurst(count: number, every: number, length: number): boolean {
  return count > every && (count - 1) % every < length;
}

/** A span of time in ms since the epoch, `from` included, `until` excluded. */
export interface TimeWindow {
  from: number;
  until: number;
}

/** The end of the latest window that is open at `now`, or null when none is. */
export function openWindowEnd(windows: readonly TimeWindow[], now: number): number | null {
  let end: number | null = null;
  for (const window of windows) {
    if (window.from <= now && now < window.until && (end === null || window.until > end)) end = window.until;
  }
  return end;
}

/** The fixed latency plus a uniform whole number of ms from 0 to `jitterMs`, both inclusive. */
export function latencyMs(fixedMs: number, jitterMs: number, draw: number): number {
  return fixedMs + Math.floor(draw * (jitterMs + 1));
}

/**
 * An overloaded app server's latency for a request that arrives with `othersInFlight` others.
 * Up to `workers` requests in flight, each is served at once but slower the more share the server:
 * `base + perConcurrent × others`. Past `workers`, the extra requests queue for a worker, so the
 * server's throughput stays at its peak, `workers / latency(workers)`, and latency grows with the
 * queue: `latency(workers) × inFlight / workers` — the knee every real app server has, where more
 * concurrency stops buying throughput and only buys waiting. Without `workers` (null) the growth
 * stays linear and throughput keeps creeping up towards `1 / perConcurrent`.
 */
export function degradationMs(
  baseLatencyMs: number,
  perConcurrentMs: number,
  othersInFlight: number,
  workers: number | null = null,
): number {
  const inFlight = Math.max(0, othersInFlight) + 1;
  if (workers === null || inFlight <= workers) return baseLatencyMs + perConcurrentMs * (inFlight - 1);
  const atKnee = baseLatencyMs + perConcurrentMs * (workers - 1);
  return Math.round((atKnee * inFlight) / workers);
}
