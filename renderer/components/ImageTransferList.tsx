import { useState } from 'react';
import { ExpandableSection, List, ListItem, Progress, Stack, StackItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { ImageBytes, ImageProgress } from '../api';
import { COMMON, IMAGE_TRANSFERS, TRANSFER } from '../messages';
import { groupImageTransfers, imagePercent, MAX_IMAGE_BARS } from '../state/image-transfers';
import { StatusLabel } from './StatusLabel';

export interface ImageTransferListProps {
  readonly images: readonly ImageProgress[];
  /** Which way the bytes go: the verbs differ ("downloaded", "pushed"). */
  readonly phase: ImageBytes['phase'];
}

/**
 * Per-image progress of a transfer: a bar for each image in flight, first; the finished and the
 * waiting ones folded into counts that open into lists, so a set of forty images stays readable.
 */
export function ImageTransferList({ images, phase }: ImageTransferListProps) {
  const [finishedOpen, setFinishedOpen] = useState(false);
  const [waitingOpen, setWaitingOpen] = useState(false);
  const groups = groupImageTransfers(images);
  const bars = groups.active.slice(0, MAX_IMAGE_BARS);
  const more = groups.active.length - bars.length;
  const done = [...groups.finished, ...groups.failed];
  return (
    <section aria-label={IMAGE_TRANSFERS.regionLabel} className="airlock-image-transfers">
      <p className="airlock-image-transfers-counts">
        {IMAGE_TRANSFERS.counts({ active: groups.active.length, finished: groups.finished.length, waiting: groups.waiting.length, failed: groups.failed.length }, phase)}
      </p>
      <Stack hasGutter>
        {bars.map((image) => (
          <StackItem key={image.source}>
            <ImageBar image={image} phase={phase} />
          </StackItem>
        ))}
        {more > 0 ? <StackItem className="airlock-muted">{IMAGE_TRANSFERS.more(more)}</StackItem> : null}
        {done.length > 0 ? (
          <StackItem>
            <ExpandableSection
              toggleText={IMAGE_TRANSFERS.finishedToggle(groups.finished.length, groups.failed.length, phase)}
              isExpanded={finishedOpen}
              onToggle={(_e, open) => setFinishedOpen(open)}
              isIndented
            >
              {/* Rows only while open: hundreds of hidden rows would be redrawn ten times a second. */}
              {finishedOpen ? <ImageStatusTable images={done} label={IMAGE_TRANSFERS.finishedLabel} /> : null}
            </ExpandableSection>
          </StackItem>
        ) : null}
        {groups.waiting.length > 0 ? (
          <StackItem>
            <ExpandableSection toggleText={IMAGE_TRANSFERS.waitingToggle(groups.waiting.length)} isExpanded={waitingOpen} onToggle={(_e, open) => setWaitingOpen(open)} isIndented>
              {waitingOpen ? (
                <List aria-label={IMAGE_TRANSFERS.waitingLabel} isPlain className="airlock-mono">
                  {groups.waiting.map((image) => (
                    <ListItem key={image.source}>{image.source}</ListItem>
                  ))}
                </List>
              ) : null}
            </ExpandableSection>
          </StackItem>
        ) : null}
        {groups.blocked.length > 0 ? <StackItem className="airlock-muted">{IMAGE_TRANSFERS.blocked(groups.blocked.length)}</StackItem> : null}
      </Stack>
    </section>
  );
}

/** Images with their status (and message), one row each. */
export function ImageStatusTable({ images, label }: { readonly images: readonly ImageProgress[]; readonly label: string }) {
  return (
    <Table aria-label={label} variant="compact">
      <Thead>
        <Tr>
          <Th>{TRANSFER.imagesTitle}</Th>
          <Th modifier="fitContent">{COMMON.status}</Th>
        </Tr>
      </Thead>
      <Tbody>
        {images.map((image) => (
          <Tr key={image.source}>
            <Td className="airlock-mono" dataLabel={TRANSFER.imagesTitle}>
              {image.source}
              {image.message ? <div className="airlock-muted">{image.message}</div> : null}
            </Td>
            <Td dataLabel={COMMON.status}>
              <StatusLabel status={image.status} />
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}

function ImageBar({ image, phase }: { readonly image: ImageProgress; readonly phase: ImageBytes['phase'] }) {
  const bytes = image.bytes ?? { phase, done: 0, total: 0 };
  const percent = imagePercent(bytes);
  return (
    <Progress
      size="sm"
      className="airlock-image-bar"
      value={percent}
      title={image.source}
      isTitleTruncated
      label={IMAGE_TRANSFERS.amount(bytes.done, bytes.total)}
      valueText={IMAGE_TRANSFERS.valueText(bytes.phase, percent, bytes.done, bytes.total)}
    />
  );
}
