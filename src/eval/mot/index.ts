export { coverage, fragmentations, tallyClearMot, type ClearMotTally } from './clear-mot.ts';
export { evaluateMot, type MotMetrics } from './evaluate-mot.ts';
export { formatMotReport } from './format-mot.ts';
export { identityCounts, type IdentityCounts } from './identity.ts';
export { type MotFrame, MotParseError, type MotSequence, parseMot } from './mot-file.ts';
export { recordToMotRows } from './to-mot.ts';
