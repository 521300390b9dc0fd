/** The removable drives main reports, refreshed when main pushes a change. */
import { useCallback, useEffect, useState } from 'react';
import { useApi, useCall, type Drive, type IpcError } from '../api';

export type DrivesState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly drives: readonly Drive[] }
  | { readonly kind: 'failed'; readonly error: IpcError };

export function useDrives(): { readonly state: DrivesState; readonly refresh: () => void } {
  const api = useApi();
  const call = useCall();
  const [state, setState] = useState<DrivesState>({ kind: 'loading' });

  const refresh = useCallback(() => {
    void call((a) => a.drives.list()).then((result) => setState(result.ok ? { kind: 'ready', drives: result.value } : { kind: 'failed', error: result.error }));
  }, [call]);

  useEffect(() => {
    refresh();
    if (api === undefined) return undefined;
    return api.drives.onChange((drives) => setState({ kind: 'ready', drives }));
  }, [api, refresh]);

  return { state, refresh };
}
