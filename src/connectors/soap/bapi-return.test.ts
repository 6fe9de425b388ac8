import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { assertBapiSuccess, BapiError, bapiReturnErrors, bapiReturnMessages } from './bapi-return.ts';

const line = (TYPE: string, MESSAGE: string, extra: Record<string, string> = {}) => ({
  TYPE,
  ID: '06',
  NUMBER: '019',
  MESSAGE,
  ...extra,
});

describe('bapiReturnErrors', () => {
  it('keeps E and A lines; W, I and S are not errors', () => {
    const table = {
      item: [
        line('S', 'saved'),
        line('W', 'in the past'),
        line('I', 'info'),
        line('E', 'bad'),
        line('A', 'abort'),
      ],
    };
    expect(bapiReturnErrors(table).map((entry) => `${entry.type} ${entry.message}`)).toEqual([
      'E bad',
      'A abort',
    ]);
  });

  it('accepts every shape node-soap hands over: table of items, one item, array, structure, empty', () => {
    expect(bapiReturnErrors({ item: line('E', 'one item') })).toHaveLength(1);
    expect(bapiReturnErrors([line('E', 'array')])).toHaveLength(1);
    expect(bapiReturnErrors(line('E', 'structure'))).toHaveLength(1);
    expect(bapiReturnErrors(line('', '', { TYPE: ' ', MESSAGE: '' }))).toEqual([]);
    for (const empty of [undefined, null, '', {}, { item: [] }]) expect(bapiReturnErrors(empty)).toEqual([]);
  });

  it('reads field names in any case and keeps PARAMETER, ROW and FIELD', () => {
    expect(
      bapiReturnMessages({
        item: {
          type: 'e',
          id: 'ME',
          number: '083',
          message: 'Enter a vendor',
          parameter: 'POHEADER',
          row: '0',
          field: 'VENDOR',
        },
      }),
    ).toEqual([
      {
        type: 'E',
        id: 'ME',
        number: '083',
        message: 'Enter a vendor',
        parameter: 'POHEADER',
        row: undefined,
        field: 'VENDOR',
      },
    ]);
  });
});

describe('assertBapiSuccess', () => {
  it('passes an answer without E or A lines', () => {
    expect(() =>
      assertBapiSuccess({ RETURN: { item: [line('S', 'ok'), line('W', 'careful')] } }, 'BAPI_PO_CHANGE'),
    ).not.toThrow();
    expect(() => assertBapiSuccess({ POHEADER: {} }, 'BAPI_PO_GETDETAIL1')).not.toThrow();
    expect(() => assertBapiSuccess(null, 'BAPI_PO_GETDETAIL1')).not.toThrow();
  });

  it('throws a validation BapiError carrying MESSAGE, ID and NUMBER of each error line', () => {
    const error = thrownBy(
      () =>
        assertBapiSuccess(
          {
            Return: {
              item: [
                line('E', 'Purchase order 4500000099 does not exist', { FIELD: 'PO_NUMBER' }),
                { TYPE: 'E', ID: 'ME', NUMBER: '006', MESSAGE: 'User SMITH is processing it' },
              ],
            },
          },
          'BAPI_PO_CHANGE',
          { connector: 'sap' },
        ),
      BapiError,
    );
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'validation',
      message:
        'BAPI_PO_CHANGE returned E 06/019: Purchase order 4500000099 does not exist; E ME/006: User SMITH is processing it',
      context: {
        connector: 'sap',
        field: 'PO_NUMBER',
        hint: 'SAP refused the data; the message says what to fix (SE91 shows message class 06, number 019)',
      },
      operation: 'BAPI_PO_CHANGE',
    });
  });

  it('an A line makes it permanent: SAP aborted', () => {
    expect(() =>
      assertBapiSuccess({ RETURN: line('A', 'Posting period closed') }, 'BAPI_GOODSMVT_CREATE'),
    ).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: 'BAPI_GOODSMVT_CREATE returned A 06/019: Posting period closed',
      }),
    );
  });
});
