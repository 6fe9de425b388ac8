import type { Profile } from './contract.ts';
import { sandboxProfile } from './sandbox/index.ts';

export type { EntityMapping, Profile } from './contract.ts';

/** Every bundled profile by name; the config's `profile:` picks one. */
export const profiles = { sandbox: sandboxProfile } as const satisfies Record<string, Profile>;
export type ProfileName = keyof typeof profiles;
