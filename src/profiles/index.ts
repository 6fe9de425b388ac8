import type { Profile } from './contract.ts';
import { dynamicsAxProfile } from './dynamics-ax/index.ts';
import { legacySqlServerProfile } from './legacy-sqlserver/index.ts';
import { odooProfile } from './odoo/index.ts';
import { oracleEbsProfile } from './oracle-ebs/index.ts';
import { oracleEbsTablesProfile } from './oracle-ebs-tables/index.ts';
import { sandboxProfile } from './sandbox/index.ts';
import { sapEccProfile } from './sap-ecc/index.ts';
import { sapEccTablesProfile } from './sap-ecc-tables/index.ts';
import { trytonProfile } from './tryton/index.ts';

export type { EntityMapping, Profile } from './contract.ts';

/** Every bundled profile by name; the config's `profile:` picks one. */
export const profiles = {
  sandbox: sandboxProfile,
  'dynamics-ax': dynamicsAxProfile,
  tryton: trytonProfile,
  odoo: odooProfile,
  'sap-ecc-tables': sapEccTablesProfile,
  'oracle-ebs-tables': oracleEbsTablesProfile,
  'oracle-ebs': oracleEbsProfile,
  'legacy-sqlserver': legacySqlServerProfile,
  'sap-ecc': sapEccProfile,
} as const satisfies Record<string, Profile>;
export type ProfileName = keyof typeof profiles;
