import { describe, expect, test } from 'vitest';
import { FaultConfig, resolveFaults } from './fault-config.ts';
import {
  degradationMs,
  drawsGateFault,
  type GateFault,
  gateFault,
  inBurst,
  latencyMs,
  openWindowEnd,
} from './fault-rules.ts';
import { createPrng } from './prng.ts';

const faults = resolveFaults(
  FaultConfig.parse({
    hangs: { rate: 0.1 },
    resets: { rate: 0.05, target: 'writes' },
    errors: { rates: { '503': 0.2, '500': 0.1 } },
  }),
);

describe('gateFault', () => {
  test('cuts one draw into slices: hang, reset, then the statuses in ascending order', () => {
    const at = (draw: number) => gateFault(faults, 'writes', draw);
    expect(at(0)).toEqual({ kind: 'hang' });
    expect(at(0.0999)).toEqual({ kind: 'hang' });
    expect(at(0.1)).toEqual({ kind: 'reset' });
    expect(at(0.16)).toEqual({ kind: 'error', status: 500 });
    expect(at(0.25)).toEqual({ kind: 'error', status: 503 });
    expect(at(0.4499)).toEqual({ kind: 'error', status: 503 });
    expect(at(0.4501)).toBeNull();
  });

  test('a fault aimed at writes takes no slice of a read', () => {
    expect(gateFault(faults, 'reads', 0.1)).toEqual({ kind: 'error', status: 500 });
    expect(gateFault(faults, 'reads', 0.4)).toBeNull();
    expect(drawsGateFault(resolveFaults({ hangs: { rate: 0.1, target: 'writes' } }), 'reads')).toBe(false);
  });

  test('over many seeded draws each fault comes at its rate', () => {
    const prng = createPrng(7);
    const counts = new Map<string, number>();
    const draws = 100_000;
    for (let index = 0; index < draws; index++) {
      const fault: GateFault | null = gateFault(faults, 'writes', prng.next());
      const name = fault === null ? 'none' : fault.kind === 'error' ? String(fault.status) : fault.kind;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const rate = (name: string) => (counts.get(name) ?? 0) / draws;
    expect(rate('hang')).toBeCloseTo(0.1, 2);
    expect(rate('reset')).toBeCloseTo(0.05, 2);
    expect(rate('500')).toBeCloseTo(0.1, 2);
    expect(rate('503')).toBeCloseTo(0.2, 2);
    expect(rate('none')).toBeCloseTo(0.55, 2);
  });
});

describe('inBurst', () => {
  test('after every N requests the next `length` are in a burst', () => {
    const hits = Array.from({ length: 30 }, (_, index) => index + 1).filter((count) => inBurst(count, 10, 2));
    expect(hits).toEqual([11, 12, 21, 22]);
  });
});

describe('openWindowEnd', () => {
  test('is the end of the latest open window, from included, until excluded', () => {
    const windows = [
      { from: 100, until: 200 },
      { from: 150, until: 300 },
    ];
    expect(openWindowEnd(windows, 99)).toBeNull();
    expect(openWindowEnd(windows, 100)).toBe(200);
    expect(openWindowEnd(windows, 160)).toBe(300);
    expect(openWindowEnd(windows, 299)).toBe(300);
    expect(openWindowEnd(windows, 300)).toBeNull();
    expect(openWindowEnd([], 0)).toBeNull();
  });
});

describe('latencyMs and degradationMs', () => {
  test('latency is the fixed part plus a whole 0..jitter', () => {
    expect(latencyMs(20, 30, 0)).toBe(20);
    expect(latencyMs(20, 30, 0.9999)).toBe(50);
    expect(latencyMs(20, 0, 0.5)).toBe(20);
  });

  test('degradation grows with the other requests in flight', () => {
    expect(degradationMs(5, 4, 0)).toBe(5);
    expect(degradationMs(5, 4, 10)).toBe(45);
    expect(degradationMs(5, 4, -1)).toBe(5);
  });

  test('past its workers the server queues: latency grows with the queue, throughput stays at the knee', () => {
    // 4 workers at 50 + 2 × 3 = 56 ms each: 4 / 56 ms is the peak, whatever arrives after.
    expect(degradationMs(50, 2, 3, 4)).toBe(56);
    expect(degradationMs(50, 2, 7, 4)).toBe(112);
    expect(degradationMs(50, 2, 11, 4)).toBe(168);
    for (const inFlight of [4, 8, 12, 40]) {
      const throughput = inFlight / degradationMs(50, 2, inFlight - 1, 4);
      expect(throughput).toBeCloseTo(4 / 56, 5);
    }
    // Below the knee, workers change nothing.
    expect(degradationMs(50, 2, 2, 4)).toBe(degradationMs(50, 2, 2));
  });
});
