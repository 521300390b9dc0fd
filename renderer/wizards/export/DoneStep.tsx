import {
  Alert,
  Button,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  FlexItem,
  Stack,
  StackItem,
  Title,
} from '@patternfly/react-core';
import { EjectIcon, FilePdfIcon } from '@patternfly/react-icons';
import type { ExportOutcome } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { DONE } from '../../messages';
import type { EjectState, MediaTarget, ReceiptState } from '../../state/export-wizard';

export interface DoneStepProps {
  readonly outcome: ExportOutcome;
  readonly target: MediaTarget;
  readonly eject: EjectState;
  readonly receipt: ReceiptState;
  readonly onEject: () => void;
  readonly onSaveReceipt: () => void;
}

export function DoneStep({ outcome, target, eject, receipt, onEject, onSaveReceipt }: DoneStepProps) {
  // Cosign signatures travel as images of their own; the operator counts the images they belong to.
  const ok = outcome.images.filter((i) => i.status === 'ok').length - (outcome.signatures ?? 0);
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {outcome.failed > 0 ? DONE.titlePartial : DONE.title}
      </Title>
      <Stack hasGutter>
        {outcome.readBackVerified ? (
          <StackItem>
            <Alert variant="success" isInline title={DONE.readBackTitle}>
              {DONE.readBack}
            </Alert>
          </StackItem>
        ) : null}
        <StackItem>
          <DescriptionList isHorizontal isCompact aria-label={DONE.title}>
            <DescriptionListGroup>
              <DescriptionListTerm>{DONE.setId}</DescriptionListTerm>
              <DescriptionListDescription className="airlock-mono" data-testid="set-id">
                {outcome.setId}
              </DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{DONE.location}</DescriptionListTerm>
              <DescriptionListDescription className="airlock-mono">{outcome.workspace}</DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{DONE.images}</DescriptionListTerm>
              <DescriptionListDescription>{DONE.imagesValue(ok, outcome.failed)}</DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{DONE.carried}</DescriptionListTerm>
              <DescriptionListDescription>{DONE.carriedValue(outcome.shippedBytes, outcome.shippedBlobs, outcome.parts)}</DescriptionListDescription>
            </DescriptionListGroup>
            {outcome.signatures !== undefined ? (
              <DescriptionListGroup>
                <DescriptionListTerm>{DONE.signatures}</DescriptionListTerm>
                <DescriptionListDescription>{DONE.signaturesValue(outcome.signatures)}</DescriptionListDescription>
              </DescriptionListGroup>
            ) : null}
            <DescriptionListGroup>
              <DescriptionListTerm>{DONE.baseSets}</DescriptionListTerm>
              <DescriptionListDescription className="airlock-mono">{outcome.baseSets.length > 0 ? outcome.baseSets.join(', ') : DONE.baseSetsNone}</DescriptionListDescription>
            </DescriptionListGroup>
            {outcome.manifestSha256 ? (
              <DescriptionListGroup>
                <DescriptionListTerm>{DONE.manifest}</DescriptionListTerm>
                <DescriptionListDescription className="airlock-mono">{outcome.manifestSha256}</DescriptionListDescription>
              </DescriptionListGroup>
            ) : null}
            {outcome.signatureFingerprint ? (
              <DescriptionListGroup>
                <DescriptionListTerm>{DONE.signedBy}</DescriptionListTerm>
                <DescriptionListDescription className="airlock-mono">{outcome.signatureFingerprint}</DescriptionListDescription>
              </DescriptionListGroup>
            ) : null}
          </DescriptionList>
        </StackItem>
        {outcome.errorLog ? (
          <StackItem>
            <Alert variant="warning" isInline isPlain title={DONE.errorLog(outcome.errorLog)} />
          </StackItem>
        ) : null}
        <StackItem>
          <Flex>
            <FlexItem>
              <Button variant="secondary" icon={<FilePdfIcon />} isLoading={receipt.kind === 'saving'} isDisabled={receipt.kind === 'saving'} onClick={onSaveReceipt}>
                {receipt.kind === 'saving' ? DONE.receiptSaving : DONE.receipt}
              </Button>
            </FlexItem>
            {target.kind === 'drive' ? (
              <FlexItem>
                <Button
                  variant="secondary"
                  icon={<EjectIcon />}
                  isLoading={eject.kind === 'ejecting'}
                  isDisabled={eject.kind === 'ejecting' || eject.kind === 'ejected'}
                  onClick={onEject}
                >
                  {eject.kind === 'ejecting' ? DONE.ejecting : DONE.eject}
                </Button>
              </FlexItem>
            ) : null}
          </Flex>
        </StackItem>
        <StackItem aria-live="polite">
          {receipt.kind === 'saved' ? <Alert variant="success" isInline isPlain title={DONE.receiptSaved(receipt.path)} /> : null}
          {receipt.kind === 'failed' ? <ErrorAlert error={receipt.error} /> : null}
          {eject.kind === 'ejected' ? <Alert variant="success" isInline isPlain title={eject.poweredOff ? DONE.ejected : DONE.ejectedNoPower} /> : null}
          {eject.kind === 'failed' ? <ErrorAlert error={eject.error} onRetry={onEject} /> : null}
        </StackItem>
      </Stack>
    </>
  );
}
