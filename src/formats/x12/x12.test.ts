import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import type { EdiEvent, EdiInterchange } from '../edi/edi-model.ts';
import { buildX12Interchange, generateX12 } from './generate-x12.ts';
import { parseX12, readX12 } from './read-x12.ts';
import { build997 } from './x12-997.ts';

const ISA =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261104*0930*U*00401*000000042*0*P*>~';
const ORDER = [
  ISA,
  'GS*PO*SENDER*RECEIVER*20261104*0930*7*X*004010~',
  'ST*850*0001~',
  'BEG*00*SA*4500000123**20261104~',
  'PO1*1*10*EA*9.25**VP*A-1*UP>X>Y~',
  'SE*4*0001~',
  'GE*1*7~',
  'IEA*1*000000042~',
].join('\r\n');

function chunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

describe('readX12', () => {
  it('reads the same model however the bytes are chunked', async () => {
    const whole = await parseX12([Buffer.from(ORDER)]);
    expect(whole[0]?.delimiters).toEqual({
      segment: '~',
      element: '*',
      component: '>',
      repetition: undefined,
      lineBreak: '\r\n',
    });
    const set = whole[0]?.groups[0]?.messages[0];
    expect(set?.segments[2]).toEqual({
      tag: 'PO1',
      elements: ['1', '10', 'EA', '9.25', '', 'VP', 'A-1', ['UP', 'X', 'Y']],
    });
    expect(set?.position).toEqual({ segment: 3, line: 3 });
    for (const size of [1, 2, 5, 106, 107]) expect(await parseX12(chunks(ORDER, size))).toEqual(whole);
  });

  it('reads an ISA whose fields are not padded, and a newline as terminator', async () => {
    const text =
      'ISA*00**00**ZZ*S*ZZ*R*261104*0930*U*00401*42*0*P*:\nGS*PO*S*R*20261104*0930*7*X*004010\nST*850*1\nSE*2*1\nGE*1*7\nIEA*1*42\n';
    const [interchange] = await parseX12([Buffer.from(text)]);
    expect(interchange?.delimiters.segment).toBe('\n');
    expect(interchange?.delimiters.component).toBe(':');
    expect(interchange?.groups[0]?.messages[0]?.position).toEqual({ segment: 3, line: 3 });
  });

  it('reads several interchanges, each with its own delimiters', async () => {
    const second = ORDER.replace(/\*/g, '|')
      .replace(/~/g, '!')
      .replace('|>!', '|^!')
      .replace('UP>X>Y', 'UP^X^Y');
    const interchanges = await parseX12([Buffer.from(`${ORDER}\r\n${second}`)]);
    expect(
      interchanges.map((i) => [i.delimiters.element, i.delimiters.segment, i.delimiters.component]),
    ).toEqual([
      ['*', '~', '>'],
      ['|', '!', '^'],
    ]);
    expect(interchanges[1]?.groups[0]?.messages[0]?.segments[2]?.elements[7]).toEqual(['UP', 'X', 'Y']);
  });

  it('yields transaction sets while the rest of the file is still unread', async () => {
    let produced = 0;
    async function* manySets(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${ISA}\nGS*PO*S*R*20261104*0930*7*X*004010~\n`);
      for (let index = 1; index <= 5000; index++) {
        produced = index;
        yield Buffer.from(`ST*850*${index}~\nBEG*00*SA*${index}**20261104~\nSE*3*${index}~\n`);
      }
      yield Buffer.from('GE*5000*7~\nIEA*1*000000042~\n');
    }
    let firstSetAt = 0;
    let sets = 0;
    for await (const event of readX12(manySets())) {
      if (event.kind === 'message') {
        sets++;
        if (sets === 1) firstSetAt = produced;
      }
    }
    expect(sets).toBe(5000);
    // Only the 4 KiB sniffed before reading (for the encoding) were read ahead of the first set.
    expect(firstSetAt).toBeLessThan(150);
  });

  it('reports control problems as issues when asked, in file order', async () => {
    const broken = ORDER.replace('SE*4*0001', 'SE*9*0002').replace('GE*1*7', 'GE*2*7');
    const events: EdiEvent[] = [];
    for await (const event of readX12([Buffer.from(broken)], { control: 'report' })) events.push(event);
    expect(events.map((e) => e.kind)).toEqual([
      'interchange',
      'group',
      'message',
      'group-end',
      'interchange-end',
    ]);
    const [interchange] = await parseX12([Buffer.from(broken)], { control: 'report' });
    expect(interchange?.groups[0]?.messages[0]?.issues?.map((i) => [i.code, i.position])).toEqual([
      ['segment-count', { segment: 6, line: 6 }],
      ['control-number', { segment: 6, line: 6 }],
    ]);
    expect(interchange?.groups[0]?.issues?.map((i) => i.message)).toEqual([
      'GE01 says "2" transaction sets, 1 were read: the count is wrong or transaction sets were lost',
    ]);
  });
});

describe('generateX12', () => {
  it('refuses values holding a delimiter, misaligned ISAs and wrong trailers', async () => {
    const [interchange] = await parseX12([Buffer.from(ORDER)]);
    if (interchange === undefined) throw new Error('no interchange');
    const withStar = structuredClone(interchange);
    withStar.groups[0]?.messages[0]?.segments[1]?.elements.splice(2, 1, 'SA*X');
    expect(() => generateX12(withStar)).toThrow(
      'output (segment 4 BEG): BEG03 holds the delimiter "*": X12 cannot escape it; remove it from the value',
    );
    const shortIsa = structuredClone(interchange);
    shortIsa.header.elements[5] = 'SENDER';
    expect(() => generateX12(shortIsa)).toThrow(/ISA06 must be 15 characters, it is "SENDER"/);
    const wrongCount = structuredClone(interchange);
    wrongCount.trailer.elements[0] = '2';
    expect(() => generateX12(wrongCount)).toThrow(/IEA01 of interchange 000000042 is "2", it holds 1/);
  });

  it('builds interchanges whose envelopes are right by construction', async () => {
    const built = buildX12Interchange({
      sender: { qualifier: 'ZZ', id: 'ERPBRIDGE' },
      receiver: { qualifier: '12', id: '5551234567' },
      controlNumber: '17',
      at: new Date('2026-11-04T09:30:00Z'),
      groups: [
        {
          functionalId: 'PO',
          applicationSender: 'ERPBRIDGE',
          applicationReceiver: 'ACME',
          controlNumber: '17',
          version: '004010',
          transactionSets: [
            {
              type: '850',
              controlNumber: '0001',
              body: [{ tag: 'BEG', elements: ['00', 'SA', '4500000123', '', '20261104'] }],
            },
          ],
        },
      ],
    });
    const text = generateX12(built);
    expect(text.split('\n')[0]).toBe(
      'ISA*00*          *00*          *ZZ*ERPBRIDGE      *12*5551234567     *261104*0930*U*00401*000000017*0*P*>~',
    );
    const [parsed] = await parseX12([Buffer.from(text)]);
    expect(parsed?.groups[0]?.messages[0]?.segments.map((s) => s.tag)).toEqual(['ST', 'BEG', 'SE']);
  });
});

describe('build997', () => {
  async function ackOf(text: string): Promise<EdiInterchange> {
    const [received] = await parseX12([Buffer.from(text)], { control: 'report' });
    if (received === undefined) throw new Error('nothing received');
    const [ack] = await parseX12([
      Buffer.from(
        generateX12(
          build997(received, { interchangeControlNumber: '900', at: new Date('2026-11-04T10:00:00Z') }),
        ),
      ),
    ]);
    if (ack === undefined) throw new Error('no 997');
    return ack;
  }
  const body = (ack: EdiInterchange) =>
    ack.groups[0]?.messages[0]?.segments.map((s) => [s.tag, ...s.elements]);

  it('accepts a clean group, from the receiver back to the sender', async () => {
    const ack = await ackOf(ORDER);
    expect(ack.header.elements.slice(4, 8)).toEqual(['ZZ', 'RECEIVER       ', 'ZZ', 'SENDER         ']);
    expect(body(ack)).toEqual([
      ['ST', '997', '0001'],
      ['AK1', 'PO', '7'],
      ['AK2', '850', '0001'],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
      ['SE', '6', '0001'],
    ]);
  });

  it('rejects a set whose count and control number are wrong, and a group whose count is wrong', async () => {
    const second = 'ST*850*0002~\r\nBEG*00*SA*4500000124**20261104~\r\nSE*3*0002~';
    const broken = ORDER.replace('SE*4*0001~', `SE*5*0009~\r\n${second}`).replace('GE*1*7', 'GE*3*7');
    expect(body(await ackOf(broken))).toEqual([
      ['ST', '997', '0001'],
      ['AK1', 'PO', '7'],
      ['AK2', '850', '0001'],
      ['AK5', 'R', '4', '3'],
      ['AK2', '850', '0002'],
      ['AK5', 'A'],
      ['AK9', 'R', '3', '2', '1', '5'],
      ['SE', '8', '0001'],
    ]);
    const truncated = ORDER.replace('SE*4*0001~\r\n', '');
    expect(body(await ackOf(truncated))?.slice(2, 5)).toEqual([
      ['AK2', '850', '0001'],
      ['AK5', 'R', '2'],
      ['AK9', 'R', '1', '1', '0'],
    ]);
    const partly = ORDER.replace('SE*4*0001~', `SE*5*0001~\r\n${second}`).replace('GE*1*7', 'GE*2*7');
    expect(body(await ackOf(partly))?.find((s) => s[0] === 'AK9')).toEqual(['AK9', 'P', '2', '2', '1']);
  });
});
