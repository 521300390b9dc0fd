/**
 * The Import wizard: the reducer holds the wizard's truth; this component runs its effects (scan
 * the media, verify, keep credentials in main, test the registry, push, save the receipt) and picks
 * the step's view.
 */
import { useCallback, useEffect, useReducer, useState } from 'react';
import { useCall, type CredentialView, type Drive } from '../../api';
import { BackButton, NextWithBack, RetryOrCancel, StartOver } from '../../components/WizardButtons';
import { WizardFrame, type WizardStepView } from '../../components/WizardFrame';
import { importStepTitle, PUSH, TARGET } from '../../messages';
import { assertNever } from '../../state/assert-never';
import {
  canVerify,
  IMPORT_STEPS,
  importReducer,
  initialImportState,
  isValidTarget,
  type ImportAction,
  type ImportStepId,
  type ImportWizardState,
  type MediaSource,
  type TargetForm,
} from '../../state/import-wizard';
import { useDrives } from '../../state/use-drives';
import { isFinished, useJob } from '../../state/use-job';
import { ImportMediaStep } from './MediaStep';
import { PushStep } from './PushStep';
import { ResourcesStep } from './ResourcesStep';
import { TargetStep } from './TargetStep';
import { VerifyStep } from './VerifyStep';

function runningJob(state: ImportWizardState): string | undefined {
  if (state.step === 'verify' && state.verify.kind === 'running') return state.verify.jobId;
  if (state.step === 'push' && state.push.kind !== 'starting') return state.push.jobId;
  return undefined;
}

function registryHost(target: string): string {
  return target.trim().split('/')[0] ?? '';
}

export function ImportWizard({ initial }: { readonly initial?: ImportWizardState }) {
  const [state, dispatch] = useReducer(importReducer, initial ?? initialImportState());
  const call = useCall();
  const drives = useDrives();
  const jobId = runningJob(state);
  const snapshot = useJob(jobId);
  const [saved, setSaved] = useState<readonly CredentialView[]>([]);
  const [canPersist, setCanPersist] = useState(false);

  useEffect(() => {
    void call((api) => api.credentials.list()).then((r) => r.ok && setSaved(r.value));
    void call((api) => api.app.info()).then((r) => r.ok && setCanPersist(r.value.credentialEncryption));
  }, [call, state.step]);

  const scan = useCallback(
    (source: MediaSource) => {
      dispatch({ type: 'scan/started', source });
      const dir = source.kind === 'drive' ? source.drive.mountPoint : source.path;
      void call((api) => api.media.scan(dir)).then((r) => dispatch(r.ok ? { type: 'scan/finished', source, scan: r.value } : { type: 'scan/failed', source, error: r.error }));
    },
    [call],
  );

  const chooseFolder = useCallback(() => {
    void call((api) => api.dialogs.chooseFolder('import-source')).then((r) => {
      if (r.ok && r.value.kind === 'chosen') scan({ kind: 'folder', path: r.value.path });
    });
  }, [call, scan]);

  // Verify as soon as the step is entered (or retried).
  useEffect(() => {
    if (state.step !== 'verify' || state.verify.kind !== 'starting') return;
    const request = { kind: 'verify' as const, dir: state.set.dir, deep: true, insecureAcceptUntrusted: state.acceptUntrusted };
    void call((api) => api.jobs.start(request)).then((r) => dispatch(r.ok ? { type: 'verify/started', jobId: r.value.jobId } : { type: 'verify/failed', error: r.error }));
  }, [state, call]);

  // Push as soon as the step is entered (or retried).
  useEffect(() => {
    if (state.step !== 'push' || state.push.kind !== 'starting') return;
    const t = state.target;
    const request = {
      kind: 'import' as const,
      from: state.set.dir,
      target: t.registry.trim(),
      tlsVerify: t.tlsVerify,
      insecureAcceptUntrusted: state.acceptUntrusted,
      carrySignatures: t.carrySignatures,
      ...(t.caFile ? { caFile: t.caFile } : {}),
    };
    void call((api) => api.jobs.start(request)).then((r) => dispatch(r.ok ? { type: 'push/started', jobId: r.value.jobId } : { type: 'push/failed', error: r.error }));
  }, [state, call]);

  useEffect(() => {
    if (!snapshot || !isFinished(snapshot)) return;
    const action = jobEndAction(state, snapshot);
    if (action) dispatch(action);
  }, [snapshot, state]);

  /** Hands a typed password to main (which keeps it) and forgets it here. */
  const storeCredentials = useCallback(
    async (target: TargetForm): Promise<boolean> => {
      if (target.password === '') return true;
      const r = await call((api) =>
        api.credentials.save({ registry: registryHost(target.registry), username: target.username, password: target.password, persist: target.remember && canPersist }),
      );
      if (!r.ok) {
        dispatch({ type: 'connection/failed', error: r.error });
        return false;
      }
      dispatch({ type: 'credentials/stored' });
      return true;
    },
    [call, canPersist],
  );

  const test = useCallback(() => {
    if (state.step !== 'target') return;
    const target = state.target;
    void (async () => {
      if (!(await storeCredentials(target))) return;
      dispatch({ type: 'connection/testing' });
      const r = await call((api) => api.registry.test({ target: target.registry.trim(), tlsVerify: target.tlsVerify, ...(target.caFile ? { caFile: target.caFile } : {}) }));
      dispatch(r.ok ? { type: 'connection/tested', authenticated: r.value.authenticated } : { type: 'connection/failed', error: r.error });
    })();
  }, [state, call, storeCredentials]);

  const push = useCallback(() => {
    if (state.step !== 'target') return;
    const target = state.target;
    void storeCredentials(target).then((ok) => ok && dispatch({ type: 'push/requested' }));
  }, [state, storeCredentials]);

  const chooseCa = useCallback(() => {
    void call((api) => api.dialogs.chooseCaFile()).then((r) => r.ok && r.value.kind === 'chosen' && dispatch({ type: 'target/changed', target: { caFile: r.value.path } }));
  }, [call]);

  const saveReceipt = useCallback(() => {
    if (state.step !== 'resources') return;
    const id = state.jobId;
    dispatch({ type: 'receipt/started' });
    void call((api) => api.receipts.save({ kind: 'import', jobId: id })).then((r) => {
      if (!r.ok) dispatch({ type: 'receipt/failed', error: r.error });
      else dispatch(r.value.kind === 'saved' ? { type: 'receipt/saved', path: r.value.path } : { type: 'receipt/cancelled' });
    });
  }, [state, call]);

  const cancel = useCallback(() => {
    if (jobId) void call((api) => api.jobs.cancel(jobId));
  }, [jobId, call]);

  const steps: WizardStepView<ImportStepId>[] = IMPORT_STEPS.map((id) => ({
    id,
    title: importStepTitle(id),
    ...(id === state.step && ((state.step === 'verify' && (state.verify.kind === 'rejected' || state.verify.kind === 'failed')) || (state.step === 'push' && state.push.kind === 'failed'))
      ? { status: 'error' as const }
      : {}),
  }));
  const reachable = new Set<ImportStepId>([state.step]);
  if (importReducer(state, { type: 'back' }).step !== state.step) reachable.add(importReducer(state, { type: 'back' }).step);

  const savedForTarget = state.step === 'target' ? saved.find((c) => c.registry === registryHost(state.target.registry).toLowerCase()) : undefined;

  return (
    <WizardFrame
      title="Import"
      steps={steps}
      current={state.step}
      reachable={reachable}
      onNavigate={(step) => step !== state.step && dispatch({ type: 'back' })}
      footer={<Footer state={state} dispatch={dispatch} onPush={push} onCancel={cancel} cancelling={snapshot?.status === 'cancelling'} />}
    >
      <StepBody
        state={state}
        dispatch={dispatch}
        snapshot={snapshot}
        drives={drives}
        savedForTarget={savedForTarget}
        canPersist={canPersist}
        onScanDrive={(drive) => scan({ kind: 'drive', drive })}
        onChooseFolder={chooseFolder}
        onTest={test}
        onChooseCa={chooseCa}
        onSaveReceipt={saveReceipt}
      />
    </WizardFrame>
  );
}

function jobEndAction(state: ImportWizardState, snapshot: NonNullable<ReturnType<typeof useJob>>): ImportAction | undefined {
  if (state.step === 'verify' && state.verify.kind === 'running' && state.verify.jobId === snapshot.jobId) {
    if (snapshot.status === 'succeeded' && snapshot.outcome.kind === 'verify') return { type: 'verify/finished', outcome: snapshot.outcome.verify };
    if (snapshot.status === 'failed') return { type: 'verify/failed', error: snapshot.error };
    if (snapshot.status === 'cancelled') return { type: 'verify/failed', error: { code: 'CANCELLED', message: '' } };
  }
  if (state.step === 'push' && state.push.kind === 'running' && state.push.jobId === snapshot.jobId) {
    if (snapshot.status === 'succeeded' && snapshot.outcome.kind === 'import') return { type: 'push/finished', jobId: snapshot.jobId, outcome: snapshot.outcome.import };
    if (snapshot.status === 'failed') return { type: 'push/failed', jobId: snapshot.jobId, error: snapshot.error };
    if (snapshot.status === 'cancelled') return { type: 'push/cancelled', jobId: snapshot.jobId };
  }
  return undefined;
}

interface StepBodyProps {
  readonly state: ImportWizardState;
  readonly dispatch: React.Dispatch<ImportAction>;
  readonly snapshot: ReturnType<typeof useJob>;
  readonly drives: ReturnType<typeof useDrives>;
  readonly savedForTarget: CredentialView | undefined;
  readonly canPersist: boolean;
  readonly onScanDrive: (drive: Drive) => void;
  readonly onChooseFolder: () => void;
  readonly onTest: () => void;
  readonly onChooseCa: () => void;
  readonly onSaveReceipt: () => void;
}

function StepBody(p: StepBodyProps) {
  const { state, dispatch } = p;
  switch (state.step) {
    case 'media':
      return (
        <ImportMediaStep
          scan={state.scan}
          selected={state.selected}
          acceptUntrusted={state.acceptUntrusted}
          drives={p.drives.state}
          onScanDrive={p.onScanDrive}
          onChooseFolder={p.onChooseFolder}
          onRefresh={p.drives.refresh}
          onSelect={(set) => dispatch({ type: 'set/selected', set })}
          onAcceptUntrusted={(accept) => dispatch({ type: 'untrusted/accepted', accept })}
        />
      );
    case 'verify':
      return <VerifyStep verify={state.verify} snapshot={p.snapshot} onRetry={() => dispatch({ type: 'verify/requested' })} />;
    case 'target':
      return (
        <TargetStep
          target={state.target}
          connection={state.connection}
          saved={p.savedForTarget}
          canPersist={p.canPersist}
          onChange={(target) => dispatch({ type: 'target/changed', target })}
          onCarrySignatures={(carry) => dispatch({ type: 'signatures/changed', carry })}
          onTest={p.onTest}
          onChooseCa={p.onChooseCa}
        />
      );
    case 'push':
      return <PushStep push={state.push} registry={state.target.registry} snapshot={p.snapshot} onRetry={() => dispatch({ type: 'push/requested' })} />;
    case 'resources':
      return <ResourcesStep jobId={state.jobId} outcome={state.outcome} receipt={state.receipt} onSaveReceipt={p.onSaveReceipt} />;
    default:
      return assertNever(state);
  }
}

function Footer({
  state,
  dispatch,
  onPush,
  onCancel,
  cancelling,
}: {
  readonly state: ImportWizardState;
  readonly dispatch: React.Dispatch<ImportAction>;
  readonly onPush: () => void;
  readonly onCancel: () => void;
  readonly cancelling: boolean;
}) {
  const back = <BackButton onBack={() => dispatch({ type: 'back' })} disabled={importReducer(state, { type: 'back' }) === state} />;
  switch (state.step) {
    case 'media':
      return <NextWithBack onNext={() => dispatch({ type: 'verify/requested' })} disabled={!canVerify(state.selected, state.acceptUntrusted)} />;
    case 'verify':
      return <NextWithBack onNext={() => dispatch({ type: 'target/entered' })} disabled={state.verify.kind !== 'passed'} back={back} />;
    case 'target':
      return <NextWithBack label={TARGET.push} onNext={onPush} disabled={!isValidTarget(state.target.registry)} back={back} />;
    case 'push':
      return <RetryOrCancel status={state.push.kind} onRetry={() => dispatch({ type: 'push/requested' })} onCancel={onCancel} cancelling={cancelling} cancelLabel={PUSH.cancel} back={back} />;
    case 'resources':
      return <StartOver onStartOver={() => dispatch({ type: 'restart' })} />;
    default:
      return assertNever(state);
  }
}
