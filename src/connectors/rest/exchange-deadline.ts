/**
 * The time bound of one HTTP exchange, shared by the transports that speak HTTP themselves (REST,
 * RPC, SOAP): the request runs under {@link ExchangeDeadline.signal}, which aborts after `timeoutMs` or as
 * soon as the caller's signal does. When the request fails, `timedOut` tells a timeout (an ErpError
 * the transport words) from the caller giving up (its own reason, rethrown).
 */
export interface ExchangeDeadline {
  /** Pass to the request: aborts at the deadline, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** True once the deadline has passed (not when the caller aborted). */
  readonly timedOut: boolean;
  /** Stops the timer and stops listening to the caller's signal. Call it in `finally`. */
  clear(): void;
}

/**
 * Starts the deadline of one exchange.
 *
 * @throws the caller's abort reason at once, when `signal` has aborted already.
 * @example
 * const deadline = exchangeDeadline(request.signal, config.timeoutMs);
 * try { await pool.request({ …, signal: deadline.signal }); }
 * catch (error) { if (deadline.timedOut) throw errorForTimeout(…); if (request.signal?.aborted) throw request.signal.reason; … }
 * finally { deadline.clear(); }
 */
export function exchangeDeadline(signal: AbortSignal | undefined, timeoutMs: number): ExchangeDeadline {
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
