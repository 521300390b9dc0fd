/**
 * The latest snapshot of one job, as main pushes it (jobs.onUpdate), starting from jobs.get so a
 * component that mounts late still sees where the job is. View state only: main owns the job.
 */
import { useEffect, useState } from 'react';
import { useApi, useCall, type JobSnapshot } from '../api';

export function isFinished(snapshot: JobSnapshot): boolean {
  return snapshot.status === 'succeeded' || snapshot.status === 'failed' || snapshot.status === 'cancelled';
}

export function useJob(jobId: string | undefined): JobSnapshot | undefined {
  const api = useApi();
  const call = useCall();
  const [snapshot, setSnapshot] = useState<JobSnapshot | undefined>(undefined);

  useEffect(() => {
    if (jobId === undefined || api === undefined) return undefined;
    let live = true;
    const off = api.jobs.onUpdate((update) => {
      if (live && update.jobId === jobId) setSnapshot(update);
    });
    void call((a) => a.jobs.get(jobId)).then((result) => {
      // A pushed update may already be newer than this answer; keep it then.
      if (live && result.ok) setSnapshot((current) => (current?.jobId === jobId ? current : result.value));
    });
    return () => {
      live = false;
      off();
    };
  }, [jobId, api, call]);

  return snapshot?.jobId === jobId ? snapshot : undefined;
}
