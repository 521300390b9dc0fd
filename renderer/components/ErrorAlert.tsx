import { Alert, AlertActionLink } from '@patternfly/react-core';
import type { IpcError } from '../api';
import { COMMON, errorTitle, WIZARD } from '../messages';

/** An error from main as the operator reads it: what failed, the engine's message, what to do, and a retry. */
export function ErrorAlert({ error, onRetry, title }: { readonly error: IpcError; readonly onRetry?: () => void; readonly title?: string }) {
  const hint = error.details?.hint;
  return (
    <Alert
      variant="danger"
      isInline
      title={title ?? errorTitle(error)}
      actionLinks={onRetry ? <AlertActionLink onClick={onRetry}>{WIZARD.retry}</AlertActionLink> : undefined}
      data-error-code={error.code}
    >
      {title !== undefined ? <p>{errorTitle(error)}</p> : null}
      <p className="airlock-error-message">{error.message}</p>
      {hint ? (
        <p>
          <strong>{COMMON.hint}:</strong> {hint}
        </p>
      ) : null}
    </Alert>
  );
}
