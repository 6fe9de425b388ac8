// Starts the seeded test Tryton by hand, to look around or to point erpbridge at it:
//   node bin/run-ts.mjs scripts/tryton/serve.ts
// Prints the URL, the users and an erpbridge.yaml connector section; stops on Ctrl-C. The same
// harness the tests use (test/support/tryton.ts): installs Tryton if missing (as root), builds the
// seeded database once into the cache, and runs trytond on a copy.
import { prepareTryton, startTryton } from '../../test/support/tryton.ts';
import { TRYTON_USERS } from '../../test/tryton/seed.ts';

const started = performance.now();
const available = await prepareTryton();
if (!available.ok) {
  console.error(`Tryton is not available: ${available.reason}`);
  process.exit(1);
}
const server = await startTryton(available);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const { installMs, seedMs, adminMs, rpcMs, seedCached } = available.timings;
console.log(`Tryton at ${server.url}, database ${server.database} (ready in ${seconds} s)`);
console.log(
  `  install check ${installMs} ms, seed ${seedCached ? 'from the cache' : `${seedMs} ms (trytond-admin ${adminMs} ms, RPC ${rpcMs} ms)`}, start ${server.startMs} ms`,
);
for (const user of Object.values(TRYTON_USERS)) console.log(`  user ${user.username} / ${user.password}`);
console.log(`  open purchases decide as of ${server.seed.today}`);
console.log(`connectors:
  tryton:
    kind: rpc
    dialect: tryton
    baseUrl: ${server.url}
    database: ${server.database}
    auth: { username: erpbridge, password: "\${TRYTON_PASSWORD}" }   # ${TRYTON_USERS.erpbridge.password}
    context: { company: ${server.seed.companyId} }
    entities: …   # see docs/erp/tryton.md`);
console.log(`log: ${server.dir}/trytond.log — Ctrl-C stops the server`);

const stop = () => {
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
