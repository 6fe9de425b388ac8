/**
 * Reads a dotted path (`links.next`, `meta.total`, `items.0.id`) out of a parsed JSON body.
 * `''` is the body itself; a missing step yields `undefined`, never a throw.
 */
export function readDottedPath(body: unknown, path: string): unknown {
  if (path === '') return body;
  let node: unknown = body;
  for (const step of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(step)) node = node[Number(step)];
    else if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      node = Object.hasOwn(node, step) ? Reflect.get(node, step) : undefined;
    } else return undefined;
  }
  return node;
}
