import { Alert, Title } from '@patternfly/react-core';
import type { JobSnapshot } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobProgressPanel } from '../../components/JobProgressPanel';
import { MEDIA, TRANSFER } from '../../messages';
import { assertNever } from '../../state/assert-never';
import { targetPath, type MediaTarget, type TransferState } from '../../state/export-wizard';

export interface TransferStepProps {
  readonly transfer: TransferState;
  readonly target: MediaTarget;
  readonly snapshot: JobSnapshot | undefined;
  readonly onRetry: () => void;
}

export function TransferStep({ transfer, target, snapshot, onRetry }: TransferStepProps) {
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {TRANSFER.title}
      </Title>
      <p className="airlock-intro">{MEDIA.selectedTarget(targetPath(target))}</p>
      <TransferBody transfer={transfer} snapshot={snapshot} onRetry={onRetry} />
    </>
  );
}

function TransferBody({ transfer, snapshot, onRetry }: Omit<TransferStepProps, 'target'>) {
  switch (transfer.kind) {
    case 'starting':
    case 'running':
      return <JobProgressPanel snapshot={snapshot} transfer="pull" />;
    case 'failed':
      return (
        <>
          <ErrorAlert error={transfer.error} title={TRANSFER.failed} onRetry={onRetry} />
          {snapshot ? <JobProgressPanel snapshot={snapshot} transfer="pull" /> : null}
        </>
      );
    case 'cancelled':
      return <Alert variant="warning" isInline title={TRANSFER.cancelled} />;
    default:
      return assertNever(transfer);
  }
}
