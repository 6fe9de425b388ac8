export { ConfigError } from './config-error.ts';
export { describeError } from './describe.ts';
export { ERROR_KINDS, ErpError, type ErrorContext, type ErrorKind, isErpError } from './erp-error.ts';
