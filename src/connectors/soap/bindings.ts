import type { SoapBinding } from './binding.ts';

/**
 * The SOAP bindings erpbridge ships, by name. Each lives with its profile; this list is the one
 * place the connector learns of them.
 */
export const SOAP_BINDINGS: Readonly<Record<string, SoapBinding>> = {};

export function soapBindingNames(): string[] {
  return Object.keys(SOAP_BINDINGS);
}
