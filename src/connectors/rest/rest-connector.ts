import { type Capabilities, defineConnector } from '../contract.ts';
import { type RestConfig, RestConfigSchema } from './rest-config.ts';
import { connectRest } from './rest-connection.ts';

/**
 * The `rest` connector: a JSON-over-HTTP API, read page by page (page number, offset or next
 * link), records fetched by key, written with PATCH/PUT/POST guarded by If-Match on the ETag.
 *
 * `capabilities` are those of the kind; {@link restCapabilities} gives those of one configuration.
 * An entity without `write` is read-only, and writing to it is a `permanent` ErpError.
 */
export const restConnector = defineConnector({
  kind: 'rest',
  configSchema: RestConfigSchema,
  capabilities: { read: true, get: true, write: true, concurrency: 'etag' },
  connect: async (config, context) => connectRest(config, context),
});

/**
 * What one configured rest connection can do: it always reads and gets; it writes when at least
 * one entity has `write`, and then detects concurrent edits by ETag (If-Match).
 */
export function restCapabilities(config: RestConfig): Capabilities {
  const write = Object.values(config.entities).some((entity) => entity.write !== undefined);
  return { read: true, get: true, write, concurrency: write ? 'etag' : 'none' };
}
