import { isAppUrl } from '../app-scheme';

/**
 * Only frames showing our own app://airlock pages may call into main. A frame that navigated
 * elsewhere (or was destroyed, leaving no URL) is refused.
 */
export function isTrustedSender(senderFrameUrl: string | null | undefined): boolean {
  return typeof senderFrameUrl === 'string' && isAppUrl(senderFrameUrl);
}
