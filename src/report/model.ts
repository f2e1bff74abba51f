/**
 * The report for the BCSS: the figures of a batch as measured by its runs, and a verdict per
 * rule of the BCSS's mass-call recommendations. What `bcss-bulk report DIR --json` prints.
 */

/** The id of a rule: `announcement`, `office-hours`, `cap:<source>`, `min-pause`, `reject-ratio`. */
export type RuleId = 'announcement' | 'office-hours' | 'min-pause' | 'reject-ratio' | `cap:${string}`;

/** The verdict on one rule. */
export interface RuleVerdict {
  readonly id: RuleId;
  /** True when the batch kept the rule. */
  readonly ok: boolean;
  /** What was measured against what the rule allows (English; the HTML page says it in its language). */
  readonly detail: string;
  /** The written reason of the override under which the rule was set aside, when there was one. */
  readonly override?: string;
  /** The figures of the verdict (for the page's texts). */
  readonly facts: Readonly<Record<string, string | number>>;
}

/** One source's figures. */
export interface SourceFigures {
  readonly source: string;
  readonly kind: string;
  /** The cap the run ran with. */
  readonly cap: number;
  /** The BCSS policy's cap (4 for the BCSS and the National Register, 2 otherwise). */
  readonly policyCap: number;
  /** The written reason of a cap above the policy's. */
  readonly overrideReason?: string;
  /** The most calls in flight at once, measured where calls start and end. */
  readonly peakConcurrency: number;
  /** When the peak was first reached (ISO 8601), if ever. */
  readonly peakAt?: string;
  readonly calls: number;
  readonly callsInOfficeHours: number;
  readonly rejects: Readonly<Record<string, number>>;
  readonly exhausted: Readonly<Record<string, number>>;
  readonly retries: Readonly<Record<string, number>>;
  /** Peak in flight per minute, `[minute (ms since epoch), peak]`, for minutes with calls in flight. */
  readonly inFlightPerMinute: readonly (readonly [number, number])[];
}

/** Calls started in one hour. */
export interface HourFigures {
  /** The hour's first instant (ISO 8601). */
  readonly hour: string;
  readonly calls: number;
  readonly bySource: Readonly<Record<string, number>>;
  /** True when the hour lies in office hours. */
  readonly officeHours: boolean;
}

/** A pause of the run and its resumption. */
export interface PauseFigures {
  readonly at: string;
  readonly reason: string;
  readonly origin?: string;
  readonly message?: string;
  readonly resumedAt?: string;
  readonly delayMs?: number;
  /** True when resumed no sooner than the minimum pause (or not resumed yet). */
  readonly honoured: boolean;
}

/** A period in one state, for the timeline. */
export interface StatePeriod {
  readonly state: string;
  readonly from: string;
  readonly to?: string;
  readonly reason: string;
  readonly origin?: string;
  readonly message?: string;
}

/** An event of the run besides its states (overload cooldowns, stalls, the shared mode). */
export interface RunEventFigures {
  readonly event: string;
  readonly at: string;
  readonly source?: string;
  readonly until?: string;
  readonly reason?: string;
  readonly origin?: string;
  readonly message?: string;
}

/** The plan's figures against what happened. */
export interface PlanVersusActual {
  readonly plannedCalls: number;
  readonly actualCalls: number;
  readonly plannedHours: number;
  /** Hours with at least one call started. */
  readonly actualHours: number;
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly sources: readonly { readonly source: string; readonly plannedCalls: number; readonly actualCalls: number; readonly plannedCap: number; readonly peakConcurrency: number }[];
}

/** The report for the BCSS. */
export interface ComplianceReport {
  /** The run directories read, and how many run starts (processes, resumptions) they hold. */
  readonly dirs: readonly string[];
  readonly runs: number;
  readonly name?: string;
  readonly startedAt: string;
  /** The last instant the records speak of. */
  readonly lastRecordAt: string;
  /** False while a run of the batch has not ended (a live report: what happened so far). */
  readonly ended: boolean;
  /** Peak of calls in flight per source. */
  readonly peakConcurrency: Readonly<Record<string, number>>;
  /** The cap per source. */
  readonly caps: Readonly<Record<string, number>>;
  readonly sources: readonly SourceFigures[];
  readonly totalCalls: number;
  readonly callsPerHour: readonly HourFigures[];
  readonly callsStartedInOfficeHours: number;
  readonly calendar: { readonly enforced: boolean; readonly timeZone: string; readonly overrideReason?: string };
  readonly announcement: { readonly reference?: string; readonly announcedOn?: string; readonly leadDays?: number; readonly leadTimeDays?: number; readonly overrideReason?: string };
  readonly minPauseMs: number;
  readonly pauses: readonly PauseFigures[];
  readonly timeline: readonly StatePeriod[];
  readonly events: readonly RunEventFigures[];
  readonly totals: { readonly finished: number; readonly succeeded: number; readonly rejected: number; readonly exhausted: number; readonly retries: number };
  readonly rejectRatio: number;
  readonly maxRejectRatio: number;
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly retriesByCode: Readonly<Record<string, number>>;
  /** Rejects per minute and code, `[minute (ISO 8601), code, count]`. */
  readonly rejectsPerMinute: readonly (readonly [string, string, number])[];
  readonly plan?: PlanVersusActual;
  readonly rules: readonly RuleVerdict[];
}
