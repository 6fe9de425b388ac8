/**
 * What the simulated plant buys and from whom: a manufacturing catalogue, supplier names, buyers
 * and the notes buyers write. Fixed lists; the generator draws from them with the seeded PRNG.
 */

/** Units of measure as the ERP knows them (blank-padded to 3 on the wire). */
export const UNITS_OF_MEASURE = ['EA', 'KG', 'M', 'PC'] as const;
export type UnitOfMeasure = (typeof UNITS_OF_MEASURE)[number];

/** One material the plant buys, with the price and order-quantity ranges buyers use. */
export interface CatalogueItem {
  materialNumber: number;
  description: string;
  uom: UnitOfMeasure;
  /** Unit price range in cents. */
  priceCents: readonly [number, number];
  /** Order quantity range in units (KG and M are ordered in halves). */
  quantity: readonly [number, number];
}

type ItemRow = readonly [string, UnitOfMeasure, number, number, number, number];

// description, uom, price min/max (EUR), quantity min/max
const ITEM_ROWS: readonly ItemRow[] = [
  ['Bearings 6204-2RS', 'PC', 3.2, 6.5, 20, 1200],
  ['Bearing 6305-ZZ', 'PC', 5.1, 11.4, 10, 600],
  ['Spherical roller bearing 22212 E', 'PC', 68, 140, 2, 60],
  ['Hydraulic pump seal kit', 'EA', 45, 120, 1, 60],
  ['Hydraulic pump A10VSO 28', 'EA', 1850, 3400, 1, 6],
  ['Pneumatic cylinder DSBC-50-100', 'EA', 140, 260, 1, 30],
  ['Solenoid valve 24VDC G1/4', 'EA', 38, 85, 2, 90],
  ['Proximity sensor M12 PNP', 'EA', 22, 48, 5, 180],
  ['Inductive sensor M18 NO', 'EA', 25, 55, 5, 150],
  ['Servo motor 1.5 kW', 'EA', 920, 1650, 1, 9],
  ['Frequency inverter 4 kW', 'EA', 520, 890, 1, 12],
  ['Helical gearbox i=20', 'EA', 780, 1480, 1, 9],
  ['V-belt SPA 1250', 'PC', 6, 14, 10, 240],
  ['Timing belt HTD 8M-1200', 'PC', 28, 60, 2, 60],
  ['Roller chain 08B-1 5 m', 'EA', 35, 70, 1, 60],
  ['Hex bolt M12x50 8.8 zinc plated', 'PC', 0.18, 0.4, 500, 15000],
  ['Hex nut M12 DIN 934', 'PC', 0.05, 0.12, 1000, 24000],
  ['Socket screw M8x30 12.9', 'PC', 0.1, 0.25, 500, 15000],
  ['Washer DIN 125 M10', 'PC', 0.02, 0.06, 1000, 30000],
  ['O-ring 40x3 NBR 70', 'PC', 0.25, 0.9, 100, 6000],
  ['Shaft seal 35x52x7', 'PC', 2, 6, 20, 900],
  ['Flange gasket DN50 PN16', 'PC', 1.5, 4, 20, 900],
  ['Ball valve DN25 brass', 'EA', 18, 45, 2, 120],
  ['Gate valve DN80 PN16', 'EA', 150, 320, 1, 18],
  ['Pressure gauge 0-16 bar', 'EA', 12, 35, 2, 90],
  ['Temperature sensor PT100', 'EA', 40, 95, 2, 60],
  ['Cutting insert CNMG 120408', 'PC', 6, 14, 10, 600],
  ['Carbide end mill 10 mm', 'PC', 28, 65, 5, 150],
  ['Drill bit HSS-E 8.5 mm', 'PC', 3, 8, 10, 600],
  ['Grinding wheel 230x6x22', 'PC', 4, 9, 10, 300],
  ['Safety gloves cut level C', 'PC', 3, 7, 50, 1500],
  ['Safety glasses clear', 'PC', 2, 6, 20, 600],
  ['Cable tie 300x4.8 black', 'PC', 0.03, 0.08, 1000, 30000],
  ['Contactor 3P 25A 24VDC', 'EA', 45, 95, 2, 60],
  ['Circuit breaker C16 1P', 'EA', 6, 14, 10, 300],
  ['PLC input module 16DI', 'EA', 180, 420, 1, 24],
  ['HMI touch panel 7 inch', 'EA', 650, 1400, 1, 9],
  ['Power supply 24VDC 10A', 'EA', 90, 210, 1, 30],
  ['Ball screw 16x5 L=800', 'EA', 210, 480, 1, 18],
  ['Spare parts kit press line 400t', 'EA', 2400, 6200, 1, 6],
  ['Steel sheet S235 2mm', 'KG', 0.9, 1.6, 500, 24000],
  ['Steel sheet DC01 1mm', 'KG', 0.95, 1.7, 500, 18000],
  ['Stainless sheet 1.4301 1.5mm', 'KG', 3.2, 5.5, 200, 9000],
  ['Aluminium sheet AlMg3 3mm', 'KG', 3.5, 6, 200, 7500],
  ['Round bar 42CrMo4 D50', 'KG', 1.6, 2.8, 200, 12000],
  ['Flat bar S355 50x10', 'KG', 1, 1.7, 300, 15000],
  ['Copper busbar 30x5', 'KG', 8, 12, 50, 1800],
  ['Welding wire G3Si1 1.0mm', 'KG', 2, 4, 50, 2700],
  ['Hydraulic oil HLP 46', 'KG', 1.8, 3.5, 100, 6000],
  ['Lubricating grease EP2', 'KG', 4, 9, 20, 1200],
  ['Powder coating RAL 7035', 'KG', 6, 12, 50, 2400],
  ['PE granulate HDPE natural', 'KG', 1.1, 1.9, 1000, 36000],
  ['Cutting fluid concentrate', 'KG', 3, 6, 50, 1800],
  ['Cable H07RN-F 3G2.5', 'M', 1.5, 3.5, 100, 4500],
  ['Control cable LIYCY 4x0.75', 'M', 0.8, 1.9, 100, 6000],
  ['Hydraulic hose 2SN DN12', 'M', 6, 14, 10, 450],
  ['Pneumatic tubing PU 8x6', 'M', 0.5, 1.4, 50, 3000],
  ['Conveyor belt PVC 800mm', 'M', 45, 110, 5, 180],
  ['Steel tube 42.4x2.6', 'M', 4, 9, 12, 1500],
  ['Aluminium profile 40x40', 'M', 6, 12, 12, 900],
  ['Linear guide rail 20mm', 'M', 40, 95, 1, 60],
  ['Chain guide profile UHMW-PE', 'M', 8, 18, 5, 300],
];

/** The catalogue: ~60 materials, each with an 18-digit material number. */
export const CATALOGUE: readonly CatalogueItem[] = ITEM_ROWS.map(
  ([description, uom, priceMin, priceMax, quantityMin, quantityMax], index) => ({
    materialNumber: 10_000_100 + index * 37,
    description,
    uom,
    priceCents: [Math.round(priceMin * 100), Math.round(priceMax * 100)],
    quantity: [quantityMin, quantityMax],
  }),
);

/** A supplier country, the legal forms used there, its currency and how far away it is. */
export interface SupplierCountry {
  code: string;
  weight: number;
  legalForms: readonly string[];
  currency: 'EUR' | 'USD';
  overseas: boolean;
}

export const SUPPLIER_COUNTRIES: readonly SupplierCountry[] = [
  {
    code: 'DE',
    weight: 34,
    legalForms: ['GmbH', 'GmbH & Co. KG', 'AG', 'KG'],
    currency: 'EUR',
    overseas: false,
  },
  { code: 'AT', weight: 5, legalForms: ['GmbH', 'Ges.m.b.H.'], currency: 'EUR', overseas: false },
  { code: 'CH', weight: 4, legalForms: ['AG', 'SA'], currency: 'EUR', overseas: false },
  { code: 'FR', weight: 8, legalForms: ['SA', 'SAS', 'SARL'], currency: 'EUR', overseas: false },
  { code: 'IT', weight: 8, legalForms: ['S.p.A.', 'S.r.l.'], currency: 'EUR', overseas: false },
  { code: 'NL', weight: 5, legalForms: ['B.V.', 'N.V.'], currency: 'EUR', overseas: false },
  { code: 'PL', weight: 7, legalForms: ['Sp. z o.o.', 'S.A.'], currency: 'EUR', overseas: false },
  { code: 'CZ', weight: 5, legalForms: ['s.r.o.', 'a.s.'], currency: 'EUR', overseas: false },
  { code: 'SE', weight: 3, legalForms: ['AB'], currency: 'EUR', overseas: false },
  { code: 'GB', weight: 5, legalForms: ['Ltd', 'PLC'], currency: 'EUR', overseas: false },
  { code: 'US', weight: 8, legalForms: ['Inc.', 'Corp.', 'LLC'], currency: 'USD', overseas: true },
  {
    code: 'CN',
    weight: 6,
    legalForms: ['Co., Ltd.', 'Industrial Co., Ltd.'],
    currency: 'USD',
    overseas: true,
  },
  { code: 'JP', weight: 2, legalForms: ['K.K.', 'Co., Ltd.'], currency: 'USD', overseas: true },
];

/** First words of supplier names. */
export const SUPPLIER_NAME_STEMS = [
  'Mueller',
  'Schneider',
  'Weber',
  'Hoffmann',
  'Becker',
  'Krause',
  'Lindner',
  'Vogel',
  'Brandt',
  'Rossi',
  'Bianchi',
  'Dubois',
  'Lefevre',
  'Novak',
  'Kowalski',
  'Jansen',
  'Lindqvist',
  'Carter',
  'Harrison',
  'Atlas',
  'Nordic',
  'Alpine',
  'Rheintal',
  'Baltic',
  'Meridian',
  'Summit',
  'Precision',
  'Continental',
  'Eastern',
  'Pacific',
  'Zhongshan',
  'Ningbo',
  'Taiyo',
  'Kanto',
] as const;

/** What supplier firms say they do. */
export const SUPPLIER_NAME_TRADES = [
  'Industrietechnik',
  'Antriebstechnik',
  'Hydraulik',
  'Stahlhandel',
  'Metallbau',
  'Kugellager',
  'Elektro',
  'Industrial Supply',
  'Fasteners',
  'Bearings',
  'Automation',
  'Steel',
  'Components',
  'Plastics',
  'Tools',
  'Fluid Power',
  'Sensors',
  'Cables',
] as const;

/** The buyers' user ids (blank-padded to 10 on the wire). */
export const BUYERS = [
  'JSMITH',
  'MMUELLER',
  'KWEBER',
  'ALOPEZ',
  'PROSSI',
  'TNGUYEN',
  'SKOWALSKI',
  'LDUBOIS',
  'HBERG',
  'RPATEL',
  'CSCHULZ',
  'EJANSEN',
] as const;

/** Notes buyers write on critical orders; each contains a phrase the hidden rules look for. */
export const CRITICAL_NOTES = [
  'LINE DOWN',
  'LINE DOWN - assembly line 2 waiting',
  'line down at plant 3, machine 14',
  'risk of production stoppage',
  'Production stoppage if late!',
  'customer escalation - key account',
  'Customer escalation, see mail from sales',
  'expedite please',
  'EXPEDITE - confirm date by phone',
  'rush order',
  'RUSH - needed for customer shipment',
] as const;

/** Everyday notes that say nothing about urgency. */
export const NEUTRAL_NOTES = [
  'deliver to gate 3',
  'call before delivery',
  'partial delivery ok',
  'quarterly stock replenishment',
  'as per framework agreement',
  'material certificate 3.1 required',
  'pallets max 1.2 m high',
  'goods receipt mon-fri 7:00-14:00',
  'please confirm delivery date',
  'returnable crates',
  'attn. maintenance department',
  'price as per quotation',
  'deliver to warehouse B',
] as const;
