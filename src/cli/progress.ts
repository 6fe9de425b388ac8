import { SingleBar } from 'cli-progress';
import type { ProgressEvent } from '../engine/engine.ts';
import type { ResilienceEvent } from '../resilience/index.ts';

/**
 * Progress on stderr for long runs: a bar when stderr is a terminal, a line every few seconds
 * otherwise (CI logs, pipes), nothing when quiet.
 */
export function progressReporter(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}) {
  const stream = options.stream ?? process.stderr;
  let bar: SingleBar | null = null;
  let phase = '';
  let lastLine = 0;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const report = (event: ProgressEvent): void => {
    // A resume is news even to a quiet caller: the command continued an earlier run.
    if (event.phase === 'resume') {
      stop();
      stream.write(`resuming run ${event.runId} (it stopped while ${event.state})\n`);
      return;
    }
    if (options.quiet) return;
    if (event.phase === 'model') {
      stop();
      const f1 = event.metrics.macroF1;
      const quality = typeof f1 === 'number' ? `, validation macro-F1 ${f1.toFixed(3)}` : '';
      const how = event.trained
        ? `trained on the ERP history${event.replaced ? ` (${event.replaced})` : ''}`
        : `loaded${event.trainedAt ? `, trained ${event.trainedAt.slice(0, 10)}` : ''}`;
      stream.write(`model ${event.model} ${how}${quality}\n`);
      return;
    }
    const total = event.total ?? 0;
    if (stream.isTTY) {
      if (phase !== event.phase || !bar) {
        stop();
        phase = event.phase;
        bar = new SingleBar({
          format: `${event.phase.padEnd(7)} [{bar}] {value}/{total} {percentage}%`,
          stream,
          hideCursor: true,
        });
        bar.start(total, 0);
      }
      bar.setTotal(Math.max(total, event.done));
      bar.update(event.done);
      return;
    }
    const now = Date.now();
    if (now - lastLine > 2000 || event.done === total) {
      lastLine = now;
      stream.write(`${event.phase}: ${event.done}${total ? `/${total}` : ''}\n`);
    }
  };
  /**
   * Breaker changes, one line each: the run pauses while a connector's ERP is failing and says so
   * once, instead of one error per request; and says when it resumes.
   */
  const paused = new Set<string>();
  const connectorEvent = (event: ResilienceEvent): void => {
    // The first pause says so; more waiting calls, and failed probes, are the same pause.
    if (event.kind === 'paused' && !paused.has(event.connector)) {
      paused.add(event.connector);
      stop();
      stream.write(
        `connector ${event.connector}: the ERP keeps failing; pausing its calls until a probe succeeds\n`,
      );
    }
    if (event.kind === 'circuit' && event.state === 'closed' && paused.delete(event.connector)) {
      stop();
      stream.write(`connector ${event.connector}: the ERP answers again; resuming\n`);
    }
  };
  return { report, stop, connectorEvent };
}
