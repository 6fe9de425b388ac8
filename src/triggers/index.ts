/**
 * Triggers: what starts a run besides a person. Cron schedules (croner, never overlapping
 * themselves) and signed webhooks (HMAC-SHA256 over timestamp and raw body). See README.md.
 *
 * @example
 *   import { createScheduler, TriggersConfig, verifyWebhook } from '../triggers/index.ts';
 */
export {
  cronProblem,
  MIN_WEBHOOK_SECRET_LENGTH,
  ScheduleTrigger,
  TriggersConfig,
  timeZoneProblem,
  WebhookTrigger,
} from './schedule-config.ts';
export {
  createScheduler,
  type Scheduler,
  type SchedulerOptions,
  type WorkflowSchedule,
} from './scheduler.ts';
export {
  type HeaderValue,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
  type WebhookRefusal,
  type WebhookSignatureInput,
  type WebhookVerdict,
  type WebhookVerification,
} from './webhook-signature.ts';
