import { Alert, List, ListItem, Stack, StackItem, Title } from '@patternfly/react-core';
import type { Drive, ExportPlan } from '../../api';
import { DrivePicker } from '../../components/DrivePicker';
import { MEDIA, targetIssueText } from '../../messages';
import { targetPath, type MediaTarget } from '../../state/export-wizard';
import { checkTarget, driveFacts, type TargetCheck } from '../../state/media-check';
import type { DrivesState } from '../../state/use-drives';

export interface MediaStepProps {
  readonly plan: ExportPlan;
  readonly target: MediaTarget | undefined;
  readonly drives: DrivesState;
  readonly onSelect: (target: MediaTarget, check: TargetCheck) => void;
  readonly onChooseFolder: () => void;
  readonly onRefresh: () => void;
}

export function targetCheck(target: MediaTarget, plan: ExportPlan): TargetCheck {
  return checkTarget(target.kind === 'drive' ? driveFacts(target.drive) : { freeBytes: target.freeBytes, readOnly: false, fsType: '' }, plan);
}

export function MediaStep({ plan, target, drives, onSelect, onChooseFolder, onRefresh }: MediaStepProps) {
  const check = target ? targetCheck(target, plan) : undefined;
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {MEDIA.title}
      </Title>
      <Stack hasGutter>
        <StackItem>
          <DrivePicker
            drives={drives}
            selectedPath={target ? targetPath(target) : undefined}
            onSelectDrive={(drive: Drive) => {
              const t: MediaTarget = { kind: 'drive', drive };
              onSelect(t, targetCheck(t, plan));
            }}
            onChooseFolder={onChooseFolder}
            onRefresh={onRefresh}
          />
        </StackItem>
        {target && check ? (
          <StackItem>
            <TargetVerdict target={target} check={check} />
          </StackItem>
        ) : null}
      </Stack>
    </>
  );
}

function TargetVerdict({ target, check }: { readonly target: MediaTarget; readonly check: TargetCheck }) {
  const free = target.kind === 'drive' ? target.drive.freeBytes : target.freeBytes;
  const blocking = check.issues.filter((i) => i.kind !== 'fat32-parts');
  const info = check.issues.filter((i) => i.kind === 'fat32-parts');
  return (
    <div aria-live="polite">
      {check.usable ? (
        <Alert variant="success" isInline title={MEDIA.selectedTarget(targetPath(target))}>
          {MEDIA.enough(check.needBytes, free)}
        </Alert>
      ) : (
        <Alert variant="danger" isInline title={MEDIA.selectedTarget(targetPath(target))}>
          <List>
            {blocking.map((issue, i) => (
              <ListItem key={i}>{targetIssueText(issue)}</ListItem>
            ))}
          </List>
        </Alert>
      )}
      {info.map((issue, i) => (
        <Alert key={i} variant="info" isInline isPlain title={targetIssueText(issue)} />
      ))}
    </div>
  );
}
