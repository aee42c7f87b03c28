/** One detection in source-frame pixels; the JSON shape of the output contracts. */
export interface Detection {
  box: [number, number, number, number];
  score: number;
  classId: number;
  label: string;
  trackId?: number;
}
