import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { X12Parser } from 'node-x12';
import { describe, expect, it } from 'vitest';
import type { EdiInterchange, EdiSegment } from './edi/edi-model.ts';
import { buildContrl } from './edifact/edifact-contrl.ts';
import { generateEdifact } from './edifact/generate-edifact.ts';
import { parseEdifact } from './edifact/read-edifact.ts';
import { FormatError, type FormatWarning } from './format-error.ts';
import { readIdocs } from './idoc/read-idoc.ts';
import { parseDocument } from './parse-document.ts';
import { generateX12 } from './x12/generate-x12.ts';
import { parseX12 } from './x12/read-x12.ts';
import { build997 } from './x12/x12-997.ts';

/**
 * The real files in shared/fixtures (published by other projects, see SOURCES.md): every one
 * parses, X12 and EDIFACT survive parse → generate → parse unchanged, and each gets a functional
 * acknowledgement that parses back with the right structure and counts. node-x12 and edifact serve
 * as independent readers to compare with where they read the file at all.
 */

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
const present = existsSync(FIXTURES);
if (!present)
  process.stderr.write(`skipping fixture tests: ${FIXTURES} is absent (shared/ is not checked out)\n`);
const EDI = `${FIXTURES}edi/`;
const ediFiles = (prefix: string) =>
  present
    ? readdirSync(EDI)
        .filter((name) => name.startsWith(prefix))
        .sort()
    : [];
const x12Files = ediFiles('x12_');
const edifactFiles = ediFiles('edifact_');
/** A published file whose UNT01 says 21 segments where its message has 18: a real sender's mistake. */
const MISCOUNTED = 'edifact_ORDERS_D96B_EANCOM_group_staedi.edi';
const AT = new Date('2026-11-04T09:30:00Z');

/** The model without positions (layout may differ between a file and its regeneration). */
function withoutPositions(interchanges: EdiInterchange[]): unknown {
  return JSON.parse(JSON.stringify(interchanges, (key, value) => (key === 'position' ? undefined : value)));
}

function allSegments(interchange: EdiInterchange): EdiSegment[] {
  return [
    interchange.header,
    ...interchange.groups.flatMap((group) => [
      group.header,
      ...group.messages.flatMap((m) => m.segments),
      group.trailer,
    ]),
    ...interchange.messages.flatMap((message) => message.segments),
    interchange.trailer,
  ];
}

describe.skipIf(!present)('X12 fixtures', () => {
  it('finds the five X12 files', () => {
    expect(x12Files).toHaveLength(5);
  });

  for (const name of x12Files) {
    describe(name, () => {
      it('parses strictly and reads what node-x12 reads', async () => {
        const [interchange, ...more] = await parseX12(`${EDI}${name}`, { source: name });
        expect(more).toHaveLength(0);
        if (interchange === undefined) throw new Error('no interchange');
        const theirs = new X12Parser(true).parse(readFileSync(`${EDI}${name}`, 'utf8'));
        if (!('functionalGroups' in theirs) || !Array.isArray(theirs.functionalGroups))
          throw new Error('node-x12: no groups');
        const ours = interchange.groups.flatMap((group) => group.messages);
        const theirSets = theirs.functionalGroups.flatMap((group) => group.transactions);
        expect(ours.map((set) => set.segments.length)).toEqual(
          theirSets.map((set) => set.segments.length + 2),
        );
        const component = interchange.delimiters.component;
        ours.forEach((set, index) => {
          const body = set.segments
            .slice(1, -1)
            .map((s) => [s.tag, ...s.elements.map((e) => (typeof e === 'string' ? e : e.join(component)))]);
          const theirBody = theirSets[index]?.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)]);
          expect(body).toEqual(theirBody);
        });
      });

      it('round-trips: parse → generate → parse is equal', async () => {
        const first = await parseX12(`${EDI}${name}`, { source: name });
        const text = generateX12(first);
        const second = await parseX12([Buffer.from(text)], { source: `${name} (regenerated)` });
        expect(withoutPositions(second)).toEqual(withoutPositions(first));
        // The layout is the file's own, so the regenerated text is the file (less a final line break).
        expect(text.trimEnd()).toBe(readFileSync(`${EDI}${name}`, 'utf8').trimEnd());
      });

      it('gets a 997 that parses back with one AK2/AK5 per transaction set and matching AK9 counts', async () => {
        const [received] = await parseX12(`${EDI}${name}`, { control: 'report' });
        if (received === undefined) throw new Error('no interchange');
        const ack = build997(received, { interchangeControlNumber: '7001', at: AT });
        const [parsed] = await parseX12([Buffer.from(generateX12(ack))], { source: '997' });
        if (parsed === undefined) throw new Error('no 997');
        expect(parsed.header.elements[5]?.toString().trim()).toBe(
          received.header.elements[7]?.toString().trim(),
        );
        const sets = parsed.groups.flatMap((group) => group.messages);
        expect(sets).toHaveLength(received.groups.length);
        sets.forEach((set, index) => {
          const group = received.groups[index];
          if (group === undefined) throw new Error('group missing');
          const tags = set.segments.map((s) => s.tag);
          expect(tags.filter((tag) => tag === 'AK2')).toHaveLength(group.messages.length);
          expect(tags.filter((tag) => tag === 'AK5')).toHaveLength(group.messages.length);
          const ak9 = set.segments.find((s) => s.tag === 'AK9');
          const count = String(group.messages.length);
          expect(ak9?.elements).toEqual(['A', count, count, count]);
          expect(set.segments.filter((s) => s.tag === 'AK5').every((s) => s.elements[0] === 'A')).toBe(true);
        });
      });
    });
  }
});

describe.skipIf(!present)('EDIFACT fixtures', () => {
  it('finds the four EDIFACT files', () => {
    expect(edifactFiles).toHaveLength(4);
  });

  for (const name of edifactFiles) {
    const miscounted = name === MISCOUNTED;
    describe(name, () => {
      it(miscounted ? 'is refused strictly, naming UNT01 and the segment' : 'parses strictly', async () => {
        const read = parseEdifact(`${EDI}${name}`, { source: name });
        if (miscounted) {
          await expect(read).rejects.toBeInstanceOf(FormatError);
          await expect(read).rejects.toMatchObject({
            problem: 'control',
            message: `${name}:20 (segment 20 UNT): UNT01 says "21" segments, 18 were read: the count is wrong or segments were lost`,
          });
        } else {
          expect(await read).toHaveLength(1);
        }
      });

      it('parses with control reporting, and reads what the edifact package reads', async () => {
        const warnings: FormatWarning[] = [];
        const [interchange] = await parseEdifact(`${EDI}${name}`, {
          source: name,
          control: 'report',
          onWarning: (w) => warnings.push(w),
        });
        if (interchange === undefined) throw new Error('no interchange');
        const theirs = edifactSegments(readFileSync(`${EDI}${name}`, 'utf8'));
        // The edifact package refuses only the file whose text is outside UNOC (U+FFFD).
        expect(theirs === undefined).toBe(name.includes('latin1'));
        if (theirs !== undefined) {
          const ours = allSegments(interchange).map((s) => ({
            tag: s.tag,
            elements: s.elements.map((e) => (typeof e === 'string' ? [e] : e)),
          }));
          expect(ours).toEqual(theirs);
        }
        const issues = [
          ...(interchange.issues ?? []),
          ...interchange.groups.flatMap((g) => [
            ...(g.issues ?? []),
            ...g.messages.flatMap((m) => m.issues ?? []),
          ]),
          ...interchange.messages.flatMap((m) => m.issues ?? []),
        ];
        expect(issues.map((issue) => issue.code)).toEqual(miscounted ? ['segment-count'] : []);
        if (name.includes('INVOIC')) {
          expect(warnings.map((w) => `${w.position.line} ${w.message}`)).toEqual([
            '7 UNB declares UNOA (upper-case letters, digits and a few signs) but NAD holds "Ü", outside it: read as UTF-8, kept as sent',
          ]);
        }
      });

      it('round-trips: parse → generate → parse is equal', async () => {
        const charsetClean = !name.includes('INVOIC') && !name.includes('latin1');
        const first = await parseEdifact(`${EDI}${name}`, { control: 'report' });
        const options = {
          charset: charsetClean ? ('strict' as const) : ('keep' as const),
          checkEnvelopes: !miscounted,
        };
        const text = generateEdifact(first, options);
        const second = await parseEdifact([Buffer.from(text)], { control: 'report' });
        expect(withoutPositions(second)).toEqual(withoutPositions(first));
        if (!charsetClean) {
          expect(() => generateEdifact(first, { checkEnvelopes: !miscounted })).toThrow(
            /NAD\d\d holds "(Ü|\uFFFD)", which UNO[AC] .* does not allow/,
          );
        }
      });

      it('gets a CONTRL that parses back with UCI and one UCM per message', async () => {
        const [received] = await parseEdifact(`${EDI}${name}`, { control: 'report' });
        if (received === undefined) throw new Error('no interchange');
        const contrl = buildContrl(received, { reference: 'ACK1', at: AT });
        const [parsed] = await parseEdifact([Buffer.from(generateEdifact(contrl))], { source: 'CONTRL' });
        const message = parsed?.messages[0];
        expect(parsed?.messages).toHaveLength(1);
        expect(message?.type).toBe('CONTRL');
        const uci = message?.segments.find((s) => s.tag === 'UCI');
        expect(uci?.elements.slice(0, 4)).toEqual([
          received.header.elements[4],
          received.header.elements[1],
          received.header.elements[2],
          '7',
        ]);
        const ucms = message?.segments.filter((s) => s.tag === 'UCM') ?? [];
        const messages = [...received.messages, ...received.groups.flatMap((g) => g.messages)];
        expect(ucms.map((s) => s.elements[0])).toEqual(messages.map((m) => m.controlNumber));
        expect(ucms.map((s) => s.elements.slice(2))).toEqual(
          messages.map(() => (miscounted ? ['4', '29'] : ['7'])),
        );
        expect(message?.segments.filter((s) => s.tag === 'UCF')).toHaveLength(received.groups.length);
      });
    });
  }
});

describe.skipIf(!present)('IDoc and XML fixtures', () => {
  it('reads ORDERS05: control record and segment tree', async () => {
    const idocs = [];
    for await (const idoc of readIdocs(`${FIXTURES}idoc/ORDERS05_purchase_order_sap_b2b_p2p.xml`))
      idocs.push(idoc);
    expect(idocs).toHaveLength(1);
    const [idoc] = idocs;
    expect(idoc?.idocType).toBe('ORDERS05');
    expect(idoc?.messageType).toBe('ORDERS');
    expect(idoc?.control.DOCNUM).toBe('0000000000146002');
    expect(idoc?.control.SNDPRT).toBe('');
    expect(idoc?.segments.map((s) => s.name)).toEqual([
      'E1EDK01',
      'E1EDK14',
      'E1EDK14',
      'E1EDK14',
      'E1EDK14',
      'E1EDK03',
      'E1EDK03',
      'E1EDKA1',
      'E1EDKA1',
      'E1EDKA1',
      'E1EDKA1',
      'E1EDKA1',
      'E1EDK02',
      'E1EDP01',
      'E1EDP01',
      'E1EDS01',
    ]);
    const item = idoc?.segments.find((s) => s.name === 'E1EDP01');
    expect(item?.fields.MENGE).toBe('1.000');
    expect(item?.children.map((s) => s.name)).toEqual(['E1EDP20', 'E1EDPA1', 'E1EDP19', 'E1EDPT1']);
    expect(item?.children[3]?.children[0]?.fields).toEqual({ TDLINE: 'Kaubeldavate toodete ost' });
  });

  it('reads INVOIC02', async () => {
    const idocs = [];
    for await (const idoc of readIdocs(`${FIXTURES}idoc/INVOIC02_sap_b2b_o2c.xml`)) idocs.push(idoc);
    expect(idocs.map((idoc) => [idoc.idocType, idoc.messageType, idoc.control.DOCNUM])).toEqual([
      ['INVOIC02', 'INVOIC', '0000000091109869'],
    ]);
    expect(idocs[0]?.segments.length).toBeGreaterThan(5);
  });

  for (const name of present ? readdirSync(`${FIXTURES}idoc`).filter((n) => n.endsWith('.xml')) : []) {
    it(`parses ${name} through parseDocument as idoc`, async () => {
      const document = await parseDocument(`${FIXTURES}idoc/${name}`);
      expect(document.format).toBe('idoc');
    });
  }

  for (const name of ['INVOIC02.xsd', 'PORDCR102.xsd']) {
    it(`reads the schema ${name} (UTF-8 as shipped) as record-oriented XML`, async () => {
      expect(readFileSync(`${FIXTURES}idoc/xsd/${name}`).subarray(0, 5).toString()).toBe('<?xml');
      const document = await parseDocument(`${FIXTURES}idoc/xsd/${name}`);
      expect(document.format).toBe('xml');
      if (document.format === 'xml') expect(document.root).toBe('schema');
    });
  }

  for (const name of present ? readdirSync(`${FIXTURES}xml-messages`) : []) {
    it(`parses ${name} (BOM and all) as XML records`, async () => {
      const document = await parseDocument(`${FIXTURES}xml-messages/${name}`);
      expect(document.format).toBe('xml');
      if (document.format === 'xml') expect(document.records.length).toBeGreaterThan(0);
    });
  }
});

/**
 * The segments as the edifact package's low-level Parser reads them (UNOC), or undefined when it
 * refuses the file (it does for the one whose text is outside UNOC). An oracle for tests only.
 */
function edifactSegments(text: string): { tag: string; elements: string[][] }[] | undefined {
  const require = createRequire(import.meta.url);
  // The package ships no types: its Parser is an EventEmitter with encoding(), write() and end().
  const { Parser, Validator } = require('edifact');
  const parser = new Parser(new Validator());
  parser.encoding('UNOC');
  const segments: { tag: string; elements: string[][] }[] = [];
  let current: string[][] = [];
  parser.on('opensegment', (tag: string) => {
    current = [];
    segments.push({ tag, elements: current });
  });
  parser.on('element', () => current.push([]));
  parser.on('component', (value: string) => current.at(-1)?.push(value));
  try {
    parser.write(text);
    parser.end();
  } catch {
    // Refused: nothing to compare with (the test above says which file).
    return undefined;
  }
  return segments;
}
