/**
 * Security restrictions for every web contents: hardened webPreferences, navigation only inside
 * app://airlock, no new windows, permissions denied unless allow-listed. Electron objects come in
 * as parameters and electron is imported for types only, so this module loads under plain Node.
 */
import type { Session, WebContents, WebPreferences } from 'electron';
import { isAppUrl } from './app-scheme';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
  };
}

/** The renderer may only navigate within the app origin. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** Permissions the app origin may use. Empty: nothing Airlock shows needs camera, notifications, etc. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>();

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isNavigationAllowed(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isNavigationAllowed(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin),
  );
}
