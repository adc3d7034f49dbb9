import { useEffect, useRef, useState } from 'preact/hooks';
import { api, loadSession, saveSession, whenUnauthorised } from './lib/api-client';
import type { Me } from '@homeward/contracts';
import { type Route, navigate, onLinkClick, parseRoute, useRoute } from './lib/router';
import { AlertPage } from './pages/alert-page';
import { AnalyticsBurdenPage } from './pages/analytics-burden-page';
import { AnalyticsOutcomesPage } from './pages/analytics-outcomes-page';
import { AnalyticsBacktestPage } from './pages/analytics-backtest-page';
import { EntryPage } from './pages/entry-page';
import { PatientPage } from './pages/patient-page';
import { OverviewPage } from './pages/overview-page';
import { PatientsPage } from './pages/patients-page';
import { SignInPage } from './pages/sign-in-page';
import { WorklistPage } from './pages/worklist-page';

/** Where a person lands after sign-in: staff on the worklist, a patient on their entry form. */
export function homePath(me: Me): string {
  return me.role === 'patient' && me.patientId ? `/patients/${me.patientId}/enter` : me.role === 'admin' ? '/patients' : '/';
}

const PAGE_TITLES: Readonly<Record<Route['page'], string>> = {
  'sign-in': 'Sign in',
  worklist: 'Worklist',
  patients: 'Patients',
  overview: 'Ward overview',
  alert: 'Alert',
  patient: 'Patient',
  enter: 'Enter a reading',
  analytics: 'Alert burden',
  'analytics-outcomes': 'Ward outcomes',
  'analytics-backtest': 'Try a care-plan change',
  'not-found': 'Page not found',
};

export function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null | undefined>(loadSession() ? undefined : null);
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    whenUnauthorised(() => {
      saveSession(null);
      setMe(null);
    });
    if (loadSession()) api<Me>('GET', '/api/me').then(setMe, () => setMe(null));
  }, []);

  // Name the page (WCAG 2.4.2) and move focus to its heading, so a screen reader announces the change.
  useEffect(() => {
    document.title = `${me ? PAGE_TITLES[route.page] : 'Sign in'} – Homeward`;
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route, me]);

  if (me === undefined) return <p class="loading">Loading Homeward…</p>;

  const signedIn = (who: Me) => {
    setMe(who);
    // A deep link opened before signing in (an alert sent in a message) is kept; otherwise go home.
    if (['sign-in', 'worklist', 'not-found'].includes(parseRoute(location.pathname).page)) navigate(homePath(who));
  };
  const signOut = () => {
    void api('POST', '/api/auth/sign-out').catch(() => undefined);
    saveSession(null);
    setMe(null);
    navigate('/sign-in');
  };

  return (
    <div onClick={onLinkClick}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="masthead">
        <a class="brand" href={me ? homePath(me) : '/sign-in'}>
          Homeward
        </a>
        {me?.role === 'patient' && me.patientId && (
          <nav aria-label="Main">
            <a href={`/patients/${me.patientId}/enter`}>Enter a reading</a>
            <a href={`/patients/${me.patientId}`}>My readings</a>
          </nav>
        )}
        {me && me.role !== 'patient' && (
          <nav aria-label="Main">
            {me.role !== 'admin' && <a href="/">Worklist</a>}
            {me.role !== 'admin' && <a href="/overview">Ward overview</a>}
            <a href="/patients">Patients</a>
            <a href="/analytics">Analytics</a>
          </nav>
        )}
        {me && (
          <div class="who">
            <span>
              {me.displayName} ({me.role})
            </span>
            <button type="button" class="secondary" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {me ? <Page route={route} me={me} /> : <SignInPage onSignedIn={signedIn} />}
      </main>
    </div>
  );
}

function Page({ route, me }: { route: Route; me: Me }) {
  switch (route.page) {
    case 'sign-in':
      return <Redirect to={homePath(me)} />;
    case 'worklist':
      if (me.role === 'patient' || me.role === 'admin') return <Redirect to={homePath(me)} />;
      return <WorklistPage me={me} />;
    case 'patients':
      return <PatientsPage />;
    case 'overview':
      if (me.role === 'patient' || me.role === 'admin') return <Redirect to={homePath(me)} />;
      return <OverviewPage />;
    case 'alert':
      return <AlertPage alertId={route.alertId} me={me} />;
    case 'patient':
      return <PatientPage patientId={route.patientId} me={me} />;
    case 'enter':
      return <EntryPage patientId={route.patientId} me={me} />;
    case 'analytics':
    case 'analytics-outcomes':
      if (me.role === 'patient') return <Redirect to={homePath(me)} />;
      return route.page === 'analytics' ? <AnalyticsBurdenPage /> : <AnalyticsOutcomesPage />;
    case 'analytics-backtest':
      if (me.role === 'patient') return <Redirect to={homePath(me)} />;
      return <AnalyticsBacktestPage me={me} />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <a href={homePath(me)}>Go to the start page</a>
          </p>
        </>
      );
  }
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to), [to]);
  return null;
}
