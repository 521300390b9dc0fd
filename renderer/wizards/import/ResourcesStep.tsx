import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  CodeBlock,
  CodeBlockAction,
  CodeBlockCode,
  ExpandableSection,
  Flex,
  FlexItem,
  Stack,
  StackItem,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { FilePdfIcon, SaveIcon } from '@patternfly/react-icons';
import { useCall, type ClusterResourceFile, type ClusterResourceText, type ImportOutcome, type IpcError } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusLabel } from '../../components/StatusLabel';
import { shortDigest } from '../../format';
import { DONE, PLAN, RESOURCES } from '../../messages';
import type { ImportWizardState } from '../../state/import-wizard';

type Receipt = Extract<ImportWizardState, { step: 'resources' }>['receipt'];

export interface ResourcesStepProps {
  readonly jobId: string;
  readonly outcome: ImportOutcome;
  readonly receipt: Receipt;
  readonly onSaveReceipt: () => void;
}

/** oc applies every file of a directory with -f <dir>. */
export function applyCommand(outcome: ImportOutcome): string | undefined {
  return outcome.clusterResourcesDir ? `oc apply -f ${outcome.clusterResourcesDir}` : undefined;
}

type Loaded = { readonly kind: 'loading' } | { readonly kind: 'loaded'; readonly text: ClusterResourceText } | { readonly kind: 'failed'; readonly error: IpcError };

function ResourceFile({ jobId, file }: { readonly jobId: string; readonly file: ClusterResourceFile }) {
  const call = useCall();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState(true);
  useEffect(() => {
    let live = true;
    void call((api) => api.resources.read(jobId, file.index)).then((r) => {
      if (live) setLoaded(r.ok ? { kind: 'loaded', text: r.value } : { kind: 'failed', error: r.error });
    });
    return () => {
      live = false;
    };
  }, [call, jobId, file.index]);

  const actions =
    loaded.kind === 'loaded' ? (
      <>
        <CodeBlockAction>
          <CopyButton text={loaded.text.yaml} label={RESOURCES.copy} variant="plain" />
        </CodeBlockAction>
        <CodeBlockAction>
          <Button
            variant="plain"
            icon={<SaveIcon />}
            aria-label={`${RESOURCES.save} ${file.name}`}
            onClick={() => void call((api) => api.resources.save(jobId, file.index)).then((r) => r.ok && r.value.kind === 'saved' && setSaved(r.value.path))}
          />
        </CodeBlockAction>
      </>
    ) : null;

  return (
    <ExpandableSection toggleText={file.name} isExpanded={open} onToggle={(_e, v) => setOpen(v)}>
      {loaded.kind === 'loading' ? <p>{RESOURCES.loading}</p> : null}
      {loaded.kind === 'failed' ? <ErrorAlert error={loaded.error} /> : null}
      {loaded.kind === 'loaded' ? (
        <CodeBlock actions={actions}>
          <CodeBlockCode aria-label={RESOURCES.fileLabel(file.name)}>{loaded.text.yaml}</CodeBlockCode>
        </CodeBlock>
      ) : null}
      {saved ? <Alert variant="success" isInline isPlain title={RESOURCES.saved(saved)} /> : null}
    </ExpandableSection>
  );
}

export function ResourcesStep({ jobId, outcome, receipt, onSaveReceipt }: ResourcesStepProps) {
  const pushed = outcome.images.filter((i) => i.status !== 'failed').length;
  const failed = outcome.images.length - pushed;
  const command = applyCommand(outcome);
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {RESOURCES.title}
      </Title>
      <Stack hasGutter>
        <StackItem>
          <Alert variant={failed > 0 ? 'warning' : 'success'} isInline title={RESOURCES.summary(pushed, failed, outcome.bytesPushed)} />
        </StackItem>
        {command ? (
          <StackItem>
            <p>{RESOURCES.apply}</p>
            <CodeBlock actions={<CodeBlockAction><CopyButton text={command} label={RESOURCES.copyCommand} variant="plain" /></CodeBlockAction>}>
              <CodeBlockCode>{command}</CodeBlockCode>
            </CodeBlock>
          </StackItem>
        ) : (
          <StackItem>
            <Alert variant="info" isInline isPlain title={RESOURCES.none} />
          </StackItem>
        )}
        {outcome.clusterResources.map((file) => (
          <StackItem key={file.path}>
            <ResourceFile jobId={jobId} file={file} />
          </StackItem>
        ))}
        <StackItem>
          <Table aria-label={RESOURCES.imagesLabel} variant="compact">
            <Thead>
              <Tr>
                <Th>{PLAN.colSource}</Th>
                <Th>{PLAN.colDestination}</Th>
                <Th>{PLAN.colDigest}</Th>
                <Th modifier="fitContent">{PLAN.colStatus}</Th>
              </Tr>
            </Thead>
            <Tbody>
              {outcome.images.map((image) => (
                <Tr key={`${image.source}->${image.destination}`}>
                  <Td dataLabel={PLAN.colSource} className="airlock-mono">
                    {image.source}
                  </Td>
                  <Td dataLabel={PLAN.colDestination} className="airlock-mono">
                    {image.destination}
                    {image.error ? <div className="airlock-muted">{image.error}</div> : null}
                  </Td>
                  <Td dataLabel={PLAN.colDigest} className="airlock-mono" title={image.digest}>
                    {image.digest ? shortDigest(image.digest) : ''}
                  </Td>
                  <Td dataLabel={PLAN.colStatus}>
                    <StatusLabel status={image.status} />
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        </StackItem>
        <StackItem>
          <Flex>
            <FlexItem>
              <Button variant="secondary" icon={<FilePdfIcon />} isLoading={receipt.kind === 'saving'} isDisabled={receipt.kind === 'saving'} onClick={onSaveReceipt}>
                {RESOURCES.receipt}
              </Button>
            </FlexItem>
          </Flex>
          <div aria-live="polite">
            {receipt.kind === 'saved' ? <Alert variant="success" isInline isPlain title={DONE.receiptSaved(receipt.path)} /> : null}
            {receipt.kind === 'failed' ? <ErrorAlert error={receipt.error} /> : null}
          </div>
        </StackItem>
      </Stack>
    </>
  );
}
