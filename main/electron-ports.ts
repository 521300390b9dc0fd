/**
 * The platform ports of main/services/ports.ts, implemented with Electron: native dialogs, PDF
 * printing in a hidden sandboxed window with JavaScript off, the clipboard, and safeStorage.
 */
import { BrowserWindow, clipboard, dialog, safeStorage } from 'electron';
import type { SecretCipher } from './services/credentials';
import type { Clipboard, Dialogs, Printer } from './services/ports';

function parent(): BrowserWindow | undefined {
  return BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
}

export const electronDialogs: Dialogs = {
  async openFile({ title, filters }) {
    const options = { title, properties: ['openFile' as const], filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) };
    const window = parent();
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return result.canceled ? undefined : result.filePaths[0];
  },
  async chooseFolder({ title, create }) {
    const properties: Array<'openDirectory' | 'createDirectory'> = create ? ['openDirectory', 'createDirectory'] : ['openDirectory'];
    const window = parent();
    const result = window ? await dialog.showOpenDialog(window, { title, properties }) : await dialog.showOpenDialog({ title, properties });
    return result.canceled ? undefined : result.filePaths[0];
  },
  async saveFile({ title, defaultName, filters }) {
    const options = { title, defaultPath: defaultName, filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })) };
    const window = parent();
    const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    return result.canceled ? undefined : result.filePath;
  },
};

export const electronPrinter: Printer = {
  async toPdf(html) {
    const window = new BrowserWindow({
      show: false,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true },
    });
    try {
      await window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
      return await window.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
    } finally {
      window.destroy();
    }
  },
};

export const electronClipboard: Clipboard = {
  writeText: (text) => clipboard.writeText(text),
};

/**
 * safeStorage as a SecretCipher. On Linux without a keyring Electron falls back to "basic_text",
 * which is not encryption; credentials are then kept for the session only.
 */
export const safeStorageCipher: SecretCipher = {
  isAvailable() {
    if (!safeStorage.isEncryptionAvailable()) return false;
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
    return true;
  },
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (data) => safeStorage.decryptString(data),
};
