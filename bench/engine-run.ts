/**
 * One engine process for the benchmark: `--prepare` trains (or loads) the model; otherwise it runs
 * po-urgency with --apply and prints one JSON line with its timings and its own peak RSS.
 */
import { parseArgs } from 'node:util';
import { openContext } from '../src/runtime/context.ts';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    prepare: { type: 'boolean', default: false },
    'as-of': { type: 'string' },
  },
});
if (!values.config) throw new Error('--config is required');

const started = performance.now();
const context = await openContext({ configFile: values.config });
try {
  const workflow = context.workflow('po-urgency');
  if (values.prepare) {
    const model = await context.engine.prepare(workflow);
    process.stdout.write(
      `${JSON.stringify({ event: 'prepared', ms: performance.now() - started, model })}\n`,
    );
  } else {
    const report = await context.engine.run(workflow, {
      dryRun: false,
      ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
    });
    const result = {
      event: 'run',
      wallMs: performance.now() - started,
      read: report.run.stats.read,
      extractMs: report.run.stats.extractMs,
      applyMs: report.run.stats.applyMs,
      changes: report.changes,
      wrote: report.wrote,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  await context.close();
}
