import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { formatsParseCommand } from './parse-document.ts';

/**
 * A corpus of broken files, made here in a temp folder: truncated, wrong delimiters and encodings,
 * a 100 MB line, XML bombs and DOCTYPEs, wrong counts and control numbers, missing trailers,
 * binary garbage, empty files. Every one must give one line naming the file and the line or
 * segment, with the reason — never a crash, a hang or a silent success.
 */

const dir = mkdtempSync(join(tmpdir(), 'erpbridge-bad-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic pseudo-random byte source for binary garbage. */
function garbage(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    bytes[index] = state >> 16;
  }
  return bytes;
}

const ISA =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261104*0930*U*00401*000000042*0*P*>~';
/** A valid X12 interchange, one segment per line, whose parts the cases below break. */
function x12(
  parts: { st?: string; se?: string; ge?: string; iea?: string; body?: string[]; gs?: string } = {},
): string {
  return [
    ISA,
    parts.gs ?? 'GS*PO*SENDER*RECEIVER*20261104*0930*7*X*004010~',
    parts.st ?? 'ST*850*0001~',
    ...(parts.body ?? ['BEG*00*SA*4500000123**20261104~', 'PO1*1*10*EA*9.25**VP*A-1~']),
    parts.se ?? 'SE*4*0001~',
    parts.ge ?? 'GE*1*7~',
    parts.iea ?? 'IEA*1*000000042~',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** A valid EDIFACT interchange, one segment per line. */
function edifact(
  parts: { unt?: string; unz?: string; unh?: string; extra?: string[]; una?: string } = {},
): string {
  return [
    ...(parts.una === undefined ? [] : [parts.una]),
    "UNB+UNOC:3+SENDER:14+RECEIVER:14+261104:0930+REF42'",
    parts.unh ?? "UNH+M1+ORDERS:D:96A:UN'",
    "BGM+220+4500000123+9'",
    "NAD+BY+4000001000001::9++M?+M Handel?'s GmbH'",
    ...(parts.extra ?? []),
    parts.unt ?? "UNT+4+M1'",
    parts.unz ?? "UNZ+1+REF42'",
  ]
    .filter((line) => line !== '')
    .join('\n');
}

interface BadCase {
  name: string;
  content: string | Buffer | (() => AsyncGenerator<Buffer>);
  as?: string;
  /** What must follow the file name: the position, then the reason. */
  expected: RegExp;
}

const MB = 1024 * 1024;
async function* hundredMegabytes(prefix: string, filler: string, suffix: string): AsyncGenerator<Buffer> {
  yield Buffer.from(prefix);
  const chunk = Buffer.alloc(MB, filler);
  for (let index = 0; index < 100; index++) yield chunk;
  yield Buffer.from(suffix);
}

const cases: BadCase[] = [
  // Empty and binary
  { name: 'empty.csv', content: '', expected: /^: the file is empty/ },
  { name: 'blank.csv', content: '\n \n\t\n', expected: /^: the file is empty/ },
  { name: 'empty.edi', content: '', expected: /^: the file is empty/ },
  { name: 'empty.xml', content: '', expected: /^: the file is empty/ },
  { name: 'garbage.bin', content: garbage(4096, 7), expected: /^:\d+: (a NUL byte|binary data)/ },
  {
    name: 'garbage-no-nul.dat',
    content: Buffer.from(garbage(4096, 11).map((b) => (b === 0 ? 1 : b))),
    expected: /^:1: binary data/,
  },
  { name: 'garbage-as-x12.edi', content: garbage(2048, 3), as: 'x12', expected: /^:\d+ \(.*\): / },
  { name: 'garbage-as-edifact.edi', content: garbage(2048, 5), as: 'edifact', expected: /^:\d+ \(.*\): / },
  { name: 'garbage-as-xml.xml', content: garbage(2048, 13), as: 'xml', expected: /^:\d+( \(byte \d+\))?: / },
  {
    name: 'garbage-as-idoc.xml',
    content: garbage(2048, 17),
    as: 'idoc',
    expected: /^:\d+( \(byte \d+\))?: /,
  },
  // CSV
  {
    name: 'wrong-delimiter.csv',
    content: 'PO;VENDOR;AMOUNT\n4500000123,ACME,12.50\n4500000124,ACME,13.50\n',
    expected: /^:2: the number of fields differs/,
  },
  { name: 'ragged.csv', content: 'a,b,c\n1,2,3\n4,5\n', expected: /^:3: the number of fields differs/ },
  {
    name: 'unclosed-quote.csv',
    content: 'a,b\n1,2\n3,"never closed\n4,5\n',
    expected: /^:3: a quoted field .* never closes/,
  },
  {
    name: 'text-after-quote.csv',
    content: 'a,b\n1,2\n"x"y,3\n',
    expected: /^:3: characters follow a closing quote/,
  },
  {
    name: 'windows-1252-as-utf8.csv',
    content: Buffer.from('NAME,CITY\nMüller,Köln\n', 'latin1'),
    expected: /^:2 \(byte 11\): bytes 0xFC .* are not UTF-8/,
  },
  {
    name: 'utf8-cut-in-a-character.csv',
    content: Buffer.from('a\nü', 'utf8').subarray(0, 3),
    expected: /^:2 \(byte 2\): bytes 0xC3 are not UTF-8/,
  },
  {
    name: 'utf16le-without-bom.csv',
    content: Buffer.from('a,b\n1,2\n', 'utf16le'),
    expected: /^:1: a NUL byte/,
  },
  {
    name: 'nul-in-the-middle.csv',
    content: 'a,b\n1,2\n3,\u0000\n',
    as: 'csv',
    expected: /^:3 \(byte 10\): a NUL byte/,
  },
  {
    name: 'bad-byte-after-many-lines.csv',
    content: Buffer.concat([Buffer.from(`a,b\n${'1,2\n'.repeat(100_000)}`), Buffer.from([0xff, 0x0a])]),
    expected: /^:100002 \(byte 400004\): bytes 0xFF/,
  },
  {
    name: '100mb-line.csv',
    content: () => hundredMegabytes('a,b\n', 'x', '\n'),
    expected: /^:2: a record longer than the maximum/,
  },
  // XML
  {
    name: 'doctype.xml',
    content: '<?xml version="1.0"?>\n<!DOCTYPE orders>\n<orders/>',
    expected: /^:2: <!DOCTYPE refused/,
  },
  {
    name: 'billion-laughs.xml',
    content: `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}\n]>\n<lolz>&lol9;</lolz>`,
    expected: /^:2: <!DOCTYPE refused/,
  },
  {
    name: 'xxe.xml',
    content:
      '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r><a>&x;</a></r>',
    expected: /^:2: <!DOCTYPE refused/,
  },
  {
    name: 'entity-inside.xml',
    content: '<orders>\n<order>1</order>\n<!ENTITY x "y">\n</orders>',
    expected: /^:3: <!ENTITY refused/,
  },
  {
    name: 'truncated.xml',
    content: '<orders>\n<order><id>1</id></order>\n<order><id>2</id>',
    expected: /^:1: the file ends inside <orders>|^:3: the file ends inside/,
  },
  {
    name: 'mismatched.xml',
    content: '<orders>\n<order>\n<id>1</id>\n</ordr>\n</orders>',
    expected: /^:4: <\/ordr> where <order> \(line 2\) must close first/,
  },
  { name: 'two-roots.xml', content: '<a/>\n<b/>', expected: /^:2: a second root element <b>/ },
  {
    name: 'text-before-root.xml',
    content: 'hello\n<a/>',
    as: 'xml',
    expected: /^:1: text outside the root element/,
  },
  {
    name: 'deep.xml',
    content: `${'<a>'.repeat(150)}${'</a>'.repeat(150)}`,
    expected: /^:1: elements nested deeper than 100/,
  },
  {
    name: 'unclosed-comment.xml',
    content: '<a>\n<!-- never closed\n<b/>\n</a>',
    expected: /^:2: the file ends inside a tag, comment/,
  },
  {
    name: 'unclosed-cdata.xml',
    content: '<a>\n<b><![CDATA[ never closed </b>\n</a>',
    expected: /^:2: the file ends inside a tag, comment/,
  },
  {
    name: 'broken-attribute.xml',
    content: '<a>\n<b x="1></b>\n</a>',
    expected: /^:2: the file ends inside a tag/,
  },
  {
    name: 'unquoted-attribute.xml',
    content: '<a>\n<b x=1>v</b>\n</a>',
    expected: /^:2: not well-formed XML/,
  },
  {
    name: 'latin1-declared-utf8.xml',
    content: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<a>\n<b>Müller</b>\n</a>', 'latin1'),
    expected: /^:3 \(byte \d+\): bytes 0xFC/,
  },
  {
    name: '100mb-text.xml',
    content: () => hundredMegabytes('<orders>\n<order>', 'x', '</order>\n</orders>'),
    expected: /^:2: a <order> record longer than/,
  },
  // IDoc
  {
    name: 'idoc-without-control.xml',
    content:
      '<ORDERS05>\n<IDOC BEGIN="1">\n<E1EDK01 SEGMENT="1"><BELNR>1</BELNR></E1EDK01>\n</IDOC>\n</ORDERS05>',
    expected: /^:2 \(IDOC\): an IDOC without EDI_DC40/,
  },
  {
    name: 'not-an-idoc.xml',
    content: '<Orders>\n<Order/>\n</Orders>',
    as: 'idoc',
    expected: /^: no <IDOC> element under <Orders>/,
  },
  {
    name: 'idoc-repeated-field.xml',
    content:
      '<ORDERS05>\n<IDOC BEGIN="1">\n<EDI_DC40 SEGMENT="1"><IDOCTYP>ORDERS05</IDOCTYP></EDI_DC40>\n<E1EDK01 SEGMENT="1"><BELNR>1</BELNR><BELNR>2</BELNR></E1EDK01>\n</IDOC>\n</ORDERS05>',
    expected: /^:2 \(E1EDK01\): field BELNR repeats/,
  },
  {
    name: 'idoc-truncated.xml',
    content: '<ORDERS05>\n<IDOC BEGIN="1">\n<EDI_DC40 SEGMENT="1"><IDOCTYP>ORDERS05</IDOCTYP>',
    expected: /^:\d+: the file ends inside/,
  },
  {
    name: 'idoc-doctype.xml',
    content: '<!DOCTYPE ORDERS05>\n<ORDERS05><IDOC/></ORDERS05>',
    as: 'idoc',
    expected: /^:1: <!DOCTYPE refused/,
  },
  // X12
  {
    name: 'x12-truncated-isa.edi',
    content: ISA.slice(0, 50),
    expected: /^:1 \(segment 1\): the file ends inside a segment/,
  },
  {
    name: 'x12-no-terminator-at-end.edi',
    content: x12().slice(0, -1),
    expected: /^:8 \(segment 8\): the file ends inside a segment/,
  },
  {
    name: 'x12-missing-iea.edi',
    content: x12({ iea: '' }),
    expected: /^:7 \(segment 7 GE\): interchange 000000042 .* has no IEA/,
  },
  {
    name: 'x12-missing-ge-and-iea.edi',
    content: x12({ ge: '', iea: '' }),
    expected: /^:6 \(segment 6 SE\): group 7 .* has no GE/,
  },
  {
    name: 'x12-missing-se.edi',
    content: x12({ se: '' }),
    expected: /^:6 \(segment 6 GE\): transaction set 0001 .* has no SE: GE at segment 6/,
  },
  {
    name: 'x12-se-count.edi',
    content: x12({ se: 'SE*5*0001~' }),
    expected: /^:6 \(segment 6 SE\): SE01 says "5" segments, 4 were read/,
  },
  {
    name: 'x12-se-control.edi',
    content: x12({ se: 'SE*4*0002~' }),
    expected: /^:6 \(segment 6 SE\): SE02 is "0002" but ST02 is "0001"/,
  },
  {
    name: 'x12-ge-count.edi',
    content: x12({ ge: 'GE*2*7~' }),
    expected: /^:7 \(segment 7 GE\): GE01 says "2" transaction sets, 1 were read/,
  },
  {
    name: 'x12-ge-control.edi',
    content: x12({ ge: 'GE*1*8~' }),
    expected: /^:7 \(segment 7 GE\): GE02 is "8" but GS06 is "7"/,
  },
  {
    name: 'x12-iea-count.edi',
    content: x12({ iea: 'IEA*3*000000042~' }),
    expected: /^:8 \(segment 8 IEA\): IEA01 says "3" groups, 1 were read/,
  },
  {
    name: 'x12-iea-control.edi',
    content: x12({ iea: 'IEA*1*000000043~' }),
    expected: /^:8 \(segment 8 IEA\): IEA02 is "000000043" but ISA13 is "000000042"/,
  },
  {
    name: 'x12-wrong-delimiters.edi',
    content: x12().replace(/\nGS\*PO\*SENDER/, '\nGS|PO|SENDER'),
    expected: /^:2 \(segment 2\): "GS\|PO\|SENDER.*" is not an X12 segment tag/,
  },
  {
    name: 'x12-segment-outside-set.edi',
    content: x12({ body: ['BEG*00*SA*1**20261104~'] }).replace('ST*850*0001~\n', ''),
    expected: /^:3 \(segment 3 BEG\): BEG outside a transaction set/,
  },
  {
    name: 'x12-st-without-gs.edi',
    content: x12({ gs: '' }),
    expected: /^:2 \(segment 2 ST\): ST outside a group: no GS before it/,
  },
  {
    name: 'x12-unaligned-isa.edi',
    content: `ISA*00*x*00*x*ZZ*S*ZZ*R*2611*09*U*00401*1*0*P~\nGS*PO~`,
    expected: /^:1 \(segment 1 ISA\): the ISA does not define usable delimiters/,
  },
  {
    name: 'x12-binary-tail.edi',
    content: Buffer.concat([Buffer.from(`${ISA}\n`), garbage(512, 23)]),
    as: 'x12',
    expected: /^:2 \(segment 2.*\)|^:2( \(byte \d+\))?: /,
  },
  {
    name: 'x12-100mb-segment.edi',
    content: () => hundredMegabytes(`${ISA}\nGS*PO*`, 'A', '~'),
    expected: /^:2 \(segment 2\): no segment terminator within 65536 characters/,
  },
  // EDIFACT
  {
    name: 'edifact-unt-count.edi',
    content: edifact({ unt: "UNT+9+M1'" }),
    expected: /^:5 \(segment 5 UNT\): UNT01 says "9" segments, 4 were read/,
  },
  {
    name: 'edifact-unt-reference.edi',
    content: edifact({ unt: "UNT+4+M2'" }),
    expected: /^:5 \(segment 5 UNT\): UNT02 is "M2" but UNH01 is "M1"/,
  },
  {
    name: 'edifact-unz-count.edi',
    content: edifact({ unz: "UNZ+2+REF42'" }),
    expected: /^:6 \(segment 6 UNZ\): UNZ01 says "2" messages, 1 were read/,
  },
  {
    name: 'edifact-unz-reference.edi',
    content: edifact({ unz: "UNZ+1+REF43'" }),
    expected: /^:6 \(segment 6 UNZ\): UNZ02 is "REF43" but UNB05 is "REF42"/,
  },
  {
    name: 'edifact-missing-unt.edi',
    content: edifact({ unt: '' }),
    expected: /^:5 \(segment 5 UNZ\): message M1 .* has no UNT/,
  },
  {
    name: 'edifact-missing-unz.edi',
    content: edifact({ unz: '' }),
    expected: /^:5 \(segment 5 UNT\): interchange REF42 .* has no UNZ/,
  },
  {
    name: 'edifact-bad-una.edi',
    content: edifact({ una: "UNA::+.? '" }),
    expected: /^:1 \(segment 1 UNA\): the UNA .* does not define distinct service characters/,
  },
  {
    name: 'edifact-una-wrong-terminator.edi',
    content: edifact({ una: 'UNA:+.? ~' }),
    expected: /^:2 \(segment 1\): the file ends inside a segment/,
  },
  {
    name: 'edifact-release-at-end.edi',
    content: `${edifact().slice(0, -1)}?'`,
    expected: /^:6 \(segment 6\): the file ends inside a segment/,
  },
  {
    name: 'edifact-no-unb.edi',
    content: "UNH+M1+ORDERS:D:96A:UN'\nUNT+2+M1'",
    as: 'edifact',
    expected: /^:1 \(segment 1\): an EDIFACT interchange starts with UNA or UNB/,
  },
  {
    name: 'edifact-mixed.edi',
    content: edifact({ extra: ["UNT+4+M1'", "UNG+ORDERS+S+R+261104:0930+G1+UN+D:96A'"], unt: '' }),
    expected: /^:6 \(segment 6 UNG\): UNG after messages outside groups/,
  },
  {
    name: 'edifact-missing-release.edi',
    content: edifact().replace("M?+M Handel?'s", "M+M Handel's"),
    expected: /^:5 \(segment 5\): "S GmbH" is not an EDIFACT segment tag|^:\d+ \(segment \d+.*\): /,
  },
  {
    name: 'edifact-100mb-segment.edi',
    content: () => hundredMegabytes("UNB+UNOC:3+S+R+261104:0930+1'\nUNH+", 'A', "'"),
    expected: /^:2 \(segment 2\): no segment terminator within 65536 characters/,
  },
];

describe('bad input corpus', () => {
  it('has at least 50 files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  for (const badCase of cases) {
    it(`${badCase.name}: one line naming the file and position`, async () => {
      const path = join(dir, badCase.name);
      const { content } = badCase;
      if (typeof content === 'function') await pipeline(Readable.from(content()), createWriteStream(path));
      else writeFileSync(path, content);
      try {
        const result = await formatsParseCommand(path, badCase.as);
        if (result.ok) throw new Error(`${badCase.name} was accepted`);
        expect(result.message).not.toContain('\n');
        expect(result.message.startsWith(path)).toBe(true);
        expect(result.message.slice(path.length)).toMatch(badCase.expected);
      } finally {
        rmSync(path, { force: true });
      }
    });
  }
});
