import {
  type FaultConfig,
  type LostAnswerMode,
  type RequestKind,
  type ResolvedFaults,
  resolveFaults,
  targets,
} from './fault-config.ts';
import {
  degradationMs,
  drawsGateFault,
  gateFault,
  inBurst,
  latencyMs,
  openWindowEnd,
  type TimeWindow,
} from './fault-rules.ts';
import { type ErrorBody, errorBody, errorCodeForStatus } from './http-errors.ts';
import { createPrng, deriveSeed, type Prng } from './prng.ts';
import { retryAfterValue } from './retry-after.ts';
import { fullBucket, type TokenBucket, takeToken } from './token-bucket.ts';

/**
 * What the request log's `fault` says happened to a request: `429` (rate limit), `429-burst`,
 * `503-maintenance`, `hang`, `reset`, `error-<status>`, `lost-502`, `lost-reset`, `lost-hang`,
 * `token-expired`, `token-invalid` (an unknown token, or the static API key while OAuth is on).
 */
export type FaultLabel =
  | '429'
  | '429-burst'
  | '503-maintenance'
  | 'hang'
  | 'reset'
  | `error-${number}`
  | 'lost-502'
  | 'lost-reset'
  | 'lost-hang'
  | 'token-expired'
  | 'token-invalid';

/** What to do with an authorised `/api` request before its handler. */
export type Admission =
  /** Run the handler after `delayMs`; call {@link FaultInjector.release} once its answer is finished. */
  | { kind: 'proceed'; delayMs: number }
  /** Answer this instead of the handler. */
  | { kind: 'refuse'; fault: FaultLabel; status: number; headers: Record<string, string>; body: ErrorBody }
  /** Never answer; keep the socket open until the client gives up or the server closes. */
  | { kind: 'hang'; fault: 'hang' }
  /** Reset the socket without an answer. */
  | { kind: 'reset'; fault: 'reset' };

/** The fault state of a running sandbox: its config, the seeded draws, the counters and clocks. */
export interface FaultInjector {
  /** The active config as it was written; `{}` when there are no faults. */
  readonly config: FaultConfig;
  /** The active OAuth settings, or null when `/api` takes the static API key. */
  readonly oauth: ResolvedFaults['oauth'];
  /**
   * Replaces the config and restarts its state: the draws from its seed, a full token bucket, the
   * burst count, and the maintenance window's clock. A window from {@link startMaintenance} stays.
   */
  apply(config: FaultConfig): void;
  /** No faults: an empty config, and any maintenance window ends. */
  clear(): void;
  /** Starts a maintenance window now, for every `/api` read and write; returns it. */
  startMaintenance(durationMs: number): TimeWindow;
  /**
   * Decides what happens to an authorised `/api` request of this kind (null: neither a read nor a
   * write, never faulted): maintenance → rate limit → bursts429 → hangs, resets, errors →
   * degradation and latency.
   */
  admit(kind: RequestKind | null): Admission;
  /** Ends a proceeding request's turn in flight (degradation counts the others in flight). */
  release(): void;
  /** For a request whose handler ran: whether its answer is lost, and how (writes only). */
  loseAnswer(kind: RequestKind | null): LostAnswerMode | null;
}

interface ConfigState {
  config: FaultConfig;
  faults: ResolvedFaults;
  appliedAt: number;
  gateDraws: Prng;
  latencyDraws: Prng;
  lostDraws: Prng;
  bucket: TokenBucket | null;
  burstCount: number;
}

/**
 * Creates the fault state from a config (`{}` for none). `now` is the clock for maintenance
 * windows, the token bucket and Retry-After dates; the real clock unless a test brings its own.
 */
export function createFaultInjector(initial: FaultConfig = {}, now: () => number = Date.now): FaultInjector {
  let state = stateFor(initial, now());
  let manualWindow: TimeWindow | null = null;
  let inFlight = 0;

  const refuse = (fault: FaultLabel, status: number, headers: Record<string, string>, message: string) =>
    ({
      kind: 'refuse',
      fault,
      status,
      headers,
      body: errorBody(errorCodeForStatus(status), message),
    }) satisfies Admission;

  const proceed = (delayMs: number): Admission => {
    inFlight += 1;
    return { kind: 'proceed', delayMs };
  };

  const admit = (kind: RequestKind | null): Admission => {
    if (kind === null) return proceed(0);
    const { faults } = state;
    const at = now();

    const windows: TimeWindow[] = manualWindow ? [manualWindow] : [];
    if (faults.maintenance && targets(faults.maintenance.target, kind)) {
      const from = state.appliedAt + faults.maintenance.startAfterMs;
      windows.push({ from, until: from + faults.maintenance.durationMs });
    }
    const maintenanceEnd = openWindowEnd(windows, at);
    if (maintenanceEnd !== null) {
      const retryAfter = retryAfterValue(maintenanceEnd - at, at, 'seconds');
      return refuse(
        '503-maintenance',
        503,
        { 'retry-after': retryAfter },
        `the ERP is down for maintenance until ${new Date(maintenanceEnd).toISOString()}; retry after ${retryAfter} s`,
      );
    }

    const { rateLimit } = faults;
    if (rateLimit && targets(rateLimit.target, kind)) {
      const policy = { perSecond: rateLimit.requestsPerSecond, burst: rateLimit.burst };
      const take = takeToken(state.bucket ?? fullBucket(policy, at), policy, at);
      state.bucket = take.bucket;
      if (!take.allowed) {
        return refuse(
          '429',
          429,
          { 'retry-after': retryAfterValue(take.waitMs, at, rateLimit.retryAfter) },
          `too many requests: at most ${rateLimit.requestsPerSecond} a second (burst ${rateLimit.burst}); see Retry-After`,
        );
      }
    }

    const { bursts429 } = faults;
    if (bursts429 && targets(bursts429.target, kind)) {
      state.burstCount += 1;
      if (inBurst(state.burstCount, bursts429.every, bursts429.length)) {
        return refuse(
          '429-burst',
          429,
          { 'retry-after': '1' },
          'too many requests right now; retry after 1 s',
        );
      }
    }

    if (drawsGateFault(faults, kind)) {
      const fault = gateFault(faults, kind, state.gateDraws.next());
      if (fault?.kind === 'hang') return { kind: 'hang', fault: 'hang' };
      if (fault?.kind === 'reset') return { kind: 'reset', fault: 'reset' };
      if (fault?.kind === 'error') {
        return refuse(
          `error-${fault.status}`,
          fault.status,
          {},
          `the ERP failed to answer (sandbox fault errors.rates.${fault.status})`,
        );
      }
    }

    let delayMs = 0;
    if (faults.degradation && targets(faults.degradation.target, kind)) {
      delayMs += degradationMs(
        faults.degradation.baseLatencyMs,
        faults.degradation.perConcurrentMs,
        inFlight,
        faults.degradation.workers,
      );
    }
    if (faults.latency && targets(faults.latency.target, kind)) {
      const { fixedMs, jitterMs } = faults.latency;
      delayMs += latencyMs(fixedMs, jitterMs, jitterMs > 0 ? state.latencyDraws.next() : 0);
    }
    return proceed(delayMs);
  };

  return {
    get config() {
      return state.config;
    },
    get oauth() {
      return state.faults.oauth;
    },
    apply(config) {
      state = stateFor(config, now());
    },
    clear() {
      state = stateFor({}, now());
      manualWindow = null;
    },
    startMaintenance(durationMs) {
      const from = now();
      manualWindow = { from, until: from + durationMs };
      return manualWindow;
    },
    admit,
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
    loseAnswer(kind) {
      const { lostAnswers } = state.faults;
      if (kind !== 'writes' || !lostAnswers) return null;
      return state.lostDraws.next() < lostAnswers.rate ? lostAnswers.mode : null;
    },
  };
}

function stateFor(config: FaultConfig, appliedAt: number): ConfigState {
  const faults = resolveFaults(config);
  return {
    config,
    faults,
    appliedAt,
    // One stream per kind of draw, so that turning on jitter never changes which requests fail.
    gateDraws: createPrng(deriveSeed(faults.seed, 'faults/gate')),
    latencyDraws: createPrng(deriveSeed(faults.seed, 'faults/latency')),
    lostDraws: createPrng(deriveSeed(faults.seed, 'faults/lost')),
    bucket: null,
    burstCount: 0,
  };
}
