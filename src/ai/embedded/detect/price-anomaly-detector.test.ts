import { describe, expect, it } from 'vitest';
import { detectPriceAnomalies } from './price-anomaly-detector.ts';
import { PriceBaseline, type PriceObservation } from './price-baseline.ts';

function history(
  supplierId: string,
  itemId: string,
  low: number,
  high: number,
  count: number,
): PriceObservation[] {
  return Array.from({ length: count }, (_, index) => ({
    supplierId,
    itemId,
    unitPrice: low + ((high - low) * ((index * 13) % count)) / (count - 1),
  }));
}

describe('detectPriceAnomalies', () => {
  const baseline = PriceBaseline.fit([
    ...history('100042', '10000100', 3.2, 6.5, 60),
    ...history('100007', '10000100', 3.2, 6.5, 30),
    ...history('100042', '10000137', 45, 120, 25),
  ]);

  it('scores an order by its most unusual line and names it in words', () => {
    const [verdict] = detectPriceAnomalies(baseline, [
      {
        supplierId: '100042',
        supplierName: 'Mueller Antriebstechnik GmbH',
        lines: [
          { lineNumber: 10, itemId: '10000137', description: 'Hydraulic pump seal kit', unitPrice: 80 },
          { lineNumber: 20, itemId: '10000100', description: 'Bearings 6204-2RS', unitPrice: 48.2 },
        ],
      },
    ]);
    expect(verdict?.score).toBeGreaterThan(0.99);
    expect(verdict?.reasons).toHaveLength(1);
    expect(verdict?.reasons[0]).toMatch(
      /^line 20: unit price 48\.20 is 9\.9× the median 4\.85 of 60 earlier orders of item 10000100 \(Bearings 6204-2RS\) from Mueller Antriebstechnik GmbH$/,
    );
  });

  it('leaves ordinary orders near 0 and still says what it compared', () => {
    const verdicts = detectPriceAnomalies(baseline, [
      { supplierId: '100007', lines: [{ lineNumber: 10, itemId: '10000100', unitPrice: 5.1 }] },
      { supplierId: '100007', lines: [] },
    ]);
    expect(verdicts[0]?.score).toBeLessThan(0.05);
    expect(verdicts[0]?.reasons[0]).toMatch(/^line 10: unit price 5\.10 is 1\.\d× the median/);
    expect(verdicts[1]).toEqual({ score: 0, reasons: ['the order has no lines'] });
  });

  it('catches a decimal slip downwards as well as upwards', () => {
    const [slip] = detectPriceAnomalies(baseline, [
      { supplierId: '100042', lines: [{ lineNumber: 10, itemId: '10000137', unitPrice: 8.5 }] },
    ]);
    expect(slip?.score).toBeGreaterThan(0.9);
    expect(slip?.reasons[0]).toMatch(/below\) the median/);
  });
});
