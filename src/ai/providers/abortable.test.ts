import { describe, expect, it } from 'vitest';
import { untilAborted } from './abortable.ts';

describe('untilAborted', () => {
  it('settles like the promise while the signal stays quiet', async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.resolve('done'), signal)).resolves.toBe('done');
    const failure = new Error('failed');
    await expect(untilAborted(Promise.reject(failure), signal)).rejects.toBe(failure);
  });

  it('rejects with the abort reason at once, leaving the slow promise to end on its own', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    let finishSlow: (value: string) => void = () => undefined;
    const slow = new Promise<string>((resolve) => {
      finishSlow = resolve;
    });
    const pending = untilAborted(slow, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    finishSlow('too late');
    await expect(slow).resolves.toBe('too late');
  });

  it('rejects when the signal has already aborted', async () => {
    const reason = new Error('already');
    await expect(untilAborted(new Promise(() => undefined), AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('leaves no unhandled rejection when the abandoned promise fails later', async () => {
    const controller = new AbortController();
    let failLater: (error: Error) => void = () => undefined;
    const doomed = new Promise<never>((_resolve, reject) => {
      failLater = reject;
    });
    const pending = untilAborted(doomed, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    failLater(new Error('the client noticed the abort'));
    // Vitest fails the run on an unhandled rejection; give one a chance to surface.
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
