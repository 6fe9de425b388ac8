/**
 * Benchmark: reading every open and closed purchase order of a sandbox with 10,000 orders, over
 * REST and over each SOAP personality (sap-ecc, oracle-ebs, dynamics-ax behind NTLM), through the
 * real connectors (resilience included) and profiles — each record mapped to a canonical
 * PurchaseOrder, as the engine's extract does. The target (issue 5): every personality reads at
 * least 1/3 as many orders per second as REST.
 *
 * The sandbox runs as its own process (dist/sandbox.mjs), one per personality on the same seeded
 * data; each read runs in a process of its own, so its peak RSS is its own. A read is measured
 * from the first call to the last mapped order (connecting, WSDL loading included, is shown
 * apart). Each read runs `BENCH_RUNS` times (default 3); the table shows the fastest, and the
 * ratio compares it with the fastest REST read against the same sandbox process.
 *
 * Prints a table and writes bench/results/soap-read-latest.json (+ a timestamped copy).
 *
 *   node bin/run-ts.mjs bench/soap-read.bench.ts
 *   BENCH_ORDERS=2000 BENCH_RUNS=1 node bin/run-ts.mjs bench/soap-read.bench.ts
 *   BENCH_TARGETS=sap-ecc node bin/run-ts.mjs bench/soap-read.bench.ts   # one personality
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Table from 'cli-table3';
import { ensureBuilt } from '../scripts/build.mjs';
import { connectConnector } from '../src/connectors/registry.ts';
import { profiles } from '../src/profiles/index.ts';
import { envInteger } from './env-integer.ts';
import { type SandboxProcess, startSandboxProcess } from './sandbox-process.ts';
import { writeResults } from './write-results.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TODAY = '2026-11-02';
const PAGE_SIZE = 500;
const PERSONALITIES = ['sap-ecc', 'oracle-ebs', 'dynamics-ax'] as const;
type Personality = (typeof PERSONALITIES)[number];
type Target = 'rest' | Personality;
/** The SOAP personality must read at least this share of REST's orders per second. */
const TARGET_RATIO = 1 / 3;

const AX_ORDER_PORT = '/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc';
const AX_VENDOR_PORT = '/MicrosoftDynamicsAXAif60/VendTableService/xppservice.svc';
const EBS_UPDATE = '/webservices/SOAProvider/plsql/xx_po_header_pub/';
const EBS_QUERY = '/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS';
const EBS_SUPPLIERS = '/soa-infra/services/default/SupplierEBS/DB_QuerySupplierEBS';

/** How each target is configured, read and mapped: the connector as erpbridge.yaml would have it. */
interface TargetSetup {
  profile: keyof typeof profiles;
  connector: Record<string, unknown>;
  /** The two reads: open orders, then closed ones. */
  filters: [Record<string, string>, Record<string, string>];
}

function setupOf(target: Target, url: string, apiKey: string): TargetSetup {
  switch (target) {
    case 'rest':
      return {
        profile: 'sandbox',
        filters: [{ status: 'open' }, { status: 'closed' }],
        connector: {
          kind: 'rest',
          baseUrl: url,
          timeoutMs: 30_000,
          auth: { kind: 'bearer', token: apiKey },
          pagination: {
            style: 'page',
            pageParam: 'page',
            sizeParam: 'page_size',
            pageSize: PAGE_SIZE,
            itemsPath: 'data',
            totalPath: 'total',
          },
          entities: {
            purchase_orders: {
              path: '/api/purchase_orders',
              keyField: 'po_number',
              versionField: 'updated_at',
            },
          },
        },
      };
    case 'sap-ecc':
      return {
        profile: 'sap-ecc',
        filters: [{ status: 'open' }, { status: 'closed' }],
        connector: {
          kind: 'soap',
          binding: 'sap-ecc',
          wsdl: `${url}/sap/bc/soap/wsdl11?sap-client=100`,
          endpoint: `${url}/sap/bc/soap/rfc?sap-client=100`,
          timeoutMs: 30_000,
        },
      };
    case 'oracle-ebs':
      return {
        profile: 'oracle-ebs',
        filters: [{ status: 'open' }, { status: 'closed' }],
        connector: {
          kind: 'soap',
          binding: 'oracle-ebs',
          wsdl: `${url}${EBS_UPDATE}?wsdl`,
          timeoutMs: 30_000,
          options: {
            query: { wsdl: `${url}${EBS_QUERY}?WSDL` },
            suppliers: { wsdl: `${url}${EBS_SUPPLIERS}?WSDL` },
          },
        },
      };
    case 'dynamics-ax':
      return {
        profile: 'dynamics-ax',
        filters: [{ PurchStatus: 'Backorder' }, { PurchStatus: 'Invoiced' }],
        connector: {
          kind: 'soap',
          binding: 'dynamics-ax',
          wsdl: `${url}${AX_ORDER_PORT}?wsdl`,
          timeoutMs: 30_000,
          auth: { kind: 'ntlm', username: 'CONTOSO\\erpbridge', password: 'Sandbox-AX-2012' },
          options: { company: 'USMF', vendors: { wsdl: `${url}${AX_VENDOR_PORT}?wsdl` } },
        },
      };
  }
}

/** What one read measured (in the reading process; `sandboxCpuMs` by the parent). */
interface ReadResult {
  target: Target;
  orders: number;
  connectMs: number;
  readMs: number;
  ordersPerSecond: number;
  /** CPU time of the reading process during the read (user + system). */
  clientCpuMs: number;
  /** CPU time of the sandbox process while the reading process ran (connect included). */
  sandboxCpuMs: number;
  peakRssMb: number;
}

/** The reading process: connects, reads open then closed orders, maps each, prints one JSON line. */
async function readAll(target: Target, url: string, apiKey: string): Promise<void> {
  const setup = setupOf(target, url, apiKey);
  const mapping = profiles[setup.profile].purchaseOrder;
  const connectStarted = performance.now();
  const connection = await connectConnector(target, setup.connector, {}, ROOT);
  const connectMs = performance.now() - connectStarted;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let orders = 0;
  try {
    for (const filter of setup.filters) {
      const pages = connection.read({ entity: mapping.vendorEntity, filter, pageSize: PAGE_SIZE });
      for await (const page of pages) {
        for (const record of page.records) {
          mapping.toCanonical(record);
          orders += 1;
        }
        if ((page.rejects?.length ?? 0) > 0) throw new Error(`${target}: ${page.rejects?.length} rejects`);
      }
    }
  } finally {
    await connection.close();
  }
  const readMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const result: ReadResult = {
    target,
    orders,
    connectMs,
    readMs,
    ordersPerSecond: orders / (readMs / 1000),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    sandboxCpuMs: 0,
    // ru_maxrss, in KB on Linux: the process's peak resident set.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** The CPU time (user + system) a process has used, from /proc/<pid>/stat; 0 where there is none. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1000;
  } catch {
    return 0;
  }
}

/** Runs one read in a process of its own and returns what it and the sandbox spent. */
async function readInChild(target: Target, sandbox: SandboxProcess): Promise<ReadResult> {
  const before = processCpuMs(sandbox.pid);
  const result = await spawnRead(target, sandbox.url, sandbox.apiKey);
  return { ...result, sandboxCpuMs: processCpuMs(sandbox.pid) - before };
}

function spawnRead(target: Target, url: string, apiKey: string): Promise<ReadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=1024', join(ROOT, 'bin/run-ts.mjs'), import.meta.filename, '--read', target],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_URL: url, BENCH_API_KEY: apiKey },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let result: ReadResult | undefined;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('{')) result = JSON.parse(line);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolvePromise(result);
      else reject(new Error(`the ${target} read exited with ${code}`));
    });
  });
}

function fastest(results: readonly ReadResult[]): ReadResult {
  const [first, ...others] = results;
  if (first === undefined) throw new Error('no run');
  return others.reduce((best, run) => (run.readMs < best.readMs ? run : best), first);
}

/** The least CPU (reader + sandbox) any run took: what the read costs, whatever else ran. */
function leastCpuMs(results: readonly ReadResult[]): number {
  return Math.min(...results.map((run) => run.clientCpuMs + run.sandboxCpuMs));
}

async function main(): Promise<void> {
  const orders = envInteger('BENCH_ORDERS', 10_000);
  const runs = envInteger('BENCH_RUNS', 3);
  const wanted = (process.env.BENCH_TARGETS ?? PERSONALITIES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const personalities = PERSONALITIES.filter((name) => wanted.includes(name));
  // Half open, half closed history: the read selects both, as po-urgency's source and history do.
  const open = Math.ceil(orders / 2);
  const history = orders - open;

  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'erpbridge-bench-soap-'));
  const rows: Array<{
    personality: Personality;
    rest: ReadResult;
    soap: ReadResult;
    ratio: number;
    restCpuMs: number;
    soapCpuMs: number;
    cpuRatio: number;
  }> = [];
  try {
    for (const personality of personalities) {
      process.stderr.write(`bench: ${personality} (${orders} orders, ${runs} runs)…\n`);
      // The same parameters reuse the seeded file: every personality serves the same orders.
      const sandbox = await startSandboxProcess({
        root: ROOT,
        dataDir: join(dir, 'sandbox'),
        orders: open,
        history,
        today: TODAY,
        personality,
      });
      try {
        const restRuns: ReadResult[] = [];
        const soapRuns: ReadResult[] = [];
        for (let run = 0; run < runs; run++) {
          restRuns.push(await readInChild('rest', sandbox));
          soapRuns.push(await readInChild(personality, sandbox));
        }
        const rest = fastest(restRuns);
        const soap = fastest(soapRuns);
        if (soap.orders !== rest.orders) {
          throw new Error(
            `${personality} read ${soap.orders} orders, REST ${rest.orders}: not the same orders`,
          );
        }
        const restCpuMs = leastCpuMs(restRuns);
        const soapCpuMs = leastCpuMs(soapRuns);
        rows.push({
          personality,
          rest,
          soap,
          ratio: soap.ordersPerSecond / rest.ordersPerSecond,
          restCpuMs,
          soapCpuMs,
          cpuRatio: restCpuMs / soapCpuMs,
        });
      } finally {
        await sandbox.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const table = new Table({
    head: [
      'read',
      'orders',
      'read (s)',
      'orders/s',
      'vs REST',
      'target ≥ 1/3',
      'CPU reader+sandbox (s)',
      'vs REST by CPU',
      'connect (ms)',
      'peak RSS (MB)',
    ],
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    for (const result of [row.rest, row.soap]) {
      const isRest = result === row.rest;
      table.push([
        isRest ? `REST (/api, beside ${row.personality})` : `SOAP ${row.personality}`,
        result.orders,
        (result.readMs / 1000).toFixed(2),
        Math.round(result.ordersPerSecond),
        isRest ? '1' : `1/${(1 / row.ratio).toFixed(1)}`,
        isRest ? '' : row.ratio >= TARGET_RATIO ? 'met' : 'MISSED',
        ((isRest ? row.restCpuMs : row.soapCpuMs) / 1000).toFixed(2),
        isRest ? '1' : `1/${(1 / row.cpuRatio).toFixed(1)}`,
        Math.round(result.connectMs),
        result.peakRssMb.toFixed(0),
      ]);
    }
  }
  process.stdout.write(`${table.toString()}\n`);
  process.stdout.write(
    `open + closed orders of ${orders} (${open} open, ${history} history), pages of ${PAGE_SIZE}, each mapped to canonical; fastest of ${runs} runs.\n` +
      'CPU = the reading process during the read + the sandbox process meanwhile (least of the runs): the cost of a read whatever else the machine runs.\n',
  );
  writeResults('soap-read', {
    orders,
    pageSize: PAGE_SIZE,
    runs,
    targetRatio: TARGET_RATIO,
    results: rows.map((row) => ({
      personality: row.personality,
      rest: row.rest,
      soap: row.soap,
      ratioToRest: row.ratio,
      restCpuMs: row.restCpuMs,
      soapCpuMs: row.soapCpuMs,
      cpuRatioToRest: row.cpuRatio,
      met: row.ratio >= TARGET_RATIO,
    })),
  });
}

function isTarget(value: string | undefined): value is Target {
  return value === 'rest' || PERSONALITIES.some((name) => name === value);
}

const readIndex = process.argv.indexOf('--read');
if (readIndex !== -1) {
  const target = process.argv[readIndex + 1];
  if (!isTarget(target)) throw new Error(`--read needs rest or one of ${PERSONALITIES.join(', ')}`);
  await readAll(target, process.env.BENCH_URL ?? '', process.env.BENCH_API_KEY ?? '');
} else {
  await main();
}
