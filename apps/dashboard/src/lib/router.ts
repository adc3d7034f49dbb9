import { useEffect, useState } from 'preact/hooks';

/** The pages and their paths; the api answers any of these with index.html (SPA fallback). */
export type Route =
  | { readonly page: 'sign-in' }
  | { readonly page: 'worklist' }
  | { readonly page: 'patients' }
  | { readonly page: 'overview' }
  | { readonly page: 'alert'; readonly alertId: string }
  | { readonly page: 'patient'; readonly patientId: string }
  | { readonly page: 'enter'; readonly patientId: string }
  | { readonly page: 'analytics' }
  | { readonly page: 'analytics-outcomes' }
  | { readonly page: 'analytics-backtest' }
  | { readonly page: 'not-found' };

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'worklist' };
  if (parts[0] === 'sign-in' && parts.length === 1) return { page: 'sign-in' };
  if (parts[0] === 'patients' && parts.length === 1) return { page: 'patients' };
  if (parts[0] === 'analytics' && parts.length === 1) return { page: 'analytics' };
  if (parts[0] === 'analytics' && parts[1] === 'outcomes' && parts.length === 2) return { page: 'analytics-outcomes' };
  if (parts[0] === 'analytics' && parts[1] === 'backtest' && parts.length === 2) return { page: 'analytics-backtest' };
  if (parts[0] === 'overview' && parts.length === 1) return { page: 'overview' };
  if (parts[0] === 'alerts' && parts.length === 2 && parts[1]) return { page: 'alert', alertId: parts[1] };
  if (parts[0] === 'patients' && parts[1] && parts.length === 2) return { page: 'patient', patientId: parts[1] };
  if (parts[0] === 'patients' && parts[1] && parts[2] === 'enter' && parts.length === 3) return { page: 'enter', patientId: parts[1] };
  return { page: 'not-found' };
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', changed);
    return () => removeEventListener('popstate', changed);
  }, []);
  return route;
}

/** A click on an in-app link changes the route without a reload (modifier clicks open tabs as usual). */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as HTMLElement).closest('a');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api') || anchor.target || (url.hash && url.pathname === location.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
