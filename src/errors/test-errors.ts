/**
 * For tests only (not exported from the folder's index): the error an action throws or a promise
 * rejects with, checked to be of the class the test expects, so the test can go on to check its
 * kind, message and context. Any other error is rethrown; no error at all fails the test.
 *
 * @example
 * expect(thrownBy(() => mapping.toCanonical(bad), ErpError).context.field).toBe('need_by');
 * expect((await rejectionOf(connection.get('purchase_orders', '9'), ErpError)).kind).toBe('auth');
 */

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error of class `type` that `action` throws. */
export function thrownBy<E extends Error>(action: () => unknown, type: ErrorClass<E>): E {
  try {
    action();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

/** The error of class `type` that `promise` rejects with. */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: ErrorClass<E>,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${String(error)}`);
  return error;
}
