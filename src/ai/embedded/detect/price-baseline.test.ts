import { describe, expect, it } from 'vitest';
import { PriceBaseline, type PriceObservation } from './price-baseline.ts';

/** A deterministic spread of prices around `center` (±15 %), like a year of orders. */
function history(supplierId: string, itemId: string, center: number, count: number): PriceObservation[] {
  return Array.from({ length: count }, (_, index) => ({
    supplierId,
    itemId,
    unitPrice: Math.round(center * (0.85 + (0.3 * ((index * 7) % count)) / count) * 100) / 100,
  }));
}

describe('PriceBaseline', () => {
  const baseline = PriceBaseline.fit([
    ...history('S1', 'BOLT', 0.3, 40),
    ...history('S2', 'BOLT', 0.3, 12),
    ...history('S1', 'PUMP', 2500, 3),
    ...history('S3', 'PUMP', 2500, 30),
    // S4 sells everything 40 % dearer.
    ...history('S4', 'PUMP', 3500, 20),
    ...history('S4', 'SEAL', 84, 20),
    ...history('S3', 'SEAL', 60, 20),
  ]);

  it('scores a usual price near 0 and a far one near 1, with the reason in words', () => {
    expect(baseline.judge({ supplierId: 'S1', itemId: 'BOLT', unitPrice: 0.31 }).score).toBeLessThan(0.01);
    const high = baseline.judge(
      { supplierId: 'S1', itemId: 'BOLT', unitPrice: 0.95 },
      { item: 'Hex bolt M12' },
    );
    expect(high.score).toBeGreaterThan(0.99);
    expect(high.ratio).toBeGreaterThan(3);
    expect(high.reason).toMatch(
      /^unit price 0\.95 is 3\.\d× the median 0\.3\d+ of 40 earlier orders of Hex bolt M12 from supplier S1$/,
    );
    const low = baseline.judge({ supplierId: 'S1', itemId: 'BOLT', unitPrice: 0.03 });
    expect(low.score).toBeGreaterThan(0.99);
    expect(low.reason).toMatch(/0\.10× \(90 % below\) the median/);
  });

  it('falls back to the item across suppliers when the supplier+item history is thin', () => {
    const thin = baseline.judge({ supplierId: 'S1', itemId: 'PUMP', unitPrice: 2600 });
    expect(thin.score).toBeLessThan(0.05);
    expect(thin.reference?.basis).toMatch(/^of 53 earlier orders of item PUMP, 3 of them from supplier S1/);
    const unknownSupplier = baseline.judge({ supplierId: 'S9', itemId: 'BOLT', unitPrice: 0.3 });
    expect(unknownSupplier.reference?.basis).toBe('of 52 earlier orders of item BOLT from all suppliers');
  });

  it('shifts the item-wide median by a supplier’s own price level', () => {
    // S4 has no BOLT history, but is dearer than others on everything it sells.
    const reference = baseline.reference('S4', 'BOLT');
    const neutral = baseline.reference('S9', 'BOLT');
    expect(reference && neutral && reference.expected / neutral.expected).toBeGreaterThan(1.05);
    expect(reference?.basis).toMatch(/adjusted \+\d+ % for supplier S4's prices/);
  });

  it('says when there is nothing to compare with, and gives no score', () => {
    const none = baseline.judge({ supplierId: 'S1', itemId: 'NEW', unitPrice: 10 }, { item: 'Gearbox' });
    expect(none).toMatchObject({ score: 0, reference: null });
    expect(none.reason).toBe('unit price 10.00: no earlier orders of Gearbox to compare with');
  });

  it('refuses options out of range with the option named', () => {
    expect(() => PriceBaseline.fit([], { minScale: 0 })).toThrow(/minScale/);
  });
});
