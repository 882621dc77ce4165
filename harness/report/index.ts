/** The report's public surface: write a run's files, find its directory, read its history back. */
export { writeReport, buildReport, type ReportInput, type ReportFiles } from './write.ts';
export { runDir } from './run-dir.ts';
export { readHistory, writeHistory, historyLines } from './history-file.ts';
export { renderHtml } from './html.ts';
export { computeFigures, DEFAULT_SLO, type Figures } from './figures.ts';
export { verdictLabel, type Report, type VerdictLabel } from './model.ts';
export { esc } from './escape.ts';
