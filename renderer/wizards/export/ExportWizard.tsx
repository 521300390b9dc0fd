/**
 * The Export wizard: the reducer holds the wizard's truth, this component runs its effects (validate
 * as the operator types, start and follow the plan and transfer jobs, eject, save the receipt) and
 * picks the step's view.
 */
import { useCallback, useEffect, useReducer } from 'react';
import { useCall } from '../../api';
import { WizardFrame, type WizardStepView } from '../../components/WizardFrame';
import { BackButton, NextWithBack, RetryOrCancel, StartOver } from '../../components/WizardButtons';
import { exportStepTitle, TRANSFER } from '../../messages';
import { assertNever } from '../../state/assert-never';
import {
  canPlan,
  canTransfer,
  EXPORT_STEPS,
  exportReducer,
  initialExportState,
  reachableSteps,
  targetPath,
  type ExportAction,
  type ExportWizardState,
} from '../../state/export-wizard';
import { useDrives } from '../../state/use-drives';
import { isFinished, useJob } from '../../state/use-job';
import { DoneStep } from './DoneStep';
import { ImageSetStep } from './ImageSetStep';
import { MediaStep, targetCheck } from './MediaStep';
import { PlanStep } from './PlanStep';
import { TransferStep } from './TransferStep';

const VALIDATE_DELAY_MS = 300;

function runningJob(state: ExportWizardState): string | undefined {
  if (state.step === 'plan' && (state.plan.kind === 'running' || state.plan.kind === 'ready')) return state.plan.jobId;
  if (state.step === 'transfer' && state.transfer.kind !== 'starting') return state.transfer.jobId;
  return undefined;
}

export function ExportWizard({ initial }: { readonly initial?: ExportWizardState }) {
  const [state, dispatch] = useReducer(exportReducer, initial ?? initialExportState());
  const call = useCall();
  const drives = useDrives();
  const jobId = runningJob(state);
  const snapshot = useJob(jobId);

  // Validate the configuration a moment after the operator stops typing.
  const draft = state.step === 'image-set' ? state.draft : undefined;
  useEffect(() => {
    if (!draft || draft.validation.kind !== 'idle') return undefined;
    const { revision, yaml, configName } = draft;
    const timer = setTimeout(() => {
      dispatch({ type: 'validation/started', revision });
      void call((api) => api.config.validate(yaml, configName)).then((r) =>
        dispatch(r.ok ? { type: 'validation/finished', revision, result: r.value } : { type: 'validation/failed', revision, error: r.error }),
      );
    }, VALIDATE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, call]);

  // Start the dry run when the plan step is entered (or retried).
  useEffect(() => {
    if (state.step !== 'plan' || state.plan.kind !== 'starting') return;
    const { yaml, configName, srcTlsVerify, carrySignatures } = state.draft;
    void call((api) => api.jobs.start({ kind: 'export-plan', configYaml: yaml, configName, srcTlsVerify, carrySignatures })).then((r) =>
      dispatch(r.ok ? { type: 'plan/started', jobId: r.value.jobId } : { type: 'plan/failed', error: r.error }),
    );
  }, [state, call]);

  // Start writing when the transfer step is entered (or retried).
  useEffect(() => {
    if (state.step !== 'transfer' || state.transfer.kind !== 'starting') return;
    const { yaml, configName, srcTlsVerify, carrySignatures } = state.draft;
    const request = {
      kind: 'export' as const,
      configYaml: yaml,
      configName,
      srcTlsVerify,
      carrySignatures,
      workspace: targetPath(state.target),
      ...(state.archiveSizeBytes === undefined ? {} : { archiveSizeBytes: state.archiveSizeBytes }),
    };
    void call((api) => api.jobs.start(request)).then((r) => dispatch(r.ok ? { type: 'transfer/started', jobId: r.value.jobId } : { type: 'transfer/failed', error: r.error }));
  }, [state, call]);

  // Follow the running job to its end.
  useEffect(() => {
    if (!snapshot || !isFinished(snapshot)) return;
    const action = jobEndAction(state, snapshot);
    if (action) dispatch(action);
  }, [snapshot, state]);

  const openFile = useCallback(() => {
    void call((api) => api.dialogs.openConfigFile()).then((r) => {
      if (r.ok && r.value.kind === 'chosen') dispatch({ type: 'file/opened', file: r.value.file });
    });
  }, [call]);

  const chooseFolder = useCallback(() => {
    if (state.step !== 'media') return;
    const plan = state.plan;
    void call((api) => api.dialogs.chooseFolder('export-target')).then(async (r) => {
      if (!r.ok || r.value.kind !== 'chosen') return;
      const path = r.value.path;
      const space = await call((api) => api.media.freeSpace(path));
      if (!space.ok) return;
      const target = { kind: 'folder' as const, path, freeBytes: space.value.freeBytes, totalBytes: space.value.totalBytes };
      const check = targetCheck(target, plan);
      dispatch({ type: 'media/selected', target, ...(check.archiveSizeBytes === undefined ? {} : { archiveSizeBytes: check.archiveSizeBytes }) });
    });
  }, [state, call]);

  const eject = useCallback(() => {
    if (state.step !== 'done' || state.target.kind !== 'drive') return;
    const id = state.target.drive.id;
    dispatch({ type: 'eject/started' });
    void call((api) => api.drives.eject(id)).then((r) => dispatch(r.ok ? { type: 'eject/finished', poweredOff: r.value.poweredOff } : { type: 'eject/failed', error: r.error }));
  }, [state, call]);

  const saveReceipt = useCallback(() => {
    if (state.step !== 'done') return;
    const setId = state.outcome.setId;
    dispatch({ type: 'receipt/started' });
    void call((api) => api.receipts.save({ kind: 'export', setId })).then((r) => {
      if (!r.ok) dispatch({ type: 'receipt/failed', error: r.error });
      else dispatch(r.value.kind === 'saved' ? { type: 'receipt/saved', path: r.value.path } : { type: 'receipt/cancelled' });
    });
  }, [state, call]);

  const cancel = useCallback(() => {
    if (jobId) void call((api) => api.jobs.cancel(jobId));
  }, [jobId, call]);

  const steps: WizardStepView<ExportWizardState['step']>[] = EXPORT_STEPS.map((id) => ({
    id,
    title: exportStepTitle(id),
    ...(id === state.step && stepFailed(state) ? { status: 'error' as const } : {}),
  }));

  return (
    <WizardFrame
      title="Export"
      steps={steps}
      current={state.step}
      reachable={reachableSteps(state)}
      onNavigate={(step) => dispatch({ type: 'go-to', step })}
      footer={<Footer state={state} dispatch={dispatch} onCancel={cancel} cancelling={snapshot?.status === 'cancelling'} />}
    >
      <StepBody state={state} dispatch={dispatch} snapshot={snapshot} drives={drives} onOpenFile={openFile} onChooseFolder={chooseFolder} onEject={eject} onSaveReceipt={saveReceipt} />
    </WizardFrame>
  );
}

function stepFailed(state: ExportWizardState): boolean {
  return (state.step === 'plan' && state.plan.kind === 'failed') || (state.step === 'transfer' && state.transfer.kind === 'failed');
}

function jobEndAction(state: ExportWizardState, snapshot: NonNullable<ReturnType<typeof useJob>>): ExportAction | undefined {
  if (state.step === 'plan' && state.plan.kind === 'running' && snapshot.jobId === state.plan.jobId) {
    if (snapshot.status === 'succeeded' && snapshot.outcome.kind === 'export-plan') return { type: 'plan/finished', jobId: snapshot.jobId, plan: snapshot.outcome.plan };
    if (snapshot.status === 'failed') return { type: 'plan/failed', error: snapshot.error };
    if (snapshot.status === 'cancelled') return { type: 'plan/failed', error: { code: 'CANCELLED', message: '' } };
  }
  if (state.step === 'transfer' && state.transfer.kind === 'running' && snapshot.jobId === state.transfer.jobId) {
    if (snapshot.status === 'succeeded' && snapshot.outcome.kind === 'export') return { type: 'transfer/finished', jobId: snapshot.jobId, outcome: snapshot.outcome.export };
    if (snapshot.status === 'failed') return { type: 'transfer/failed', jobId: snapshot.jobId, error: snapshot.error };
    if (snapshot.status === 'cancelled') return { type: 'transfer/cancelled', jobId: snapshot.jobId };
  }
  return undefined;
}

interface StepBodyProps {
  readonly state: ExportWizardState;
  readonly dispatch: React.Dispatch<ExportAction>;
  readonly snapshot: ReturnType<typeof useJob>;
  readonly drives: ReturnType<typeof useDrives>;
  readonly onOpenFile: () => void;
  readonly onChooseFolder: () => void;
  readonly onEject: () => void;
  readonly onSaveReceipt: () => void;
}

function StepBody({ state, dispatch, snapshot, drives, onOpenFile, onChooseFolder, onEject, onSaveReceipt }: StepBodyProps) {
  switch (state.step) {
    case 'image-set':
      return <ImageSetStep draft={state.draft} dispatch={dispatch} onOpenFile={onOpenFile} />;
    case 'plan':
      return <PlanStep plan={state.plan} snapshot={snapshot} onRetry={() => dispatch({ type: 'plan/requested' })} />;
    case 'media':
      return (
        <MediaStep
          plan={state.plan}
          target={state.target}
          drives={drives.state}
          onRefresh={drives.refresh}
          onChooseFolder={onChooseFolder}
          onSelect={(target, check) => dispatch({ type: 'media/selected', target, ...(check.archiveSizeBytes === undefined ? {} : { archiveSizeBytes: check.archiveSizeBytes }) })}
        />
      );
    case 'transfer':
      return <TransferStep transfer={state.transfer} target={state.target} snapshot={snapshot} onRetry={() => dispatch({ type: 'transfer/requested' })} />;
    case 'done':
      return <DoneStep outcome={state.outcome} target={state.target} eject={state.eject} receipt={state.receipt} onEject={onEject} onSaveReceipt={onSaveReceipt} />;
    default:
      return assertNever(state);
  }
}

function Footer({ state, dispatch, onCancel, cancelling }: { readonly state: ExportWizardState; readonly dispatch: React.Dispatch<ExportAction>; readonly onCancel: () => void; readonly cancelling: boolean }) {
  const back = <BackButton onBack={() => dispatch({ type: 'back' })} disabled={exportReducer(state, { type: 'back' }) === state} />;
  switch (state.step) {
    case 'image-set':
      return <NextWithBack onNext={() => dispatch({ type: 'plan/requested' })} disabled={!canPlan(state.draft)} />;
    case 'plan':
      return <NextWithBack onNext={() => dispatch({ type: 'media/entered' })} disabled={state.plan.kind !== 'ready' || !canTransfer(state.plan.plan)} back={back} />;
    case 'media': {
      const usable = state.target !== undefined && targetCheck(state.target, state.plan).usable;
      return <NextWithBack label={TRANSFER.start} onNext={() => dispatch({ type: 'transfer/requested' })} disabled={!usable} back={back} />;
    }
    case 'transfer':
      return (
        <RetryOrCancel
          status={state.transfer.kind}
          onRetry={() => dispatch({ type: 'transfer/requested' })}
          onCancel={onCancel}
          cancelling={cancelling}
          cancelLabel={TRANSFER.cancel}
          cancellingLabel={TRANSFER.cancelling}
          back={back}
        />
      );
    case 'done':
      return <StartOver onStartOver={() => dispatch({ type: 'restart' })} />;
    default:
      return assertNever(state);
  }
}
