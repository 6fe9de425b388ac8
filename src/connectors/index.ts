/**
 * Connectors: configured links to one surface of an ERP. Callers connect through the registry;
 * the conformance suite (`connector-conformance.ts`) is for tests and is not exported here.
 */
export type {
  Capabilities,
  Connection,
  ConnectorContext,
  ConnectorDefinition,
  ReadQuery,
  RecordPage,
  RecordReject,
  TestResult,
  VendorRecord,
  WriteMethod,
  WriteRequest,
  WriteResult,
} from './contract.ts';
export { defineConnector } from './contract.ts';
export {
  type ConnectorConfigProblem,
  type ConnectorKind,
  connectConnector,
  connectorConfigCheck,
  connectorKinds,
  isConnectorKind,
  type PreparedConnector,
  prepareConnector,
} from './registry.ts';
export type { RestConfig, RestConnection, RestRecordPage } from './rest/index.ts';
export { restCapabilities, restConnector } from './rest/index.ts';
