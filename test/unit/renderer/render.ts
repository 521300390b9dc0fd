/** Renders a component with a fake API in context; JSX-free so test files stay *.test.ts. */
import { createElement, type ReactElement } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import { ApiContext } from '../../../renderer/api';
import type { FakeApi } from './fake-api';

export const h = createElement;

export function renderWithApi(element: ReactElement, api: FakeApi): RenderResult {
  return render(h(ApiContext.Provider, { value: api.api() }, element));
}
