import { dynamicsAxBinding } from '../../profiles/dynamics-ax/soap-binding.ts';
import { oracleEbsBinding } from '../../profiles/oracle-ebs/soap-binding.ts';
import { sapEccBinding } from '../../profiles/sap-ecc/soap-binding.ts';
import type { SoapBinding } from './binding.ts';

/**
 * The SOAP bindings erpbridge ships, by name. Each lives with its profile; this list is the one
 * place the connector learns of them.
 */
export const SOAP_BINDINGS: Readonly<Record<string, SoapBinding>> = {
  'dynamics-ax': dynamicsAxBinding,
  'oracle-ebs': oracleEbsBinding,
  'sap-ecc': sapEccBinding,
};

export function soapBindingNames(): string[] {
  return Object.keys(SOAP_BINDINGS);
}
