/**
 * One reader in its own process, so its peak RSS is its own: reads the file named by --file with
 * the reader named by --reader and prints one JSON line (records, ms, cpuMs, maxRssMb). CPU time
 * is reported beside wall time: on a shared machine it is the steadier measure of the work done.
 *
 *   csv-parse      csv-parse alone, as its README streams a file (the baseline)
 *   csv-records    erpbridge's CSV reader, one record at a time
 *   csv-batches    erpbridge's CSV reader, a batch per chunk
 *   x12            erpbridge's X12 reader, transaction sets one at a time
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { openCsv } from '../../src/formats/csv/read-csv.ts';
import { readX12 } from '../../src/formats/x12/read-x12.ts';

const { values } = parseArgs({ options: { reader: { type: 'string' }, file: { type: 'string' } } });
const file = values.file;
if (file === undefined) throw new Error('--file is required');

const started = performance.now();
const cpuStarted = process.cpuUsage();
let records = 0;
let fields = 0;
switch (values.reader) {
  case 'csv-parse':
    for await (const record of createReadStream(file).pipe(parse({ delimiter: ';' }))) {
      records++;
      fields += Array.isArray(record) ? record.length : 0;
    }
    break;
  case 'csv-records': {
    const csv = await openCsv(file);
    for await (const record of csv.records()) {
      records++;
      fields += record.fields.length;
    }
    break;
  }
  case 'csv-batches': {
    const csv = await openCsv(file);
    for await (const batch of csv.batches()) {
      records += batch.length;
      for (const record of batch) fields += record.fields.length;
    }
    break;
  }
  case 'x12':
    for await (const event of readX12(file)) {
      if (event.kind === 'message') {
        records++;
        fields += event.message.segments.length;
      }
    }
    break;
  default:
    throw new Error(`unknown --reader ${values.reader}`);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ records, fields, ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
