import { z } from 'zod';
import { FormatError } from '../format-error.ts';
import type { Idoc, IdocSegment } from './idoc-model.ts';

/**
 * A purchase order as an ORDERS05 IDoc, from a small model in erpbridge's words. The mapping is the
 * one SAP's own outbound purchase orders use (see the ORDERS05 fixture): E1EDK01 header, E1EDK14
 * organisation data, E1EDK03 dates, E1EDKA1 partners, E1EDK02 references, E1EDP01 items with
 * E1EDP20 schedule, E1EDP19 material and E1EDPT1/E1EDPT2 text, E1EDS01 total. Values stay text:
 * an amount is written exactly as given.
 */

const text = z.string();
const amount = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal number as text, e.g. "12.50"');
const date = z.string().regex(/^\d{8}$/, 'YYYYMMDD');
const time = z.string().regex(/^\d{6}$/, 'HHMMSS');

const partySchema = z.object({ port: text, partnerType: text.default('LS'), partner: text });

/** An ORDERS05 purchase order; validated by {@link buildOrders05}. */
export const orders05Schema = z.object({
  control: z.object({
    /** IDoc number (DOCNUM), 16 digits. */
    docnum: z.string().regex(/^\d{1,16}$/),
    client: text.default('000'),
    sender: partySchema,
    receiver: partySchema,
    createdDate: date,
    createdTime: time,
    messageType: text.default('ORDERS'),
  }),
  header: z.object({
    poNumber: text,
    currency: text,
    documentType: text.default('NB'),
    paymentTerms: text.optional(),
    exchangeRate: amount.optional(),
  }),
  organizations: z.array(z.object({ qualifier: text, id: text })).default([]),
  dates: z.array(z.object({ qualifier: text, date })).default([]),
  partners: z
    .array(
      z.object({
        role: text,
        partnerNumber: text.optional(),
        vendor: text.optional(),
        name: text.optional(),
        street: text.optional(),
        city: text.optional(),
        postalCode: text.optional(),
        country: text.optional(),
        language: text.optional(),
      }),
    )
    .default([]),
  references: z
    .array(z.object({ qualifier: text, number: text, date: date.optional(), time: time.optional() }))
    .default([]),
  items: z
    .array(
      z.object({
        position: z.string().regex(/^\d{1,6}$/),
        quantity: amount,
        unit: text,
        price: amount,
        priceUnit: z.string().regex(/^\d+$/).default('1'),
        netValue: amount.optional(),
        plant: text.optional(),
        material: text.optional(),
        description: text.optional(),
        deliveryDate: date.optional(),
        text: z.array(text).default([]),
      }),
    )
    .min(1, 'an order has at least one item'),
  total: z.object({ amount, currency: text }).optional(),
});

export type Orders05Input = z.input<typeof orders05Schema>;
export type Orders05 = z.output<typeof orders05Schema>;

/**
 * The ORDERS05 IDoc of a purchase order model.
 *
 * @throws FormatError `unwritable` naming the model field that is missing or malformed.
 * @example formatIdocXml([buildOrders05(order)])
 */
export function buildOrders05(input: Orders05Input): Idoc {
  const parsed = orders05Schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FormatError('unwritable', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, {
      source: 'ORDERS05 model',
    });
  }
  const order = parsed.data;
  const { control: c, header: h } = order;
  const control = definedFields({
    TABNAM: 'EDI_DC40',
    MANDT: c.client,
    DOCNUM: c.docnum.padStart(16, '0'),
    DIRECT: '1',
    IDOCTYP: 'ORDERS05',
    MESTYP: c.messageType,
    SNDPOR: c.sender.port,
    SNDPRT: c.sender.partnerType,
    SNDPRN: c.sender.partner,
    RCVPOR: c.receiver.port,
    RCVPRT: c.receiver.partnerType,
    RCVPRN: c.receiver.partner,
    CREDAT: c.createdDate,
    CRETIM: c.createdTime,
  });
  const segments: IdocSegment[] = [
    leaf('E1EDK01', {
      CURCY: h.currency,
      WKURS: h.exchangeRate,
      ZTERM: h.paymentTerms,
      BSART: h.documentType,
      BELNR: h.poNumber,
    }),
    ...order.organizations.map((o) => leaf('E1EDK14', { QUALF: o.qualifier, ORGID: o.id })),
    ...order.dates.map((d) => leaf('E1EDK03', { IDDAT: d.qualifier, DATUM: d.date })),
    ...order.partners.map((p) =>
      leaf('E1EDKA1', {
        PARVW: p.role,
        PARTN: p.partnerNumber,
        LIFNR: p.vendor,
        NAME1: p.name,
        STRAS: p.street,
        ORT01: p.city,
        PSTLZ: p.postalCode,
        LAND1: p.country,
        SPRAS_ISO: p.language,
      }),
    ),
    ...order.references.map((r) =>
      leaf('E1EDK02', { QUALF: r.qualifier, BELNR: r.number, DATUM: r.date, UZEIT: r.time }),
    ),
    ...order.items.map((item): IdocSegment => {
      const children: IdocSegment[] = [];
      if (item.deliveryDate !== undefined)
        children.push(leaf('E1EDP20', { WMENG: item.quantity, EDATU: item.deliveryDate }));
      if (item.material !== undefined || item.description !== undefined) {
        children.push(leaf('E1EDP19', { QUALF: '001', IDTNR: item.material, KTEXT: item.description }));
      }
      if (item.text.length > 0) {
        children.push({
          name: 'E1EDPT1',
          fields: { TDID: 'F01' },
          children: item.text.map((line) => leaf('E1EDPT2', { TDLINE: line })),
        });
      }
      return {
        name: 'E1EDP01',
        fields: definedFields({
          POSEX: item.position.padStart(5, '0'),
          MENGE: item.quantity,
          MENEE: item.unit,
          VPREI: item.price,
          PEINH: item.priceUnit,
          NETWR: item.netValue,
          WERKS: item.plant,
        }),
        children,
      };
    }),
  ];
  if (order.total !== undefined)
    segments.push(leaf('E1EDS01', { SUMID: '002', SUMME: order.total.amount, SUNIT: order.total.currency }));
  return { idocType: 'ORDERS05', messageType: c.messageType, control, segments, line: 0 };
}

function leaf(name: string, fields: Record<string, string | undefined>): IdocSegment {
  return { name, fields: definedFields(fields), children: [] };
}

/** The fields that have a value, in the order given (absent fields are not written at all). */
function definedFields(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) out[name] = value;
  return out;
}
