/**
 * Database personalities: the sandbox's ERP data laid out as SAP ECC, Oracle EBS or a legacy SQL
 * Server application lays it out in its database, materialised into SQLite, PostgreSQL or
 * MySQL/MariaDB for the `sql` connector to read. See README.md.
 */
export {
  type MaterialiseOptions,
  type MaterialiseResult,
  type MaterialiseSource,
  materialise,
  personalities,
  type TouchOptions,
  targetFromUrl,
  touchOrders,
} from './materialise.ts';
export { PERSONALITY_NAMES, type PersonalityName, type TablePersonality } from './personality.ts';
export { readSandboxData, type SandboxData } from './sandbox-data.ts';
export type { TargetDialect } from './table-definition.ts';
export { dropTargetSchema, type MaterialiseTarget } from './target-database.ts';
