import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import {
  type AxDocumentService,
  axFieldOrder,
  callContextHeader,
  documentEntities,
  keyPageOf,
  keysOf,
  messageIdFor,
  queryCriteria,
  updateArguments,
} from './aif-messages.ts';
import { parseDynamicsAxOptions } from './binding-options.ts';

const ORDERS: AxDocumentService = { table: 'PurchTable', document: 'PurchaseOrder', keyField: 'PurchId' };
const key = (value: string) => ({ KeyData: { KeyField: [{ Field: 'PurchId', Value: value }] } });

describe('AIF messages', () => {
  it('turns a filter into Equal criteria, booleans into NoYes, and a resumed read into a key range', () => {
    expect(queryCriteria(ORDERS, { PurchStatus: 'Backorder', Blocked: false }, '0045000099')).toEqual({
      QueryCriteria: {
        CriteriaElement: [
          { DataSourceName: 'PurchTable', FieldName: 'PurchStatus', Operator: 'Equal', Value1: 'Backorder' },
          { DataSourceName: 'PurchTable', FieldName: 'Blocked', Operator: 'Equal', Value1: 'No' },
          { DataSourceName: 'PurchTable', FieldName: 'PurchId', Operator: 'Greater', Value1: '0045000099' },
        ],
      },
    });
    // A filter on the key itself would be OR-ed with a second range on it: the binding skips instead.
    expect(queryCriteria(ORDERS, { purchid: '0045000123' }, '0045000001').QueryCriteria).toEqual({
      CriteriaElement: [
        { DataSourceName: 'PurchTable', FieldName: 'purchid', Operator: 'Equal', Value1: '0045000123' },
      ],
    });
  });

  it('sends the company in CallContext, and a stable GUID-shaped MessageId per change', () => {
    expect(callContextHeader({ company: 'USMF', language: 'en-us' }, 'm-1')).toEqual({
      value: { CallContext: { Company: 'USMF', Language: 'en-us', MessageId: 'm-1' } },
      prefix: 'ctx',
      namespace: 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts',
    });
    const id = messageIdFor('run-1/change-7');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageIdFor('run-1/change-7')).toBe(id);
    expect(messageIdFor('run-1/change-8')).not.toBe(id);
  });

  it('builds a partial update: the root entity marked update, fields in schema order, RecVersion, the note as a child', () => {
    expect(
      updateArguments(
        ORDERS,
        '0045000123',
        { 'DocuRefHeader.Notes': 'rush', PurchPoolId: 'URGENT' },
        '1342757689',
      ),
    ).toEqual({
      EntityKeyList: { EntityKey: [key('0045000123')] },
      PurchaseOrder: {
        PurchTable: [
          {
            attributes: { class: 'entity', action: 'update' },
            PurchPoolId: 'URGENT',
            RecVersion: '1342757689',
            DocuRefHeader: [{ attributes: { class: 'entity' }, Notes: 'rush' }],
          },
        ],
      },
    });
    expect(['RecVersion', 'PurchaseType', '_DocumentHash', 'PurchId'].sort(axFieldOrder)).toEqual([
      '_DocumentHash',
      'PurchaseType',
      'PurchId',
      'RecVersion',
    ]);
  });

  it('reads keys, key pages and documents as node-soap gives them', () => {
    expect(keysOf(ORDERS, { EntityKey: [key('0045000002'), key('0045000001')] })).toEqual([
      '0045000002',
      '0045000001',
    ]);
    expect(keysOf(ORDERS, { EntityKey: key('0045000003') })).toEqual(['0045000003']);
    expect(keysOf(ORDERS, undefined)).toEqual([]);
    expect(() =>
      keysOf(ORDERS, { EntityKey: [{ KeyData: { KeyField: [{ Field: 'RecId', Value: '5' }] } }] }),
    ).toThrow(/entity key 1 of the answer has no PurchId/);
    const page = {
      EntityKeyPage: {
        EntityKeyList: { EntityKey: [key('1')] },
        DocumentPaging: { Bookmark: 'MQ==', PageSize: 1 },
        PageStatus: 'Success',
      },
    };
    expect(keyPageOf(ORDERS, page)).toEqual({ keys: ['1'], bookmark: 'MQ==' });
    expect(keyPageOf(ORDERS, { EntityKeyPage: { PageStatus: 'Success' } })).toEqual({
      keys: [],
      bookmark: undefined,
    });
    expect(() =>
      keyPageOf(ORDERS, {
        EntityKeyPage: { PageStatus: 'Failure', PageStatusDetails: 'DocumentFiltersChanged' },
      }),
    ).toThrow('getKeys answered PageStatus Failure (DocumentFiltersChanged)');
    expect(documentEntities(ORDERS, { PurchaseOrder: { PurchTable: { PurchId: '1' } } })).toEqual([
      { PurchId: '1' },
    ]);
  });
});

describe('dynamics-ax binding options', () => {
  it('needs the company and names a bad option', () => {
    expect(parseDynamicsAxOptions({ company: 'USMF' }, 'ax')).toMatchObject({
      documentsPerRead: 1000,
      readsInFlight: 2,
    });
    const missing = thrownBy(() => parseDynamicsAxOptions({}, 'ax'), ConfigError);
    expect(missing).toMatchObject({ key: 'connectors.ax.options.company', message: 'company is required' });
    expect(() => parseDynamicsAxOptions({ company: 'USMF', documentsPerRead: 5000 }, 'ax')).toThrow(
      /documentsPerRead/,
    );
    expect(() => parseDynamicsAxOptions({ company: 'USMF', paging: 'find' }, 'ax')).toThrow(ConfigError);
  });
});
