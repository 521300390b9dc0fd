/**
 * Typed access to window.airlock, the only way the renderer reaches main. Types come from the IPC
 * contract as type-only imports; nothing from main/ or src/ is bundled into the renderer. Components
 * take the API from context, so tests hand them a scripted one.
 */
import { createContext, useCallback, useContext } from 'react';
import type { AirlockApi, Result } from '../main/ipc/contract';

export type {
  AirlockApi,
  AppInfo,
  CatalogPackageView,
  CatalogSummaryView,
  ClusterResourceFile,
  ClusterResourceText,
  ConfigFile,
  ConfigProblemView,
  ConfigValidation,
  CredentialView,
  Drive,
  ExportOutcome,
  ExportPlan,
  HistoryDetail,
  HistoryEntry,
  HistoryFilter,
  HistoryKind,
  ImageBytes,
  ImageProgress,
  ImportOutcome,
  IpcError,
  JobOutcome,
  JobProgress,
  JobRequest,
  JobSnapshot,
  MediaScan,
  PlanImage,
  ReleaseChannelOffer,
  Result,
  Saved,
  Settings,
  SettingsPatch,
  SignatureStatus,
  StationKeyView,
  TransferSetInfo,
  TrustedKeyView,
  VerifyOutcome,
  VerifyProblemView,
} from '../main/ipc/contract';

declare global {
  interface Window {
    /** Set by main/preload; absent when the page is opened outside Airlock (e.g. in a plain browser). */
    readonly airlock?: AirlockApi;
  }
}

export function airlock(): AirlockApi {
  if (window.airlock === undefined) {
    throw new Error('window.airlock is missing: the page is not running inside Airlock');
  }
  return window.airlock;
}

/** Calls into main and folds a missing bridge or a rejected invoke into the same Result envelope. */
export async function call<T>(verb: (api: AirlockApi) => Promise<Result<T>>, api?: AirlockApi): Promise<Result<T>> {
  try {
    return await verb(api ?? airlock());
  } catch (err) {
    return {
      ok: false,
      error: { code: 'IPC_UNAVAILABLE', message: err instanceof Error ? err.message : String(err) },
    };
  }
}

/** The API components use; undefined means window.airlock. */
export const ApiContext = createContext<AirlockApi | undefined>(undefined);

export type Caller = <T>(verb: (api: AirlockApi) => Promise<Result<T>>) => Promise<Result<T>>;

/** A call function bound to the API in context (stable across renders). */
export function useCall(): Caller {
  const api = useContext(ApiContext);
  return useCallback<Caller>((verb) => call(verb, api), [api]);
}

/** Subscriptions (jobs.onUpdate, drives.onChange) need the API object itself. */
export function useApi(): AirlockApi | undefined {
  const api = useContext(ApiContext);
  if (api) return api;
  return typeof window !== 'undefined' ? window.airlock : undefined;
}
