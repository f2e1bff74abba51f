/** Time constants shared by the calendar, the timers and the plans. */

/** One calendar day of 24 hours, in ms (a day in UTC; local days may be 23 or 25 hours). */
export const DAY_MS = 86_400_000;

/** The longest delay a Node.js timer supports (about 24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
