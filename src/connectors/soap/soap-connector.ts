import { z } from 'zod';
import { ConfigError } from '../../errors/index.ts';
import { type Connection, defineConnector } from '../contract.ts';
import { bindingContext, type SoapBinding } from './binding.ts';
import { SOAP_BINDINGS, soapBindingNames } from './bindings.ts';
import { connectSoap } from './soap-client.ts';
import { SoapConnectionConfig } from './soap-config.ts';

/**
 * `kind: soap`: a WSDL-described service and the ERP binding that turns pages, records and changes
 * into its operations.
 *
 * @example
 *   connectors:
 *     sap:
 *       kind: soap
 *       binding: sap-ecc
 *       wsdl: http://127.0.0.1:4010/sap/bc/soap/wsdl11?sap-client=100
 *       endpoint: http://127.0.0.1:4010/sap/bc/soap/rfc?sap-client=100
 */
export const SoapConnectorConfig = z
  .strictObject({
    kind: z.literal('soap'),
    ...SoapConnectionConfig.shape,
    /** Which ERP's conventions to speak: `sap-ecc`, `oracle-ebs`, `dynamics-ax`. */
    binding: z.string().refine((name) => name in SOAP_BINDINGS, {
      error: (issue) => `unknown binding "${String(issue.input)}"; known: ${soapBindingNames().join(', ')}`,
    }),
    /** The binding's own options (see its profile's documentation). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((config, context) => {
    // The connection options' own cross-checks (headers vs auth, …), at load time with their paths.
    const { kind: _kind, binding: _binding, options: _options, ...connection } = config;
    const checked = SoapConnectionConfig.safeParse(connection);
    if (!checked.success)
      for (const issue of checked.error.issues) context.addIssue({ ...issue, code: 'custom' });
  });
export type SoapConnectorConfig = z.infer<typeof SoapConnectorConfig>;

export const soapConnector = defineConnector({
  kind: 'soap',
  configSchema: SoapConnectorConfig,
  capabilities: { read: true, get: true, write: true, concurrency: 'version-field' },
  async connect(config, context): Promise<Connection> {
    const binding = SOAP_BINDINGS[config.binding];
    if (!binding)
      throw new ConfigError(`unknown SOAP binding ${config.binding}`, {
        key: `connectors.${context.name}.binding`,
      });
    const { kind: _kind, binding: _binding, options, ...connection } = config;
    const baseDir = context.baseDir ?? process.cwd();
    const client = await connectSoap(SoapConnectionConfig.parse(connection), { name: context.name, baseDir });
    let access: ReturnType<SoapBinding['open']>;
    try {
      access = binding.open(client, bindingContext(client, { connector: context.name, options, baseDir }));
    } catch (error) {
      await client.close();
      throw error;
    }
    return {
      read: (query) => access.read(query),
      get: (entity, key, signal) => access.get(entity, key, signal),
      write: (request) => access.write(request),
      describeWrite: (request) => access.describeWrite(request),
      async test() {
        const operations = client.operations();
        return operations.length > 0
          ? {
              ok: true,
              message: `${context.name}: ${operations.length} operations at ${client.endpoint ?? 'the WSDL address'}`,
            }
          : { ok: false, message: `${context.name}: the WSDL offers no operation to call` };
      },
      async close() {
        await access.close?.();
        await client.close();
      },
    };
  },
});
