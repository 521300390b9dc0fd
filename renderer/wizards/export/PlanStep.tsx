import { Alert, DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm, List, ListItem, Stack, StackItem, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { ExportPlan, JobSnapshot } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobProgressPanel } from '../../components/JobProgressPanel';
import { StatusLabel } from '../../components/StatusLabel';
import { formatBytes, formatTime, shortDigest } from '../../format';
import { PLAN } from '../../messages';
import { assertNever } from '../../state/assert-never';
import type { PlanState } from '../../state/export-wizard';

export interface PlanStepProps {
  readonly plan: PlanState;
  readonly snapshot: JobSnapshot | undefined;
  readonly onRetry: () => void;
}

export function PlanSummary({ plan }: { readonly plan: ExportPlan }) {
  const ok = plan.images.filter((i) => i.status === 'ok');
  const fresh = ok.filter((i) => i.newSinceLastTransfer).length;
  return (
    <Stack hasGutter>
      <StackItem>
        <DescriptionList isHorizontal isCompact columnModifier={{ lg: '2Col' }} aria-label={PLAN.title}>
          <DescriptionListGroup>
            <DescriptionListTerm>{PLAN.images}</DescriptionListTerm>
            <DescriptionListDescription>{ok.length}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{PLAN.blobs}</DescriptionListTerm>
            <DescriptionListDescription>{plan.blobs}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{PLAN.totalSize}</DescriptionListTerm>
            <DescriptionListDescription>{formatBytes(plan.totalBytes)}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{PLAN.parts}</DescriptionListTerm>
            <DescriptionListDescription>{PLAN.partsValue(plan.estimatedParts, formatBytes(plan.archiveSizeBytes))}</DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{PLAN.newSinceLast}</DescriptionListTerm>
            <DescriptionListDescription>
              {PLAN.newSinceLastValue(fresh, ok.length)}
              <div className="airlock-muted">{plan.lastTransfer ? PLAN.lastTransfer(plan.lastTransfer.setId, formatTime(plan.lastTransfer.createdAt)) : PLAN.firstTransfer}</div>
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      </StackItem>
      {plan.failed > 0 ? (
        <StackItem>
          <Alert variant={ok.length > 0 ? 'warning' : 'danger'} isInline title={PLAN.failedTitle(plan.failed)}>
            {ok.length > 0 ? PLAN.failedBody : PLAN.nothingResolved}
          </Alert>
        </StackItem>
      ) : null}
      {plan.warnings.length > 0 ? (
        <StackItem>
          <Alert variant="warning" isInline title={PLAN.warnings}>
            <List>
              {plan.warnings.map((w, i) => (
                <ListItem key={i}>{w}</ListItem>
              ))}
            </List>
          </Alert>
        </StackItem>
      ) : null}
      <StackItem>
        <Table aria-label={PLAN.tableLabel} variant="compact">
          <Thead>
            <Tr>
              <Th>{PLAN.colSource}</Th>
              <Th>{PLAN.colDestination}</Th>
              <Th>{PLAN.colDigest}</Th>
              <Th modifier="fitContent">{PLAN.colStatus}</Th>
              <Th modifier="fitContent">{PLAN.colNew}</Th>
            </Tr>
          </Thead>
          <Tbody>
            {plan.images.map((image) => (
              <Tr key={image.source}>
                <Td dataLabel={PLAN.colSource} className="airlock-mono">
                  {image.source}
                  {image.error ? <div className="airlock-muted">{image.error}</div> : null}
                </Td>
                <Td dataLabel={PLAN.colDestination} className="airlock-mono">
                  {image.destination}
                </Td>
                <Td dataLabel={PLAN.colDigest} className="airlock-mono" title={image.digest}>
                  {image.digest ? shortDigest(image.digest) : ''}
                </Td>
                <Td dataLabel={PLAN.colStatus}>
                  <StatusLabel status={image.status} />
                </Td>
                <Td dataLabel={PLAN.colNew}>{image.status === 'ok' ? (image.newSinceLastTransfer ? PLAN.isNew : PLAN.notNew) : ''}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </StackItem>
    </Stack>
  );
}

export function PlanStep({ plan, snapshot, onRetry }: PlanStepProps) {
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {PLAN.title}
      </Title>
      <PlanBody plan={plan} snapshot={snapshot} onRetry={onRetry} />
    </>
  );
}

function PlanBody({ plan, snapshot, onRetry }: PlanStepProps) {
  switch (plan.kind) {
    case 'starting':
    case 'running':
      return (
        <>
          <p className="airlock-intro">{PLAN.running}</p>
          <JobProgressPanel snapshot={snapshot} />
        </>
      );
    case 'ready':
      return <PlanSummary plan={plan.plan} />;
    case 'failed':
      return <ErrorAlert error={plan.error} onRetry={onRetry} />;
    default:
      return assertNever(plan);
  }
}
