/**
 * The Import wizard as a reducer over a tagged union of steps: choose a transfer set on the media,
 * verify it completely (any failure stops here), choose the target registry, push, and show the
 * cluster resources. Actions that do not fit the current step leave the state unchanged.
 */
import type { Drive, ImportOutcome, IpcError, MediaScan, TransferSetInfo, VerifyOutcome } from '../api';
import { assertNever } from './assert-never';

export type ImportStepId = 'media' | 'verify' | 'target' | 'push' | 'resources';
export const IMPORT_STEPS: readonly ImportStepId[] = ['media', 'verify', 'target', 'push', 'resources'];

export type MediaSource = { readonly kind: 'drive'; readonly drive: Drive } | { readonly kind: 'folder'; readonly path: string };

export function sourcePath(source: MediaSource): string {
  return source.kind === 'drive' ? source.drive.mountPoint : source.path;
}

export type ScanState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'scanning'; readonly source: MediaSource }
  | { readonly kind: 'scanned'; readonly source: MediaSource; readonly scan: MediaScan }
  | { readonly kind: 'failed'; readonly source: MediaSource; readonly error: IpcError };

export type VerifyState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly jobId: string }
  | { readonly kind: 'passed'; readonly outcome: VerifyOutcome }
  /** The set is damaged or not trusted: the wizard stops here. */
  | { readonly kind: 'rejected'; readonly outcome: VerifyOutcome }
  | { readonly kind: 'failed'; readonly error: IpcError };

export interface TargetForm {
  /** registry[:port][/prefix] */
  readonly registry: string;
  readonly username: string;
  /** Held only while the operator types; cleared once main has it. */
  readonly password: string;
  readonly remember: boolean;
  readonly tlsVerify: boolean;
  readonly caFile?: string;
  /** Push the cosign signatures the set carries (--remove-signatures=false); off by default, as oc-mirror. */
  readonly carrySignatures: boolean;
}

export type ConnectionState =
  | { readonly kind: 'untested' }
  | { readonly kind: 'testing' }
  | { readonly kind: 'ok'; readonly authenticated: boolean }
  | { readonly kind: 'failed'; readonly error: IpcError };

export type PushState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly jobId: string }
  | { readonly kind: 'failed'; readonly error: IpcError; readonly jobId?: string }
  | { readonly kind: 'cancelled'; readonly jobId: string };

export type ImportWizardState =
  | { readonly step: 'media'; readonly scan: ScanState; readonly selected?: TransferSetInfo; readonly acceptUntrusted: boolean }
  | { readonly step: 'verify'; readonly set: TransferSetInfo; readonly acceptUntrusted: boolean; readonly verify: VerifyState }
  | { readonly step: 'target'; readonly set: TransferSetInfo; readonly acceptUntrusted: boolean; readonly verified: VerifyOutcome; readonly target: TargetForm; readonly connection: ConnectionState }
  | { readonly step: 'push'; readonly set: TransferSetInfo; readonly acceptUntrusted: boolean; readonly verified: VerifyOutcome; readonly target: TargetForm; readonly push: PushState }
  | {
      readonly step: 'resources';
      readonly set: TransferSetInfo;
      readonly target: TargetForm;
      readonly jobId: string;
      readonly outcome: ImportOutcome;
      readonly receipt: { readonly kind: 'idle' } | { readonly kind: 'saving' } | { readonly kind: 'saved'; readonly path: string } | { readonly kind: 'failed'; readonly error: IpcError };
    };

export type ImportAction =
  | { readonly type: 'scan/started'; readonly source: MediaSource }
  | { readonly type: 'scan/finished'; readonly source: MediaSource; readonly scan: MediaScan }
  | { readonly type: 'scan/failed'; readonly source: MediaSource; readonly error: IpcError }
  | { readonly type: 'set/selected'; readonly set: TransferSetInfo }
  | { readonly type: 'untrusted/accepted'; readonly accept: boolean }
  | { readonly type: 'verify/requested' }
  | { readonly type: 'verify/started'; readonly jobId: string }
  | { readonly type: 'verify/finished'; readonly outcome: VerifyOutcome }
  | { readonly type: 'verify/failed'; readonly error: IpcError }
  | { readonly type: 'target/entered' }
  | { readonly type: 'target/changed'; readonly target: Partial<TargetForm> }
  /** Not a change of target: the connection test stays valid. */
  | { readonly type: 'signatures/changed'; readonly carry: boolean }
  | { readonly type: 'connection/testing' }
  | { readonly type: 'connection/tested'; readonly authenticated: boolean }
  | { readonly type: 'connection/failed'; readonly error: IpcError }
  | { readonly type: 'credentials/stored' }
  | { readonly type: 'push/requested' }
  | { readonly type: 'push/started'; readonly jobId: string }
  | { readonly type: 'push/finished'; readonly jobId: string; readonly outcome: ImportOutcome }
  | { readonly type: 'push/failed'; readonly error: IpcError; readonly jobId?: string }
  | { readonly type: 'push/cancelled'; readonly jobId: string }
  | { readonly type: 'receipt/started' }
  | { readonly type: 'receipt/saved'; readonly path: string }
  | { readonly type: 'receipt/failed'; readonly error: IpcError }
  | { readonly type: 'receipt/cancelled' }
  | { readonly type: 'back' }
  | { readonly type: 'restart' };

export const EMPTY_TARGET: TargetForm = { registry: '', username: '', password: '', remember: false, tlsVerify: true, carrySignatures: false };

export function initialImportState(): ImportWizardState {
  return { step: 'media', scan: { kind: 'idle' }, acceptUntrusted: false };
}

/** A set can go to verification when it is complete and trusted, or the operator accepted it untrusted. */
export function canVerify(set: TransferSetInfo | undefined, acceptUntrusted: boolean): boolean {
  return set !== undefined && set.complete && (set.signature.trusted || acceptUntrusted);
}

const TARGET_PATTERN = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[a-z0-9]+([._/-][a-z0-9]+)*)?$/;

export function isValidTarget(registry: string): boolean {
  return TARGET_PATTERN.test(registry.trim());
}

/** A verification passes when nothing is wrong with the set and its signature is trusted or accepted. */
export function verificationPassed(outcome: VerifyOutcome, acceptUntrusted: boolean): boolean {
  return outcome.ok && outcome.problems.length === 0 && (outcome.signature.trusted || acceptUntrusted);
}

export function importReducer(state: ImportWizardState, action: ImportAction): ImportWizardState {
  switch (action.type) {
    case 'scan/started':
      return state.step === 'media' ? { step: 'media', scan: { kind: 'scanning', source: action.source }, acceptUntrusted: false } : state;
    case 'scan/finished': {
      if (state.step !== 'media' || state.scan.kind !== 'scanning' || sourcePath(state.scan.source) !== sourcePath(action.source)) return state;
      const only = action.scan.sets.length === 1 ? action.scan.sets[0] : undefined;
      return { step: 'media', scan: { kind: 'scanned', source: action.source, scan: action.scan }, acceptUntrusted: false, ...(only ? { selected: only } : {}) };
    }
    case 'scan/failed':
      return state.step === 'media' ? { step: 'media', scan: { kind: 'failed', source: action.source, error: action.error }, acceptUntrusted: false } : state;
    case 'set/selected':
      return state.step === 'media' ? { ...state, selected: action.set, acceptUntrusted: false } : state;
    case 'untrusted/accepted':
      return state.step === 'media' ? { ...state, acceptUntrusted: action.accept } : state;

    case 'verify/requested':
      if (state.step === 'media' && state.selected && canVerify(state.selected, state.acceptUntrusted)) {
        return { step: 'verify', set: state.selected, acceptUntrusted: state.acceptUntrusted, verify: { kind: 'starting' } };
      }
      if (state.step === 'verify' && state.verify.kind === 'failed') return { ...state, verify: { kind: 'starting' } };
      return state;
    case 'verify/started':
      return state.step === 'verify' && state.verify.kind === 'starting' ? { ...state, verify: { kind: 'running', jobId: action.jobId } } : state;
    case 'verify/finished':
      if (state.step !== 'verify') return state;
      return { ...state, verify: verificationPassed(action.outcome, state.acceptUntrusted) ? { kind: 'passed', outcome: action.outcome } : { kind: 'rejected', outcome: action.outcome } };
    case 'verify/failed':
      return state.step === 'verify' ? { ...state, verify: { kind: 'failed', error: action.error } } : state;

    case 'target/entered':
      if (state.step !== 'verify' || state.verify.kind !== 'passed') return state;
      return { step: 'target', set: state.set, acceptUntrusted: state.acceptUntrusted, verified: state.verify.outcome, target: EMPTY_TARGET, connection: { kind: 'untested' } };
    case 'target/changed':
      return state.step === 'target' ? { ...state, target: { ...state.target, ...action.target }, connection: { kind: 'untested' } } : state;
    case 'signatures/changed':
      return state.step === 'target' ? { ...state, target: { ...state.target, carrySignatures: action.carry } } : state;
    case 'connection/testing':
      return state.step === 'target' ? { ...state, connection: { kind: 'testing' } } : state;
    case 'connection/tested':
      return state.step === 'target' ? { ...state, connection: { kind: 'ok', authenticated: action.authenticated } } : state;
    case 'connection/failed':
      return state.step === 'target' ? { ...state, connection: { kind: 'failed', error: action.error } } : state;
    case 'credentials/stored':
      return state.step === 'target' ? { ...state, target: { ...state.target, password: '' } } : state;

    case 'push/requested':
      if (state.step === 'target' && isValidTarget(state.target.registry) && state.target.password === '') {
        return { step: 'push', set: state.set, acceptUntrusted: state.acceptUntrusted, verified: state.verified, target: state.target, push: { kind: 'starting' } };
      }
      if (state.step === 'push' && (state.push.kind === 'failed' || state.push.kind === 'cancelled')) return { ...state, push: { kind: 'starting' } };
      return state;
    case 'push/started':
      return state.step === 'push' && state.push.kind === 'starting' ? { ...state, push: { kind: 'running', jobId: action.jobId } } : state;
    case 'push/finished':
      if (state.step !== 'push' || state.push.kind !== 'running' || state.push.jobId !== action.jobId) return state;
      return { step: 'resources', set: state.set, target: state.target, jobId: action.jobId, outcome: action.outcome, receipt: { kind: 'idle' } };
    case 'push/failed':
      return state.step === 'push' ? { ...state, push: { kind: 'failed', error: action.error, ...(action.jobId === undefined ? {} : { jobId: action.jobId }) } } : state;
    case 'push/cancelled':
      return state.step === 'push' ? { ...state, push: { kind: 'cancelled', jobId: action.jobId } } : state;

    case 'receipt/started':
      return state.step === 'resources' ? { ...state, receipt: { kind: 'saving' } } : state;
    case 'receipt/saved':
      return state.step === 'resources' ? { ...state, receipt: { kind: 'saved', path: action.path } } : state;
    case 'receipt/failed':
      return state.step === 'resources' ? { ...state, receipt: { kind: 'failed', error: action.error } } : state;
    case 'receipt/cancelled':
      return state.step === 'resources' ? { ...state, receipt: { kind: 'idle' } } : state;

    case 'back':
      return back(state);
    case 'restart':
      return initialImportState();
    default:
      return assertNever(action);
  }
}

function back(state: ImportWizardState): ImportWizardState {
  switch (state.step) {
    case 'media':
      return state;
    case 'verify':
      return state.verify.kind === 'running' || state.verify.kind === 'starting' ? state : { step: 'media', scan: { kind: 'idle' }, selected: state.set, acceptUntrusted: state.acceptUntrusted };
    case 'target':
      return { step: 'media', scan: { kind: 'idle' }, selected: state.set, acceptUntrusted: state.acceptUntrusted };
    case 'push':
      return state.push.kind === 'failed' || state.push.kind === 'cancelled'
        ? { step: 'target', set: state.set, acceptUntrusted: state.acceptUntrusted, verified: state.verified, target: state.target, connection: { kind: 'untested' } }
        : state;
    case 'resources':
      return state;
    default:
      return assertNever(state);
  }
}
