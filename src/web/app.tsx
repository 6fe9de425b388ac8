import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, onSessionLost, setCsrfToken } from './api/client.ts';
import type { Session } from './api/types.ts';
import { ApprovalsScreen } from './approvals/approvals-screen.tsx';
import { AuditScreen } from './audit/audit-screen.tsx';
import { ConnectorsScreen } from './connectors/connectors-screen.tsx';
import { Nav } from './layout/nav.tsx';
import { type Route, useRoute } from './route.ts';
import { RunScreen } from './run/run-screen.tsx';
import { RunsScreen } from './runs/runs-screen.tsx';
import { LoginScreen } from './session/login-screen.tsx';
import { SessionContext } from './session/session.ts';
import { ErrorNotice } from './shared/error-notice.tsx';

type SessionState = { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; session: Session };

/** The console: the session (from `GET /auth/me`; any 401 signs out) and the current screen. */
export function App() {
  const route = useRoute();
  const [state, setState] = useState<SessionState>({ kind: 'checking' });
  const [failure, setFailure] = useState<unknown>(undefined);

  const signIn = (session: Session) => {
    setCsrfToken(session.csrfToken ?? null);
    setState({ kind: 'signed-in', session });
  };
  const signOut = () => {
    setCsrfToken(null);
    setState({ kind: 'signed-out' });
  };

  useEffect(() => {
    onSessionLost(signOut);
    callApi<Session>('GET', '/auth/me').then(signIn, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) return signOut();
      setFailure(error);
      signOut();
    });
  }, []);

  if (state.kind === 'checking') return <p class="muted page">Loading…</p>;
  if (state.kind === 'signed-out') {
    return (
      <>
        <ErrorNotice error={failure} />
        <LoginScreen onSignedIn={signIn} />
      </>
    );
  }

  const logOut = () => {
    callApi('POST', '/auth/logout').then(signOut, signOut);
  };
  return (
    <SessionContext.Provider value={state.session}>
      <Nav route={route} onSignOut={logOut} />
      <main class="page">
        <Screen route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'runs':
      return <RunsScreen />;
    case 'run':
      return <RunScreen runId={route.runId} recordId={route.recordId} />;
    case 'approvals':
      return <ApprovalsScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'connectors':
      return <ConnectorsScreen />;
  }
}
