/**
 * The generic SOAP client layer ERP profiles build on (SAP RFC-SOAP, Oracle EBS SOA services,
 * Dynamics AX 2012 AIF): vetted WSDL loading with imports mapped to local files, `describe`,
 * `renderRequest`, `call`, typed errors for faults, AIF faults and BAPI returns. See README.md.
 */
export {
  type AifFault,
  type AifFaultMessage,
  aifFaultOf,
  aifMessage,
  type InfologMessage,
} from './aif-fault.ts';
export {
  assertBapiSuccess,
  BapiError,
  type BapiMessage,
  bapiReturnErrors,
  bapiReturnMessages,
} from './bapi-return.ts';
export {
  bindingContext,
  type SoapBinding,
  type SoapBindingContext,
  type SoapEntityAccess,
} from './binding.ts';
export type { PortChoice } from './port-choice.ts';
export { type RenderDescriptionOptions, renderDescription } from './render-description.ts';
export {
  type ConnectSoapOptions,
  connectSoap,
  type SoapCallOptions,
  type SoapCallResult,
  type SoapClient,
  type SoapHeader,
} from './soap-client.ts';
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_SOAP_TIMEOUT_MS,
  SoapAuth,
  SoapConnectionConfig,
  type SoapConnectionConfigInput,
  SoapServiceConfig,
} from './soap-config.ts';
export type {
  SoapAttribute,
  SoapComplexField,
  SoapDescription,
  SoapField,
  SoapMessageDescription,
  SoapOperationDescription,
  SoapPortDescription,
  SoapPortTypeDescription,
  SoapServiceDescription,
  SoapSimpleField,
  SoapUntypedField,
} from './soap-description.ts';
export { SoapFaultError } from './soap-errors.ts';
export { faultKind, faultMessage, type SoapFault, soapFaultOf } from './soap-fault.ts';
export { readSvcmap, type SvcmapEntry, svcmapEntries } from './svcmap.ts';
export type { SoapVersion } from './wsdl-scan.ts';
