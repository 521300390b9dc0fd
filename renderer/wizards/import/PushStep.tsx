import { Alert, Title } from '@patternfly/react-core';
import type { JobSnapshot } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobProgressPanel } from '../../components/JobProgressPanel';
import { PUSH } from '../../messages';
import { assertNever } from '../../state/assert-never';
import type { PushState } from '../../state/import-wizard';

export function PushStep({ push, registry, snapshot, onRetry }: { readonly push: PushState; readonly registry: string; readonly snapshot: JobSnapshot | undefined; readonly onRetry: () => void }) {
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {PUSH.title}
      </Title>
      <p className="airlock-intro airlock-mono">{registry}</p>
      <PushBody push={push} snapshot={snapshot} onRetry={onRetry} />
    </>
  );
}

function PushBody({ push, snapshot, onRetry }: { readonly push: PushState; readonly snapshot: JobSnapshot | undefined; readonly onRetry: () => void }) {
  switch (push.kind) {
    case 'starting':
    case 'running':
      return <JobProgressPanel snapshot={snapshot} transfer="push" />;
    case 'failed':
      return (
        <>
          <ErrorAlert error={push.error} title={PUSH.failed} onRetry={onRetry} />
          {snapshot ? <JobProgressPanel snapshot={snapshot} transfer="push" /> : null}
        </>
      );
    case 'cancelled':
      return <Alert variant="warning" isInline title={PUSH.cancelled} />;
    default:
      return assertNever(push);
  }
}
