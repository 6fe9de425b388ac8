import type { ExpenseLine } from '../../canonical/expense-line.ts';
import type { Example, Features } from '../contract.ts';
import type { EmbeddedClassifyTask } from '../embedded/embedded-task.ts';

/** What GL coding looks at on one expense or invoice line (never its id, date or current code). */
export type GlCodingInput = Pick<
  ExpenseLine,
  'merchant' | 'amount' | 'currency' | 'vatCode' | 'directorate' | 'costCentre' | 'costCentreName'
>;

/** A GL account of the chart of accounts: its code (the label) and, where known, its name. */
export interface GlAccount {
  code: string;
  name?: string | undefined;
}

/**
 * Words that card acquirers and web shops add around a merchant's name and that say nothing about
 * what was bought: legal forms, web prefixes and suffixes, country codes.
 */
const NOISE_WORDS = new Set([
  'www',
  'com',
  'co',
  'uk',
  'gb',
  'gbr',
  'eu',
  'ltd',
  'limited',
  'limit',
  'limi',
  'plc',
  'the',
  'net',
  'org',
  'gov',
  'inc',
]);

/** A card-acquirer descriptor made comparable: its words, and the name they start with. */
export interface NormalisedMerchant {
  /** Lower-case words, store numbers, `*`, punctuation and noise words removed. */
  words: string[];
  /** The first two words: `tesco pfs 4203` and `tesco pfs 6119` are both `tesco pfs`. */
  name: string;
}

/**
 * Normalises a card-acquirer descriptor: lower case; `*`, `/`, `.` and other punctuation become
 * spaces (`amazon *mktplce eu-uk` → `amazon mktplce`); digits (store numbers, `bp 859`) and words
 * of one letter go; web and legal noise (`www`, `co uk`, `ltd`) goes. What is left names the
 * merchant; its first two words are its `name`.
 *
 * @example
 * normaliseMerchant('TESCO PFS 4203').name;          // 'tesco pfs'
 * normaliseMerchant('www.viking-direct.co.u').name;  // 'viking direct'
 */
export function normaliseMerchant(raw: string): NormalisedMerchant {
  const words = raw
    .toLowerCase()
    .replace(/&/g, '')
    .replace(/[^a-z]+/g, ' ')
    .split(' ')
    .filter((word) => word.length >= 2 && !NOISE_WORDS.has(word));
  return { words, name: words.slice(0, 2).join(' ') };
}

/** Lower case, runs of other characters as one space: `CYP&F Schools` and `CYP&F SCHOOLS` meet. */
function normaliseCode(value: string | null): string {
  const text = (value ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9&]+/g, ' ')
    .trim();
  return text === '' ? 'none' : text;
}

/** Power-of-two band of an amount: 10.50 → 3 (8 ≤ |amount| < 16); under 1 → 0. */
export function amountBand(amount: number): number {
  const size = Math.abs(amount);
  return size < 1 ? 0 : Math.floor(Math.log2(size));
}

/**
 * The features of one line, as named indicators `<what>=<value>` (see the embedded sparse
 * model): the merchant's name, words, word pairs and character 4-grams (so `sainsburys s/mkts`
 * and `sainsburys smkt` share most of theirs), the directorate, cost centre (code and the words
 * of its name), VAT code, the amount's band and sign, and the combinations a finance team codes
 * by: merchant at cost centre, at directorate, with VAT code and in an amount band.
 */
export function glCodingFeatures(input: GlCodingInput): Features {
  const numeric: Record<string, number> = {};
  const on = (name: string) => {
    numeric[name] = 1;
  };
  const merchant = normaliseMerchant(input.merchant);
  const name = merchant.name === '' ? 'unknown' : merchant.name;
  const first = merchant.words[0] ?? 'unknown';
  const directorate = normaliseCode(input.directorate);
  const costCentre = (input.costCentre ?? '').trim().toUpperCase() || 'NONE';
  const vat = (input.vatCode ?? '').trim().toUpperCase() || 'NONE';
  const band = amountBand(input.amount);

  on(`merchant=${name}`);
  on(`merchant first word=${first}`);
  on(`merchant descriptor=${merchant.words.join(' ')}`);
  for (const word of merchant.words) on(`merchant word=${word}`);
  for (let i = 1; i < merchant.words.length; i++) {
    on(`merchant words=${merchant.words[i - 1]} ${merchant.words[i]}`);
  }
  for (const word of merchant.words.slice(0, 4)) {
    const padded = ` ${word} `;
    for (let i = 0; i + 4 <= padded.length; i++) on(`merchant letters=${padded.slice(i, i + 4)}`);
  }
  on(`directorate=${directorate}`);
  on(`cost centre=${costCentre}`);
  for (const word of new Set(normaliseCode(input.costCentreName).split(' '))) {
    if (word.length >= 3 && !/^\d+$/.test(word)) on(`cost centre word=${word}`);
  }
  on(`vat code=${vat}`);
  on(`amount band=${band}`);
  if (input.amount < 0) on('refund=yes');
  if (Number.isInteger(input.amount)) on('whole amount=yes');
  numeric.logAmount = Math.sign(input.amount) * Math.log1p(Math.abs(input.amount));

  on(`merchant at cost centre=${name} @ ${costCentre}`);
  on(`merchant at directorate=${name} @ ${directorate}`);
  on(`merchant first word at directorate=${first} @ ${directorate}`);
  on(`merchant with vat code=${name} @ ${vat}`);
  on(`merchant in amount band=${name} @ ${band}`);
  on(`cost centre with vat code=${costCentre} @ ${vat}`);
  on(`directorate in amount band=${directorate} @ ${band}`);
  return { numeric, text: '' };
}

const FEATURE_VERSION = 1;

/**
 * GL coding: the general-ledger account of an expense or invoice line, learned from how the
 * finance team coded past lines. The labels are the chart of accounts (master data), so an answer
 * outside it cannot happen with the embedded model and is refused for an LLM.
 *
 * The embedded model is the sparse one: named indicator features (see {@link glCodingFeatures})
 * and a label memory per merchant at cost centre, merchant at directorate, merchant with VAT code,
 * merchant and cost centre, whose trust it learns by how many past lines each key has. It is
 * calibrated on the newest fifth of the history, as the lines it will code are newer still.
 *
 * @param accounts the accounts it may answer (the chart of accounts, or every code the history
 *   uses); or a function giving them, read each time the labels are, for a workflow that reads its
 *   chart of accounts when a run starts
 * @throws RangeError when (a given list of) accounts has fewer than two codes
 */
export function glCodingTask(
  accounts: readonly GlAccount[] | (() => readonly GlAccount[]),
): EmbeddedClassifyTask<GlCodingInput, string> {
  const chart = typeof accounts === 'function' ? accounts : () => accounts;
  let seen: readonly GlAccount[] | undefined;
  let labels: readonly string[] = [];
  let labelDescriptions: Record<string, string> = {};
  const refresh = () => {
    const current = chart();
    if (current === seen) return;
    seen = current;
    labels = [...new Set(current.map((account) => account.code))];
    labelDescriptions = {};
    for (const account of current) if (account.name) labelDescriptions[account.code] = account.name;
  };
  if (typeof accounts !== 'function') {
    refresh();
    if (labels.length < 2) {
      throw new RangeError(`GL coding needs at least two accounts to choose from, got ${labels.length}`);
    }
  }
  return {
    name: 'gl-coding',
    get labels() {
      refresh();
      return labels;
    },
    get labelDescriptions() {
      refresh();
      return labelDescriptions;
    },
    featureVersion: FEATURE_VERSION,
    features: glCodingFeatures,
    featureNames: { logAmount: 'amount' },
    instructions: [
      'You code expense and purchase-card lines to general-ledger accounts for a finance team.',
      'Given the merchant (a card-acquirer descriptor such as "TESCO PFS 4203"), the amount, the VAT',
      'code, the directorate and the cost centre, answer the one account from the list that the',
      'finance team would book it to: fuel stations to vehicle fuel, supermarkets to food unless the',
      'cost centre suggests otherwise, hotels to accommodation or conference costs, and so on.',
      'Use only the fields given. Answer with one account code from the list.',
    ].join('\n'),
    describe: (input) => ({
      merchant: input.merchant,
      amount: input.amount,
      currency: input.currency,
      vatCode: input.vatCode,
      directorate: input.directorate,
      costCentre: input.costCentre,
      costCentreName: input.costCentreName,
    }),
    embedded: {
      sparse: {
        minCount: 1,
        continuous: ['logAmount'],
        memory: [
          { prefix: 'merchant at cost centre=', name: 'merchant at cost centre' },
          { prefix: 'merchant with vat code=', name: 'merchant with VAT code' },
          { prefix: 'merchant at directorate=', name: 'merchant at directorate' },
          { prefix: 'merchant=', name: 'merchant' },
          { prefix: 'cost centre=', name: 'cost centre' },
        ],
        // Chosen on the newest fifth of the history before 2016-07 (never on later lines): newer
        // lines weigh more (the weight halves every quarter of the history), and a slow, long
        // AdaGrad run gets closest to the best weights.
        recencyHalfLife: 0.25,
        epochs: 40,
        learningRate: 0.05,
        // Weights under 0.01 change no answer on validation; dropping them makes the model a third the size.
        pruneBelow: 0.01,
        validation: 'latest',
        refit: true,
        // A second stage judges each answer from the softmax's sureness and whether each memory
        // key's newest line had the same account (drift): on the validation slice it automated
        // 26.7 % of lines at 95 % precision against 25.8 % for the calibrated top probability.
        confidence: 'model',
      },
    },
  };
}

/** The labelled examples of coded lines (uncoded ones teach nothing). */
export function glCodingExamples(lines: readonly ExpenseLine[]): Example<GlCodingInput, string>[] {
  return lines.flatMap((line) => (line.glAccount === null ? [] : [{ input: line, label: line.glAccount }]));
}
