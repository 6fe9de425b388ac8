import { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { FormatWarning } from '../format-error.ts';
import { buildContrl } from './edifact-contrl.ts';
import { buildEdifactInterchange, encodeEdifact, generateEdifact } from './generate-edifact.ts';
import { parseEdifact } from './read-edifact.ts';

const ORDERS = [
  "UNA:+.? '",
  "UNB+UNOC:3+4000001000001:14+4000002000002:14+261104:0930+REF42'",
  "UNH+M1+ORDERS:D:96A:UN:EAN008'",
  "BGM+220+4500000123+9'",
  "NAD+BY+4000001000001::9++M?+M Handel?'s GmbH?:Nord+Rue 1??'",
  "UNT+4+M1'",
  "UNZ+1+REF42'",
].join('\n');

function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

describe('readEdifact', () => {
  it('removes release characters, however the bytes are chunked', async () => {
    const whole = await parseEdifact([Buffer.from(ORDERS)]);
    const nad = whole[0]?.messages[0]?.segments[2];
    expect(nad).toEqual({
      tag: 'NAD',
      elements: ['BY', ['4000001000001', '', '9'], '', "M+M Handel's GmbH:Nord", 'Rue 1?'],
    });
    expect(whole[0]?.delimiters).toMatchObject({ serviceStringAdvice: true, lineBreak: '\n', release: '?' });
    for (const size of [1, 2, 3, 9, 10])
      expect(await parseEdifact(chunks(Buffer.from(ORDERS), size))).toEqual(whole);
  });

  it('reads default service characters on one line, and UNA-defined ones', async () => {
    const oneLine = ORDERS.split('\n').slice(1).join('');
    const [plain] = await parseEdifact([Buffer.from(oneLine)]);
    expect(plain?.delimiters).toMatchObject({ serviceStringAdvice: false, lineBreak: '' });
    const custom = [
      'UNA|*,! ~',
      'UNB*UNOC|3*S*R*261104|0930*1~',
      'UNH*1*ORDERS|D|96A|UN~',
      "NAD*BY*X!*Y!|Z!~'s~",
      'UNT*3*1~',
      'UNZ*1*1~',
    ].join('\n');
    const [other] = await parseEdifact([Buffer.from(custom)]);
    expect(other?.messages[0]?.segments[1]?.elements).toEqual(['BY', "X*Y|Z~'s"]);
    if (other === undefined) throw new Error('no interchange');
    expect(generateEdifact(other)).toBe(`${custom}\n`);
  });

  it('reads UNOC Latin-1 bytes as declared, without a warning', async () => {
    const warnings: FormatWarning[] = [];
    const latin1 = iconv.encode(ORDERS.replace('Nord', 'Süd'), 'latin1');
    const [interchange] = await parseEdifact([latin1], { onWarning: (w) => warnings.push(w) });
    expect(interchange?.messages[0]?.segments[2]?.elements[3]).toBe("M+M Handel's GmbH:Süd");
    expect(warnings).toEqual([]);
  });

  it('warns once when UNOA content holds lower case or UTF-8', async () => {
    const warnings: FormatWarning[] = [];
    await parseEdifact([Buffer.from(ORDERS.replace('UNOC', 'UNOA'))], {
      source: 'o.edi',
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings.map((w) => [w.position.line, w.position.segment, w.message])).toEqual([
      [
        5,
        4,
        'UNB declares UNOA (upper-case letters, digits and a few signs) but NAD holds "a", outside it: read as UTF-8, kept as sent',
      ],
    ]);
  });

  it('reads groups, and names UNE mismatches', async () => {
    const grouped = ORDERS.replace('UNH+', "UNG+ORDERS+S+R+261104:0930+G1+UN+D:96A'\nUNH+").replace(
      'UNZ+1',
      "UNE+1+G1'\nUNZ+1",
    );
    const [interchange] = await parseEdifact([Buffer.from(grouped)]);
    expect(interchange?.groups.map((g) => [g.messages.length, g.trailer])).toEqual([
      [1, { tag: 'UNE', elements: ['1', 'G1'] }],
    ]);
    await expect(
      parseEdifact([Buffer.from(grouped.replace('UNE+1+G1', 'UNE+1+G2'))], { source: 'g.edi' }),
    ).rejects.toThrow(
      'g.edi:8 (segment 7 UNE): UNE02 is "G2" but UNG05 is "G1": trailer and header do not belong together',
    );
  });
});

describe('generateEdifact', () => {
  it('releases service characters and round-trips', async () => {
    const [interchange] = await parseEdifact([Buffer.from(ORDERS)]);
    if (interchange === undefined) throw new Error('no interchange');
    const text = generateEdifact(interchange);
    expect(text).toBe(`${ORDERS}\n`);
  });

  it('refuses characters outside the declared charset unless told to keep them', async () => {
    const [interchange] = await parseEdifact([Buffer.from(ORDERS.replace('UNOC', 'UNOA'))]);
    if (interchange === undefined) throw new Error('no interchange');
    expect(() => generateEdifact(interchange, { destination: 'out.edi' })).toThrow(
      'out.edi (segment 4 NAD): NAD04 holds "a", which UNOA (upper-case letters, digits and a few signs) does not allow: declare UNOC/UNOW in UNB01 or replace it',
    );
    expect(generateEdifact(interchange, { charset: 'keep' })).toContain("Handel?'s");
  });

  it('encodes as UNB declares', () => {
    expect(encodeEdifact('Süd', 'UNOC')).toEqual(Buffer.from([0x53, 0xfc, 0x64]));
    expect(encodeEdifact('Süd', 'UNOW')).toEqual(Buffer.from('Süd', 'utf8'));
  });

  it('builds interchanges with computed UNT and UNZ', async () => {
    const built = buildEdifactInterchange({
      syntax: ['UNOC', '3'],
      sender: { id: '4000001000001', qualifier: '14' },
      recipient: { id: '4000002000002', qualifier: '14' },
      at: new Date('2026-11-04T09:30:00Z'),
      reference: '7',
      messages: [
        {
          identifier: ['ORDRSP', 'D', '96A', 'UN'],
          reference: '1',
          body: [{ tag: 'BGM', elements: ['231', '4500000123'] }],
        },
      ],
    });
    expect(generateEdifact(built)).toBe(
      "UNB+UNOC:3+4000001000001:14+4000002000002:14+261104:0930+7'\nUNH+1+ORDRSP:D:96A:UN'\nBGM+231+4500000123'\nUNT+3+1'\nUNZ+1+7'\n",
    );
  });
});

describe('buildContrl', () => {
  async function contrlOf(text: string): Promise<string[][]> {
    const [received] = await parseEdifact([Buffer.from(text)], { control: 'report' });
    if (received === undefined) throw new Error('nothing received');
    const [parsed] = await parseEdifact([
      Buffer.from(
        generateEdifact(buildContrl(received, { reference: 'C1', at: new Date('2026-11-04T10:00:00Z') })),
      ),
    ]);
    return (parsed?.messages[0]?.segments ?? []).map((s) => [
      s.tag,
      ...s.elements.map((e) => (typeof e === 'string' ? e : e.join(':'))),
    ]);
  }

  it('acknowledges a clean interchange: UCI 7 and UCM 7 per message', async () => {
    expect(await contrlOf(ORDERS)).toEqual([
      ['UNH', 'C1', 'CONTRL:D:3:UN'],
      ['UCI', 'REF42', '4000001000001:14', '4000002000002:14', '7'],
      ['UCM', 'M1', 'ORDERS:D:96A:UN:EAN008', '7'],
      ['UNT', '4', 'C1'],
    ]);
  });

  it('rejects a message whose reference does not match (28) and an interchange whose count is wrong (29)', async () => {
    const broken = ORDERS.replace("UNT+4+M1'", "UNT+4+M9'").replace('UNZ+1+REF42', 'UNZ+2+REF42');
    expect(await contrlOf(broken)).toEqual([
      ['UNH', 'C1', 'CONTRL:D:3:UN'],
      ['UCI', 'REF42', '4000001000001:14', '4000002000002:14', '4', '29'],
      ['UCM', 'M1', 'ORDERS:D:96A:UN:EAN008', '4', '28'],
      ['UNT', '4', 'C1'],
    ]);
  });
});
