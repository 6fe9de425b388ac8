export {
  type AuditAnchor,
  AuditLog,
  VERIFY_FAILURES,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
} from './audit-log.ts';
export { AUDIT_ENTRY_TYPES, type AuditEntryType, isAuditEntryType } from './entry-types.ts';
export {
  type AuditInput,
  canonicalJson,
  chain,
  DEFAULT_ACTOR,
  digestOf,
  GENESIS_HASH,
  type HashedFields,
  hashEntry,
} from './hash-chain.ts';
