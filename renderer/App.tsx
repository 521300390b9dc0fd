import { useEffect, useState } from 'react';
import { call, type IpcError } from './api';
import { SECTIONS, assertNever, errorText, sectionSummary, sectionTitle, type Section } from './messages';

type VersionState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly version: string }
  | { readonly kind: 'failed'; readonly error: IpcError };

function useVersion(): VersionState {
  const [state, setState] = useState<VersionState>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    void call((api) => api.app.version()).then((result) => {
      if (!live) return;
      setState(result.ok ? { kind: 'ready', version: result.value.airlock } : { kind: 'failed', error: result.error });
    });
    return () => {
      live = false;
    };
  }, []);
  return state;
}

function VersionBadge({ state }: { readonly state: VersionState }) {
  switch (state.kind) {
    case 'loading':
      return <span className="version">…</span>;
    case 'ready':
      return <span className="version">v{state.version}</span>;
    case 'failed':
      return (
        <span className="version version-failed" title={errorText(state.error)}>
          version unavailable
        </span>
      );
    default:
      return assertNever(state);
  }
}

export function App() {
  const [section, setSection] = useState<Section>('export');
  const version = useVersion();

  return (
    <div className="shell">
      <header className="shell-header">
        <h1>Airlock</h1>
        <VersionBadge state={version} />
      </header>
      <nav className="shell-nav" aria-label="Sections">
        {SECTIONS.map((s) => (
          <button
            key={s}
            type="button"
            aria-current={s === section ? 'page' : undefined}
            onClick={() => setSection(s)}
          >
            {sectionTitle(s)}
          </button>
        ))}
      </nav>
      <main className="shell-main">
        <h2>{sectionTitle(section)}</h2>
        <p>{sectionSummary(section)}</p>
      </main>
    </div>
  );
}
