import { Title } from '@patternfly/react-core';
import type { JobSnapshot } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobProgressPanel } from '../../components/JobProgressPanel';
import { VerifyResult } from '../../components/VerifyResult';
import { VERIFY } from '../../messages';
import { assertNever } from '../../state/assert-never';
import type { VerifyState } from '../../state/import-wizard';

export function VerifyStep({ verify, snapshot, onRetry }: { readonly verify: VerifyState; readonly snapshot: JobSnapshot | undefined; readonly onRetry: () => void }) {
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {VERIFY.title}
      </Title>
      <p className="airlock-intro">{VERIFY.intro}</p>
      <VerifyBody verify={verify} snapshot={snapshot} onRetry={onRetry} />
    </>
  );
}

function VerifyBody({ verify, snapshot, onRetry }: { readonly verify: VerifyState; readonly snapshot: JobSnapshot | undefined; readonly onRetry: () => void }) {
  switch (verify.kind) {
    case 'starting':
    case 'running':
      return <JobProgressPanel snapshot={snapshot} showImages={false} />;
    case 'passed':
      return <VerifyResult outcome={verify.outcome} passed />;
    case 'rejected':
      return <VerifyResult outcome={verify.outcome} passed={false} />;
    case 'failed':
      return <ErrorAlert error={verify.error} onRetry={onRetry} />;
    default:
      return assertNever(verify);
  }
}
