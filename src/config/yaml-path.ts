/** YAML paths as users read them: `source.path`, `stages[1].type`, `sinks[0].queue`. */
export function keyPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
