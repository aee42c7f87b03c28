/** The generated part of README.md sits between these markers; the rest is hand-written. */
export const REFERENCE_START = '<!-- reference:start -->';
export const REFERENCE_END = '<!-- reference:end -->';

/** The text between the markers, or undefined when README.md has no (well-ordered) markers. */
export function readReferenceSection(readme: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + REFERENCE_START.length, end);
}

/** README.md with the text between the markers replaced, or undefined without markers. */
export function replaceReferenceSection(readme: string, reference: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + REFERENCE_START.length)}\n\n${reference.trimEnd()}\n\n${readme.slice(end)}`;
}

/** Whether the README's reference is exactly what would be generated now. */
export function referenceIsCurrent(readme: string, reference: string): boolean {
  return readReferenceSection(readme) === `\n\n${reference.trimEnd()}\n\n`;
}
