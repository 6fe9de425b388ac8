export type { FilesConfig, FilesEntity, FilesWrite } from './files-config.ts';
export { FilesConfigSchema } from './files-config.ts';
export { filesCapabilities, filesConnector } from './files-connector.ts';
