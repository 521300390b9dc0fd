import { useCallback, useEffect, useState } from 'react';
import { Button, Checkbox, PageSection, Stack, StackItem, Title } from '@patternfly/react-core';
import { useCall, type IpcError, type MediaScan, type TransferSetInfo, type VerifyOutcome } from '../api';
import { DrivePicker } from '../components/DrivePicker';
import { ErrorAlert } from '../components/ErrorAlert';
import { JobProgressPanel } from '../components/JobProgressPanel';
import { ScanResult } from '../components/SetTable';
import { VerifyResult } from '../components/VerifyResult';
import { VERIFY } from '../messages';
import { useDrives } from '../state/use-drives';
import { isFinished, useJob } from '../state/use-job';

type Scan = { readonly kind: 'idle' } | { readonly kind: 'scanning'; readonly dir: string } | { readonly kind: 'scanned'; readonly dir: string; readonly scan: MediaScan } | { readonly kind: 'failed'; readonly dir: string; readonly error: IpcError };
type Run = { readonly kind: 'idle' } | { readonly kind: 'running'; readonly jobId: string } | { readonly kind: 'done'; readonly outcome: VerifyOutcome } | { readonly kind: 'failed'; readonly error: IpcError };

export function VerifyPage() {
  const call = useCall();
  const drives = useDrives();
  const [scan, setScan] = useState<Scan>({ kind: 'idle' });
  const [selected, setSelected] = useState<TransferSetInfo | undefined>(undefined);
  const [deep, setDeep] = useState(true);
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const snapshot = useJob(run.kind === 'running' ? run.jobId : undefined);

  const scanDir = useCallback(
    (dir: string) => {
      setScan({ kind: 'scanning', dir });
      setSelected(undefined);
      setRun({ kind: 'idle' });
      void call((api) => api.media.scan(dir)).then((r) => {
        setScan(r.ok ? { kind: 'scanned', dir, scan: r.value } : { kind: 'failed', dir, error: r.error });
        if (r.ok && r.value.sets.length === 1) setSelected(r.value.sets[0]);
      });
    },
    [call],
  );

  useEffect(() => {
    if (!snapshot || !isFinished(snapshot) || run.kind !== 'running' || snapshot.jobId !== run.jobId) return;
    if (snapshot.status === 'succeeded' && snapshot.outcome.kind === 'verify') setRun({ kind: 'done', outcome: snapshot.outcome.verify });
    else if (snapshot.status === 'failed') setRun({ kind: 'failed', error: snapshot.error });
    else setRun({ kind: 'idle' });
  }, [snapshot, run]);

  const start = (): void => {
    if (!selected) return;
    const dir = selected.dir;
    void call((api) => api.jobs.start({ kind: 'verify', dir, deep })).then((r) => setRun(r.ok ? { kind: 'running', jobId: r.value.jobId } : { kind: 'failed', error: r.error }));
  };

  return (
    <PageSection>
      <Title headingLevel="h1">{VERIFY.pageTitle}</Title>
      <Stack hasGutter className="airlock-page">
        <StackItem>
          <DrivePicker
            drives={drives.state}
            selectedPath={scan.kind === 'idle' ? undefined : scan.dir}
            onSelectDrive={(drive) => scanDir(drive.mountPoint)}
            onChooseFolder={() => void call((api) => api.dialogs.chooseFolder('verify-source')).then((r) => r.ok && r.value.kind === 'chosen' && scanDir(r.value.path))}
            onRefresh={drives.refresh}
          />
        </StackItem>
        <StackItem aria-live="polite">
          <ScanResult scan={scan} selected={selected} onSelect={setSelected} />
        </StackItem>
        <StackItem>
          <Checkbox id="verify-deep" label={VERIFY.deep} description={VERIFY.deepHelp} isChecked={deep} onChange={(_e, v) => setDeep(v)} />
        </StackItem>
        <StackItem>
          <Button variant="primary" onClick={start} isDisabled={!selected || run.kind === 'running'} isLoading={run.kind === 'running'}>
            {run.kind === 'done' ? VERIFY.again : VERIFY.start}
          </Button>
          {!selected ? <span className="airlock-muted airlock-inline-note">{VERIFY.chooseSet}</span> : null}
        </StackItem>
        <StackItem aria-live="polite">
          {run.kind === 'running' ? <JobProgressPanel snapshot={snapshot} showImages={false} /> : null}
          {run.kind === 'done' ? <VerifyResult outcome={run.outcome} passed={run.outcome.ok} /> : null}
          {run.kind === 'failed' ? <ErrorAlert error={run.error} onRetry={start} /> : null}
        </StackItem>
      </Stack>
    </PageSection>
  );
}
