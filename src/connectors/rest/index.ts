export type { Pagination, RestAuth, RestConfig, RestEntity } from './rest-config.ts';
export { RestConfigSchema } from './rest-config.ts';
export type { RestConnection, RestRecordPage } from './rest-connection.ts';
export { restCapabilities, restConnector } from './rest-connector.ts';
