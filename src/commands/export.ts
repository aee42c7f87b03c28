import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { FramewireError } from '../core/errors.ts';
import { recordToMotRows } from '../eval/mot/to-mot.ts';
import { type Command, EXIT } from './command.ts';
import { parseArgs } from './parse-args.ts';

const help = `Usage: framewire export mot IN.jsonl [--out results.txt]

Converts framewire JSON lines (the jsonl sink's output, after a track stage)
into a MOTChallenge results file: one row per tracked detection,
frame,id,x,y,w,h,score,-1,-1,-1 with frame = seq + 1 (MOT frames are 1-based).
Detections without a track id (no tracker, or a track not yet confirmed) are
left out. Writes to stdout unless --out is given.

Formats:
  mot    MOTChallenge results, for framewire eval track and the MOT devkits

Example:
  framewire export mot out/detections.jsonl --out MOT17-02.txt`;

const FORMATS = ['mot'] as const;

export const exportCommand: Command = {
  name: 'export',
  summary: 'convert JSON-lines output to other formats (mot: MOTChallenge tracking results)',
  help,
  async run(argv) {
    const p = parseArgs(argv, { values: ['out'] });
    const [format, input, ...extra] = p.positional;
    if (format === undefined) throw usage(`a format is required: ${FORMATS.join(', ')}`);
    if (format !== 'mot') throw usage(`unknown format "${format}"; formats: ${FORMATS.join(', ')}`);
    if (input === undefined) throw usage('the input .jsonl file is required');
    if (extra.length > 0) throw usage(`unexpected argument ${extra[0]}`);

    const rows = await convert(input);
    const text = rows.length > 0 ? `${rows.join('\n')}\n` : '';
    const out = p.values.get('out');
    if (out === undefined) process.stdout.write(text);
    else await writeFile(out, text);
    return EXIT.ok;
  },
};

async function convert(path: string): Promise<string[]> {
  const stream = createReadStream(path, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(`${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const rows: string[] = [];
  let n = 0;
  // Line by line: a long recording never has to fit in memory as one string.
  for await (const line of createInterface({
    input: stream,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    n++;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw usage(`${path}: line ${n}: not valid JSON`);
    }
    try {
      rows.push(...recordToMotRows(record, n));
    } catch (err) {
      throw usage(`${path}: ${(err as Error).message}`);
    }
  }
  return rows;
}

function usage(message: string): FramewireError {
  return new FramewireError('USAGE', message);
}
