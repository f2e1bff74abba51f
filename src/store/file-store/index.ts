/**
 * The durable file store and the tools that read its run directory.
 */
export { FileStore } from './file-store.js';
export type { FileStoreOptions } from './file-store.js';
export { DEFAULT_LEDGER, DEFAULT_TRIAGE_ROUTES, ledgerFor } from './triage.js';
export type { TriageRoute } from './triage.js';
export type { LedgerRecord } from './run-dir.js';
export { nodeFileSystem } from './fs.js';
export type { FileSystem, AppendHandle } from './fs.js';
export { readLedger, summarizeLedger, exportLedger, exportLines, rerunInput, csvField, CSV_COLUMNS } from './ledger-tools.js';
export type { LedgerFilter, LedgerSummary, ExportFormat } from './ledger-tools.js';
export { planRepair, applyRepair, formatRepairPlan } from './repair.js';
export type { RepairPlan, RepairResult, RepairOptions, NamedDamagedRecord } from './repair.js';
export type { UpdateHandle } from './fs.js';
