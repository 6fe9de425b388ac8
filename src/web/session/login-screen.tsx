import { useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';
import type { Session } from '../api/types.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';

/** Sign-in with a console user's name and password (`POST /auth/login`). */
export function LoginScreen({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const signIn = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await callApi<Session>('POST', '/auth/login', { user, password }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card login-card" onSubmit={signIn} aria-labelledby="login-title">
        <h1 id="login-title">erpbridge console</h1>
        <label>
          User
          <input
            name="user"
            autoComplete="username"
            required
            value={user}
            onInput={(event) => setUser(event.currentTarget.value)}
            data-testid="login-user"
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        <ErrorNotice error={error} testId="login-error" />
        <button type="submit" class="primary" disabled={busy} data-testid="login-submit">
          Sign in
        </button>
      </form>
    </main>
  );
}
