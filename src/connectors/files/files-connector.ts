import { type Capabilities, defineConnector } from '../contract.ts';
import { type FilesConfig, FilesConfigSchema } from './files-config.ts';
import { connectFiles } from './files-connection.ts';

/**
 * The `files` connector: an ERP that exchanges files. Its exports (CSV) are taken from an inbox,
 * local or over SFTP, when complete, once per content; its batch import takes changes as import
 * files, and its result files confirm or reject each one. See README.md.
 *
 * `capabilities` are those of the kind; {@link filesCapabilities} gives those of one configuration.
 */
export const filesConnector = defineConnector({
  kind: 'files',
  configSchema: FilesConfigSchema,
  capabilities: { read: true, get: true, write: true, concurrency: 'version-field' },
  connect: (config, context) => connectFiles(config, context),
});

/**
 * What one configured files connection can do: it always reads and gets; it writes when an entity
 * has `write`, and detects concurrent edits when those imports carry the expected version.
 */
export function filesCapabilities(config: FilesConfig): Capabilities {
  const writable = Object.values(config.entities).flatMap((entity) =>
    entity.write === undefined ? [] : [entity.write],
  );
  const write = writable.length > 0;
  const versioned = write && writable.every((layout) => layout.versionColumn !== null);
  return { read: true, get: true, write, concurrency: versioned ? 'version-field' : 'none' };
}
