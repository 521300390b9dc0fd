/**
 * The Export wizard as a reducer over a tagged union of steps. Each step's state carries what the
 * steps before it settled (the configuration, the plan, the target), so a later step can never be
 * shown without them. Actions that make no sense in the current step leave the state unchanged.
 */
import type { ConfigFile, ConfigProblemView, ConfigValidation, Drive, ExportOutcome, ExportPlan, IpcError } from '../api';
import { assertNever } from './assert-never';
import { DEFAULT_CONFIG_NAME, EMPTY_FORM, formToYaml, yamlToForm, type ImageSetForm } from './image-set-form';

export type ExportStepId = 'image-set' | 'plan' | 'media' | 'transfer' | 'done';
export const EXPORT_STEPS: readonly ExportStepId[] = ['image-set', 'plan', 'media', 'transfer', 'done'];

export type Validation =
  | { readonly kind: 'idle' }
  | { readonly kind: 'checking'; readonly revision: number }
  | { readonly kind: 'valid'; readonly summary: Extract<ConfigValidation, { valid: true }> }
  | { readonly kind: 'invalid'; readonly problems: readonly ConfigProblemView[] }
  | { readonly kind: 'error'; readonly error: IpcError };

export interface ImageSetDraft {
  readonly form: ImageSetForm;
  readonly yaml: string;
  /** False when the YAML holds more than the form can show; the form is then read-only. */
  readonly formInSync: boolean;
  readonly configName: string;
  /** The file the configuration was opened from, if any. */
  readonly openedFrom?: string;
  readonly srcTlsVerify: boolean;
  /**
   * Carry each image's cosign signatures (oc-mirror's --remove-signatures=false). Off by default,
   * as in oc-mirror; the import has to ask for them too.
   */
  readonly carrySignatures: boolean;
  /** Increases with every edit; a validation answer for an older revision is dropped. */
  readonly revision: number;
  readonly validation: Validation;
}

export type MediaTarget =
  | { readonly kind: 'drive'; readonly drive: Drive }
  | { readonly kind: 'folder'; readonly path: string; readonly freeBytes: number; readonly totalBytes: number };

export function targetPath(target: MediaTarget): string {
  return target.kind === 'drive' ? target.drive.mountPoint : target.path;
}

export type PlanState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly jobId: string }
  | { readonly kind: 'ready'; readonly jobId: string; readonly plan: ExportPlan }
  | { readonly kind: 'failed'; readonly error: IpcError };

export type TransferState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly jobId: string }
  | { readonly kind: 'failed'; readonly error: IpcError; readonly jobId?: string }
  | { readonly kind: 'cancelled'; readonly jobId: string };

export type EjectState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'ejecting' }
  | { readonly kind: 'ejected'; readonly poweredOff: boolean }
  | { readonly kind: 'failed'; readonly error: IpcError };

export type ReceiptState = { readonly kind: 'idle' } | { readonly kind: 'saving' } | { readonly kind: 'saved'; readonly path: string } | { readonly kind: 'failed'; readonly error: IpcError };

export type ExportWizardState =
  | { readonly step: 'image-set'; readonly draft: ImageSetDraft }
  | { readonly step: 'plan'; readonly draft: ImageSetDraft; readonly plan: PlanState }
  | {
      readonly step: 'media';
      readonly draft: ImageSetDraft;
      readonly plan: ExportPlan;
      readonly planJobId: string;
      readonly target?: MediaTarget;
      readonly archiveSizeBytes?: number;
    }
  | {
      readonly step: 'transfer';
      readonly draft: ImageSetDraft;
      readonly plan: ExportPlan;
      readonly planJobId: string;
      readonly target: MediaTarget;
      readonly archiveSizeBytes?: number;
      readonly transfer: TransferState;
    }
  | {
      readonly step: 'done';
      readonly draft: ImageSetDraft;
      readonly plan: ExportPlan;
      readonly target: MediaTarget;
      readonly jobId: string;
      readonly outcome: ExportOutcome;
      readonly eject: EjectState;
      readonly receipt: ReceiptState;
    };

export type ExportAction =
  | { readonly type: 'form/changed'; readonly form: ImageSetForm }
  | { readonly type: 'yaml/changed'; readonly yaml: string }
  | { readonly type: 'file/opened'; readonly file: ConfigFile }
  | { readonly type: 'tls/changed'; readonly verify: boolean }
  | { readonly type: 'signatures/changed'; readonly carry: boolean }
  | { readonly type: 'validation/started'; readonly revision: number }
  | { readonly type: 'validation/finished'; readonly revision: number; readonly result: ConfigValidation }
  | { readonly type: 'validation/failed'; readonly revision: number; readonly error: IpcError }
  | { readonly type: 'plan/requested' }
  | { readonly type: 'plan/started'; readonly jobId: string }
  | { readonly type: 'plan/finished'; readonly jobId: string; readonly plan: ExportPlan }
  | { readonly type: 'plan/failed'; readonly error: IpcError }
  | { readonly type: 'media/entered' }
  | { readonly type: 'media/selected'; readonly target: MediaTarget; readonly archiveSizeBytes?: number }
  | { readonly type: 'transfer/requested' }
  | { readonly type: 'transfer/started'; readonly jobId: string }
  | { readonly type: 'transfer/finished'; readonly jobId: string; readonly outcome: ExportOutcome }
  | { readonly type: 'transfer/failed'; readonly error: IpcError; readonly jobId?: string }
  | { readonly type: 'transfer/cancelled'; readonly jobId: string }
  | { readonly type: 'eject/started' }
  | { readonly type: 'eject/finished'; readonly poweredOff: boolean }
  | { readonly type: 'eject/failed'; readonly error: IpcError }
  | { readonly type: 'receipt/started' }
  | { readonly type: 'receipt/saved'; readonly path: string }
  | { readonly type: 'receipt/failed'; readonly error: IpcError }
  | { readonly type: 'receipt/cancelled' }
  | { readonly type: 'back' }
  | { readonly type: 'go-to'; readonly step: ExportStepId }
  | { readonly type: 'restart' };

export function initialDraft(srcTlsVerify = true, carrySignatures = false): ImageSetDraft {
  return { form: EMPTY_FORM, yaml: formToYaml(EMPTY_FORM), formInSync: true, configName: DEFAULT_CONFIG_NAME, srcTlsVerify, carrySignatures, revision: 0, validation: { kind: 'idle' } };
}

export function initialExportState(): ExportWizardState {
  return { step: 'image-set', draft: initialDraft() };
}

/** The configuration may be planned: valid, something to mirror, nothing Airlock cannot carry yet. */
/** A plan is worth writing when at least one image resolved. */
export function canTransfer(plan: ExportPlan): boolean {
  return plan.images.some((i) => i.status === 'ok');
}

/** Additional images, an operator catalog or a release channel: something for the plan to resolve. */
export function hasSomethingToMirror(summary: Extract<ConfigValidation, { valid: true }>): boolean {
  return summary.additionalImages.length > 0 || (summary.operatorCatalogs ?? 0) > 0 || (summary.releaseChannels ?? 0) > 0;
}

export function canPlan(draft: ImageSetDraft): boolean {
  const v = draft.validation;
  return v.kind === 'valid' && hasSomethingToMirror(v.summary) && v.summary.unsupported.length === 0;
}

function edited(draft: ImageSetDraft, change: Partial<ImageSetDraft>): ImageSetDraft {
  return { ...draft, ...change, revision: draft.revision + 1, validation: { kind: 'idle' } };
}

function reduceDraft(draft: ImageSetDraft, action: ExportAction): ImageSetDraft {
  switch (action.type) {
    case 'form/changed':
      if (!draft.formInSync) return draft;
      return edited(draft, { form: action.form, yaml: formToYaml(action.form) });
    case 'yaml/changed': {
      const parsed = yamlToForm(action.yaml);
      return edited(draft, { yaml: action.yaml, ...(parsed.kind === 'form' ? { form: parsed.form, formInSync: true } : { formInSync: false }) });
    }
    case 'file/opened': {
      const parsed = yamlToForm(action.file.text);
      return edited(draft, {
        yaml: action.file.text,
        configName: action.file.name,
        openedFrom: action.file.path,
        ...(parsed.kind === 'form' ? { form: parsed.form, formInSync: true } : { formInSync: false }),
      });
    }
    case 'tls/changed':
      return { ...draft, srcTlsVerify: action.verify };
    case 'signatures/changed':
      return { ...draft, carrySignatures: action.carry };
    case 'validation/started':
      return action.revision === draft.revision ? { ...draft, validation: { kind: 'checking', revision: action.revision } } : draft;
    case 'validation/finished':
      if (action.revision !== draft.revision) return draft;
      return { ...draft, validation: action.result.valid ? { kind: 'valid', summary: action.result } : { kind: 'invalid', problems: action.result.problems } };
    case 'validation/failed':
      return action.revision === draft.revision ? { ...draft, validation: { kind: 'error', error: action.error } } : draft;
    default:
      return draft;
  }
}

export function exportReducer(state: ExportWizardState, action: ExportAction): ExportWizardState {
  switch (action.type) {
    case 'form/changed':
    case 'yaml/changed':
    case 'file/opened':
    case 'tls/changed':
    case 'signatures/changed':
    case 'validation/started':
    case 'validation/finished':
    case 'validation/failed':
      if (state.step !== 'image-set') return state;
      return reduceDraft(state.draft, action) === state.draft ? state : { ...state, draft: reduceDraft(state.draft, action) };

    case 'plan/requested':
      if (state.step === 'image-set' && canPlan(state.draft)) return { step: 'plan', draft: state.draft, plan: { kind: 'starting' } };
      if (state.step === 'plan' && state.plan.kind === 'failed') return { ...state, plan: { kind: 'starting' } };
      return state;
    case 'plan/started':
      return state.step === 'plan' && state.plan.kind === 'starting' ? { ...state, plan: { kind: 'running', jobId: action.jobId } } : state;
    case 'plan/finished':
      return state.step === 'plan' && state.plan.kind === 'running' && state.plan.jobId === action.jobId
        ? { ...state, plan: { kind: 'ready', jobId: action.jobId, plan: action.plan } }
        : state;
    case 'plan/failed':
      return state.step === 'plan' ? { ...state, plan: { kind: 'failed', error: action.error } } : state;

    case 'media/entered':
      return state.step === 'plan' && state.plan.kind === 'ready' && canTransfer(state.plan.plan) ? { step: 'media', draft: state.draft, plan: state.plan.plan, planJobId: state.plan.jobId } : state;
    case 'media/selected':
      if (state.step !== 'media') return state;
      return {
        step: 'media',
        draft: state.draft,
        plan: state.plan,
        planJobId: state.planJobId,
        target: action.target,
        ...(action.archiveSizeBytes === undefined ? {} : { archiveSizeBytes: action.archiveSizeBytes }),
      };

    case 'transfer/requested':
      if (state.step === 'media' && state.target) {
        return {
          step: 'transfer',
          draft: state.draft,
          plan: state.plan,
          planJobId: state.planJobId,
          target: state.target,
          ...(state.archiveSizeBytes === undefined ? {} : { archiveSizeBytes: state.archiveSizeBytes }),
          transfer: { kind: 'starting' },
        };
      }
      if (state.step === 'transfer' && (state.transfer.kind === 'failed' || state.transfer.kind === 'cancelled')) return { ...state, transfer: { kind: 'starting' } };
      return state;
    case 'transfer/started':
      return state.step === 'transfer' && state.transfer.kind === 'starting' ? { ...state, transfer: { kind: 'running', jobId: action.jobId } } : state;
    case 'transfer/finished':
      if (state.step !== 'transfer' || state.transfer.kind !== 'running' || state.transfer.jobId !== action.jobId) return state;
      return { step: 'done', draft: state.draft, plan: state.plan, target: state.target, jobId: action.jobId, outcome: action.outcome, eject: { kind: 'idle' }, receipt: { kind: 'idle' } };
    case 'transfer/failed':
      return state.step === 'transfer' ? { ...state, transfer: { kind: 'failed', error: action.error, ...(action.jobId === undefined ? {} : { jobId: action.jobId }) } } : state;
    case 'transfer/cancelled':
      return state.step === 'transfer' ? { ...state, transfer: { kind: 'cancelled', jobId: action.jobId } } : state;

    case 'eject/started':
      return state.step === 'done' && state.target.kind === 'drive' && state.eject.kind !== 'ejecting' ? { ...state, eject: { kind: 'ejecting' } } : state;
    case 'eject/finished':
      return state.step === 'done' ? { ...state, eject: { kind: 'ejected', poweredOff: action.poweredOff } } : state;
    case 'eject/failed':
      return state.step === 'done' ? { ...state, eject: { kind: 'failed', error: action.error } } : state;

    case 'receipt/started':
      return state.step === 'done' ? { ...state, receipt: { kind: 'saving' } } : state;
    case 'receipt/saved':
      return state.step === 'done' ? { ...state, receipt: { kind: 'saved', path: action.path } } : state;
    case 'receipt/failed':
      return state.step === 'done' ? { ...state, receipt: { kind: 'failed', error: action.error } } : state;
    case 'receipt/cancelled':
      return state.step === 'done' ? { ...state, receipt: { kind: 'idle' } } : state;

    case 'back':
      return back(state);
    case 'go-to':
      return goTo(state, action.step);
    case 'restart':
      return { step: 'image-set', draft: initialDraft(state.draft.srcTlsVerify, state.draft.carrySignatures) };
    default:
      return assertNever(action);
  }
}

/** Back is allowed except while something is being written, and never out of "done". */
function back(state: ExportWizardState): ExportWizardState {
  switch (state.step) {
    case 'image-set':
      return state;
    case 'plan':
      return state.plan.kind === 'failed' || state.plan.kind === 'ready' ? { step: 'image-set', draft: state.draft } : state;
    case 'media':
      return { step: 'plan', draft: state.draft, plan: { kind: 'ready', jobId: state.planJobId, plan: state.plan } };
    case 'transfer':
      return state.transfer.kind === 'failed' || state.transfer.kind === 'cancelled'
        ? { step: 'media', draft: state.draft, plan: state.plan, planJobId: state.planJobId, target: state.target }
        : state;
    case 'done':
      return state;
    default:
      return assertNever(state);
  }
}

/** Only earlier steps can be jumped to from the navigation, by going back one step at a time. */
function goTo(state: ExportWizardState, step: ExportStepId): ExportWizardState {
  let current = state;
  while (stepIndex(current.step) > stepIndex(step)) {
    const previous = back(current);
    if (previous === current) return state;
    current = previous;
  }
  return current.step === step ? current : state;
}

export function stepIndex(step: ExportStepId): number {
  return EXPORT_STEPS.indexOf(step);
}

/** Which steps the navigation may jump to from here. */
export function reachableSteps(state: ExportWizardState): ReadonlySet<ExportStepId> {
  const reachable = new Set<ExportStepId>([state.step]);
  for (const step of EXPORT_STEPS) if (goTo(state, step) !== state) reachable.add(step);
  return reachable;
}
