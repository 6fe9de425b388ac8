import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { ensureBuilt } from '../scripts/build.mjs';
import type { ChangeState } from '../src/engine/change.ts';
import type { Run } from '../src/engine/run.ts';
import { createCredential, type RunningService, startService } from '../src/service/index.ts';
import { browserAvailability, launchChromium } from './support/browser.ts';
import {
  PROJECT_ROOT,
  sandboxApi,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/** Screenshots of each step, for a person to look at (CI keeps them as artifacts). */
const SCREENSHOTS = join(PROJECT_ROOT, 'test-artifacts/console');
/** How long one thing may take to appear in the page. */
const UI_TIMEOUT_MS = 15_000;
/** How long the run may take to plan 300 orders (about a second here). */
const PLAN_TIMEOUT_MS = 60_000;
/** How long the approved write may take to reach the ERP. */
const WRITE_TIMEOUT_MS = 30_000;

/** `GET /api/runs/:id`. */
interface RunDetail {
  run: Run;
  changes: Partial<Record<ChangeState, number>>;
}

/** The sandbox's priority codes. */
const PRIORITY_CODES = { urgent: '1', high: '2', normal: '3', low: '4' } as const;

const ALICE = { name: 'alice', password: 'alice-console-password' };
/** Bob started the run (with his operator token); as a console user he is an approver, and the same person. */
const BOB = { name: 'bob', password: 'bob-console-password' };

/** Polls `probe` until it returns a value that is not undefined; fails naming `what` after the timeout. */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const availability = browserAvailability();
if (availability.kind === 'skip') console.log(`console browser test skipped: ${availability.reason}`);
if (availability.kind === 'fail') {
  it('has a Chromium to drive (required under CI)', () => {
    throw new Error(`the console's browser test cannot run: ${availability.reason}`);
  });
}

describe.skipIf(availability.kind !== 'ready')(
  'the console, in Chromium, against the service and the sandbox',
  () => {
    let dir: string;
    let sandbox: Sandbox;
    let service: RunningService;
    let browser: Browser;
    let page: Page;
    let bobToken: string;
    let runId: string;
    const pageErrors: string[] = [];
    /** The change alice edits and approves. */
    const target = { changeId: '', recordId: '', proposed: '', chosen: '' as keyof typeof PRIORITY_CODES };

    const shot = (name: string, fullPage = true) =>
      page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
    /** Calls the API as bob (an operator's token), as a script would. */
    const asBob = async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bobToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(UI_TIMEOUT_MS),
      });
      return { status: response.status, body: (await response.json()) as T };
    };

    beforeAll(async () => {
      await ensureBuilt(); // the service serves dist/web
      mkdirSync(SCREENSHOTS, { recursive: true });
      dir = tempDir('console');
      sandbox = await testSandbox(dir, { orders: 300, history: 2000 });
      const configFile = writeTestConfig(dir, [['mode: auto', 'mode: review']]);
      const env = sandboxEnv(sandbox);
      const store = { configFile, dataDir: dir, env };
      const bob = await createCredential(store, { kind: 'token', name: 'bob', role: 'operator' });
      if (!bob.token) throw new Error('createCredential returned no token for bob');
      bobToken = bob.token;
      await createCredential(store, {
        kind: 'user',
        name: ALICE.name,
        role: 'approver',
        password: ALICE.password,
      });
      await createCredential(store, {
        kind: 'user',
        name: BOB.name,
        role: 'approver',
        password: BOB.password,
      });
      service = await startService({ ...store, port: 0, host: '127.0.0.1', logLevel: 'silent' });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });

    afterAll(async () => {
      await browser?.close();
      await service?.close();
      await sandbox?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('bob starts a run under policy review through the API; its changes wait for a person', async () => {
      const started = await asBob<{ run: Run }>('POST', '/api/workflows/po-urgency/runs', {
        dryRun: false,
        asOf: sandbox.today,
      });
      expect(started.status).toBe(202);
      runId = started.body.run.id;
      const detail = await eventually('the run to be planned', PLAN_TIMEOUT_MS, async () => {
        const answer = await asBob<RunDetail>('GET', `/api/runs/${runId}`);
        const state = answer.body.run.state;
        if (state === 'failed') throw new Error(`the run failed: ${JSON.stringify(answer.body.run)}`);
        return state === 'planned' ? answer.body : undefined;
      });
      expect(detail.changes.pending).toBeGreaterThan(0);
      expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(0);
    });

    it('alice signs in', async () => {
      onTestFailed(() => shot('failure-login').then(() => undefined));
      await page.goto(service.url);
      await page.getByTestId('login-user').fill(ALICE.name);
      await page.getByTestId('login-password').fill(ALICE.password);
      await shot('01-login');
      await page.getByTestId('login-submit').click();
      await expect.poll(() => page.getByTestId('session-user').textContent()).toContain('alice');
      await page.getByTestId('nav-runs').waitFor();
      await page.getByTestId('run-row').first().waitFor();
      await shot('02-runs');
    });

    it('alice edits a change in the inbox (priority high instead of the proposed one) and approves it', async () => {
      onTestFailed(() => shot('failure-approve').then(() => undefined));
      await page.getByTestId('nav-approvals').click();
      const row = page.getByTestId('inbox-row').first();
      await row.waitFor();
      target.changeId = (await row.getAttribute('data-change-id')) ?? '';
      target.recordId = (await row.getAttribute('data-record-id')) ?? '';
      target.proposed = ((await row.getByTestId('after-priority').textContent()) ?? '').trim();
      target.chosen = target.proposed === 'high' ? 'low' : 'high';
      expect(target.recordId).not.toBe('');
      expect(target.proposed).toBe('urgent');
      await shot('03-inbox', false);

      await row.getByTestId('edit-button').click();
      await row.getByTestId('after-input-priority').selectOption(target.chosen);
      await row.getByTestId('comment-input').fill('high is enough: the supplier confirmed the date');
      await shot('04-edit', false);
      await row.getByTestId('approve-button').click();

      await expect.poll(() => page.getByTestId('inbox-notice').textContent()).toContain(target.recordId);
      await expect.poll(() => page.locator(`[data-change-id="${target.changeId}"]`).count()).toBe(0);
      await shot('05-approved', false);
    });

    it('the edited value reaches the ERP at once, and only that change was written', async () => {
      onTestFailed(() => shot('failure-write').then(() => undefined));
      // The service writes what a person approves in a run started to write, in the background.
      const poNumber = target.recordId.padStart(10, '0');
      const record = await eventually(
        `PO ${poNumber} to hold priority ${target.chosen}`,
        WRITE_TIMEOUT_MS,
        async () => {
          const { record } = await sandboxApi(sandbox, 'GET', poNumber);
          return record.priority === PRIORITY_CODES[target.chosen] ? record : undefined;
        },
      );
      expect(record.priority).toBe(PRIORITY_CODES[target.chosen]);
      const writes = (await sandboxRequests(sandbox, 'PATCH')).filter((request) => request.applied);
      expect(writes.map((request) => request.poNumber)).toEqual([poNumber]);
      await eventually('the change to be recorded as applied', WRITE_TIMEOUT_MS, async () => {
        const { body } = await asBob<RunDetail>('GET', `/api/runs/${runId}`);
        return body.changes.applied === 1 ? true : undefined;
      });

      await page.goto(`${service.url}/#/runs/${runId}`);
      await page.getByTestId('run-counts').waitFor();
      await page.getByTestId('changes-applied').waitFor();
      await shot('06-run-detail');
    });

    it("the record's lineage shows its way from the ERP to the audit log", async () => {
      onTestFailed(() => shot('failure-lineage').then(() => undefined));
      await page.getByTestId('items-state').selectOption('planned');
      const item = page.locator(`[data-testid="item-row"][data-record-id="${target.recordId}"]`);
      await item.getByTestId('item-link').click();
      await page.getByTestId('lineage').waitFor();

      const steps = ['record', 'ai-input', 'answer', 'change', 'approvals', 'write', 'read-back', 'audit'];
      for (const step of steps) {
        const element = page.getByTestId(`lineage-step-${step}`);
        await element.waitFor();
        await expect
          .poll(() => element.getAttribute('data-empty'), { message: `lineage step ${step}` })
          .toBe('false');
      }
      expect(await page.getByTestId('lineage-step-answer').textContent()).toContain('urgent');
      expect(await page.getByTestId('lineage-step-change').textContent()).toContain(target.chosen);
      expect(await page.getByTestId('lineage-step-approvals').textContent()).toContain('alice');
      expect(await page.getByTestId('lineage-step-audit').textContent()).toContain('change.approved');
      await page.getByTestId('lineage').scrollIntoViewIfNeeded();
      await shot('07-lineage');
    });

    it('the audit log verifies intact', async () => {
      onTestFailed(() => shot('failure-audit').then(() => undefined));
      await page.getByTestId('nav-audit').click();
      await page.getByTestId('audit-row').first().waitFor();
      await page.getByTestId('verify-button').click();
      const verdict = page.getByTestId('verify-result');
      await verdict.waitFor();
      expect(await verdict.getAttribute('data-ok')).toBe('true');
      expect(await verdict.textContent()).toContain('intact');
      await shot('08-audit-verified');
    });

    it("shows the connector's health and tests it", async () => {
      onTestFailed(() => shot('failure-connectors').then(() => undefined));
      await page.getByTestId('nav-connectors').click();
      const connector = page.locator('[data-testid="connector"][data-connector="sandbox"]');
      await connector.waitFor();
      expect(await connector.getByTestId('breaker-state').textContent()).toContain('closed');
      await connector.getByTestId('connector-test').click();
      const result = connector.getByTestId('connector-test-result');
      await expect.poll(() => result.textContent()).toMatch(/^OK in \d+ ms/);
      await shot('09-connectors');
    });

    it('bob cannot approve a change of the run he started: the inbox says why', async () => {
      onTestFailed(() => shot('failure-own-change').then(() => undefined));
      await page.getByTestId('sign-out').click();
      await page.getByTestId('login-user').fill(BOB.name);
      await page.getByTestId('login-password').fill(BOB.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('nav-approvals').click();
      const row = page.getByTestId('inbox-row').first();
      await row.getByTestId('approve-button').click();
      const refusal = row.getByTestId('inbox-row-error');
      await expect.poll(() => refusal.textContent()).toMatch(/bob requested change .* cannot approve it/);
      expect(await row.isVisible()).toBe(true);
      await shot('10-own-change-refused', false);
      expect(pageErrors).toEqual([]);
    });
  },
);
