import { describeFailure } from '../api/client.ts';

/** A failure, in the server's words, where the person is looking. Renders nothing without one. */
export function ErrorNotice({ error, testId = 'error' }: { error: unknown; testId?: string }) {
  if (error === undefined || error === null) return null;
  return (
    <p class="notice notice-error" role="alert" data-testid={testId}>
      {describeFailure(error)}
    </p>
  );
}
