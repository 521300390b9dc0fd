import { Alert, Checkbox, Stack, StackItem, Title } from '@patternfly/react-core';
import type { Drive, TransferSetInfo } from '../../api';
import { DrivePicker } from '../../components/DrivePicker';
import { ScanResult } from '../../components/SetTable';
import { IMPORT_MEDIA, signatureReasonText } from '../../messages';
import { sourcePath, type ScanState } from '../../state/import-wizard';
import type { DrivesState } from '../../state/use-drives';

export interface ImportMediaStepProps {
  readonly scan: ScanState;
  readonly selected: TransferSetInfo | undefined;
  readonly acceptUntrusted: boolean;
  readonly drives: DrivesState;
  readonly onScanDrive: (drive: Drive) => void;
  readonly onChooseFolder: () => void;
  readonly onRefresh: () => void;
  readonly onSelect: (set: TransferSetInfo) => void;
  readonly onAcceptUntrusted: (accept: boolean) => void;
}

export function ImportMediaStep(props: ImportMediaStepProps) {
  const { scan, selected, acceptUntrusted } = props;
  const source = scan.kind === 'idle' ? undefined : scan.source;
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {IMPORT_MEDIA.title}
      </Title>
      <Stack hasGutter>
        <StackItem>
          <DrivePicker
            drives={props.drives}
            selectedPath={source ? sourcePath(source) : undefined}
            onSelectDrive={props.onScanDrive}
            onChooseFolder={props.onChooseFolder}
            onRefresh={props.onRefresh}
          />
        </StackItem>
        <StackItem aria-live="polite">
          <ScanResult scan={scan} selected={selected} onSelect={props.onSelect} />
        </StackItem>
        {selected && !selected.signature.trusted ? (
          <StackItem>
            <Alert variant="warning" isInline title={IMPORT_MEDIA.untrustedTitle}>
              <p>{signatureReasonText(selected.signature.reason)}</p>
              <p>{IMPORT_MEDIA.untrustedBody}</p>
              <Checkbox
                id="accept-untrusted"
                label={IMPORT_MEDIA.acceptUntrusted}
                isChecked={acceptUntrusted}
                onChange={(_e, checked) => props.onAcceptUntrusted(checked)}
              />
            </Alert>
          </StackItem>
        ) : null}
        {selected && !selected.complete ? (
          <StackItem>
            <Alert variant="danger" isInline title={IMPORT_MEDIA.incomplete}>
              {IMPORT_MEDIA.incompleteHelp}
            </Alert>
          </StackItem>
        ) : null}
      </Stack>
    </>
  );
}
