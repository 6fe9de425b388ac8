import { type Judgement, labelOf, type ShadowDecision } from './judgement.ts';

/** A decision with what people did about it. */
export interface JudgedDecision {
  decision: ShadowDecision;
  judgement: Judgement;
}

/** Agreement over a set of decisions. */
export interface AgreementCounts {
  /** Decisions compared (records the AI decided). */
  decisions: number;
  /** Of those, records people have acted on since. */
  decided: number;
  /** Of those, records where people set what the AI decided. */
  agreed: number;
  /** agreed / decided; null before anyone acted. */
  agreement: number | null;
  /** decided / decisions: how much of the AI's work people have acted on yet; null without decisions. */
  coverage: number | null;
}

export interface LabelAgreement extends AgreementCounts {
  /** The AI's value. */
  label: string;
}

export interface PeriodAgreement extends AgreementCounts {
  /** `2026-11-02` for a day, `2026-W45` (ISO week) for a week: when the deciding run started. */
  period: string;
}

export interface AgreementTally {
  totals: AgreementCounts & {
    /** People changed the value / saved the record with the value as it was. */
    changed: number;
    confirmed: number;
    /** Records no longer in the ERP. */
    gone: number;
    /** 95 % Wilson interval of `agreement`; null before anyone acted. */
    agreementInterval: { low: number; high: number } | null;
  };
  /** Per value the AI chose: in the task's label order, then most frequent first. */
  byLabel: LabelAgreement[];
  /** Decided records counted by the AI's value (rows) and the person's (columns). */
  confusion: { labels: string[]; counts: number[][] };
  byDay: PeriodAgreement[];
  byWeek: PeriodAgreement[];
}

/**
 * Counts agreement over judged decisions: in total, per AI value, as a confusion matrix, and per
 * day and ISO week of the run that made each decision. Pure; each decision counts once, so the
 * periods add up to the totals. Labels come in `labelOrder` (the task's labels), then the most
 * frequent first.
 */
export function tallyAgreement(
  judged: readonly JudgedDecision[],
  labelOrder: readonly string[] = [],
): AgreementTally {
  const totals = emptyCounts();
  const byLabel = new Map<string, AgreementCounts>();
  const byDay = new Map<string, AgreementCounts>();
  const byWeek = new Map<string, AgreementCounts>();
  const pairs = new Map<string, Map<string, number>>();
  const labels = new Set<string>();
  let changed = 0;
  let confirmed = 0;
  let gone = 0;
  for (const { decision, judgement } of judged) {
    const label = labelOf(decision.aiValue);
    const day = decision.runAt.slice(0, 10);
    const buckets = [totals, bucket(byLabel, label), bucket(byDay, day), bucket(byWeek, isoWeek(day))];
    for (const counts of buckets) {
      counts.decisions++;
      if (judgement.outcome === 'agreed' || judgement.outcome === 'disagreed') counts.decided++;
      if (judgement.outcome === 'agreed') counts.agreed++;
    }
    if (judgement.outcome === 'gone') gone++;
    if (judgement.how === 'changed') changed++;
    if (judgement.how === 'confirmed') confirmed++;
    if (judgement.outcome === 'agreed' || judgement.outcome === 'disagreed') {
      const human = labelOf(judgement.humanValue);
      labels.add(label);
      labels.add(human);
      const row = pairs.get(label) ?? new Map<string, number>();
      row.set(human, (row.get(human) ?? 0) + 1);
      pairs.set(label, row);
    }
  }
  const rank = (label: string) => {
    const index = labelOrder.indexOf(label);
    return index === -1 ? labelOrder.length : index;
  };
  const ordered = (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b);
  const confusionLabels = [...labels].sort(ordered);
  const finishedTotals = finish(totals);
  return {
    totals: {
      ...finishedTotals,
      changed,
      confirmed,
      gone,
      agreementInterval: wilsonInterval(totals.agreed, totals.decided),
    },
    byLabel: [...byLabel]
      .map(([label, counts]) => ({ label, ...finish(counts) }))
      .sort(
        (a, b) =>
          rank(a.label) - rank(b.label) || b.decisions - a.decisions || a.label.localeCompare(b.label),
      ),
    confusion: {
      labels: confusionLabels,
      counts: confusionLabels.map((ai) => confusionLabels.map((human) => pairs.get(ai)?.get(human) ?? 0)),
    },
    byDay: periods(byDay),
    byWeek: periods(byWeek),
  };
}

/**
 * The 95 % Wilson score interval of a proportion: how sure an agreement measured on `total`
 * decisions is. Null for no decisions.
 */
export function wilsonInterval(successes: number, total: number): { low: number; high: number } | null {
  if (total === 0) return null;
  const z = 1.959963984540054;
  const p = successes / total;
  const denominator = 1 + (z * z) / total;
  const centre = (p + (z * z) / (2 * total)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total))) / denominator;
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}

/** The ISO 8601 week of a `YYYY-MM-DD` date, as `YYYY-Www` (weeks start on Monday; week 1 holds 4 January). */
export function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${day}`);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The Thursday of the same week decides the week's year.
  const thursday = new Date(date.getTime() + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const firstWeekday = (firstThursday.getUTCDay() + 6) % 7;
  const weekOne = firstThursday.getTime() - firstWeekday * 86_400_000;
  const week = 1 + Math.round((thursday.getTime() - 3 * 86_400_000 - weekOne) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function emptyCounts(): AgreementCounts {
  return { decisions: 0, decided: 0, agreed: 0, agreement: null, coverage: null };
}

function bucket(map: Map<string, AgreementCounts>, key: string): AgreementCounts {
  let counts = map.get(key);
  if (!counts) {
    counts = emptyCounts();
    map.set(key, counts);
  }
  return counts;
}

function finish(counts: AgreementCounts): AgreementCounts {
  return {
    decisions: counts.decisions,
    decided: counts.decided,
    agreed: counts.agreed,
    agreement: counts.decided === 0 ? null : counts.agreed / counts.decided,
    coverage: counts.decisions === 0 ? null : counts.decided / counts.decisions,
  };
}

function periods(map: Map<string, AgreementCounts>): PeriodAgreement[] {
  return [...map]
    .map(([period, counts]) => ({ period, ...finish(counts) }))
    .sort((a, b) => a.period.localeCompare(b.period));
}
