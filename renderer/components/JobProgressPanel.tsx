import { useState } from 'react';
import { Alert, ExpandableSection, List, ListItem, Progress, ProgressMeasureLocation, Stack, StackItem } from '@patternfly/react-core';
import type { ImageBytes, JobSnapshot } from '../api';
import { formatPercent } from '../format';
import { jobStatusText, phaseText, progressDetail, TRANSFER } from '../messages';
import { ImageStatusTable, ImageTransferList } from './ImageTransferList';

export interface JobProgressPanelProps {
  readonly snapshot: JobSnapshot | undefined;
  readonly showImages?: boolean;
  /** The job moves images' bytes this way: each image gets a bar while it moves, instead of a status table. */
  readonly transfer?: ImageBytes['phase'];
}

/** Overall and per-image progress of a job, its rate and time left, and the errors met so far. */
export function JobProgressPanel({ snapshot, showImages = true, transfer }: JobProgressPanelProps) {
  const [imagesOpen, setImagesOpen] = useState(true);
  const progress = snapshot?.progress;
  const percent = formatPercent(progress?.overall ?? 0);
  const variant = snapshot?.status === 'failed' ? 'danger' : snapshot?.status === 'succeeded' ? 'success' : undefined;
  return (
    <Stack hasGutter>
      <StackItem>
        <Progress
          value={percent}
          title={progress ? phaseText(progress) : TRANSFER.overall}
          label={`${percent}%`}
          measureLocation={ProgressMeasureLocation.top}
          aria-label={TRANSFER.overall}
          {...(variant ? { variant } : {})}
        />
        <p className="airlock-progress-detail" aria-live="polite">
          {snapshot ? `${jobStatusText(snapshot.status)}${progress ? ` · ${progressDetail(progress)}` : ''}` : ''}
        </p>
        {progress?.item ? <p className="airlock-progress-item">{progress.item}</p> : null}
      </StackItem>
      {snapshot && snapshot.errors.length > 0 ? (
        <StackItem>
          <Alert variant="danger" isInline title={TRANSFER.errorsTitle(snapshot.errors.length)} aria-live="polite">
            <List>
              {snapshot.errors.map((e, i) => (
                <ListItem key={i}>{e}</ListItem>
              ))}
            </List>
          </Alert>
        </StackItem>
      ) : null}
      {snapshot && snapshot.warnings.length > 0 ? (
        <StackItem>
          <Alert variant="warning" isInline title={TRANSFER.warningsTitle}>
            <List>
              {snapshot.warnings.map((w, i) => (
                <ListItem key={i}>{w}</ListItem>
              ))}
            </List>
          </Alert>
        </StackItem>
      ) : null}
      {showImages && transfer && snapshot && snapshot.images.length > 0 ? (
        <StackItem>
          <ImageTransferList images={snapshot.images} phase={transfer} />
        </StackItem>
      ) : null}
      {showImages && !transfer && snapshot && snapshot.images.length > 0 ? (
        <StackItem>
          <ExpandableSection toggleText={TRANSFER.imagesTitle} isExpanded={imagesOpen} onToggle={(_e, open) => setImagesOpen(open)} isIndented>
            <ImageStatusTable images={snapshot.images} label={TRANSFER.imagesLabel} />
          </ExpandableSection>
        </StackItem>
      ) : null}
    </Stack>
  );
}
