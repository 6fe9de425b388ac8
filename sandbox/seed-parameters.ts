/** What the generated data depends on; the same parameters always give the same data. */
export interface SeedParameters {
  seed: number;
  /** Open purchase orders. */
  orders: number;
  /** Closed (and a few cancelled) orders whose priority a buyer set: the training history. */
  history: number;
  suppliers: number;
  /** The business date, `YYYY-MM-DD`, the data is generated around. */
  today: string;
}

/** Defaults of {@link SeedParameters} other than `today`. */
export const SEED_DEFAULTS = { seed: 42, orders: 5000, history: 20_000, suppliers: 200 } as const;

/** The most orders of each kind the PO number range (10 digits from 0045000001) leaves room for. */
export const MAX_ORDERS = 5_000_000;
