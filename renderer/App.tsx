import { useEffect, useState } from 'react';
import {
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSection,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  SkipToContent,
  Title,
} from '@patternfly/react-core';
import { useCall, type IpcError } from './api';
import { APP, SECTIONS, assertNever, errorText, sectionSummary, sectionTitle, type Section } from './messages';
import { HistoryPage } from './pages/HistoryPage';
import { SettingsPage } from './pages/SettingsPage';
import { VerifyPage } from './pages/VerifyPage';
import { ExportWizard } from './wizards/export/ExportWizard';
import { ImportWizard } from './wizards/import/ImportWizard';

type VersionState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly version: string }
  | { readonly kind: 'failed'; readonly error: IpcError };

function useVersion(): VersionState {
  const call = useCall();
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
  }, [call]);
  return state;
}

function VersionBadge({ state }: { readonly state: VersionState }) {
  switch (state.kind) {
    case 'loading':
      return <span className="airlock-version">…</span>;
    case 'ready':
      return <span className="airlock-version">v{state.version}</span>;
    case 'failed':
      return (
        <span className="airlock-version airlock-version-failed" title={errorText(state.error)}>
          {APP.versionUnavailable}
        </span>
      );
    default:
      return assertNever(state);
  }
}

const MAIN_ID = 'airlock-main';

function WizardSection({ section, active, children }: { readonly section: Section; readonly active: boolean; readonly children: React.ReactNode }) {
  // The wizards stay mounted while another section is shown, so a running transfer keeps its place.
  return (
    <div hidden={!active} className="airlock-wizard-section">
      <PageSection variant="default" className="airlock-section-header">
        <Title headingLevel="h1">{sectionTitle(section)}</Title>
        <p className="airlock-muted">{sectionSummary(section)}</p>
      </PageSection>
      <PageSection isFilled padding={{ default: 'noPadding' }} className="airlock-wizard-host">
        {children}
      </PageSection>
    </div>
  );
}

export function App() {
  const [section, setSection] = useState<Section>('export');
  const [navOpen, setNavOpen] = useState(true);
  const version = useVersion();

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label={APP.navLabel} isSidebarOpen={navOpen} onSidebarToggle={() => setNavOpen(!navOpen)} />
        </MastheadToggle>
        <MastheadBrand>
          <span className="airlock-brand">
            <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" className="airlock-logo">
              <rect x="3" y="6" width="26" height="20" rx="3" fill="none" stroke="currentColor" strokeWidth="2.5" />
              <path d="M16 6v20M9 16h4M19 16h4" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
            </svg>
            <span className="airlock-brand-name">{APP.name}</span>
          </span>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <span className="airlock-tagline">{APP.tagline}</span>
        <VersionBadge state={version} />
      </MastheadContent>
    </Masthead>
  );

  const sidebar = (
    <PageSidebar isSidebarOpen={navOpen}>
      <PageSidebarBody>
        <Nav aria-label={APP.navLabel} onSelect={(_e, item) => setSection(item.itemId as Section)}>
          <NavList>
            {SECTIONS.map((s) => (
              <NavItem key={s} itemId={s} isActive={s === section} preventDefault to={`#${s}`}>
                {sectionTitle(s)}
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  return (
    <Page
      masthead={masthead}
      sidebar={sidebar}
      className="airlock-shell"
      mainContainerId={MAIN_ID}
      skipToContent={<SkipToContent href={`#${MAIN_ID}`}>{APP.skipToContent}</SkipToContent>}
    >
      <WizardSection section="export" active={section === 'export'}>
        <ExportWizard />
      </WizardSection>
      <WizardSection section="import" active={section === 'import'}>
        <ImportWizard />
      </WizardSection>
      {section === 'verify' ? <VerifyPage /> : null}
      {section === 'history' ? <HistoryPage /> : null}
      {section === 'settings' ? <SettingsPage /> : null}
    </Page>
  );
}
