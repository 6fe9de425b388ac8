import { describe, expect, it } from 'vitest';
import { SoapFaultError } from '../../connectors/soap/index.ts';
import { ErpError } from '../../errors/index.ts';
import { oracleErrorCode, returnStatusError, updateFailure } from './update-outcome.ts';

const target = { connector: 'ebs', entity: 'PO_HEADERS_ALL', key: '45000123', poHeaderId: '1000123' };

function fault(reason: string): SoapFaultError {
  return new SoapFaultError(
    'permanent',
    reason,
    'UPDATE_PO_HEADER',
    {
      version: '1.1',
      code: 'env:Server',
      subcodes: [],
      reason,
      actor: undefined,
      detail: undefined,
      aif: undefined,
    },
    { connector: 'ebs', status: 500 },
  );
}

describe('UPDATE_PO_HEADER outcomes', () => {
  it('makes ORA-20001 (a stale LAST_UPDATE_DATE) a conflict with Oracle’s first line', () => {
    const stale = fault(
      'ORA-20001: PO_HEADERS_ALL row PO_HEADER_ID=1000123 was updated by another user since it was queried. Requery the record and try again.\nORA-06512: at "APPS.XX_PO_HEADER_PUB", line 87',
    );
    const error = updateFailure(stale, target);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'conflict',
      message:
        'UPDATE_PO_HEADER refused purchase order 45000123 (PO_HEADER_ID 1000123): ORA-20001: PO_HEADERS_ALL row PO_HEADER_ID=1000123 was updated by another user since it was queried. Requery the record and try again.',
      context: { connector: 'ebs', entity: 'PO_HEADERS_ALL', key: '45000123', status: 500 },
      cause: stale,
    });
  });

  it('makes ORA-00054 (the row is locked) transient, and leaves other faults as they are', () => {
    expect(
      updateFailure(fault('ORA-00054: resource busy and acquire with NOWAIT specified'), target),
    ).toMatchObject({
      kind: 'transient',
    });
    const other = fault('ORA-01403: no data found');
    expect(updateFailure(other, target)).toBe(other);
    const network = new ErpError('transient', 'connection reset');
    expect(updateFailure(network, target)).toBe(network);
    expect(oracleErrorCode('failed: ORA-06512: at line 1')).toBe('ORA-06512');
    expect(oracleErrorCode('no code')).toBeUndefined();
  });

  it('reads X_RETURN_STATUS the FND way: S fine, E validation, U permanent', () => {
    expect(returnStatusError({ X_RETURN_STATUS: 'S', X_MSG_COUNT: '0' }, target)).toBeUndefined();
    expect(
      returnStatusError(
        { X_RETURN_STATUS: 'E', X_MSG_COUNT: '1', X_MSG_DATA: 'ATTRIBUTE1 (Priority) must be 1 … 4' },
        target,
      ),
    ).toMatchObject({
      kind: 'validation',
      message:
        'UPDATE_PO_HEADER refused purchase order 45000123 (PO_HEADER_ID 1000123): ATTRIBUTE1 (Priority) must be 1 … 4',
    });
    expect(returnStatusError({ X_RETURN_STATUS: 'U', X_MSG_DATA: 'ORA-06502' }, target)).toMatchObject({
      kind: 'permanent',
      message:
        'UPDATE_PO_HEADER failed on purchase order 45000123 (PO_HEADER_ID 1000123) with an unexpected error (X_RETURN_STATUS U): ORA-06502',
    });
    expect(returnStatusError({}, target)?.message).toMatch(
      /X_RETURN_STATUS "": \(no message in X_MSG_DATA\)/,
    );
  });
});
