import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { readSvcmap, svcmapEntries } from './svcmap.ts';

const svcmap = (files: string) => `<?xml version="1.0" encoding="utf-8"?>
<ReferenceGroup xmlns="urn:schemas-microsoft-com:xml-wcfservicemap">
  <Metadata>
${files}
  </Metadata>
</ReferenceGroup>`;

describe('svcmapEntries', () => {
  it('maps each SourceUrl to the file beside the svcmap', () => {
    const text =
      svcmap(`    <MetadataFile FileName="svc.wsdl" MetadataType="Wsdl" SourceUrl="http://ax:82/svc.svc?wsdl" />
    <MetadataFile FileName="svc1.xsd" MetadataType="Schema" SourceUrl="http://ax:82/svc.svc?xsd=xsd0&amp;v=1" />`);
    expect(svcmapEntries(text, '/refs/Reference.svcmap')).toEqual([
      { sourceUrl: 'http://ax:82/svc.svc?wsdl', file: '/refs/svc.wsdl', metadataType: 'Wsdl' },
      { sourceUrl: 'http://ax:82/svc.svc?xsd=xsd0&v=1', file: '/refs/svc1.xsd', metadataType: 'Schema' },
    ]);
  });

  it('refuses file names outside its folder and source URLs that are not http(s), naming the line', () => {
    const escaping = svcmap('    <MetadataFile FileName="../../etc/passwd" SourceUrl="http://ax/x" />');
    expect(() => svcmapEntries(escaping, '/refs/Reference.svcmap')).toThrow(
      'MetadataFile FileName "../../etc/passwd" is not a plain file name; a service map\'s files sit in its own folder',
    );
    const ftp = svcmap('    <MetadataFile FileName="a.xsd" SourceUrl="ftp://ax/a.xsd" />');
    const error = thrownBy(() => svcmapEntries(ftp, '/refs/Reference.svcmap'), ConfigError);
    expect(error).toMatchObject({
      file: '/refs/Reference.svcmap',
      line: 4,
      message: 'MetadataFile SourceUrl "ftp://ax/a.xsd" is not an http(s) URL',
    });
  });

  it('says so when the file is no service map, or has a DTD', () => {
    expect(() => svcmapEntries('<definitions/>', '/x.svcmap')).toThrow(/not a Visual Studio service map/);
    expect(() => svcmapEntries('<!DOCTYPE x>\n<ReferenceGroup/>', '/x.svcmap')).toThrow(/<!DOCTYPE refused/);
  });
});

describe('readSvcmap', () => {
  it('reads a file into a normalised URL → path map', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'erpbridge-svcmap-'));
    const path = join(folder, 'Reference.svcmap');
    writeFileSync(
      path,
      svcmap('    <MetadataFile FileName="a.wsdl" SourceUrl="HTTP://AX:80/Svc.svc?wsdl" />'),
    );
    expect(await readSvcmap(path, 1_000_000)).toEqual(
      new Map([['http://ax/Svc.svc?wsdl', join(folder, 'a.wsdl')]]),
    );
    await expect(readSvcmap(path, 10)).rejects.toThrow(/bytes; the bound is 10/);
    await expect(readSvcmap(join(folder, 'missing.svcmap'), 1000)).rejects.toThrow(
      'the svcmap cannot be read (ENOENT); check the path',
    );
  });
});
