export { AnalyticsModule } from './analytics.module';
export { ANALYTICS_MAX_DAYS, wardAnalytics } from './ward-analytics';
export { alertBurdenReport, ALERT_BURDEN_DEFINITIONS, NO_ACTION_NEEDED_OUTCOMES, type ReportPeriod } from './alert-burden.report';
export { wardOutcomesReport, WARD_OUTCOMES_DEFINITIONS } from './ward-outcomes.report';
export { alertBurdenCsv, wardOutcomesCsv, toCsv } from './analytics.csv';
export { CATCH_WINDOW_HOURS, CLINICAL_ACTION_OUTCOMES, ruleBacktest, type BacktestAdmission, type BacktestAlert, type PlanAlerts, type RuleBacktestReport } from './rule-backtest';
export { BACKTEST_MAX_DAYS, wardBacktest, type WardBacktestRequest } from './ward-backtest';
export { THREADED_BACKTEST_MIN_ADMISSIONS, ruleBacktestInThreads, type ThreadedBacktestOptions } from './rule-backtest.threads';
