import { describe, expect, it } from 'vitest';
import { PurchaseOrder } from '../canonical/purchase-order.ts';
import { sandboxProfile } from '../profiles/sandbox/index.ts';
import { profileEntity, purchaseOrderEntity } from './entities.ts';

describe('workflow entities', () => {
  it('reaches purchase orders through every profile', () => {
    expect(purchaseOrderEntity.mapping(sandboxProfile)).toBe(sandboxProfile.purchaseOrder);
    expect(purchaseOrderEntity.schema.shape.priority).toBeDefined();
  });

  it('finds an entity the profile maps under entities', () => {
    const profile = { ...sandboxProfile, entities: { invoice: sandboxProfile.purchaseOrder } };
    const entity = profileEntity('invoice', PurchaseOrder, { amount: () => 12 });
    expect(entity.mapping(profile)).toBe(sandboxProfile.purchaseOrder);
    expect(entity.amount?.({} as never)).toBe(12);
  });

  it('names the profile and what it does map when the entity is missing', () => {
    const entity = profileEntity('goodsReceipt', PurchaseOrder);
    expect(() =>
      entity.mapping({ ...sandboxProfile, entities: { invoice: sandboxProfile.purchaseOrder } }),
    ).toThrow('profile sandbox maps no goodsReceipt (it maps purchaseOrder, supplier, invoice)');
  });
});
