/** The run's compliance records: their format, their writer and their reader. */
export * from './format.js';
export * from './reader.js';
export * from './writer.js';
