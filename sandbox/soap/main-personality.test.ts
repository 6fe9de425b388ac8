import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { removeDirectory, temporaryDirectory } from '../test-support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const directories: string[] = [];
afterAll(() => directories.forEach(removeDirectory));

/** Runs sandbox/main.ts; resolves with its first stdout line (or '' if it exits first), its exit and stderr. */
function runMain(args: string[]) {
  const child = spawn(process.execPath, ['bin/run-ts.mjs', 'sandbox/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code);
  const firstLine = new Promise<string>((resolveLine) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolveLine(stdout.slice(0, stdout.indexOf('\n')));
    });
    child.on('exit', () => resolveLine(''));
  });
  return { child, firstLine, exited, stderr: () => stderr };
}

describe('sandbox/main.ts --as', () => {
  test('serves a personality and names its WSDL on the listening line; refuses an unknown one', async () => {
    const dataDir = temporaryDirectory();
    directories.push(dataDir);
    const good = runMain([
      '--port',
      '0',
      '--data',
      dataDir,
      '--orders',
      '20',
      '--history',
      '5',
      '--suppliers',
      '3',
      '--today',
      '2025-01-15',
      '--quiet',
      '--as',
      'oracle-ebs',
    ]);
    const bad = runMain(['--data', dataDir, '--as', 'peoplesoft']);
    try {
      const line = JSON.parse(await good.firstLine);
      expect(line).toMatchObject({ event: 'listening', personality: 'oracle-ebs' });
      expect(line.wsdl).toEqual([
        `${line.url}/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS?WSDL`,
        `${line.url}/webservices/SOAProvider/plsql/xx_po_header_pub/?wsdl`,
        `${line.url}/soa-infra/services/default/SupplierEBS/DB_QuerySupplierEBS?WSDL`,
      ]);
      const wsdl = await fetch(line.wsdl[0]);
      expect(wsdl.status).toBe(200);
      expect(await wsdl.text()).toContain('name="queryByExample"');
      expect(await bad.exited).toBe(2);
      expect(bad.stderr()).toContain(
        '--as must be one of sap-ecc, oracle-ebs, dynamics-ax, got "peoplesoft"',
      );
    } finally {
      good.child.kill('SIGTERM');
      expect(await good.exited).toBe(0);
    }
  });
});
