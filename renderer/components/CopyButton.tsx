import { useState } from 'react';
import { Button } from '@patternfly/react-core';
import { CopyIcon } from '@patternfly/react-icons';
import { useCall } from '../api';
import { COMMON } from '../messages';

/** Copies through main (the page has no clipboard permission) and says so. */
export function CopyButton({ text, label, variant = 'secondary' }: { readonly text: string; readonly label: string; readonly variant?: 'secondary' | 'link' | 'plain' }) {
  const call = useCall();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant={variant}
      icon={<CopyIcon />}
      aria-label={variant === 'plain' ? label : undefined}
      onClick={() => {
        void call((api) => api.clipboard.write(text)).then((r) => setCopied(r.ok));
      }}
    >
      {variant === 'plain' ? null : copied ? COMMON.copied : label}
    </Button>
  );
}
