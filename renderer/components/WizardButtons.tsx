import type { ReactNode } from 'react';
import { Button } from '@patternfly/react-core';
import { WIZARD } from '../messages';

/** Back: disabled where the wizard's reducer would not move. */
export function BackButton({ onBack, disabled }: { readonly onBack: () => void; readonly disabled: boolean }) {
  return (
    <Button variant="secondary" onClick={onBack} isDisabled={disabled}>
      {WIZARD.back}
    </Button>
  );
}

/** The step's forward action, with Back beside it when the step has one. */
export function NextWithBack({ label, onNext, disabled, back }: { readonly label?: string; readonly onNext: () => void; readonly disabled: boolean; readonly back?: ReactNode }) {
  return (
    <>
      <Button variant="primary" onClick={onNext} isDisabled={disabled}>
        {label ?? WIZARD.next}
      </Button>
      {back}
    </>
  );
}

export type JobStepStatus = 'running' | 'failed' | 'cancelled' | string;

/** While a job step runs: Cancel; once it failed or was cancelled: Retry and Back. */
export function RetryOrCancel({
  status,
  onRetry,
  onCancel,
  cancelling,
  cancelLabel,
  cancellingLabel,
  back,
}: {
  readonly status: JobStepStatus;
  readonly onRetry: () => void;
  readonly onCancel: () => void;
  readonly cancelling: boolean;
  readonly cancelLabel: string;
  readonly cancellingLabel?: string;
  readonly back: ReactNode;
}) {
  if (status === 'failed' || status === 'cancelled') return <NextWithBack label={WIZARD.retry} onNext={onRetry} disabled={false} back={back} />;
  return (
    <Button variant="danger" onClick={onCancel} isDisabled={status !== 'running' || cancelling} isLoading={cancelling}>
      {cancelling && cancellingLabel ? cancellingLabel : cancelLabel}
    </Button>
  );
}

export function StartOver({ onStartOver }: { readonly onStartOver: () => void }) {
  return (
    <Button variant="primary" onClick={onStartOver}>
      {WIZARD.startOver}
    </Button>
  );
}
