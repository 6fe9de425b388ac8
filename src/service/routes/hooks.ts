import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IsoDate } from '../../canonical/purchase-order.ts';
import { verifyWebhook } from '../../triggers/index.ts';
import type { ServiceDeps } from '../app.ts';
import { secretHash } from '../auth/credentials.ts';
import { HttpProblem } from '../errors.ts';
import type { ServiceApp } from '../fastify-types.ts';
import { Id } from './params.ts';

const Delivery = z.strictObject({ dryRun: z.boolean().optional(), asOf: IsoDate.optional() });
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * `POST /hooks/<workflow>`: an inbound webhook starts a run. The sender signs
 * `<timestamp>.<raw body>` with HMAC-SHA256 (see src/triggers); a delivery is refused when the
 * signature is wrong or the timestamp is outside the window, and runs at most once per
 * Idempotency-Key. A signed delivery seen before under another key is a replay and is refused:
 * the key is not signed, so changing it must not buy a second run.
 */
export async function registerHookRoutes(app: ServiceApp, deps: ServiceDeps): Promise<void> {
  const { context, runs } = deps;
  const { store, audit } = context;
  await app.register(async (plugin) => {
    const hooks = plugin.withTypeProvider<ZodTypeProvider>();
    // The signature covers the bytes as sent: keep them, parse only after verifying.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    hooks.post(
      '/hooks/:workflow',
      {
        config: { public: true },
        schema: {
          summary: 'An inbound webhook: signed with HMAC-SHA256, once per Idempotency-Key; starts a run',
          params: z.strictObject({ workflow: Id }),
        },
      },
      async (request, reply) => {
        const { workflow: name } = request.params;
        const trigger = context.loaded.config.workflows[name]?.triggers?.webhook;
        if (!trigger) throw new HttpProblem(404, 'not_found', `workflow ${name} takes no webhook`);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const verdict = verifyWebhook({
          secret: trigger.secret,
          timestampHeader: request.headers['x-erpbridge-timestamp'],
          signatureHeader: request.headers['x-erpbridge-signature'],
          body,
          nowSeconds: Date.now() / 1000,
          toleranceSeconds: trigger.toleranceSeconds,
        });
        if (!verdict.ok) throw new HttpProblem(401, verdict.reason, verdict.message);
        const key = request.headers['idempotency-key'];
        if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
          throw new HttpProblem(
            400,
            'invalid_request',
            'a delivery needs an Idempotency-Key header (1–200 letters, digits, . _ : -) so that a retry runs once',
          );
        }
        let parsed: z.infer<typeof Delivery> = {};
        if (body.length > 0) {
          let json: unknown;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch (error) {
            throw new HttpProblem(
              400,
              'invalid_json',
              `the body is not valid JSON: ${(error as Error).message}`,
            );
          }
          const checked = Delivery.safeParse(json);
          if (!checked.success) {
            const issue = checked.error.issues[0];
            throw new HttpProblem(
              400,
              'invalid_request',
              `body.${issue?.path.join('.') ?? ''}: ${issue?.message}`,
            );
          }
          parsed = checked.data;
        }
        const now = new Date().toISOString();
        const claim = await store.claimWebhookDelivery(name, key, now);
        if (!claim.fresh) {
          const run = claim.runId ? await store.getRun(claim.runId) : null;
          return reply.code(200).send({ run, duplicate: true });
        }
        const signature = String(request.headers['x-erpbridge-signature']).toLowerCase();
        const seen = await store.claimWebhookDelivery(name, `signature:${secretHash(signature)}`, now);
        if (!seen.fresh) {
          throw new HttpProblem(
            409,
            'replayed',
            'this signed delivery was already received under another Idempotency-Key; a new delivery needs a new signature',
          );
        }
        const run = await runs.start({
          workflow: name,
          dryRun: parsed.dryRun ?? trigger.dryRun,
          ...(parsed.asOf ? { asOf: parsed.asOf } : {}),
          requestedBy: `webhook:${name}`,
          trigger: 'webhook',
        });
        await store.setWebhookDeliveryRun(name, key, run.id);
        await audit.record(
          'trigger.webhook',
          run.id,
          { workflow: name, idempotencyKey: key },
          `webhook:${name}`,
        );
        return reply.code(202).send({ run, duplicate: false });
      },
    );
  });
}
