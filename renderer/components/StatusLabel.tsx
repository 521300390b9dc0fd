import { Label } from '@patternfly/react-core';
import { imageStatusText } from '../messages';

const STATUS: Readonly<Record<string, 'success' | 'danger' | 'warning' | 'info' | undefined>> = {
  ok: 'success',
  pushed: 'success',
  pulled: 'success',
  resolved: 'info',
  complete: 'success',
  partial: 'warning',
  skipped: 'info',
  failed: 'danger',
  blocked: 'warning',
};

export function StatusLabel({ status, text }: { readonly status: string; readonly text?: string }) {
  const s = STATUS[status];
  return (
    <Label isCompact {...(s ? { status: s } : { color: 'grey' as const })}>
      {text ?? imageStatusText(status)}
    </Label>
  );
}
