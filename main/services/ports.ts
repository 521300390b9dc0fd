/**
 * What main needs from the platform, as interfaces: Electron provides them in the app
 * (main/electron-ports.ts), the e2e harness answers them itself. Nothing here imports Electron.
 */
import type { IpcEventChannel, IpcEvents } from '../ipc/contract';

export interface FileFilter {
  readonly name: string;
  readonly extensions: readonly string[];
}

export interface Dialogs {
  /** An existing file; undefined when the operator cancelled. */
  openFile(options: { readonly title: string; readonly filters: readonly FileFilter[] }): Promise<string | undefined>;
  chooseFolder(options: { readonly title: string; readonly create: boolean }): Promise<string | undefined>;
  saveFile(options: { readonly title: string; readonly defaultName: string; readonly filters: readonly FileFilter[] }): Promise<string | undefined>;
}

/** Renders a self-contained HTML document to PDF (Electron: webContents.printToPDF). */
export interface Printer {
  toPdf(html: string): Promise<Uint8Array>;
}

export interface Clipboard {
  writeText(text: string): void;
}

/** Pushes an event to the renderer(s). */
export type Notify = <E extends IpcEventChannel>(channel: E, payload: IpcEvents[E]) => void;
