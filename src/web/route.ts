import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/runs`, `#/runs/<id>`, `#/runs/<id>/lineage/<recordId>`, `#/approvals`, `#/audit`,
 * `#/connectors`), so the service serves one index.html and never needs to know the console's paths.
 */
export type Route =
  | { screen: 'runs' }
  | { screen: 'run'; runId: string; recordId: string | null }
  | { screen: 'approvals' }
  | { screen: 'audit' }
  | { screen: 'connectors' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [screen, id, sub, recordId] = parts;
  if (screen === 'runs' && id)
    return { screen: 'run', runId: id, recordId: sub === 'lineage' ? (recordId ?? null) : null };
  if (screen === 'approvals' || screen === 'audit' || screen === 'connectors') return { screen };
  return { screen: 'runs' };
}

export function routeHref(route: Route): string {
  switch (route.screen) {
    case 'run': {
      const run = `#/runs/${encodeURIComponent(route.runId)}`;
      return route.recordId ? `${run}/lineage/${encodeURIComponent(route.recordId)}` : run;
    }
    default:
      return `#/${route.screen}`;
  }
}

/** The current route, following the address bar. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
