import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src/engine/change.ts';
import type { AuditEntry } from '../src/store/contract.ts';
import { sandboxApi, sandboxRequests, tempDir } from './support/harness.ts';
import {
  api,
  runWorkflow,
  settledRun,
  startTestService,
  type TestService,
  tokenFor,
} from './support/service.ts';

/**
 * The HTTP service over a real sandbox: roles, four-eyes, sessions and CSRF, hostile input, and
 * approvals that survive a restart. Policy `review` with four-eyes above 5,000: every change
 * waits for people.
 */
let test: TestService;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  test = await startTestService(tempDir('service-api'), {
    replacements: [['mode: auto', 'mode: review\n      fourEyesAbove: 5000']],
  });
  for (const [name, role] of [
    ['vera', 'viewer'],
    ['otto', 'operator'],
    ['anna', 'approver'],
    ['ben', 'approver'],
    ['adam', 'admin'],
  ] as const) {
    tokens[name] = await tokenFor(test, name, role);
  }
});
afterAll(() => test?.close());

const as = (name: string) => tokens[name] ?? '';
const errorOf = (body: unknown) => body as { error: string; message: string };

describe('authentication and roles', () => {
  it('answers 401 without credentials on every route but health, login and webhooks', async () => {
    const openapi = await api(test, null, 'GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    const paths = (openapi.body as { paths: Record<string, Record<string, unknown>> }).paths;
    const open = ['/healthz', '/readyz', '/auth/login', '/auth/logout'];
    let checked = 0;
    for (const [path, methods] of Object.entries(paths)) {
      for (const method of Object.keys(methods)) {
        const url = path.replaceAll(/\{[^}]+\}/g, 'x1');
        const answer = await api(test, null, method.toUpperCase(), url, method === 'get' ? undefined : {});
        if (open.includes(path) || path.startsWith('/hooks/')) {
          expect(answer.status, `${method} ${path}`).not.toBe(500);
          continue;
        }
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(errorOf(answer.body).error).toBe('unauthorized');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect((await api(test, null, 'GET', '/healthz')).status).toBe(200);
    expect((await api(test, 'ebt_not-a-real-token', 'GET', '/api/runs')).status).toBe(401);
  });

  it('lets a viewer read but not start runs or approve; an operator not create tokens', async () => {
    expect((await api(test, as('vera'), 'GET', '/api/runs')).status).toBe(200);
    const start = await api(test, as('vera'), 'POST', '/api/workflows/po-urgency/runs', {});
    expect(start.status).toBe(403);
    expect(errorOf(start.body).message).toMatch(/needs the operator role; vera is a viewer/);
    expect((await api(test, as('vera'), 'POST', '/api/changes/x1/approve', {})).status).toBe(403);
    const token = await api(test, as('otto'), 'POST', '/api/tokens', { name: 'eve', role: 'admin' });
    expect(token.status).toBe(403);
    expect((await api(test, as('otto'), 'GET', '/api/tokens')).status).toBe(403);
    const created = await api(test, as('adam'), 'POST', '/api/tokens', { name: 'eve', role: 'viewer' });
    expect(created.status).toBe(201);
    const secret = (created.body as { token: string }).token;
    expect((await api(test, secret, 'GET', '/auth/me')).body).toMatchObject({ user: 'eve', role: 'viewer' });
    const listed = await api(test, as('adam'), 'GET', '/api/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const id = (created.body as { id: string }).id;
    expect((await api(test, as('adam'), 'DELETE', `/api/tokens/${id}`)).status).toBe(200);
    expect((await api(test, secret, 'GET', '/auth/me')).status).toBe(401);
  });
});

describe('approvals', () => {
  let runId: string;
  let small: Change;
  let large: Change;

  beforeAll(async () => {
    const run = await runWorkflow(test, as('otto'), false);
    expect(run.state).toBe('planned');
    expect(run.requestedBy).toBe('otto');
    runId = run.id;
    const inbox = (await api(test, as('vera'), 'GET', '/api/approvals?limit=1000')).body as Change[];
    const ours = inbox.filter((change) => change.runId === runId);
    const smallOne = ours.find((change) => (change.amount ?? 0) <= 5000);
    const largeOne = ours.find((change) => (change.amount ?? 0) > 5000);
    if (!smallOne || !largeOne) throw new Error('the sandbox gave no change on each side of 5,000');
    small = smallOne;
    large = largeOne;
  });

  it('refuses the requester: otto started the run and, even as an approver, cannot approve it', async () => {
    const ottoApprover = await tokenFor(test, 'otto', 'approver');
    const own = await api(test, ottoApprover, 'POST', `/api/changes/${small.id}/approve`, {});
    expect(own.status).toBe(403);
    expect(errorOf(own.body).message).toMatch(/otto requested change .* cannot approve it/);
    expect((await api(test, as('vera'), 'GET', `/api/changes/${small.id}`)).body).toMatchObject({
      state: 'pending',
    });
  });

  it('four-eyes: above the amount one approval waits, the same person twice is refused, a second person approves', async () => {
    const first = await api(test, as('anna'), 'POST', `/api/changes/${large.id}/approve`, {
      comment: 'checked',
    });
    expect(first.status).toBe(200);
    expect((first.body as { change: Change }).change).toMatchObject({
      state: 'pending',
      approvals: [{ by: 'anna', comment: 'checked' }],
    });
    const again = await api(test, as('anna'), 'POST', `/api/changes/${large.id}/approve`, {});
    expect(again.status).toBe(403);
    expect(errorOf(again.body).message).toMatch(/second approver/);
    const second = await api(test, as('ben'), 'POST', `/api/changes/${large.id}/approve`, {});
    expect(second.status).toBe(200);
    expect((second.body as { change: Change }).change).toMatchObject({ state: 'approved', decidedBy: 'ben' });
    await settledRun(test, as('vera'), runId);
    const applied = (await api(test, as('vera'), 'GET', `/api/changes/${large.id}`)).body as Change;
    expect(applied.state).toBe('applied');
    expect(applied.outcome).toMatchObject({ readBack: applied.after });
    const record = await sandboxApi(test.sandbox, 'GET', large.recordId.padStart(10, '0'));
    expect(record.record.priority).toBe('1');
  });

  it('an edit before approval writes the edited value, and is audited with who did it', async () => {
    const edited = await api(test, as('anna'), 'POST', `/api/changes/${small.id}/approve`, {
      after: { priority: 'high' },
    });
    expect(edited.status).toBe(200);
    expect((edited.body as { change: Change }).change).toMatchObject({
      state: 'approved',
      after: { priority: 'high' },
    });
    await settledRun(test, as('vera'), runId);
    const record = await sandboxApi(test.sandbox, 'GET', small.recordId.padStart(10, '0'));
    expect(record.record.priority).toBe('2');
    const audit = (await api(test, as('vera'), 'GET', `/api/audit?runId=${runId}&type=change.&limit=1000`))
      .body as AuditEntry[];
    expect(audit.find((entry) => entry.type === 'change.edited')).toMatchObject({
      actor: 'anna',
      payload: { changeId: small.id, proposed: small.after, after: { priority: 'high' } },
    });
    const requests = (await api(test, as('vera'), 'GET', '/api/audit?type=service.request&limit=1000'))
      .body as AuditEntry[];
    expect(
      requests.some((entry) => entry.actor === 'anna' && entry.payload.route === '/api/changes/:id/approve'),
    ).toBe(true);
  });

  it("refuses an edit outside the change or the field's domain", async () => {
    const inbox = (await api(test, as('vera'), 'GET', '/api/approvals?limit=1000')).body as Change[];
    const target = inbox.find((change) => change.runId === runId && (change.amount ?? 0) <= 5000);
    if (!target) throw new Error('no pending change left');
    const domain = await api(test, as('anna'), 'POST', `/api/changes/${target.id}/approve`, {
      after: { priority: 'yesterday' },
    });
    expect(domain.status).toBe(400);
    const field = await api(test, as('anna'), 'POST', `/api/changes/${target.id}/approve`, {
      after: { totalAmount: 1 },
    });
    expect(field.status).toBe(400);
    expect(errorOf(field.body).message).toMatch(/cannot add totalAmount/);
  });

  it("shows a record's lineage: the record, what went to the AI, the answer, the change, the write", async () => {
    const lineage = await api(test, as('vera'), 'GET', `/api/runs/${runId}/items/${large.recordId}/lineage`);
    expect(lineage.status).toBe(200);
    const body = lineage.body as Record<string, unknown>;
    expect(body.record).toMatchObject({ id: large.recordId, totalAmount: large.amount });
    expect(body.aiInput).toMatchObject({ order: { id: large.recordId } });
    expect(body.answer).toMatchObject({ label: 'urgent' });
    expect(body.approvals).toHaveLength(2);
    expect(body.write).toMatchObject({ state: 'applied', readBack: { priority: 'urgent' } });
    const types = (body.audit as AuditEntry[]).map((entry) => entry.type);
    expect(types).toEqual(
      expect.arrayContaining(['ai.decisions', 'change.planned', 'change.approved', 'write.applied']),
    );
  });
});

describe('approvals survive a restart of the service', () => {
  it('approves after a restart and the change applies', async () => {
    const run = await runWorkflow(test, as('otto'), false);
    const inbox = (await api(test, as('vera'), 'GET', '/api/approvals?limit=1000')).body as Change[];
    const change = inbox.find((candidate) => candidate.runId === run.id && (candidate.amount ?? 0) <= 5000);
    if (!change) throw new Error('no pending change');
    const writesTo = async () =>
      (await sandboxRequests(test.sandbox, 'PATCH')).filter(
        (entry) => entry.applied && entry.poNumber === change.recordId.padStart(10, '0'),
      ).length;
    const before = await writesTo();
    await test.service.close();
    await test.restart();
    const approved = await api(test, as('ben'), 'POST', `/api/changes/${change.id}/approve`, {});
    expect(approved.status).toBe(200);
    await settledRun(test, as('vera'), run.id);
    expect(((await api(test, as('vera'), 'GET', `/api/changes/${change.id}`)).body as Change).state).toBe(
      'applied',
    );
    expect((await writesTo()) - before).toBe(1);
  });
});

describe('the audit of requests', () => {
  it('records every mutating request with its caller, with and without path parameters', async () => {
    expect((await api(test, as('vera'), 'POST', '/api/audit/verify', {})).body).toMatchObject({ ok: true });
    const entries = (await api(test, as('vera'), 'GET', '/api/audit?type=service.request&limit=1000'))
      .body as AuditEntry[];
    const verify = entries.filter((entry) => entry.payload.route === '/api/audit/verify');
    // The 401 sweep above is audited too: a refused attempt is worth knowing about.
    expect(verify.find((entry) => entry.actor === 'anonymous')).toMatchObject({ payload: { status: 401 } });
    expect(verify.find((entry) => entry.actor === 'vera')).toMatchObject({
      payload: { method: 'POST', status: 200, params: {}, via: 'token' },
    });
    expect((await api(test, as('vera'), 'POST', '/api/audit/verify', {})).body).toMatchObject({ ok: true });
  });
});

describe('console sessions', () => {
  it('logs in with an HttpOnly SameSite cookie and needs the CSRF token to change anything', async () => {
    const saved = await api(test, as('adam'), 'POST', '/api/users', {
      name: 'clara',
      role: 'operator',
      password: 'a long enough password',
    });
    expect(saved.status).toBe(201);
    const wrong = await api(test, null, 'POST', '/auth/login', { user: 'clara', password: 'nope' });
    expect(wrong.status).toBe(401);
    const login = await api(test, null, 'POST', '/auth/login', {
      user: 'clara',
      password: 'a long enough password',
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/erpbridge_session=ebs_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = { cookie: cookie.split(';')[0] ?? '' };
    const { csrfToken } = login.body as { csrfToken: string };
    expect((await api(test, null, 'GET', '/auth/me', undefined, session)).body).toMatchObject({
      user: 'clara',
      role: 'operator',
      csrfToken,
    });
    const withoutCsrf = await api(test, null, 'POST', '/api/connectors/sandbox/test', {}, session);
    expect(withoutCsrf.status).toBe(403);
    expect(errorOf(withoutCsrf.body).error).toBe('csrf');
    const withCsrf = await api(
      test,
      null,
      'POST',
      '/api/connectors/sandbox/test',
      {},
      {
        ...session,
        'x-csrf-token': csrfToken,
      },
    );
    expect(withCsrf.status).toBe(200);
    expect(withCsrf.body).toMatchObject({ ok: true });
    await api(test, null, 'POST', '/auth/logout', {}, session);
    expect((await api(test, null, 'GET', '/auth/me', undefined, session)).status).toBe(401);
  });
});

describe('hostile input', () => {
  const expectJsonError = (answer: { status: number; body: unknown }, status: number) => {
    expect(answer.status).toBe(status);
    expect(typeof errorOf(answer.body).error).toBe('string');
    expect(typeof errorOf(answer.body).message).toBe('string');
  };

  it('answers oversized bodies, wrong content types, malformed JSON and unknown fields with 4xx JSON', async () => {
    const big = JSON.stringify({ dryRun: true, padding: 'x'.repeat(300 * 1024) });
    expectJsonError(await api(test, as('otto'), 'POST', '/api/workflows/po-urgency/runs', big), 413);
    expectJsonError(
      await api(test, as('otto'), 'POST', '/api/workflows/po-urgency/runs', 'dryRun=true', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
    );
    expectJsonError(
      await api(test, as('otto'), 'POST', '/api/workflows/po-urgency/runs', '{"dryRun": tru'),
      400,
    );
    const unknown = await api(test, as('otto'), 'POST', '/api/workflows/po-urgency/runs', {
      dryRun: true,
      rm: 1,
    });
    expectJsonError(unknown, 400);
    expect(errorOf(unknown.body).message).toMatch(/rm/);
    expectJsonError(
      await api(test, as('otto'), 'POST', '/api/workflows/po-urgency/runs', { dryRun: 'yes' }),
      400,
    );
    expectJsonError(await api(test, as('vera'), 'GET', '/api/runs?limit=100000'), 400);
  });

  it('refuses path traversal and odd ids with 4xx, never a 500', async () => {
    for (const path of [
      '/api/runs/..%2F..%2Fetc%2Fpasswd',
      '/api/runs/%2e%2e',
      '/api/runs/x1/items/..%2Fsecret/lineage',
      '/api/changes/%00/approve',
      `/api/runs/${'a'.repeat(500)}`,
      '/api/eval/..',
      '/api/workflows/%2e%2e/runs',
    ]) {
      const method = path.endsWith('approve') || path.endsWith('/runs') ? 'POST' : 'GET';
      const answer = await api(test, as('adam'), method, path, method === 'POST' ? {} : undefined);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(typeof errorOf(answer.body).error, path).toBe('string');
    }
    expectJsonError(await api(test, as('vera'), 'GET', '/api/runs/no-such-run'), 404);
    expectJsonError(await api(test, as('otto'), 'POST', '/api/workflows/no-such-workflow/runs', {}), 404);
  });
});

describe("the seed's middleware endpoint", () => {
  it('decides one order and queues its change under review', async () => {
    const inbox = (await api(test, as('vera'), 'GET', '/api/approvals?limit=1')).body as Change[];
    const orderNumber = inbox[0]?.recordId.padStart(10, '0') ?? '';
    const answer = await api(test, as('otto'), 'POST', '/api/ai-update-order', { orderNumber });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      decision: { label: 'urgent' },
      change: { recordId: inbox[0]?.recordId, state: 'pending', requestedBy: 'otto' },
      outcome: 'pending',
    });
    const missing = await api(test, as('otto'), 'POST', '/api/ai-update-order', {
      orderNumber: '0099999999',
    });
    expect(missing.status).toBe(404);
    expect(errorOf(missing.body).message).toMatch(/0099999999: .*no longer exists/);
  });
});
