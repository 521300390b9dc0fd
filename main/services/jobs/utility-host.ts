/**
 * The app's job host: each job in its own Electron utilityProcess (a Node child process Electron
 * manages, which reads from the asar archive and runs better-sqlite3 built for Electron). Not
 * loadable under plain Node; main/main.ts picks it, tests use workerThreadHost.
 */
import { utilityProcess } from 'electron';
import { jobWorkerFile, type JobHost } from './host';
import type { FromWorker } from './protocol';

export function utilityProcessHost(file: string = jobWorkerFile()): JobHost {
  return {
    spawn() {
      const child = utilityProcess.fork(file, [], { serviceName: 'Airlock job', stdio: 'inherit' });
      return {
        post: (message) => child.postMessage(message),
        onMessage: (listener) => child.on('message', (message: unknown) => listener(message as FromWorker)),
        onExit: (listener) => child.on('exit', (code) => listener(code)),
        terminate: async () => {
          if (child.pid === undefined) return;
          await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill();
          });
        },
      };
    },
  };
}
