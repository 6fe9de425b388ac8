import type { Supplier } from '../canonical/supplier.ts';
import type { Connection } from '../connectors/contract.ts';
import type { Profile } from '../profiles/contract.ts';
import { extractMapped } from './extract.ts';
import type { CanonicalRecord, ReferenceReader, WorkflowEntity } from './workflow.ts';

/**
 * What a workflow's `reference` reads with: whole entities through the run's connection and
 * profile. Records the mapping cannot read are left out and counted in the error only when every
 * record failed, since reference data decides nothing on its own.
 */
export function referenceReader(
  connection: Connection,
  profile: Profile,
  suppliers: ReadonlyMap<string, Supplier>,
  asOf: string,
): ReferenceReader {
  return {
    suppliers,
    asOf,
    async records<T extends CanonicalRecord>(
      entity: WorkflowEntity<T>,
      filter: Record<string, string | number | boolean> = {},
    ): Promise<T[]> {
      const records: T[] = [];
      let rejected = 0;
      let firstError: string | null = null;
      for await (const page of extractMapped(connection, entity.mapping(profile), {
        filter,
        pageSize: 1000,
      })) {
        records.push(...page.records);
        rejected += page.rejects.length;
        firstError ??= page.rejects[0]?.error ?? null;
      }
      if (records.length === 0 && rejected > 0) {
        throw new Error(`none of the ${rejected} ${entity.name} records could be read: ${firstError}`);
      }
      return records;
    },
  };
}
