import type { Route } from '../route.ts';
import { useSession } from '../session/session.ts';

const LINKS = [
  { screen: 'runs', label: 'Runs' },
  { screen: 'approvals', label: 'Approvals' },
  { screen: 'audit', label: 'Audit' },
  { screen: 'connectors', label: 'Connectors' },
] as const;

/** The console's top bar: the screens, who is signed in, and sign-out. */
export function Nav({ route, onSignOut }: { route: Route; onSignOut: () => void }) {
  const session = useSession();
  const current = route.screen === 'run' ? 'runs' : route.screen;
  return (
    <header class="topbar">
      <span class="brand">erpbridge</span>
      <nav aria-label="Console">
        {LINKS.map((link) => (
          <a
            key={link.screen}
            href={`#/${link.screen}`}
            aria-current={current === link.screen ? 'page' : undefined}
            data-testid={`nav-${link.screen}`}
          >
            {link.label}
          </a>
        ))}
      </nav>
      <span class="who" data-testid="session-user">
        {session.user} <span class="muted">({session.role})</span>
      </span>
      <button type="button" onClick={onSignOut} data-testid="sign-out">
        Sign out
      </button>
    </header>
  );
}
