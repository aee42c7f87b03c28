/** Detection evaluation: COCO-style metrics, dataset loaders and the report. */
export { evaluateDetections, AREA_RANGES } from './evaluate.ts';
export type {
  ClassMetrics,
  EvaluateOptions,
  EvaluationResult,
  ThresholdCounts,
} from './evaluate.ts';
export { formatReport } from './format-report.ts';
export {
  parseCocoAnnotations,
  parseCocoResults,
  type CocoParseOptions,
} from './loaders/coco-json.ts';
export { parseVocXml, loadVocDataset, VOC_CLASSES } from './loaders/voc-xml.ts';
export { defaultLabelPath, loadYoloDataset, parseYoloLabels } from './loaders/yolo-txt.ts';
export { evaluateCocoResults, runEvaluation } from './run-evaluation.ts';
export type { IouType } from './matching.ts';
export { maskIou, runsArea, type MaskRuns } from './mask-runs.ts';
export { polygonToRuns } from './polygon-runs.ts';
export { segmentationToRuns } from './loaders/coco-segmentation.ts';
export type { DetectResult, EvaluationReport, RunEvaluationOptions } from './run-evaluation.ts';
export type * from './types.ts';
export { formatSegmentationReport, SegmentationEvaluator } from './segmentation.ts';
export type { SegmentationClassScore, SegmentationScores } from './segmentation.ts';
