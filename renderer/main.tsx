import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@patternfly/react-core/dist/styles/base.css';
import { App } from './App';
import { followSystemTheme } from './theme';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('renderer/index.html has no #root element');

followSystemTheme();

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
