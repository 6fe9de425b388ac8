import type { Profile } from '../contract.ts';
import { sandboxExpenseLineMapping, sandboxGlAccountMapping } from './expense-line-mapping.ts';
import { sandboxGoodsReceiptMapping } from './goods-receipt-mapping.ts';
import { sandboxInvoiceDocumentMapping } from './invoice-document-mapping.ts';
import { sandboxInvoiceMapping } from './invoice-mapping.ts';
import { sandboxPriceReviewMapping } from './price-review-mapping.ts';
import { sandboxPurchaseOrderMapping } from './purchase-order-mapping.ts';
import { sandboxSupplierMapping } from './supplier-mapping.ts';

/** The bundled sandbox ERP: SAP-like quirks (padded keys, YYYYMMDD, decimal commas, coded priorities). */
export const sandboxProfile: Profile = {
  name: 'sandbox',
  purchaseOrder: sandboxPurchaseOrderMapping,
  supplier: sandboxSupplierMapping,
  entities: {
    expenseLine: sandboxExpenseLineMapping,
    glAccount: sandboxGlAccountMapping,
    invoice: sandboxInvoiceMapping,
    invoiceDocument: sandboxInvoiceDocumentMapping,
    goodsReceipt: sandboxGoodsReceiptMapping,
    priceReview: sandboxPriceReviewMapping,
  },
};
