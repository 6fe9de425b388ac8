/**
 * Which legacy ERP the sandbox also pretends to be, beside its REST API: SAP ECC (RFC function
 * modules over SOAP), Oracle E-Business Suite (SOA Suite / Integrated SOA Gateway services) or
 * Dynamics AX 2012 (an AIF document service behind Windows authentication). Each serves the same
 * purchase orders from the same database as `/api`.
 */
import { z } from 'zod';

export const PERSONALITIES = ['sap-ecc', 'oracle-ebs', 'dynamics-ax'] as const;
export type Personality = (typeof PERSONALITIES)[number];

/** The Windows account the dynamics-ax personality accepts over NTLM, unless the options say otherwise. */
export const DEFAULT_WINDOWS_ACCOUNT = {
  domain: 'CONTOSO',
  user: 'erpbridge',
  password: 'Sandbox-AX-2012',
} as const;

/** A Windows account: `CONTOSO\erpbridge` and its password. Domain and user compare case-insensitively. */
export const WindowsAccount = z.strictObject({
  domain: z.string().min(1).max(15).default(DEFAULT_WINDOWS_ACCOUNT.domain),
  user: z.string().min(1).max(104).default(DEFAULT_WINDOWS_ACCOUNT.user),
  password: z.string().min(1).max(256).default(DEFAULT_WINDOWS_ACCOUNT.password),
});
export type WindowsAccount = z.output<typeof WindowsAccount>;
