/**
 * Light or dark, following the operating system: PatternFly 6 switches its tokens with the
 * pf-v6-theme-dark class on <html>.
 */
const DARK_CLASS = 'pf-v6-theme-dark';

export function followSystemTheme(root: HTMLElement = document.documentElement, media: Pick<MediaQueryList, 'matches' | 'addEventListener'> | undefined = window.matchMedia?.('(prefers-color-scheme: dark)')): void {
  const apply = (dark: boolean): void => {
    root.classList.toggle(DARK_CLASS, dark);
  };
  apply(media?.matches ?? false);
  media?.addEventListener('change', (event) => apply(event.matches));
}
